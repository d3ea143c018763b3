""" "Remind me" in a real browser: by email with double opt-in, signed in, bad input, and the
one-click unsubscribe page; every page passes axe-core."""

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from events.models import DeliveryStatus, ReminderDelivery, ReminderRequest
from events.reminders import services
from tests.e2e.helpers import sign_in
from tests.factories import EventFactory
from tests.factories.accounts import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _eager_celery() -> Iterator[None]:
    """The confirmation email is sent by a task; run it in the server thread (locmem mail)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def _axe(page: Page) -> list[str]:
    return [v["id"] for v in Axe().run(page).response["violations"]]


def test_remind_me_by_email_with_confirmation(page: Page, live_server: object) -> None:
    base = str(live_server)
    event = EventFactory(title="家门口的读书会", starts_at=timezone.now() + dt.timedelta(days=3))
    mail.outbox.clear()
    page.goto(f"{base}/reminders/new/?event={event.pk}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator(".lead strong")).to_contain_text("家门口的读书会")
    assert _axe(page) == []

    page.locator("input[name=offsets][value='1440']").check()
    page.locator("input[name=email]").fill("reader@example.cn")
    page.locator("form.form button[type=submit]").click()
    expect(page.get_by_role("status")).to_contain_text("reader@example.cn")
    assert _axe(page) == []
    request = ReminderRequest.objects.get()
    assert not request.is_active  # nothing but the confirmation until the link is followed

    (confirmation,) = mail.outbox
    match = re.search(r"https?://\S+/reminders/confirm/([A-Za-z0-9_-]+)/", str(confirmation.body))
    assert match is not None
    page.goto(f"{base}/reminders/confirm/{match.group(1)}/")
    assert _axe(page) == []
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("status")).to_contain_text("家门口的读书会")
    request.refresh_from_db()
    assert request.is_active
    assert request.offsets == [1440, 60]


def test_bad_input_is_explained_next_to_the_field(page: Page, live_server: object) -> None:
    base = str(live_server)
    page.goto(f"{base}/reminders/new/?region=110000")
    page.locator("input[name=offsets]").evaluate_all(
        "boxes => boxes.forEach(b => b.checked = false)"
    )
    page.locator("input[name=email]").fill("not-an-address")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("#offsets-error")).to_be_visible()
    expect(page.locator("#id_email_error")).to_be_visible()
    assert _axe(page) == []
    assert not ReminderRequest.objects.exists()


def test_signed_in_remind_me_then_manage(page: Page, live_server: object, resident: User) -> None:
    base = str(live_server)
    event = EventFactory(title="老年大学公开课", starts_at=timezone.now() + dt.timedelta(days=2))
    event.tags.create(key="series:12")
    sign_in(page, base, resident.username, PASSWORD)
    page.goto(f"{base}/reminders/new/?tag=series:12")
    expect(page.locator("input[name=email]")).to_have_count(0)
    page.locator("input[name=offsets][value='10']").check()
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/reminders/")
    expect(page.locator(".message-success")).to_be_visible()
    assert _axe(page) == []
    request = ReminderRequest.objects.get()
    assert request.offsets == [60, 10]

    page.locator(f"#r{request.pk}-60").uncheck()
    page.locator(f"form[action='/reminders/{request.pk}/'] button[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    request.refresh_from_db()
    assert request.offsets == [10]
    page.locator(f"form[action='/reminders/{request.pk}/stop/'] button").click()
    expect(page.locator(".message-success")).to_be_visible()
    request.refresh_from_db()
    assert not request.is_active


def test_unsubscribe_page_asks_then_stops(page: Page, live_server: object, resident: User) -> None:
    base = str(live_server)
    event = EventFactory(starts_at=timezone.now() + dt.timedelta(days=1))
    request = ReminderRequest.objects.create(
        user=resident, recipient=f"user:{resident.pk}", target=f"event:{event.pk}",
        event=event, offset_mask=2, confirmed_at=timezone.now(),
    )  # fmt: skip
    token, digest = services.new_token()
    ReminderDelivery.objects.create(
        request=request, event=event, offset_minutes=60, sequence=0,
        recipient=request.recipient, starts_at=event.starts_at,
        due_at=event.starts_at - dt.timedelta(hours=1), status=DeliveryStatus.SENT,
        unsubscribe_token_hash=digest,
    )  # fmt: skip
    page.goto(f"{base}/unsubscribe/{token}/")
    assert _axe(page) == []
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    assert _axe(page) == []
    request.refresh_from_db()
    assert not request.is_active


def test_ministry_delivery_view_is_accessible(
    page: Page, live_server: object, ministry_user: User
) -> None:
    base = str(live_server)
    event = EventFactory(starts_at=timezone.now() + dt.timedelta(hours=2))
    request = ReminderRequest.objects.create(
        email="reader@example.cn", recipient="email:reader@example.cn", target=f"event:{event.pk}",
        event=event, offset_mask=2, confirmed_at=timezone.now(),
    )  # fmt: skip
    ReminderDelivery.objects.create(
        request=request, event=event, offset_minutes=60, sequence=0,
        recipient=request.recipient, starts_at=event.starts_at,
        due_at=timezone.now() - dt.timedelta(minutes=5), status=DeliveryStatus.FAILED,
        attempts=6, last_error="451 4.7.1 Greylisted",
    )  # fmt: skip
    sign_in(page, base, ministry_user.username, PASSWORD)
    page.goto(f"{base}/reminders/deliveries/")
    expect(page.locator("svg[role=img]")).to_be_visible()
    expect(page.locator("main")).to_contain_text("451 4.7.1 Greylisted")
    expect(page.locator("main")).to_contain_text("r***@example.cn")
    assert _axe(page) == []


TAP_TARGETS = """sel => [...document.querySelectorAll(sel)].map(box => {
  const row = box.closest('label').getBoundingClientRect();
  const own = box.getBoundingClientRect();
  return {row: row.height, box: Math.min(own.width, own.height)};
})"""


def test_on_a_phone_a_bad_address_is_summed_up_on_screen(page: Page, live_server: object) -> None:
    base = str(live_server)
    page.set_viewport_size({"width": 360, "height": 780})
    event = EventFactory(title="法律常识", starts_at=timezone.now() + dt.timedelta(days=3))
    page.goto(f"{base}/reminders/new/?event={event.pk}")

    sizes = page.evaluate(TAP_TARGETS, "input[name=offsets]")
    assert len(sizes) == 3
    assert all(s["row"] >= 44 and s["box"] >= 24 for s in sizes), sizes
    # The words are part of the box: tapping "1 day before" ticks it.
    page.locator("label[for=id_offsets_0]").click(position={"x": 120, "y": 20})
    expect(page.locator("#id_offsets_0")).to_be_checked()

    page.locator("input[name=email]").fill("wang@qq")
    page.locator("form.form button[type=submit]").click()
    summary = page.locator("#error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_in_viewport()
    summary.get_by_role("link").click()
    expect(page.locator("#id_email")).to_be_in_viewport()
    assert _axe(page) == []


def test_a_talk_hours_away_offers_no_day_before(page: Page, live_server: object) -> None:
    base = str(live_server)
    event = EventFactory(starts_at=timezone.now() + dt.timedelta(hours=6))
    page.goto(f"{base}/reminders/new/?event={event.pk}")
    expect(page.locator("input[name=offsets][value='1440']")).to_have_count(0)
    expect(page.locator("#offsets-passed")).to_be_visible()
    assert _axe(page) == []
