"""Demo lecture hall, around today: this week's programme (three talks a day, the held ones
with their audience), a talk live right now for the live room and its simulated viewers, the
attendance of every held talk, and residents who follow, star and ask for reminders.

It is relative to the clock, so running `seed_demo` another day tops it up (a new week, a new
live talk) while running it twice in a row changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role, User
from config.progress import stage
from events.reminders.services import reminder_request
from events.services import subscription_follow, subscription_star
from lecture_hall.demo.year import held_session
from lecture_hall.live.services import attendance_summarize
from lecture_hall.models import (
    AttendanceSpan,
    Lecturer,
    Series,
    Session,
    SessionState,
)
from lecture_hall.selectors import sessions_live_now
from lecture_hall.services import session_create, session_publish

WEEK_SLOTS = (dt.time(9, 30), dt.time(14, 30), dt.time(19, 30))
WEEK_MINUTES = 90
LIVE_MINUTES = 180
LIVE_LEAD = dt.timedelta(minutes=20)  # the live talk started this long ago
LIVE_KEY = "live/"  # the stream link of the demo's live talks: live.example.cn/live/<start>
WEEK_KEY = "week/"
LIVE_LECTURER = "lecturer-01"  # README: sign in as lecturer-01 to watch its live panel


def _week_key(monday: dt.date) -> str:
    return f"{WEEK_KEY}{monday:%Y%m%d}/"


def _lecturers() -> list[tuple[Lecturer, Series]]:
    """Each lecturer with their first series, in a stable order."""
    pairs: list[tuple[Lecturer, Series]] = []
    for series in Series.objects.prefetch_related("lecturers").order_by("pk"):
        lecturer = min(series.lecturers.all(), key=lambda lecturer: lecturer.pk)
        if all(lecturer != seen for seen, _series in pairs):
            pairs.append((lecturer, series))
    return pairs


def _publish_future(
    pairs: list[tuple[Lecturer, Series]], start: int, title: str, starts_at: dt.datetime, key: str
) -> Session | None:
    """Publish through the services, moving on to the next lecturer when one is busy then."""
    for offset in range(len(pairs)):
        lecturer, series = pairs[(start + offset) % len(pairs)]
        try:
            session = session_create(
                actor=lecturer.user,
                title=title,
                abstract=series.description,
                series=series,
                starts_at=starts_at,
                duration_minutes=WEEK_MINUTES,
                lecturer_ids=[lecturer.pk],
                stream_url=f"https://live.example.cn/{key}",
            )
        except ValidationError:
            continue  # a clash with another of this lecturer's talks
        return session_publish(actor=lecturer.user, session=session, expected_version=1)
    return None


def seed_this_week(progress: Callable[[str], None], *, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    pairs = _lecturers()
    if not pairs:
        progress("this week: no lecturers, skipped")
        return
    tz = timezone.get_default_timezone()
    today = timezone.localtime(now, tz).date()
    monday = today - dt.timedelta(days=today.weekday())
    key = _week_key(monday)
    if Session.objects.filter(stream_url__contains=f"/{key}").exists():
        progress(f"this week ({monday:%Y-%m-%d}): already there")
    else:
        slots = [
            dt.datetime.combine(monday + dt.timedelta(days=day), slot, tzinfo=tz)
            for day in range(7)
            for slot in WEEK_SLOTS
        ]
        with stage(progress, f"week of {monday:%m-%d}", len(slots)) as bar:
            made = {"held": 0, "upcoming": 0}
            for n, starts_at in enumerate(slots):
                lecturer, series = pairs[(n * 7) % len(pairs)]
                topic = series.title.split("系列")[0]
                title = f"{topic}：本周专题（{starts_at:%m月%d日}）"
                if starts_at < now:
                    over = starts_at + dt.timedelta(minutes=WEEK_MINUTES) <= now
                    held_session(
                        series=series,
                        lecturer=lecturer,
                        title=title,
                        starts_at=starts_at,
                        minutes=WEEK_MINUTES,
                        key=f"{key}{n}",
                        state=SessionState.ENDED if over else SessionState.PUBLISHED,
                    )
                    made["held"] += 1
                elif _publish_future(pairs, n * 7, title, starts_at, f"{key}{n}"):
                    made["upcoming"] += 1
                bar.advance()
            bar.summary = f"{made['held']} held or on now, {made['upcoming']} to come"
    if sessions_live_now(now=now):
        progress("live now: a talk is on")
        return
    _seed_live_now(pairs, now)


def _seed_live_now(pairs: list[tuple[Lecturer, Series]], now: dt.datetime) -> None:
    lecturer, series = next(
        (
            (lecturer, series)
            for lecturer, series in pairs
            if lecturer.user.username == LIVE_LECTURER
        ),
        pairs[0],
    )
    starts_at = (now - LIVE_LEAD).replace(second=0, microsecond=0)
    starts_at -= dt.timedelta(minutes=starts_at.minute % 5)
    held_session(
        series=series,
        lecturer=lecturer,
        title=f"正在直播：{series.title.split('系列')[0]}答疑直播课",
        starts_at=starts_at,
        minutes=LIVE_MINUTES,
        key=f"{LIVE_KEY}{starts_at:%Y%m%d%H%M}",
        state=SessionState.PUBLISHED,
    )


def demo_live_session(*, now: dt.datetime | None = None) -> Session | None:
    """The talk the simulated viewers join: the demo's own live talk, else any live now."""
    live = sessions_live_now(now=now)
    ours = [session for session in live if f"example.cn/{LIVE_KEY}" in session.stream_url]
    candidates = ours or live
    return candidates[0] if candidates else None


