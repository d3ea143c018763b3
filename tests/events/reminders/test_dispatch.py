"""When reminders are due: computed from the event's start at that moment, so reschedules,
cancellations and moves into the past are followed without anything being rescheduled."""

import datetime as dt
import functools
import operator
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from accounts.models import User
from events.models import DeliveryStatus, EventStatus, EventTag, ReminderDelivery
from events.reminders.dispatch import deliveries_claim, reminders_create_due, reminders_dispatch
from events.reminders.sending import reminders_send
from events.services import event_cancel, event_update, lecture_event_sync
from tests.events.reminders.conftest import handed_out
from tests.events.reminders.factories import EmailReminderRequestFactory, ReminderRequestFactory
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_default_timezone()
START = dt.datetime(2027, 3, 10, 19, 0, tzinfo=SHANGHAI)


def at(moment: dt.datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def test_due_only_inside_its_minute_and_grace(resident: User) -> None:
    event = EventFactory(starts_at=START)
    ReminderRequestFactory(user=resident, event=event, offset_mask=2)  # 1 hour
    with at(START - dt.timedelta(minutes=61)):
        assert reminders_create_due() == 0
    with at(START - dt.timedelta(minutes=60)):
        assert reminders_create_due() == 1
        assert reminders_create_due() == 0  # the next minute's run makes nothing twice
    delivery = ReminderDelivery.objects.get()
    assert delivery.due_at == START - dt.timedelta(hours=1)
    assert (delivery.offset_minutes, delivery.sequence, delivery.starts_at) == (60, 0, START)


def test_catch_up_within_grace_but_not_after(resident: User) -> None:
    late = EventFactory(starts_at=START)
    too_late = EventFactory(starts_at=START - dt.timedelta(minutes=16))
    for event in (late, too_late):
        ReminderRequestFactory(user=resident, event=event, offset_mask=2)
    with at(START - dt.timedelta(minutes=46)):  # the dispatcher was down for 14 minutes
        assert reminders_create_due() == 1
    assert ReminderDelivery.objects.get().event_id == late.pk


def test_reschedule_makes_a_new_delivery_and_the_old_one_obsolete(
    coordinator: User, resident: User, django_capture_on_commit_callbacks: Any
) -> None:
    event = EventFactory(starts_at=START)
    ReminderRequestFactory(user=resident, event=event, offset_mask=2)
    with at(START - dt.timedelta(minutes=60)):
        reminders_create_due()
    new_start = START + dt.timedelta(minutes=30)
    with at(START - dt.timedelta(minutes=59)):
        event_update(
            actor=coordinator,
            event=event,
            starts_at=new_start,
            ends_at=new_start + dt.timedelta(hours=2),
        )
        old = ReminderDelivery.objects.get()
        assert reminders_create_due() == 0  # nothing due for the new time yet
        result = reminders_send(delivery_ids=[old.pk])
    assert result.obsolete == 1
    old.refresh_from_db()
    assert (old.status, old.last_error) == (DeliveryStatus.OBSOLETE, "moved")
    with at(new_start - dt.timedelta(minutes=60)):
        assert reminders_create_due() == 1
    new = ReminderDelivery.objects.exclude(pk=old.pk).get()
    assert (new.sequence, new.starts_at) == (1, new_start)


def test_cancelled_event_gets_no_reminder(coordinator: User, resident: User) -> None:
    event = EventFactory(starts_at=START)
    ReminderRequestFactory(user=resident, event=event, offset_mask=7)
    with at(START - dt.timedelta(days=1)):
        reminders_create_due()
        pending = ReminderDelivery.objects.get()
        event_cancel(actor=coordinator, event=event, reason="场馆检修")
        assert reminders_send(delivery_ids=[pending.pk]).obsolete == 1
    with at(START - dt.timedelta(minutes=10)):
        assert reminders_create_due() == 0
    pending.refresh_from_db()
    assert pending.last_error == "cancelled"


def test_event_moved_into_the_past_gets_no_reminder(coordinator: User, resident: User) -> None:
    event = EventFactory(starts_at=START)
    ReminderRequestFactory(user=resident, event=event, offset_mask=7)
    with at(START - dt.timedelta(minutes=5)):
        earlier = START - dt.timedelta(minutes=30)
        event_update(
            actor=coordinator, event=event, starts_at=earlier, ends_at=START + dt.timedelta(hours=1)
        )
        assert reminders_create_due() == 0
    assert not ReminderDelivery.objects.exists()


def test_tentative_events_wait(resident: User) -> None:
    event = EventFactory(starts_at=START, status=EventStatus.TENTATIVE)
    ReminderRequestFactory(user=resident, event=event, offset_mask=2)
    with at(START - dt.timedelta(minutes=60)):
        assert reminders_create_due() == 0


def test_lecture_sessions_by_tag_and_region_one_email_per_person(resident: User) -> None:
    session = lecture_event_sync(
        event=None, title="终身学习的方法", description="", region_code="110000",
        starts_at=START, ends_at=START + dt.timedelta(hours=1), online_url="https://live.example.cn/1",
        status=EventStatus.CONFIRMED, organiser="讲师", tags=["lecturer:5", "series:2"],
    )  # fmt: skip
    ReminderRequestFactory(user=resident, target="lecturer:5", offset_mask=4)
    ReminderRequestFactory(
        user=resident, target=f"event:{session.pk}", event=session, offset_mask=4
    )
    ReminderRequestFactory(user=UserFactory(), target="series:2", offset_mask=4)
    EmailReminderRequestFactory(target="region:110000", offset_mask=4)
    EmailReminderRequestFactory(target="region:110000", offset_mask=2)  # not the 10-minute one
    EmailReminderRequestFactory(target="region:310000", offset_mask=4)  # another region
    EmailReminderRequestFactory(target="region:110000", offset_mask=4, confirmed_at=None)
    with at(START - dt.timedelta(minutes=10)):
        assert reminders_create_due() == 3
    assert ReminderDelivery.objects.filter(recipient=f"user:{resident.pk}").count() == 1


def test_claim_hands_out_batches_of_keys_once(
    settings: Any, resident: User, django_capture_on_commit_callbacks: Any
) -> None:
    settings.REMINDERS_BATCH_SIZE = 2
    event = EventFactory(starts_at=START)
    for _ in range(5):
        EmailReminderRequestFactory(event=event, offset_mask=2)
    with at(START - dt.timedelta(minutes=60)):
        with django_capture_on_commit_callbacks() as callbacks:
            result = reminders_dispatch()
        with django_capture_on_commit_callbacks() as again:
            assert reminders_dispatch().claimed == 0
    assert (result.created, result.claimed) == (5, 5)
    batches = handed_out(callbacks)
    assert [len(b) for b in batches] == [2, 2, 1]
    assert sorted(functools.reduce(operator.iadd, batches, [])) == sorted(
        ReminderDelivery.objects.values_list("pk", flat=True)
    )
    assert handed_out(again) == []
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.QUEUED}


