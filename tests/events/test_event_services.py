"""Events through their services: the rules, permissions and SEQUENCE on every kind of change."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from events.models import ActivityType, Event, EventStatus, Level
from events.rules import ERROR_END_BEFORE_START
from events.services import event_cancel, event_create, event_record_participants, event_update
from scheduling.models import Region
from tests.factories import EventFactory, published_year

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))


def fields(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "title": "社区读书会",
        "activity_type": ActivityType.THEMED_READING,
        "level": Level.PREFECTURE,
        "region": Region.objects.get(code="110000"),
        "city": "海淀区",
        "venue": "海淀图书馆",
        "starts_at": dt.datetime(2027, 4, 23, 14, 0, tzinfo=SH),
        "ends_at": dt.datetime(2027, 4, 23, 16, 0, tzinfo=SH),
    }
    values.update(overrides)
    return values


def test_coordinator_creates_an_event_in_own_region(coordinator: User) -> None:
    event = event_create(actor=coordinator, **fields())
    assert event.sequence == 0
    assert event.status == EventStatus.CONFIRMED
    assert event.uid is not None
    assert event.created_by == coordinator


def test_coordinator_cannot_create_in_another_region(other_coordinator: User) -> None:
    with pytest.raises(PermissionDenied, match="310000"):
        event_create(actor=other_coordinator, **fields())
    assert not Event.objects.exists()


@pytest.mark.parametrize("actor", ["lecturer", "resident"])
def test_lecturers_and_residents_cannot_create_events(
    actor: str, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(PermissionDenied):
        event_create(actor=request.getfixturevalue(actor), **fields())


def test_only_ministry_creates_national_events(coordinator: User, ministry_user: User) -> None:
    with pytest.raises(PermissionDenied):
        event_create(actor=coordinator, **fields(level=Level.NATIONAL, region=None, city=""))
    event = event_create(actor=ministry_user, **fields(level=Level.NATIONAL, region=None, city=""))
    assert event.region is None


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"ends_at": dt.datetime(2027, 4, 23, 13, 0, tzinfo=SH)}, "ends_at", "before it starts"),
        ({"ends_at": dt.datetime(2027, 6, 1, 0, 0, tzinfo=SH)}, "ends_at", "at most 31 days"),
        ({"activity_type": "concert"}, "activity_type", "'concert' is not an activity type"),
        ({"level": "village"}, "level", "'village' is not a level"),
        ({"city": ""}, "city", "city or county"),
        ({"title": "   "}, "title", "required"),
        ({"online_url": "javascript:alert(1)"}, "online_url", "http"),
        ({"participants": -1}, "participants", "Participants cannot be negative"),
    ],
)
def test_bad_event_is_refused_with_a_message_naming_the_field(
    coordinator: User, overrides: dict[str, object], field: str, expected: str
) -> None:
    with (
        time_machine.travel(dt.datetime(2027, 5, 1, tzinfo=SH)),
        pytest.raises(ValidationError) as excinfo,
    ):
        event_create(actor=coordinator, **fields(**overrides))
    assert expected in " ".join(excinfo.value.message_dict[field])
    assert not Event.objects.exists()


def test_end_before_start_message_shows_both_times_in_shanghai(coordinator: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        event_create(
            actor=coordinator, **fields(ends_at=dt.datetime(2027, 4, 23, 5, 0, tzinfo=dt.UTC))
        )
    message = excinfo.value.message_dict["ends_at"][0]
    assert "13:00" in message or "1 p.m." in message or "13:00" in ERROR_END_BEFORE_START
    assert "14:00" in message or "2 p.m." in message


def test_learning_week_event_must_fall_in_the_allocated_week(
    coordinator: User, ministry_user: User
) -> None:
    published_year(ministry_user, 2027, {"110000": 12})  # week 12 of 2027: 22-28 March
    inside = fields(activity_type=ActivityType.LEARNING_WEEK,
                    starts_at=dt.datetime(2027, 3, 22, 9, 0, tzinfo=SH),
                    ends_at=dt.datetime(2027, 3, 28, 18, 0, tzinfo=SH))  # fmt: skip
    assert event_create(actor=coordinator, **inside).activity_type == ActivityType.LEARNING_WEEK
    with pytest.raises(ValidationError) as excinfo:
        event_create(actor=coordinator, **fields(activity_type=ActivityType.LEARNING_WEEK))
    assert "week 12" in excinfo.value.message_dict["starts_at"][0]
    # Spilling past Sunday night is outside the week too.
    with pytest.raises(ValidationError):
        event_create(
            actor=coordinator, **{**inside, "ends_at": dt.datetime(2027, 3, 29, 1, 0, tzinfo=SH)}
        )


def test_learning_week_event_without_a_published_week_is_refused(coordinator: User) -> None:
    with pytest.raises(ValidationError, match="no published Learning Week"):
        event_create(actor=coordinator, **fields(activity_type=ActivityType.LEARNING_WEEK))


@pytest.mark.parametrize(
    ("change", "bumps"),
    [
        ({"starts_at": dt.datetime(2027, 4, 23, 15, 0, tzinfo=SH)}, True),
        ({"ends_at": dt.datetime(2027, 4, 23, 17, 0, tzinfo=SH)}, True),
        ({"venue": "区文化馆"}, True),
        ({"online_url": "https://live.example.cn/1"}, True),
        ({"city": "朝阳区"}, True),
        ({"status": EventStatus.TENTATIVE}, True),
        ({"title": "新的标题"}, False),
        ({"description": "更详细的介绍"}, False),
        ({"venue": "海淀图书馆"}, False),  # the same value is no change
    ],
)
def test_sequence_rises_on_time_place_and_status_only(
    coordinator: User, change: dict[str, object], bumps: bool
) -> None:
    event = event_create(actor=coordinator, **fields())
    updated = event_update(actor=coordinator, event=event, **change)
    assert updated.sequence == (1 if bumps else 0)
    assert updated.last_modified >= event.last_modified


def test_cancel_keeps_the_event_and_bumps_sequence(coordinator: User) -> None:
    event = event_create(actor=coordinator, **fields())
    cancelled = event_cancel(actor=coordinator, event=event, reason="场地维修")
    assert cancelled.status == EventStatus.CANCELLED
    assert cancelled.sequence == 1
    assert Event.objects.filter(pk=event.pk).exists()
    assert event_cancel(actor=coordinator, event=event, reason="again").sequence == 1
    with pytest.raises(ValidationError, match="cancelled"):
        event_update(actor=coordinator, event=event, title="x")


def test_cancel_without_reason_is_refused(coordinator: User) -> None:
    event = event_create(actor=coordinator, **fields())
    with pytest.raises(ValidationError):
        event_cancel(actor=coordinator, event=event, reason=" ")
    event.refresh_from_db()
    assert event.status == EventStatus.CONFIRMED


def test_update_on_a_stale_version_is_refused(coordinator: User) -> None:
    event = event_create(actor=coordinator, **fields())
    event_update(actor=coordinator, event=event, venue="新场地")
    with pytest.raises(ValidationError, match="changed this event meanwhile"):
        event_update(actor=coordinator, event=event, expected_sequence=0, venue="另一个场地")
    event.refresh_from_db()
    assert event.venue == "新场地"


def test_moving_an_event_to_another_region_needs_rights_there(coordinator: User) -> None:
    event = event_create(actor=coordinator, **fields())
    with pytest.raises(PermissionDenied):
        event_update(actor=coordinator, event=event, region=Region.objects.get(code="310000"))


def test_participants_are_recorded_after_the_event(coordinator: User) -> None:
    event = EventFactory(starts_at=dt.datetime(2027, 4, 1, 9, 0, tzinfo=SH),
                         ends_at=dt.datetime(2027, 4, 1, 11, 0, tzinfo=SH))  # fmt: skip
    with (
        time_machine.travel(dt.datetime(2027, 3, 30, tzinfo=SH)),
        pytest.raises(ValidationError, match="after the event"),
    ):
        event_record_participants(actor=coordinator, event=event, participants=120)
    with time_machine.travel(dt.datetime(2027, 4, 2, tzinfo=SH)):
        event_record_participants(actor=coordinator, event=event, participants=120)
        with pytest.raises(ValidationError):
            event_record_participants(actor=coordinator, event=event, participants=-5)
        with pytest.raises(ValidationError, match="not believable"):
            event_record_participants(actor=coordinator, event=event, participants=10**9)
    event.refresh_from_db()
    assert event.participants == 120
    assert event.participants_recorded_at is not None


def test_participants_of_another_region_are_refused(other_coordinator: User) -> None:
    event = EventFactory()
    with pytest.raises(PermissionDenied):
        event_record_participants(actor=other_coordinator, event=event, participants=10)


def test_changes_are_announced_after_commit_only(
    coordinator: User, django_capture_on_commit_callbacks: object
) -> None:
    from events.signals import event_changed

    heard: list[tuple[int, str]] = []

    def listener(sender: object, event_id: int, change: str, reason: str, **kw: object) -> None:
        heard.append((event_id, change))

    event_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            event = event_create(actor=coordinator, **fields())
        with django_capture_on_commit_callbacks(execute=False) as pending:  # type: ignore[operator]
            event_update(
                actor=coordinator, event=event, starts_at=dt.datetime(2027, 4, 23, 15, 0, tzinfo=SH)
            )
        assert heard == [(event.pk, "created")]  # nothing told before commit
        for callback in pending:
            callback()
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            event_update(actor=coordinator, event=event, title="新标题")
            event_cancel(actor=coordinator, event=event, reason="暴雨")
    finally:
        event_changed.disconnect(listener)
    assert [c for _id, c in heard] == ["created", "rescheduled", "updated", "cancelled"]
