"""Read queries of the live room: is a room open, the room page, the lecturer's live panel,
the attendance page and its CSV rows, and which sessions still need their attendance summary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Max, Q
from django.utils import timezone

from accounts.permissions import can_manage_lecture, require_lecture_manager
from lecture_hall.live.backends import sync_presence
from lecture_hall.live.presence import RoomStats
from lecture_hall.models import (
    LiveAnnouncement,
    Session,
    SessionAttendance,
    SessionState,
)

# The room opens half an hour early (a lobby: the count shows, spans before the start are
# not counted as attendance) and closes at the session's end.
OPEN_BEFORE = dt.timedelta(minutes=30)
ANNOUNCEMENTS_SHOWN = 10
SUMMARY_LOOKBACK = dt.timedelta(days=2)

Phase = Literal["draft", "upcoming", "lobby", "live", "ended", "cancelled"]
OPEN_PHASES: tuple[Phase, ...] = ("lobby", "live")


@dataclass(frozen=True)
class RoomInfo:
    """What the live room needs to know of its session; compared tick to tick for changes."""

    session_id: int
    title: str
    state: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    ended_at: dt.datetime | None  # when session_end was called, if it was
    version: int
    stream_url: str
    lecturer_user_ids: frozenset[int]
    region_code: str | None
    event_id: int | None

    def phase(self, now: dt.datetime) -> Phase:
        if self.state == SessionState.DRAFT:
            return "draft"
        if self.state == SessionState.CANCELLED:
            return "cancelled"
        if self.state == SessionState.ENDED or now >= self.ends_at:
            return "ended"
        if now < self.starts_at - OPEN_BEFORE:
            return "upcoming"
        return "lobby" if now < self.starts_at else "live"

    def is_open(self, now: dt.datetime) -> bool:
        return self.phase(now) in OPEN_PHASES

    @property
    def window_end(self) -> dt.datetime:
        """Where attendance stops counting: the scheduled end, or earlier if ended early."""
        if self.ended_at is not None:
            return max(self.starts_at, min(self.ends_at, self.ended_at))
        return self.ends_at

    def may_manage(self, user: Any) -> bool:
        return can_manage_lecture(
            user, lecturer_user_ids=set(self.lecturer_user_ids), region_code=self.region_code
        )

    def visible_to(self, user: Any) -> bool:
        return self.state != SessionState.DRAFT or self.may_manage(user)


def room_info(*, session_id: int) -> RoomInfo | None:
    """The session as the room sees it (two queries), or None if there is no such session."""
    row = (
        Session.objects.filter(pk=session_id)
        .annotate(
            ended_at=Max("changes__changed_at", filter=Q(changes__action="ended")),
        )
        .values(
            "pk",
            "title",
            "state",
            "starts_at",
            "duration_minutes",
            "version",
            "stream_url",
            "region_id",
            "event_id",
            "ended_at",
        )
        .first()
    )
    if row is None:
        return None
    lecturers = Session.lecturers.through.objects.filter(session_id=session_id).values_list(
        "lecturer__user_id", flat=True
    )
    return RoomInfo(
        session_id=row["pk"],
        title=row["title"],
        state=row["state"],
        starts_at=row["starts_at"],
        ends_at=row["starts_at"] + dt.timedelta(minutes=row["duration_minutes"]),
        ended_at=row["ended_at"] if row["state"] == SessionState.ENDED else None,
        version=row["version"],
        stream_url=row["stream_url"],
        lecturer_user_ids=frozenset(lecturers),
        region_code=row["region_id"],
        event_id=row["event_id"],
    )


def live_stats(*, session_id: int) -> RoomStats:
    return sync_presence().stats(session_id)


def recent_announcements(
    *, session_id: int, limit: int = ANNOUNCEMENTS_SHOWN
) -> list[LiveAnnouncement]:
    """The latest announcements, oldest first (the order they are read in)."""
    rows = LiveAnnouncement.objects.filter(session_id=session_id).order_by("-sent_at", "-id")
    return list(reversed(rows[:limit]))


@dataclass(frozen=True)
class RoomPage:
    session: Session
    info: RoomInfo
    phase: Phase
    may_manage: bool
    announcements: list[LiveAnnouncement]


def _session(pk: int) -> Session:
    return (
        Session.objects.select_related("series", "region").prefetch_related("lecturers").get(pk=pk)
    )


def room_page(*, pk: int, viewer: Any, now: dt.datetime | None = None) -> RoomPage:
    """The room as a page: Session.DoesNotExist for a missing session or another's draft."""
    info = room_info(session_id=pk)
    if info is None or not info.visible_to(viewer):
        raise Session.DoesNotExist
    return RoomPage(
        session=_session(pk),
        info=info,
        phase=info.phase(now or timezone.now()),
        may_manage=info.may_manage(viewer),
        announcements=recent_announcements(session_id=pk),
    )


