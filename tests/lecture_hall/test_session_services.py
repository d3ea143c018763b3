"""Sessions: the rules, permissions, optimistic versions, history, and the calendar event."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Role, User
from events.models import ActivityType, Event, EventSource, EventStatus
from lecture_hall.models import Lecturer, Session, SessionState
from lecture_hall.services import (
    SessionConflict,
    session_cancel,
    session_create,
    session_duplicate,
    session_end,
    session_publish,
    session_reschedule,
    session_update,
)
from lecture_hall.services.series import ERROR_LECTURER_REGION
from lecture_hall.services.sessions import (
    ERROR_END_PASSED,
    ERROR_IN_PAST,
    ERROR_OVER,
)
from tests.factories import LecturerFactory, UserFactory

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _frozen_time() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def teacher() -> Lecturer:
    return LecturerFactory(name="王教授")


def create(teacher: Lecturer, **overrides: object) -> Session:
    values: dict[str, object] = {
        "title": "健康老龄化",
        "starts_at": dt.datetime(2027, 3, 10, 19, 0, tzinfo=SH),
        "duration_minutes": 90,
        "lecturer_ids": [teacher.pk],
        "stream_url": "https://live.example.cn/s/1",
    }
    actor = overrides.pop("actor", teacher.user)
    values.update(overrides)
    return session_create(actor=actor, **values)  # type: ignore[arg-type]


def test_lecturer_creates_a_draft_without_a_calendar_event(teacher: Lecturer) -> None:
    session = create(teacher)
    assert session.state == SessionState.DRAFT
    assert session.event is None
    assert session.region_id == "500000"  # from the lecturer
    assert session.version == 1
    assert list(session.changes.values_list("action", flat=True)) == ["created"]


def test_publishing_creates_the_lecture_hall_event(teacher: Lecturer) -> None:
    session = create(teacher)
    session = session_publish(actor=teacher.user, session=session, expected_version=1)
    event = session.event
    assert event is not None
    assert (event.activity_type, event.source, event.status) == (
        ActivityType.LECTURE_HALL,
        EventSource.LECTURE_HALL,
        EventStatus.CONFIRMED,
    )
    assert event.ends_at - event.starts_at == dt.timedelta(minutes=90)
    assert event.online_url == "https://live.example.cn/s/1"
    assert event.organiser == "王教授"
    assert session.version == 2


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        (
            {"starts_at": dt.datetime(2027, 2, 28, 9, 0, tzinfo=SH)},
            "starts_at",
            "The start you entered (Feb. 28, 2027, 9 a.m.) has already passed",
        ),
        ({"duration_minutes": 10}, "duration_minutes", "10 minutes is not allowed"),
        ({"duration_minutes": 241}, "duration_minutes", "241 minutes"),
        ({"title": " "}, "title", "required"),
        ({"stream_url": "ftp://x"}, "stream_url", "http"),
    ],
)
def test_bad_session_is_refused_naming_the_field(
    teacher: Lecturer, overrides: dict[str, object], field: str, expected: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        create(teacher, **overrides)
    assert expected in " ".join(excinfo.value.message_dict[field])
    assert not Session.objects.exists()


def test_overlapping_sessions_of_one_lecturer_are_refused_naming_the_clash(
    teacher: Lecturer,
) -> None:
    create(teacher, title="第一讲")
    with pytest.raises(ValidationError) as excinfo:
        create(teacher, title="第二讲", starts_at=dt.datetime(2027, 3, 10, 20, 0, tzinfo=SH))
    message = excinfo.value.message_dict["starts_at"][0]
    assert "王教授" in message
    assert "第一讲" in message
    create(
        teacher, title="紧接着", starts_at=dt.datetime(2027, 3, 10, 20, 30, tzinfo=SH)
    )  # touching is fine


def test_another_lecturers_session_is_refused(teacher: Lecturer) -> None:
    other = LecturerFactory()
    with pytest.raises(PermissionDenied):
        create(teacher, actor=other.user)
    session = create(teacher)
    with pytest.raises(PermissionDenied):
        session_update(actor=other.user, session=session, expected_version=1, title="改标题")


def test_coordinator_manages_sessions_of_their_region_only(teacher: Lecturer) -> None:
    chongqing = UserFactory(role=Role.COORDINATOR, region_id="500000")
    beijing = UserFactory(role=Role.COORDINATOR, region_id="110000")
    session = create(teacher, actor=chongqing)
    with pytest.raises(PermissionDenied):
        session_cancel(actor=beijing, session=session, expected_version=1, reason="x")
    session_cancel(actor=chongqing, session=session, expected_version=1, reason="讲师生病")


def test_stale_edit_gets_a_conflict_not_an_overwrite(teacher: Lecturer) -> None:
    session = create(teacher)
    session_update(actor=teacher.user, session=session, expected_version=1, title="新标题")
    with pytest.raises(SessionConflict, match="now version 2, you edited version 1"):
        session_update(actor=teacher.user, session=session, expected_version=1, abstract="覆盖？")
    session.refresh_from_db()
    assert (session.title, session.abstract) == ("新标题", "")


def test_reschedule_bumps_sequence_keeps_history_and_needs_a_reason(teacher: Lecturer) -> None:
    session = session_publish(actor=teacher.user, session=create(teacher), expected_version=1)
    with pytest.raises(ValidationError):
        session_reschedule(
            actor=teacher.user,
            session=session,
            expected_version=2,
            starts_at=dt.datetime(2027, 3, 11, 19, 0, tzinfo=SH),
            reason="",
        )
    moved = session_reschedule(
        actor=teacher.user,
        session=session,
        expected_version=2,
        starts_at=dt.datetime(2027, 3, 11, 19, 0, tzinfo=SH),
        reason="场地调整",
    )
    assert moved.reschedule_count == 1
    event = Event.objects.get(pk=moved.event_id)
    assert event.sequence == 1
    assert event.starts_at == dt.datetime(2027, 3, 11, 19, 0, tzinfo=SH)
    change = moved.changes.first()
    assert change is not None
    assert (change.action, change.reason) == ("rescheduled", "场地调整")
    assert "starts_at" in change.changes


def test_title_edit_changes_the_event_but_not_its_sequence(teacher: Lecturer) -> None:
    session = session_publish(actor=teacher.user, session=create(teacher), expected_version=1)
    session_update(actor=teacher.user, session=session, expected_version=2, title="更好的标题")
    event = Event.objects.get(pk=session.event_id)
    assert (event.title, event.sequence) == ("更好的标题", 0)


def test_link_change_bumps_sequence(teacher: Lecturer) -> None:
    session = session_publish(actor=teacher.user, session=create(teacher), expected_version=1)
    session_update(
        actor=teacher.user,
        session=session,
        expected_version=2,
        stream_url="https://live.example.cn/new",
    )
    assert Event.objects.get(pk=session.event_id).sequence == 1


def test_cancel_keeps_session_and_event_as_cancelled(teacher: Lecturer) -> None:
    session = session_publish(actor=teacher.user, session=create(teacher), expected_version=1)
    cancelled = session_cancel(
        actor=teacher.user, session=session, expected_version=2, reason="讲师出差"
    )
    event = Event.objects.get(pk=session.event_id)
    assert cancelled.state == SessionState.CANCELLED
    assert (event.status, event.sequence, event.cancel_reason) == (
        EventStatus.CANCELLED,
        1,
        "讲师出差",
    )
    with pytest.raises(ValidationError, match="cannot be"):
        session_update(actor=teacher.user, session=cancelled, expected_version=3, title="x")


def test_end_only_after_start_with_replay(teacher: Lecturer, _frozen_time: object) -> None:  # noqa: PT019
    session = session_publish(actor=teacher.user, session=create(teacher), expected_version=1)
    with pytest.raises(ValidationError, match="after it has started"):
        session_end(actor=teacher.user, session=session)
    _frozen_time.move_to(dt.datetime(2027, 3, 10, 20, 35, tzinfo=SH))  # type: ignore[attr-defined]
    ended = session_end(
        actor=teacher.user, session=session, replay_url="https://replay.example.cn/1"
    )
    assert (ended.state, ended.replay_url) == (SessionState.ENDED, "https://replay.example.cn/1")


def test_duplicate_to_next_week_is_a_new_draft(teacher: Lecturer) -> None:
    session = create(teacher)
    copy = session_duplicate(actor=teacher.user, session=session)
    assert copy.pk != session.pk
    assert copy.state == SessionState.DRAFT
    assert copy.starts_at - session.starts_at == dt.timedelta(weeks=1)
    assert list(copy.lecturers.all()) == [teacher]


def test_html_in_titles_is_stored_as_text(teacher: Lecturer) -> None:
    session = create(teacher, title="<script>alert(1)</script>讲座")
    assert session.title == "<script>alert(1)</script>讲座"


def test_unknown_lecturer_is_refused(teacher: Lecturer, ministry_user: User) -> None:
    with pytest.raises(ValidationError, match="Unknown lecturer"):
        create(teacher, actor=ministry_user, lecturer_ids=[teacher.pk, 99999])


def test_a_session_cannot_join_someone_elses_series(teacher: Lecturer) -> None:
    from lecture_hall.services import series_create

    other = LecturerFactory()
    theirs = series_create(actor=other.user, title="别人的系列", lecturer_ids=[other.pk])
    with pytest.raises(PermissionDenied):
        create(teacher, series=theirs)
    mine = create(teacher)
    with pytest.raises(PermissionDenied):
        session_update(actor=teacher.user, session=mine, expected_version=1, series=theirs)
    mine.refresh_from_db()
    assert mine.series is None


# --- A session under way: a new length, not a new start ------------------------------------------

EVENING = dt.datetime(2027, 3, 10, 19, 0, tzinfo=SH)  # `create`'s start; it lasts 90 minutes


def _local(moment: dt.datetime) -> str:
    """A moment as the messages show it."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def live(teacher: Lecturer, traveller: object, *, minutes_in: int = 80) -> Session:
    """A published session that started `minutes_in` minutes ago (by default 10 minutes left)."""
    session = session_publish(actor=teacher.user, session=create(teacher), expected_version=1)
    traveller.move_to(EVENING + dt.timedelta(minutes=minutes_in))  # type: ignore[attr-defined]
    return session


