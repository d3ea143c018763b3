"""Read queries of the lecturer's own pages: the dashboard, what the write forms may offer
(`authoring_scope`), the session or series a form edits, and a session's history."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.permissions import is_ministry, require_lecture_manager, require_signed_in
from lecture_hall.models import (
    MAX_DURATION_MINUTES,
    Lecturer,
    LecturerStatus,
    Series,
    Session,
    SessionChange,
    SessionState,
)
from lecture_hall.selectors.common import _zone, with_related
from lecture_hall.selectors.people import lecturer_requests
from scheduling.models import Region

ERROR_NOT_A_LECTURER = _(
    "Only lecturers, region coordinators and Ministry staff publish sessions; "
    "a resident can ask to become a lecturer first."
)


# --- One session's form and history -------------------------------------------------------


def managed_session(*, actor: Any, pk: int) -> Session:
    """The session to show in a write form: PermissionDenied unless the actor may manage it
    (the same check the services make before they write)."""
    session = with_related(Session.objects.filter(pk=pk)).get()
    require_lecture_manager(
        actor,
        lecturer_user_ids={lecturer.user_id for lecturer in session.lecturers.all()},
        region_code=session.region_id,
    )
    return session


@dataclass(frozen=True)
class ChangeRow:
    changed_at: dt.datetime
    who: str
    action: str
    fields: list[tuple[str, str, str]]  # label, old, new, as text in the active language
    reason: str


ACTION_LABELS = {
    "created": _("created"),
    "edited": _("edited"),
    "published": _("published"),
    "rescheduled": _("rescheduled"),
    "cancelled": _("cancelled"),
    "ended": _("ended"),
}
FIELD_LABELS = {
    "title": _("title"),
    "abstract": _("abstract"),
    "series_id": _("series"),
    "region_id": _("region"),
    "starts_at": _("starts at"),
    "duration_minutes": _("duration (minutes)"),
    "stream_url": _("stream link"),
    "replay_url": _("replay link"),
    "state": _("state"),
}


def _as_text(name: str, value: str, series: dict[str, str], regions: dict[str, str]) -> str:
    """A stored history value (plain text) in the reader's terms."""
    if value in ("", "None"):
        return "—"
    if name == "starts_at":
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return date_format(timezone.localtime(moment, _zone()), "DATETIME_FORMAT")
    if name == "state" and value in SessionState.values:
        return str(SessionState(value).label)
    if name == "series_id":
        return series.get(value, value)
    if name == "region_id":
        return regions.get(value, value)
    return value


def session_history(*, actor: Any, pk: int) -> tuple[Session, list[ChangeRow]]:
    """Who changed what and when, newest first: for those who may manage the session."""
    session = managed_session(actor=actor, pk=pk)
    changes = list(
        SessionChange.objects.filter(session=session)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")
    )
    mentioned = {
        key: {v for c in changes for v in c.changes.get(key, [])}
        for key in ("series_id", "region_id")
    }
    series = {
        str(pk): title
        for pk, title in Series.objects.filter(
            pk__in=[v for v in mentioned["series_id"] if v.isdigit()]
        ).values_list("pk", "title")
    }
    regions = {r.code: r.name for r in Region.objects.filter(code__in=mentioned["region_id"])}
    rows = [
        ChangeRow(
            changed_at=change.changed_at,
            who=str(change.changed_by) if change.changed_by else "—",
            action=str(ACTION_LABELS.get(change.action, change.action)),
            fields=[
                (
                    str(FIELD_LABELS.get(name, name)),
                    _as_text(name, str(old), series, regions),
                    _as_text(name, str(new), series, regions),
                )
                for name, (old, new) in change.changes.items()
            ],
            reason=change.reason,
        )
        for change in changes
    ]
    return session, rows


def managed_series(*, actor: Any, pk: int) -> Series:
    series = Series.objects.select_related("region").prefetch_related("lecturers").get(pk=pk)
    require_lecture_manager(
        actor,
        lecturer_user_ids={lecturer.user_id for lecturer in series.lecturers.all()},
        region_code=series.region_id,
    )
    return series


# --- What a writer may use ------------------------------------------------------------------


@dataclass(frozen=True)
class AuthoringScope:
    """What the forms offer a user who writes sessions and series; the services still check."""

    own_lecturer: Lecturer | None
    lecturers: QuerySet[Lecturer]
    series: QuerySet[Series]
    regions: QuerySet[Region]
    default_region: str | None


def _own_profile(actor: Any) -> Lecturer | None:
    return (
        Lecturer.objects.filter(user_id=actor.pk, status=LecturerStatus.APPROVED)
        .select_related("region")
        .first()
    )