def test_rows_a_dead_worker_began_are_handed_out_again(
    resident: User, django_capture_on_commit_callbacks: Any
) -> None:
    event = EventFactory(starts_at=START)
    ReminderRequestFactory(user=resident, event=event, offset_mask=1)
    claimed_at = START - dt.timedelta(days=1)
    with at(claimed_at):
        reminders_dispatch()
    delivery = ReminderDelivery.objects.get()
    with at(claimed_at + dt.timedelta(minutes=11)):
        with django_capture_on_commit_callbacks() as callbacks:
            assert deliveries_claim() == (0, 0)  # maybe still waiting behind a backlog
        ReminderDelivery.objects.update(started_at=claimed_at + dt.timedelta(seconds=1))
        with django_capture_on_commit_callbacks() as callbacks:
            assert deliveries_claim() == (0, 1)  # a worker began it and never finished
    assert handed_out(callbacks) == [[delivery.pk]]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.started_at) == (DeliveryStatus.QUEUED, None)


def test_rows_no_worker_began_are_handed_out_again_much_later(
    resident: User, django_capture_on_commit_callbacks: Any
) -> None:
    event = EventFactory(starts_at=START)
    ReminderRequestFactory(user=resident, event=event, offset_mask=1)
    with at(START - dt.timedelta(days=1)):
        reminders_dispatch()  # its task message is lost
    later = START - dt.timedelta(days=1) + dt.timedelta(minutes=31)
    with at(later), django_capture_on_commit_callbacks() as callbacks:
        assert deliveries_claim() == (0, 1)
    assert len(handed_out(callbacks)) == 1


def test_query_count_does_not_grow_with_requests(
    django_assert_max_num_queries: Any, resident: User
) -> None:
    event = EventFactory(starts_at=START)
    EventTag.objects.create(event=event, key="series:9")
    for _ in range(30):
        EmailReminderRequestFactory(target="series:9", offset_mask=2)
    with at(START - dt.timedelta(minutes=60)), django_assert_max_num_queries(12):
        assert reminders_create_due() == 30
