"""Change notices: several edits within minutes make one email per person; lecturers of a
session are told through the registry; a cancellation says so and stops the reminders."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from accounts.models import User
from events.models import ChangeNotice, DeliveryStatus, EventStatus, NoticeDelivery, NoticeOptOut
from events.reminders.dispatch import reminders_dispatch
from events.reminders.notices import change_notice_record
from events.reminders.registry import tag_kind, tag_kind_register, tag_kind_unregister
from events.reminders.services import reminder_unsubscribe
from events.services import event_cancel, event_update, lecture_event_sync
from events.tasks import notices_send_batch
from tests.events.reminders.conftest import Sink, handed_out
from tests.events.reminders.factories import EmailReminderRequestFactory, ReminderRequestFactory
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_default_timezone()
START = dt.datetime(2027, 4, 2, 19, 0, tzinfo=SHANGHAI)
EDIT = dt.datetime(2027, 3, 30, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(EDIT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def lecturers_registered() -> Iterator[dict[int, int]]:
    """What lecture_hall would register: lecturer id -> the lecturer's user id."""
    owners: dict[int, int] = {}
    before = tag_kind("lecturer")
    tag_kind_register(
        "lecturer",
        label=lambda ids: {i: f"讲师{i}" for i in ids},
        notice_user_ids=lambda ids: [owners[i] for i in ids if i in owners],
    )
    yield owners
    tag_kind_unregister("lecturer")
    if before is not None:  # put lecture_hall's own registration back for later tests
        tag_kind_register(
            "lecturer", label=before.label, notice_user_ids=before.notice_user_ids, url=before.url
        )