# --- attendance of held talks -------------------------------------------------------------


def _audience_spans(
    rng: random.Random, session: Session, residents: list[User]
) -> list[AttendanceSpan]:
    """A plausible audience: most arrive in the first minutes (a few in the lobby), about
    half stay to the end, the rest drift away, and some of those come back once."""
    start, end = session.starts_at, session.ends_at
    length = (end - start).total_seconds()
    size = max(12, min(1500, round(rng.lognormvariate(4.8, 0.8))))
    signed_in = rng.sample(residents, k=min(len(residents), rng.randint(0, 4)))
    rows = []
    for k in range(size):
        if k < len(signed_in):
            viewer, user = f"user:{signed_in[k].pk}", signed_in[k]
        else:
            viewer, user = f"device:{uuid.UUID(int=rng.getrandbits(128), version=4)}", None
        lobby = rng.random() < 0.15
        arrive = -rng.uniform(0, 600) if lobby else min(rng.expovariate(1 / 240), 0.7 * length)
        joined = start + dt.timedelta(seconds=arrive)
        stays = rng.random() < 0.5
        left_after = length if stays else min(length, arrive + rng.expovariate(1 / 1500) + 60)
        left = start + dt.timedelta(seconds=max(left_after, arrive + 30))
        rows.append(_span(session, viewer, user, joined, left))
        if not stays and rng.random() < 0.2 and left + dt.timedelta(minutes=3) < end:
            back = left + dt.timedelta(seconds=rng.uniform(120, 900))
            if back < end:
                rows.append(_span(session, viewer, user, back, end))
    return rows


def _span(
    session: Session, viewer: str, user: User | None, joined: dt.datetime, left: dt.datetime
) -> AttendanceSpan:
    return AttendanceSpan(
        session=session,
        viewer=viewer,
        user=user,
        joined_at=joined,
        left_at=left,
        seconds=round((left - joined).total_seconds()),
    )


def seed_attendance(progress: Callable[[str], None]) -> None:
    """Audience spans and the attendance summary (reported to events as person-times) for
    every held talk that has none yet, as the live room would have left them."""
    sessions = list(
        Session.objects.filter(state=SessionState.ENDED, attendance__isnull=True)
        .exclude(attendance_spans__isnull=False)
        .order_by("starts_at", "pk")
    )
    if not sessions:
        progress("attendance: every held talk has its figures")
        return
    rng = random.Random(len(sessions))  # noqa: S311 - demo data, reproducible on purpose
    residents = list(User.objects.filter(role=Role.RESIDENT).order_by("username"))
    with stage(progress, "attendance", len(sessions)) as bar:
        spans = viewers = 0
        for session in sessions:
            rows = _audience_spans(rng, session, residents)
            AttendanceSpan.objects.bulk_create(rows, batch_size=1000)
            summary = attendance_summarize(session_id=session.pk)
            spans += len(rows)
            viewers += summary.distinct_viewers if summary else 0
            bar.advance()
        bar.summary = f"{len(sessions)} held talks, {viewers} person-times, {spans} spans"


# --- residents: follows, stars, reminders -------------------------------------------------


def seed_audience(progress: Callable[[str], None], *, now: dt.datetime | None = None) -> None:
    """Each resident follows two lecturers, stars two coming talks and asks for reminders of
    two (an hour and ten minutes before). Asking again changes nothing, so this is safe to
    repeat; a new week adds that week's talks."""
    now = now or timezone.now()
    residents = list(User.objects.filter(role=Role.RESIDENT).order_by("username"))
    upcoming = list(
        Session.objects.filter(
            state=SessionState.PUBLISHED,
            starts_at__gt=now + dt.timedelta(minutes=15),
            event__isnull=False,
        )
        .select_related("event")
        .prefetch_related("lecturers")
        .order_by("starts_at", "pk")[:12]
    )
    if not residents or not upcoming:
        progress("residents: nothing to follow yet")
        return
    with stage(progress, "residents' follows", len(residents)) as bar:
        requests = 0
        for i, resident in enumerate(residents):
            picks = [upcoming[(i + k * 5) % len(upcoming)] for k in range(2)]
            for session in picks:
                lecturer = session.lecturers.all()[0]
                subscription_follow(actor=resident, tag=f"lecturer:{lecturer.pk}")
                assert session.event is not None
                subscription_star(actor=resident, event=session.event)
                reminder_request(
                    actor=resident, target=f"event:{session.event.pk}", offsets=[60, 10]
                )
                requests += 1
            bar.advance()
        bar.summary = f"{len(residents)} residents, {requests} reminders asked for"