def authoring_scope(
    *, actor: Any, keep_lecturers: Iterable[Lecturer] = (), keep_series_id: int | None = None
) -> AuthoringScope:
    """Ministry: every lecturer, series and region. A coordinator: their region's. A lecturer
    with an approved profile: their region's lecturers, their own series, any region. Anyone
    else: PermissionDenied. When editing, what the session or series already has stays offered
    (`keep_lecturers`, `keep_series_id`)."""
    require_signed_in(actor)
    approved = Lecturer.objects.filter(status=LecturerStatus.APPROVED).order_by("name", "id")
    kept = [lecturer.pk for lecturer in keep_lecturers]
    keep_lecturer_q = Q(pk__in=kept)
    keep_series_q = Q(pk=keep_series_id) if keep_series_id else Q(pk__in=[])
    own = None
    if is_ministry(actor):
        lecturers, series = approved, Series.objects.all()
        regions, default = Region.objects.all(), None
    elif actor.role == Role.COORDINATOR:
        code = actor.region_id
        lecturers = approved.filter(Q(region_id=code) | keep_lecturer_q)
        series = Series.objects.filter(Q(region_id=code) | keep_series_q)
        regions, default = Region.objects.filter(code=code), code
    elif actor.role == Role.LECTURER and (own := _own_profile(actor)) is not None:
        same_region = Q(region_id=own.region_id) if own.region_id else Q(region__isnull=True)
        lecturers = approved.filter(same_region | Q(pk=own.pk) | keep_lecturer_q)
        series = Series.objects.filter(Q(lecturers=own) | keep_series_q).distinct()
        regions, default = Region.objects.all(), own.region_id
    else:
        raise PermissionDenied(ERROR_NOT_A_LECTURER)
    return AuthoringScope(
        own_lecturer=own,
        lecturers=lecturers,
        series=series.order_by("title", "id"),
        regions=regions.order_by("code"),
        default_region=default,
    )


# --- The dashboard --------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    live: list[Session]  # published and under way now: first, each with its live panel
    upcoming: QuerySet[Session]  # published, still to start (cancelled ones have their own list)
    drafts: QuerySet[Session]
    past: QuerySet[Session]  # published or ended, started and no longer under way
    cancelled: QuerySet[Session]  # latest first, so those that would have come are on top
    own_lecturer: Lecturer | None
    series: QuerySet[Series]
    may_manage_lecturers: bool
    pending_requests: int


def _managed_sessions(actor: Any, own: Lecturer | None) -> QuerySet[Session]:
    if is_ministry(actor):
        return Session.objects.all()
    if actor.role == Role.COORDINATOR:
        return Session.objects.filter(region_id=actor.region_id)
    if own is None:
        return Session.objects.none()
    return Session.objects.filter(
        pk__in=Session.lecturers.through.objects.filter(lecturer=own).values("session_id")
    )


def _live(sessions: QuerySet[Session], now: dt.datetime) -> list[Session]:
    """The published sessions under way at `now` (start included, end excluded). A session
    lasts at most MAX_DURATION_MINUTES, so only those started since then are read; the exact
    end is checked on the few rows that come back."""
    candidates = sessions.filter(
        state=SessionState.PUBLISHED,
        starts_at__lte=now,
        starts_at__gt=now - dt.timedelta(minutes=MAX_DURATION_MINUTES),
    ).order_by("starts_at", "id")
    return [session for session in candidates if session.ends_at > now]


def dashboard(*, actor: Any, now: dt.datetime | None = None) -> Dashboard:
    """Lecturers see their own sessions, coordinators their region's, the Ministry all: those
    live now, published ones ahead (soonest first), drafts, the past (latest first) and the
    cancelled ones (latest first)."""
    require_signed_in(actor)
    now = now or timezone.now()
    if not (is_ministry(actor) or actor.role in (Role.COORDINATOR, Role.LECTURER)):
        raise PermissionDenied(ERROR_NOT_A_LECTURER)
    own = _own_profile(actor) if actor.role == Role.LECTURER else None
    sessions = with_related(_managed_sessions(actor, own))
    if is_ministry(actor):
        series: QuerySet[Series] = Series.objects.all()
    elif actor.role == Role.COORDINATOR:
        series = Series.objects.filter(region_id=actor.region_id)
    elif own is not None:
        series = Series.objects.filter(lecturers=own)
    else:
        series = Series.objects.none()
    may_manage_lecturers = is_ministry(actor) or actor.role == Role.COORDINATOR
    live = _live(sessions, now)
    return Dashboard(
        live=live,
        upcoming=sessions.filter(state=SessionState.PUBLISHED, starts_at__gte=now).order_by(
            "starts_at", "id"
        ),
        drafts=sessions.filter(state=SessionState.DRAFT).order_by("starts_at", "id"),
        past=sessions.filter(
            state__in=[SessionState.PUBLISHED, SessionState.ENDED], starts_at__lt=now
        )
        .exclude(pk__in=[session.pk for session in live])
        .order_by("-starts_at", "-id"),
        cancelled=sessions.filter(state=SessionState.CANCELLED).order_by("-starts_at", "-id"),
        own_lecturer=own,
        series=series.select_related("region").order_by("title", "id"),
        may_manage_lecturers=may_manage_lecturers,
        pending_requests=lecturer_requests(actor=actor).count() if may_manage_lecturers else 0,
    )