def lengthen(teacher: Lecturer, session: Session, minutes: int, via: str) -> Session:
    if via == "update":
        return session_update(
            actor=teacher.user, session=session, expected_version=2, duration_minutes=minutes
        )
    return session_reschedule(  # the web page: the same start, a new length, a reason
        actor=teacher.user,
        session=session,
        expected_version=2,
        starts_at=session.starts_at,
        duration_minutes=minutes,
        reason="讨论热烈，延长半小时",
    )


@pytest.mark.parametrize("via", ["update", "reschedule"])
def test_a_live_session_can_be_extended_and_its_room_stays_open(
    teacher: Lecturer,
    _frozen_time: object,  # noqa: PT019
    via: str,
) -> None:
    from lecture_hall.live.selectors import room_info

    session = live(teacher, _frozen_time)
    extended = lengthen(teacher, session, 120, via)
    assert (extended.starts_at, extended.duration_minutes) == (EVENING, 120)
    assert extended.ends_at == EVENING + dt.timedelta(minutes=120)
    # Calendars and reminders see a change of time, as for any reschedule.
    event = Event.objects.get(pk=extended.event_id)
    assert (event.ends_at, event.sequence) == (extended.ends_at, 1)
    assert extended.reschedule_count == 1
    change = extended.changes.first()
    assert change is not None
    assert change.action == "rescheduled"
    assert change.changes == {"duration_minutes": ["90", "120"]}
    # Past the old end (20:30) the room is still live, until the new one (21:00).
    info = room_info(session_id=extended.pk)
    assert info is not None
    assert info.phase(EVENING + dt.timedelta(minutes=100)) == "live"
    assert info.phase(EVENING + dt.timedelta(minutes=120)) == "ended"


