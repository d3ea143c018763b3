"""Services of the live room: spans written in batches (once), the summary stored and reported
to events as person-times, announcements (lecturers only, after commit), the polling fallback,
and which sessions still need their summary."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role, User
from events.models import Event
from lecture_hall.live import services
from lecture_hall.live.backends import sync_presence
from lecture_hall.live.presence import GHOST_AFTER_SECONDS, Span
from lecture_hall.live.selectors import sessions_due_summary
from lecture_hall.models import AttendanceSpan, Lecturer, Session, SessionAttendance
from lecture_hall.services import session_cancel, session_end
from tests.factories import UserFactory
from tests.lecture_hall.live.factories import T0, AttendanceSpanFactory, published_session

pytestmark = pytest.mark.django_db

E0 = T0.timestamp()
DEV = "device:0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"


def test_spans_are_written_once_and_linked_to_their_user(talk: Session, resident: User) -> None:
    spans = [Span(E0, E0 + 90.4, f"user:{resident.pk}"), Span(E0 + 5, E0 + 65, DEV)]
    spans.append(Span(E0, E0 + 30, "user:987654"))  # a user deleted meanwhile
    assert services.attendance_record(session_id=talk.pk, spans=spans) == 3
    services.attendance_record(session_id=talk.pk, spans=spans)  # a retried batch
    rows = list(
        talk.attendance_spans.order_by("joined_at", "viewer").values_list(
            "viewer", "user_id", "seconds"
        )
    )
    assert rows == [
        (f"user:{resident.pk}", resident.pk, 90),
        ("user:987654", None, 30),
        (DEV, None, 60),
    ]
    assert rows[0][1] == resident.pk
    assert talk.attendance_spans.get(viewer=DEV).joined_at == T0 + dt.timedelta(seconds=5)


def test_the_last_batch_asks_for_the_summary_after_commit(
    talk: Session, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        services.attendance_record(session_id=talk.pk, spans=[], summarize=True)
    assert len(callbacks) == 1


def _end(talk: Session, teacher: Lecturer, minutes: int) -> None:
    with time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False):
        session_end(actor=teacher.user, session=talk)


def test_the_summary_is_stored_and_its_distinct_viewers_are_the_events_person_times(
    talk: Session, teacher: Lecturer
) -> None:
    _end(talk, teacher, 50)  # ended ten minutes early
    at = lambda minutes: T0 + dt.timedelta(minutes=minutes)  # noqa: E731
    for viewer, joined, left in [
        ("user:1", at(-5), at(55)),
        ("device:a", at(0), at(20)),
        ("device:a", at(30), at(40)),  # came back after more than a minute: a second span
        ("device:b", at(10), at(12)),
    ]:
        AttendanceSpanFactory(session=talk, viewer=viewer, joined_at=joined, left_at=left)
    with time_machine.travel(at(60), tick=False):
        record = services.attendance_summarize(session_id=talk.pk)
    assert record is not None
    assert (record.window_start, record.window_end) == (T0, at(50))
    assert (record.distinct_viewers, record.peak_viewers, record.stayed_viewers) == (3, 3, 1)
    assert record.peak_at == at(10)
    assert record.viewer_minutes == Decimal("82.0")  # 50 + 20 + 10 + 2
    assert record.curve[:3] == [[0, 2], [1, 2], [2, 2]]
    assert len(record.curve) == 50
    event = Event.objects.get(pk=talk.event_id)
    assert event.participants == 3
    assert event.participants_recorded_at is not None
    # Idempotent: again, the same figures, one row.
    with time_machine.travel(at(61), tick=False):
        services.attendance_summarize(session_id=talk.pk)
    assert SessionAttendance.objects.get().distinct_viewers == 3


def test_no_summary_while_the_talk_runs_or_when_it_was_cancelled(
    talk: Session, teacher: Lecturer
) -> None:
    with time_machine.travel(T0 + dt.timedelta(minutes=30), tick=False):
        assert services.attendance_summarize(session_id=talk.pk) is None
    later = published_session(teacher, starts_at=T0 + dt.timedelta(days=1))
    with time_machine.travel(T0, tick=False):
        session_cancel(
            actor=teacher.user, session=later, expected_version=later.version, reason="停电"
        )
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        assert services.attendance_summarize(session_id=later.pk) is None
    assert not SessionAttendance.objects.exists()


def test_the_summary_closes_spans_still_open_in_the_store(talk: Session) -> None:
    """A talk nobody's tick closed (every ASGI process gone): the store still holds its viewers."""
    store = sync_presence()
    store.join(talk.pk, DEV, E0 + 60)
    for second in range(80, 3600, 20):
        store.join(talk.pk, DEV, E0 + second, mode="beat")
    with time_machine.travel(T0 + dt.timedelta(minutes=65), tick=False):
        record = services.attendance_summarize(session_id=talk.pk)
    assert record is not None
    span = AttendanceSpan.objects.get()
    assert (span.viewer, span.seconds) == (DEV, 3540)  # from 19:01 to the end at 20:00
    assert record.distinct_viewers == 1
    assert not store.join(talk.pk, DEV, E0 + 3900).accepted  # the room stays closed


