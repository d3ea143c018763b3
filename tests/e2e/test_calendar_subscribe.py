"""Subscribing from a page and rotating the private link, in a real browser."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts.models import User
from events.models import CalendarSubscription
from tests.e2e.helpers import sign_in
from tests.factories import EventFactory, LecturerFactory
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


def test_on_a_phone_every_check_box_row_is_a_big_tap_target(
    page: Page, live_server: object, resident: User
) -> None:
    base = str(live_server)
    lecturer = LecturerFactory(name="刘秀英")
    CalendarSubscription.objects.create(user=resident, tags=[f"lecturer:{lecturer.pk}"])
    sign_in(page, base, resident.username, PASSWORD)
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{base}/calendar/me/")
    expect(page.locator(".follow-list li")).to_contain_text("刘秀英")
    stop = page.get_by_role("button", name="取消关注")
    assert stop.evaluate("b => getComputedStyle(b).color") != "rgb(255, 255, 255)"
    assert stop.bounding_box()["height"] >= 44  # type: ignore[index]
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('main input[type=checkbox]')].map(box => ({
          row: box.closest('label').getBoundingClientRect().height,
          box: Math.min(box.getBoundingClientRect().width, box.getBoundingClientRect().height),
        }))"""
    )
    assert len(sizes) == 37 + 5  # regions and activity types
    assert all(s["row"] >= 44 and s["box"] >= 24 for s in sizes), sizes
    page.get_by_text("新疆生产建设兵团", exact=True).click()
    assert page.get_by_label("新疆生产建设兵团", exact=True).is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    violations = Axe().run(page).response["violations"]
    assert violations == [], [v["id"] for v in violations]


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