def test_a_live_session_can_be_shortened_to_end_later_than_now(
    teacher: Lecturer,
    _frozen_time: object,  # noqa: PT019
) -> None:
    session = live(teacher, _frozen_time, minutes_in=30)
    shortened = session_update(
        actor=teacher.user, session=session, expected_version=2, duration_minutes=45
    )
    assert shortened.ends_at == EVENING + dt.timedelta(minutes=45)
    assert Event.objects.get(pk=shortened.event_id).ends_at == shortened.ends_at


def test_a_live_session_cannot_be_shortened_to_an_end_already_passed(
    teacher: Lecturer,
    _frozen_time: object,  # noqa: PT019
) -> None:
    session = live(teacher, _frozen_time, minutes_in=50)
    with pytest.raises(ValidationError) as excinfo:
        session_update(actor=teacher.user, session=session, expected_version=2, duration_minutes=30)
    now = EVENING + dt.timedelta(minutes=50)
    expected = ERROR_END_PASSED % {
        "now": _local(now),
        "end": _local(EVENING + dt.timedelta(minutes=30)),
    }
    assert excinfo.value.message_dict == {"duration_minutes": [str(expected)]}
    session.refresh_from_db()
    assert (session.duration_minutes, session.version) == (90, 2)
    assert Event.objects.get(pk=session.event_id).sequence == 0


