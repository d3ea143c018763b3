"""Subscribing from a page and rotating the private link, in a real browser."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.e2e.helpers import sign_in
from tests.factories import EventFactory
from tests.factories.accounts import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_resident_subscribes_and_rotates_the_private_link(
    page: Page, live_server: object, resident: User
) -> None:
    base = str(live_server)
    EventFactory(title="社区读书会", region_id="110000")
    sign_in(page, base, resident.username, PASSWORD)
    page.goto(f"{base}/calendar/me/")
    page.get_by_label("北京", exact=True).check()
    page.locator("form.form button[type=submit]").click()
    link = page.locator("#private-feed-url").input_value()
    assert "/calendar/me/" in link
    webcal = page.locator("a[href^='webcal://']").first.get_attribute("href")
    assert webcal == "webcal://" + link.split("://", 1)[1]
    feed = page.request.get(link)
    assert feed.status == 200
    assert "社区读书会" in feed.text()
    violations = Axe().run(page).response["violations"]
    assert violations == [], [v["id"] for v in violations]

    page.locator("form[action$='/calendar/me/rotate/'] button").click()
    new_link = page.locator("#private-feed-url").input_value()
    assert new_link != link
    assert page.request.get(link).status == 404
    assert page.request.get(new_link).status == 200


def test_year_page_offers_the_national_feed(
    page: Page, live_server: object, ministry_user: User
) -> None:
    from scheduling.services import campaign_year_open

    campaign_year_open(actor=ministry_user, year=2027)
    page.goto(f"{live_server}/calendar/2027/")
    address = page.locator("#feed-url-national").input_value()
    assert address.endswith("/calendar/all.ics")
    assert page.request.get(address).headers["content-type"] == "text/calendar; charset=utf-8"


@pytest.mark.urls("tests.config.test_sign_in_landing")  # the site's URLs with SignInView
def test_a_resident_signing_in_lands_on_my_calendar_with_my_reminders_in_reach(
    page: Page, live_server: object, resident: User
) -> None:
    base = str(live_server)
    page.goto(f"{base}/")
    page.locator(".site-nav a[href='/accounts/login/']").click()
    page.locator("#id_username").fill(resident.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/calendar/me/")
    page.locator("main a[href='/reminders/']").click()
    expect(page).to_have_url(f"{base}/reminders/")
    expect(page.locator(".site-nav a[href='/reminders/']")).to_have_attribute(
        "aria-current", "page"
    )