def managed_room(*, pk: int, actor: Any) -> RoomInfo:
    """The room of a session the actor manages: DoesNotExist / PermissionDenied otherwise."""
    info = room_info(session_id=pk)
    if info is None or not info.visible_to(actor):
        raise Session.DoesNotExist
    require_lecture_manager(
        actor, lecturer_user_ids=set(info.lecturer_user_ids), region_code=info.region_code
    )
    return info


@dataclass(frozen=True)
class PanelPage:
    session: Session
    info: RoomInfo
    phase: Phase
    stats: RoomStats
    curve: list[tuple[int, int]]  # (epoch second, viewers) as the room recorded it
    announcements: list[LiveAnnouncement]


def panel_page(*, pk: int, actor: Any, now: dt.datetime | None = None) -> PanelPage:
    info = managed_room(pk=pk, actor=actor)
    store = sync_presence()
    return PanelPage(
        session=_session(pk),
        info=info,
        phase=info.phase(now or timezone.now()),
        stats=store.stats(pk),
        curve=store.curve(pk),
        announcements=recent_announcements(session_id=pk),
    )


@dataclass(frozen=True)
class AttendancePage:
    session: Session
    info: RoomInfo
    phase: Phase
    attendance: SessionAttendance | None


def attendance_page(*, pk: int, actor: Any, now: dt.datetime | None = None) -> AttendancePage:
    info = managed_room(pk=pk, actor=actor)
    return AttendancePage(
        session=_session(pk),
        info=info,
        phase=info.phase(now or timezone.now()),
        attendance=SessionAttendance.objects.filter(session_id=pk).first(),
    )


def curve_rows(attendance: SessionAttendance) -> list[tuple[int, dt.datetime, int]]:
    """(minute, local start of that minute, most viewers during it) for the CSV and the table."""
    zone = timezone.get_default_timezone()
    return [
        (
            int(minute),
            timezone.localtime(attendance.window_start + dt.timedelta(minutes=int(minute)), zone),
            int(viewers),
        )
        for minute, viewers in attendance.curve
    ]


def span_rows(*, session_id: int) -> list[tuple[str, dt.datetime, dt.datetime]]:
    return list(
        Session.objects.get(pk=session_id)
        .attendance_spans.order_by("joined_at", "id")
        .values_list("viewer", "joined_at", "left_at")
    )


def sessions_due_summary(*, now: dt.datetime | None = None) -> list[int]:
    """Sessions over (ended, or published and past their end) in the last two days whose
    summary is missing or older than their newest span."""
    now = now or timezone.now()
    candidates = (
        Session.objects.filter(
            Q(state=SessionState.ENDED) | Q(state=SessionState.PUBLISHED, starts_at__lte=now),
            starts_at__gte=now - SUMMARY_LOOKBACK,
            event__isnull=False,
        )
        .annotate(newest=Max("attendance_spans__recorded_at"))
        .values_list(
            "pk", "state", "starts_at", "duration_minutes", "newest", "attendance__computed_at"
        )
    )
    due = []
    for pk, state, starts_at, minutes, newest, computed_at in candidates:
        if state == SessionState.PUBLISHED and starts_at + dt.timedelta(minutes=minutes) > now:
            continue
        if computed_at is None or (newest is not None and newest > computed_at):
            due.append(pk)
    return due