def test_a_session_already_over_keeps_its_length(
    teacher: Lecturer,
    _frozen_time: object,  # noqa: PT019
) -> None:
    session = live(teacher, _frozen_time, minutes_in=120)  # it ended at 20:30
    with pytest.raises(ValidationError) as excinfo:
        session_update(
            actor=teacher.user, session=session, expected_version=2, duration_minutes=150
        )
    expected = ERROR_OVER % {"end": _local(EVENING + dt.timedelta(minutes=90))}
    assert excinfo.value.message_dict == {"duration_minutes": [str(expected)]}
    session.refresh_from_db()
    assert (session.duration_minutes, session.version) == (90, 2)


def test_the_start_of_a_live_session_still_cannot_move_into_the_past(
    teacher: Lecturer,
    _frozen_time: object,  # noqa: PT019
) -> None:
    session = live(teacher, _frozen_time)
    earlier = EVENING - dt.timedelta(minutes=30)
    with pytest.raises(ValidationError) as excinfo:
        session_reschedule(
            actor=teacher.user,
            session=session,
            expected_version=2,
            starts_at=earlier,
            duration_minutes=150,
            reason="其实更早开始",
        )
    expected = ERROR_IN_PAST % {"start": _local(earlier)}
    assert excinfo.value.message_dict == {"starts_at": [str(expected)]}
    session.refresh_from_db()
    assert (session.starts_at, session.duration_minutes, session.version) == (EVENING, 90, 2)


# --- Whom a coordinator may book -----------------------------------------------------------------


@pytest.fixture
def chongqing() -> User:
    """The coordinator of Chongqing (500000), `teacher`'s region."""
    return UserFactory(role=Role.COORDINATOR, region_id="500000")


@pytest.fixture
def visitor() -> Lecturer:
    """A lecturer of Beijing (110000)."""
    return LecturerFactory(name="赵研究员", region_id="110000", user__region_id="110000")


def not_of_your_region(lecturer: Lecturer) -> str:
    return str(ERROR_LECTURER_REGION % {"name": lecturer.name})


def test_coordinator_cannot_book_another_regions_lecturer(
    teacher: Lecturer, chongqing: User, visitor: Lecturer
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        create(teacher, actor=chongqing, region_code="500000", lecturer_ids=[visitor.pk])
    assert excinfo.value.message_dict == {"lecturer_ids": [not_of_your_region(visitor)]}
    with pytest.raises(ValidationError) as excinfo:
        create(teacher, actor=chongqing, lecturer_ids=[teacher.pk, visitor.pk])
    assert excinfo.value.message_dict == {"lecturer_ids": [not_of_your_region(visitor)]}
    assert not Session.objects.exists()


def test_coordinator_cannot_add_another_regions_lecturer_to_a_session(
    teacher: Lecturer, chongqing: User, visitor: Lecturer
) -> None:
    session = create(teacher, actor=chongqing)
    with pytest.raises(ValidationError) as excinfo:
        session_update(
            actor=chongqing,
            session=session,
            expected_version=1,
            lecturer_ids=[teacher.pk, visitor.pk],
        )
    assert excinfo.value.message_dict == {"lecturer_ids": [not_of_your_region(visitor)]}
    session.refresh_from_db()
    assert (list(session.lecturers.all()), session.version) == ([teacher], 1)


def test_coordinator_books_their_regions_lecturers_and_keeps_those_assigned(
    teacher: Lecturer, chongqing: User, visitor: Lecturer, ministry_user: User
) -> None:
    colleague = LecturerFactory(name="陈老师")  # Chongqing too
    # The Ministry may book anyone: here Beijing's lecturer for a Chongqing session.
    session = create(teacher, actor=ministry_user, region_code="500000", lecturer_ids=[visitor.pk])
    edited = session_update(
        actor=chongqing,
        session=session,
        expected_version=1,
        lecturer_ids=[visitor.pk, colleague.pk],
        title="京渝对谈",
    )
    assert (edited.title, set(edited.lecturers.all())) == ("京渝对谈", {visitor, colleague})
    copy = session_duplicate(actor=chongqing, session=edited)
    assert set(copy.lecturers.all()) == {visitor, colleague}