def test_announcements_are_for_the_sessions_lecturers_while_the_room_is_open(
    talk: Session, teacher: Lecturer, resident: User, django_capture_on_commit_callbacks: object
) -> None:
    coordinator = UserFactory(role=Role.COORDINATOR, region_id="500000")
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        with pytest.raises(PermissionDenied):
            services.live_announce(actor=resident, session_id=talk.pk, text="hi")
        with pytest.raises(ValidationError) as too_long:
            services.live_announce(actor=teacher.user, session_id=talk.pk, text="字" * 501)
        with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
            services.live_announce(actor=teacher.user, session_id=talk.pk, text=" 休息五分钟 ")
            services.live_announce(actor=coordinator, session_id=talk.pk, text="欢迎")
    assert too_long.value.message_dict == {
        "text": [str(services.ERROR_ANNOUNCEMENT % {"max": 500, "count": 501})]
    }
    assert list(talk.announcements.order_by("id").values_list("text", flat=True)) == [
        "休息五分钟",
        "欢迎",
    ]
    assert len(callbacks) == 2  # sent to the room only after commit
    with (
        time_machine.travel(T0 + dt.timedelta(hours=2), tick=False),
        pytest.raises(ValidationError) as closed,
    ):
        services.live_announce(actor=teacher.user, session_id=talk.pk, text="还在吗")
    assert closed.value.message_dict == {"text": [str(services.ERROR_ROOM_CLOSED)]}


def test_a_polling_viewer_counts_until_the_polls_stop(talk: Session) -> None:
    now = E0 + 60
    assert services.presence_poll(session_id=talk.pk, viewer=DEV, now=now).count == 1
    assert services.presence_poll(session_id=talk.pk, viewer=DEV, now=now + 20).count == 1
    other = "device:9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
    assert services.presence_poll(session_id=talk.pk, viewer=other, now=now + 100).count == 1
    span = AttendanceSpan.objects.get()  # the first stopped polling 80 s ago: swept, written
    assert (span.viewer, span.seconds) == (DEV, 20)
    assert GHOST_AFTER_SECONDS < 80


def test_sessions_due_a_summary(talk: Session, teacher: Lecturer) -> None:
    running = published_session(teacher, starts_at=T0 + dt.timedelta(hours=2))
    with time_machine.travel(T0 + dt.timedelta(hours=2, minutes=30), tick=False):
        assert sessions_due_summary() == [talk.pk]  # over by its end time; `running` is not
        services.attendance_summarize(session_id=talk.pk)
        assert sessions_due_summary() == []
    with time_machine.travel(T0 + dt.timedelta(hours=2, minutes=40), tick=False):
        AttendanceSpanFactory(session=talk)  # a late batch from a lingering process
        assert sessions_due_summary() == [talk.pk]
    assert running.pk not in sessions_due_summary(now=T0 + dt.timedelta(hours=2, minutes=59))


def test_the_tasks_are_thin_wrappers(talk: Session, teacher: Lecturer) -> None:
    from config.celery import app
    from lecture_hall.tasks import summarize_attendance, summarize_due_attendance

    AttendanceSpanFactory(session=talk, viewer=DEV)
    app.conf.task_always_eager = True
    try:
        with time_machine.travel(T0 + dt.timedelta(hours=3), tick=False):
            assert summarize_due_attendance() == 1
            assert summarize_attendance(talk.pk) == 1
    finally:
        app.conf.task_always_eager = False
    assert SessionAttendance.objects.get(session=talk).distinct_viewers == 1
    assert "lecture-hall-summarize-due-attendance" in app.conf.beat_schedule
