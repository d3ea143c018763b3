"""Factories for the live room's models, and a published session at a chosen time (made through
the real services, with the clock moved back so that publishing is allowed)."""

import datetime as dt

import factory
import time_machine

from lecture_hall.models import (
    AttendanceSpan,
    Lecturer,
    LiveAnnouncement,
    Session,
    SessionAttendance,
)
from lecture_hall.services import session_create, session_publish

SH = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2027, 3, 10, 19, 0, tzinfo=SH)  # the talks' start in these tests


def published_session(
    lecturer: Lecturer,
    *,
    starts_at: dt.datetime = T0,
    minutes: int = 60,
    title: str = "健康老龄化",
    stream_url: str = "https://live.example.cn/s/1",
) -> Session:
    with time_machine.travel(starts_at - dt.timedelta(days=3), tick=False):
        session = session_create(
            actor=lecturer.user,
            title=title,
            starts_at=starts_at,
            duration_minutes=minutes,
            lecturer_ids=[lecturer.pk],
            stream_url=stream_url,
        )
        return session_publish(actor=lecturer.user, session=session, expected_version=1)


def draft_session(lecturer: Lecturer, *, starts_at: dt.datetime = T0) -> Session:
    with time_machine.travel(starts_at - dt.timedelta(days=3), tick=False):
        return session_create(
            actor=lecturer.user,
            title="草稿",
            starts_at=starts_at,
            duration_minutes=60,
            lecturer_ids=[lecturer.pk],
        )


class AttendanceSpanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttendanceSpan

    viewer = factory.Sequence(lambda n: f"device:00000000-0000-4000-8000-{n:012d}")
    joined_at = T0
    left_at = factory.LazyAttribute(lambda o: o.joined_at + dt.timedelta(minutes=10))
    seconds = factory.LazyAttribute(lambda o: int((o.left_at - o.joined_at).total_seconds()))


class SessionAttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionAttendance

    window_start = T0
    window_end = factory.LazyAttribute(lambda o: o.window_start + dt.timedelta(minutes=60))
    distinct_viewers = 3
    peak_viewers = 2
    peak_at = factory.LazyAttribute(lambda o: o.window_start + dt.timedelta(minutes=5))
    viewer_minutes = 75
    stayed_viewers = 1
    curve = factory.LazyFunction(lambda: [[0, 1], [1, 2], [2, 2]])
    spans_counted = 3
    computed_at = factory.LazyAttribute(lambda o: o.window_end + dt.timedelta(minutes=5))


class LiveAnnouncementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LiveAnnouncement

    text = "请大家注意，下半场五分钟后开始。"