def _dispatch_and_send(capture: Any) -> list[int]:
    with capture() as callbacks:
        reminders_dispatch()
    ids = [pk for batch in handed_out(callbacks) for pk in batch]
    notice_ids = list(NoticeDelivery.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if notice_ids:
        notices_send_batch(delivery_ids=notice_ids)
    return notice_ids


def test_several_edits_make_one_notice(
    smtp: Sink,
    clock: Any,
    coordinator: User,
    resident: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    event = EventFactory(starts_at=START)
    ReminderRequestFactory(user=resident, event=event, offset_mask=1)
    ReminderRequestFactory(user=resident, target="region:110000", offset_mask=2)  # same person
    EmailReminderRequestFactory(target="region:110000", offset_mask=4, language="en")
    for minutes in (0, 2, 4):
        clock.move_to(EDIT + dt.timedelta(minutes=minutes))
        later = START + dt.timedelta(minutes=30 * (minutes + 1))
        with django_capture_on_commit_callbacks(execute=True):  # event_changed after commit
            event_update(
                actor=coordinator,
                event=event,
                starts_at=later,
                ends_at=later + dt.timedelta(hours=1),
            )
    notice = ChangeNotice.objects.get()
    assert (notice.changes, notice.not_before) == (3, EDIT + dt.timedelta(minutes=5))

    clock.move_to(EDIT + dt.timedelta(minutes=4, seconds=59))
    assert _dispatch_and_send(django_capture_on_commit_callbacks) == []  # still quiet
    clock.move_to(EDIT + dt.timedelta(minutes=5))
    assert len(_dispatch_and_send(django_capture_on_commit_callbacks)) == 2
    assert sorted(str(m["Content-Language"]) for m in smtp.received) == ["en", "zh-Hans"]
    english = next(m for m in smtp.received if m["Content-Language"] == "en")
    assert "April 2, 2027" in english.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert str(english["Subject"]) == f"New time: {event.title}"
    assert english["Message-ID"].startswith("<notice-")
    assert english["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    clock.move_to(EDIT + dt.timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        event_update(actor=coordinator, event=event, organiser="区图书馆")  # nothing to act on
    assert ChangeNotice.objects.count() == 1


def _body(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


@pytest.mark.parametrize(
    "change",
    [{"venue": "区文化馆三楼"}, {"city": "顺义区"}, {"online_url": "https://live.example.cn/new"}],
)
def test_a_new_place_or_link_is_a_notice_too(
    change: dict[str, str],
    smtp: Sink,
    clock: Any,
    coordinator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Someone whose day-before reminder has gone must still hear the talk moved rooms."""
    event = EventFactory(starts_at=START, city="海淀区", venue="区图书馆")
    EmailReminderRequestFactory(event=event, offset_mask=1, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        event_update(actor=coordinator, event=event, **change)
    assert ChangeNotice.objects.get().change == "relocated"
    clock.move_to(EDIT + dt.timedelta(minutes=5))
    _dispatch_and_send(django_capture_on_commit_callbacks)
    (message,) = smtp.received
    assert str(message["Subject"]) == f"New place or link: {event.title}"
    body = _body(message)
    assert "has a new place or online link" in body
    event.refresh_from_db()
    assert f"Where: {event.city} {event.venue}" in body
    assert f"Join: {event.online_url}" in body if event.online_url else "Join: " in body
    assert "Your reminders will come at the same times as before." in body
    html = str(message.get_body(("html",)).get_content())  # type: ignore[union-attr]
    assert "has a new place or online link" in html
    assert "BEGIN:VEVENT" in next(iter(message.iter_attachments())).get_content()


@pytest.mark.parametrize("order", ["place first", "time first"])
def test_a_new_time_outweighs_a_new_place_in_one_notice(
    order: str,
    smtp: Sink,
    clock: Any,
    coordinator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    event = EventFactory(starts_at=START, city="海淀区", venue="区图书馆")
    EmailReminderRequestFactory(event=event, offset_mask=1, language="en")
    later = START + dt.timedelta(hours=2)
    edits = [
        {"venue": "区文化馆"},
        {"starts_at": later, "ends_at": later + dt.timedelta(hours=1)},
    ]
    for edit in edits if order == "place first" else edits[::-1]:
        with django_capture_on_commit_callbacks(execute=True):
            event_update(actor=coordinator, event=event, **edit)
    notice = ChangeNotice.objects.get()
    assert (notice.change, notice.changes) == ("rescheduled", 2)
    clock.move_to(EDIT + dt.timedelta(minutes=5))
    _dispatch_and_send(django_capture_on_commit_callbacks)
    (message,) = smtp.received
    assert str(message["Subject"]) == f"New time: {event.title}"
    body = _body(message)
    assert "April 2, 2027 21:00" in body  # the new time
    assert "Where: 海淀区 区文化馆" in body  # and the new place, in the same email


def test_a_lecturers_new_stream_link_and_reschedule_reason_reach_listeners(
    smtp: Sink, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    arguments = {
        "title": "社区学习方法", "description": "", "region_code": None,
        "organiser": "讲师五", "tags": ["lecturer:5"], "status": EventStatus.CONFIRMED,
    }  # fmt: skip
    end = START + dt.timedelta(hours=1)
    event = lecture_event_sync(
        event=None, starts_at=START, ends_at=end, online_url="https://live.example.cn/5",
        **arguments,
    )  # fmt: skip
    EmailReminderRequestFactory(target="lecturer:5", offset_mask=1, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        lecture_event_sync(
            event=event, starts_at=START, ends_at=end, online_url="https://meet.example.cn/55",
            **arguments,
        )  # fmt: skip
    assert ChangeNotice.objects.get().change == "relocated"
    clock.move_to(EDIT + dt.timedelta(minutes=5))
    _dispatch_and_send(django_capture_on_commit_callbacks)
    assert "Join: https://meet.example.cn/55" in _body(smtp.received[-1])

    clock.move_to(EDIT + dt.timedelta(minutes=10))
    later = START + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        lecture_event_sync(
            event=event, starts_at=later, ends_at=later + dt.timedelta(hours=1),
            online_url="https://meet.example.cn/55", reason="讲师出差，改到第二天", **arguments,
        )  # fmt: skip
    clock.move_to(EDIT + dt.timedelta(minutes=15))
    _dispatch_and_send(django_capture_on_commit_callbacks)
    body = _body(smtp.received[-1])
    assert str(smtp.received[-1]["Subject"]).startswith("New time:")
    assert "Reason: 讲师出差，改到第二天" in body


def test_cancellation_notice_reaches_subscribers_and_lecturers(
    smtp: Sink,
    clock: Any,
    lecturers_registered: dict[int, int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    lecturer_user = UserFactory(language="en")
    lecturers_registered[5] = lecturer_user.pk
    subscriber = UserFactory()
    arguments = {
        "title": "社区学习方法", "description": "", "region_code": None, "starts_at": START,
        "ends_at": START + dt.timedelta(hours=1), "online_url": "https://live.example.cn/5",
        "organiser": "讲师五", "tags": ["lecturer:5"],
    }  # fmt: skip
    session = lecture_event_sync(event=None, status=EventStatus.CONFIRMED, **arguments)
    ReminderRequestFactory(user=subscriber, target="lecturer:5", offset_mask=2)
    with django_capture_on_commit_callbacks(execute=True):
        lecture_event_sync(
            event=session, status=EventStatus.CANCELLED, reason="讲师生病", **arguments
        )
    clock.move_to(EDIT + dt.timedelta(minutes=5))
    assert len(_dispatch_and_send(django_capture_on_commit_callbacks)) == 2
    recipients = sorted(str(m["To"]) for m in smtp.received)
    assert recipients == sorted([lecturer_user.email, subscriber.email])
    to_lecturer = next(m for m in smtp.received if m["To"] == lecturer_user.email)
    body = to_lecturer.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "is cancelled" in body
    assert "讲师生病" in body
    ics = next(iter(to_lecturer.iter_attachments())).get_content()
    assert "STATUS:CANCELLED" in ics
    assert "METHOD:PUBLISH" in ics

    # The lecturer's one-click unsubscribe stops notices that came without a request.
    token = to_lecturer["List-Unsubscribe"].strip().strip("<>").rstrip("/").rsplit("/", 1)[1]
    assert reminder_unsubscribe(token=token).target == ""
    assert NoticeOptOut.objects.filter(user=lecturer_user).exists()


def test_cancel_before_the_notice_goes_sends_the_cancellation(
    smtp: Sink, clock: Any, coordinator: User, django_capture_on_commit_callbacks: Any
) -> None:
    event = EventFactory(starts_at=START)
    EmailReminderRequestFactory(event=event, offset_mask=1, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        event_update(
            actor=coordinator,
            event=event,
            starts_at=START + dt.timedelta(hours=1),
            ends_at=START + dt.timedelta(hours=3),
        )
    clock.move_to(EDIT + dt.timedelta(minutes=3))
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(actor=coordinator, event=event, reason="暴雨预警")
    clock.move_to(EDIT + dt.timedelta(minutes=5))
    _dispatch_and_send(django_capture_on_commit_callbacks)
    (message,) = smtp.received
    assert str(message["Subject"]).startswith("Cancelled:")


def test_opted_out_and_unsubscribed_people_get_nothing(
    smtp: Sink,
    clock: Any,
    lecturers_registered: dict[int, int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    lecturer_user = UserFactory()
    lecturers_registered[6] = lecturer_user.pk
    NoticeOptOut.objects.create(user=lecturer_user)
    event = EventFactory(starts_at=START)
    event.tags.create(key="lecturer:6")
    gone = EmailReminderRequestFactory(event=event, offset_mask=1)
    change_notice_record(event_id=event.pk, change="rescheduled")
    clock.move_to(EDIT + dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks():
        reminders_dispatch()
    gone.unsubscribed_at = timezone.now()
    gone.save()
    (row,) = NoticeDelivery.objects.all()
    assert notices_send_batch(delivery_ids=[row.pk])["obsolete"] == 1
    row.refresh_from_db()
    assert (row.status, smtp.received) == (DeliveryStatus.OBSOLETE, [])


def test_other_changes_open_no_notice(clock: Any) -> None:
    event = EventFactory(starts_at=START)
    assert change_notice_record(event_id=event.pk, change="updated") is None
    assert change_notice_record(event_id=999_999, change="cancelled") is None
    assert not ChangeNotice.objects.exists()
