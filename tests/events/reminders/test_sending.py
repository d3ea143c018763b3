"""Sending against a real SMTP server (aiosmtpd): headers, language, the .ics attachment,
exactly once under redelivery, retries on 4xx, failure recorded and shown."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from icalendar import Calendar

from accounts.models import User
from events.feeds import ical_item
from events.ical import vevent_bytes
from events.models import DeliveryStatus, Event, ReminderDelivery
from events.reminders.dispatch import reminders_create_due
from events.reminders.emails import reminder_message_id
from events.reminders.services import reminder_unsubscribe, token_hash
from events.tasks import reminders_send_batch
from tests.events.reminders.conftest import Sink
from tests.events.reminders.factories import EmailReminderRequestFactory, ReminderRequestFactory
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_default_timezone()
START = dt.datetime(2027, 3, 10, 19, 0, tzinfo=SHANGHAI)
DUE = START - dt.timedelta(minutes=60)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(DUE + dt.timedelta(seconds=20), tick=False) as traveller:
        yield traveller


def _due(event: Event, *users: User, emails: int = 0) -> list[int]:
    for user in users:
        ReminderRequestFactory(user=user, event=event, offset_mask=2)
    for _ in range(emails):
        EmailReminderRequestFactory(event=event, offset_mask=2, language="en")
    reminders_create_due()
    return list(ReminderDelivery.objects.order_by("pk").values_list("pk", flat=True))


def test_reminder_email_headers_and_one_click_unsubscribe(smtp: Sink, clock: Any) -> None:
    event = EventFactory(starts_at=START, online_url="https://live.example.cn/talk/8")
    user = UserFactory(language="zh-hans")
    (pk,) = _due(event, user)
    result = reminders_send_batch(delivery_ids=[pk])
    assert result["sent"] == 1
    (message,) = smtp.received
    assert message["Message-ID"] == reminder_message_id(pk) == f"<delivery-{pk}@127.0.0.1>"
    assert message["To"] == user.email
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip().strip("<>")  # may be folded: long URL
    assert link.startswith("http://127.0.0.1:8000/unsubscribe/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 32  # 192 random bits
    delivery = ReminderDelivery.objects.get(pk=pk)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.sent_at is not None
    assert delivery.unsubscribe_token_hash == token_hash(token)
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "https://live.example.cn/talk/8" in text
    assert "https://live.example.cn/talk/8" in html
    assert link in text
    assert link in html
    assert reminder_unsubscribe(token=token).already is False
    assert reminder_unsubscribe(token=token).already is True  # the same link again: no error


def test_language_follows_the_recipient(smtp: Sink, clock: Any) -> None:
    event = EventFactory(starts_at=START)
    ids = _due(event, UserFactory(language="zh-hans"), UserFactory(language="en"))
    reminders_send_batch(delivery_ids=ids)
    by_language = {m["Content-Language"]: m for m in smtp.received}
    assert set(by_language) == {"zh-Hans", "en"}
    chinese = by_language["zh-Hans"].get_body(("html",)).get_content()  # type: ignore[union-attr]
    english = by_language["en"].get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert '<html lang="zh-Hans">' in chinese
    assert "2027年3月10日" in chinese
    assert '<html lang="en">' in english
    assert "March 10, 2027" in english


def test_ics_attachment_matches_the_feed(smtp: Sink, clock: Any) -> None:
    event = EventFactory(starts_at=START)
    ids = _due(event, emails=1)
    reminders_send_batch(delivery_ids=ids)
    (attachment,) = list(smtp.received[0].iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_filename() == "event.ics"
    calendar = Calendar.from_ical(attachment.get_content())
    assert calendar["METHOD"] == "PUBLISH"
    (vevent,) = calendar.walk("VEVENT")
    event.refresh_from_db()
    feed = Calendar.from_ical(
        b"BEGIN:VCALENDAR\r\n" + vevent_bytes(ical_item(event)) + b"END:VCALENDAR\r\n"
    )
    (feed_vevent,) = feed.walk("VEVENT")
    assert str(vevent["UID"]) == str(feed_vevent["UID"]) == f"{event.uid}@lifelong-learning"
    assert int(vevent["SEQUENCE"]) == int(feed_vevent["SEQUENCE"]) == event.sequence
    assert vevent.decoded("DTSTART") == START


def test_same_task_twice_sends_once(smtp: Sink, clock: Any) -> None:
    event = EventFactory(starts_at=START)
    ids = _due(event, UserFactory(), emails=2)
    first = reminders_send_batch.apply(args=[ids]).get()
    again = reminders_send_batch.apply(args=[ids]).get()  # a redelivered message
    assert (first["sent"], again["sent"], again["skipped"]) == (3, 0, 3)
    assert sorted(smtp.message_ids()) == sorted(reminder_message_id(pk) for pk in ids)


def test_temporary_refusal_is_retried_then_sent(smtp: Sink, clock: Any) -> None:
    event = EventFactory(starts_at=START)
    (pk,) = _due(event, emails=1)
    smtp.replies = ["451 4.3.0 Try again later"]
    reminders_send_batch.apply(args=[[pk]])
    delivery = ReminderDelivery.objects.get(pk=pk)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert delivery.last_error.startswith("451")
    assert smtp.attempts == 2
    assert len(smtp.received) == 1


def test_server_that_always_refuses_ends_failed_and_shown(smtp: Sink, clock: Any) -> None:
    event = EventFactory(starts_at=START)
    ids = _due(event, emails=2)
    smtp.refuse = "451 4.7.1 Greylisted"
    result = reminders_send_batch.apply(args=[ids]).get()
    assert result["failed"] == 2
    rows = ReminderDelivery.objects.filter(pk__in=ids)
    assert {r.status for r in rows} == {DeliveryStatus.FAILED}
    assert all(r.last_error.startswith("451") for r in rows)
    assert max(r.attempts for r in rows) == reminders_send_batch.max_retries + 1


def test_permanent_refusal_fails_at_once(smtp: Sink, clock: Any) -> None:
    event = EventFactory(starts_at=START)
    ids = _due(event, emails=1)
    smtp.refuse = "550 5.1.1 No such mailbox"
    assert reminders_send_batch.apply(args=[ids]).get()["failed"] == 1
    delivery = ReminderDelivery.objects.get()
    assert (delivery.attempts, delivery.last_error) == (1, "550 5.1.1 No such mailbox")


def test_unreachable_server_retries_then_marks_the_batch_failed(smtp_down: int, clock: Any) -> None:
    event = EventFactory(starts_at=START)
    ids = _due(event, emails=3)
    assert reminders_send_batch.apply(args=[ids]).get()["failed"] == 3
    errors = list(ReminderDelivery.objects.order_by("pk").values_list("status", "last_error"))
    assert all(status == DeliveryStatus.FAILED for status, _e in errors)
    assert "ConnectionRefusedError" in errors[0][1]
    assert errors[1][1].startswith("not_tried ")


def test_stopped_request_is_not_sent(smtp: Sink, clock: Any) -> None:
    event = EventFactory(starts_at=START)
    ids = _due(event, emails=1)
    ReminderDelivery.objects.get().request.__class__.objects.update(unsubscribed_at=timezone.now())
    assert reminders_send_batch(delivery_ids=ids)["obsolete"] == 1
    assert smtp.received == []


def test_prebuilt_email_is_the_ordinary_email(clock: Any) -> None:
    """The fast path (one serialized template per batch) gives the same email as Django's."""
    import email
    import email.policy

    from events.reminders import emails

    event = EventFactory(starts_at=START, title="社区大学 · 终身学习", online_url="https://x.cn/1")
    parts = emails.reminder_parts(emails.PartsCache(), event, 60, "zh-hans")
    assert parts.raw is not None
    arguments = {"token": "T" * 32, "message_id": "<delivery-9@127.0.0.1>"}
    fast = emails.build(parts, to="li@example.cn", **arguments)
    slow = emails._message(parts, to="li@example.cn", **arguments)
    assert isinstance(fast, emails.PrebuiltEmail)
    parsed = [
        email.message_from_bytes(
            m.message(policy=email.policy.SMTP).as_bytes(), policy=email.policy.default
        )
        for m in (fast, slow)
    ]
    for header in ("Subject", "From", "To", "Message-ID", "List-Unsubscribe", "Content-Language"):
        assert str(parsed[0][header]).strip() == str(parsed[1][header]).strip(), header
    for kind in ("plain", "html"):
        bodies = [p.get_body((kind,)).get_content() for p in parsed]  # type: ignore[union-attr]
        assert bodies[0] == bodies[1]
        assert "T" * 32 in bodies[0]
    attachments = [next(iter(p.iter_attachments())).get_content() for p in parsed]
    assert attachments[0] == attachments[1]
    # An address the template cannot take verbatim goes the ordinary way.
    assert not isinstance(
        emails.build(parts, to="李@example.cn", **arguments), emails.PrebuiltEmail
    )
