"""Read queries of the lecture hall: the public hall (live now, today, this week, search), the
session, lecturer and series pages, the dashboard and a session's history.

Every list joins its series and region and prefetches its lecturers, so a page costs the same
number of queries for 1 session as for 1,000. Only published, ended and cancelled sessions are
public; a draft is seen only by those who may manage it. Days and weeks are those of the
campaign's zone (Asia/Shanghai), weeks ISO (Monday to Sunday).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.permissions import (
    can_manage_lecture,
    can_manage_region,
    is_ministry,
    require_lecture_manager,
    require_signed_in,
)
from lecture_hall.models import (
    MAX_DURATION_MINUTES,
    Lecturer,
    LecturerStatus,
    Series,
    Session,
    SessionChange,
    SessionState,
)
from lecture_hall.services.lecturers import ERROR_MANAGE_LECTURERS
from lecture_hall.services.sessions import HALL_BROWSE_CACHE_KEY
from scheduling.models import Region

PUBLIC_STATES = (SessionState.PUBLISHED, SessionState.ENDED, SessionState.CANCELLED)
ERROR_NOT_A_LECTURER = _(
    "Only lecturers, region coordinators and Ministry staff publish sessions; "
    "a resident can ask to become a lecturer first."
)
WHEN_CHOICES = ("upcoming", "today", "week", "past")


# --- Time ---------------------------------------------------------------------------------


def _zone() -> dt.tzinfo:
    return timezone.get_default_timezone()


def day_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Midnight to midnight of `now`'s day in Asia/Shanghai."""
    day = timezone.localtime(now, _zone()).date()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=_zone())
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=_zone())


def week_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday 00:00 of `now`'s ISO week in Asia/Shanghai."""
    day = timezone.localtime(now, _zone()).date()
    monday = day - dt.timedelta(days=day.weekday())
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=_zone())
    return start, dt.datetime.combine(monday + dt.timedelta(days=7), dt.time.min, tzinfo=_zone())


# --- Sessions in lists ----------------------------------------------------------------------


def with_related(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Series and region joined, lecturers prefetched in one query for the whole list."""
    return sessions.select_related("series", "region").prefetch_related(
        Prefetch("lecturers", queryset=Lecturer.objects.order_by("name", "id"))
    )


def public_sessions() -> QuerySet[Session]:
    return with_related(Session.objects.filter(state__in=PUBLIC_STATES))


def sessions_live_now(*, now: dt.datetime | None = None) -> list[Session]:
    """Published sessions whose time covers `now` (start included, end excluded)."""
    now = now or timezone.now()
    # A session lasts at most MAX_DURATION_MINUTES, so only those started since then can cover
    # now; the exact end is checked on the few rows that come back.
    candidates = public_sessions().filter(
        state=SessionState.PUBLISHED,
        starts_at__lte=now,
        starts_at__gt=now - dt.timedelta(minutes=MAX_DURATION_MINUTES),
    )
    return [session for session in candidates if session.ends_at > now]


def sessions_today(*, now: dt.datetime | None = None) -> QuerySet[Session]:
    start, end = day_bounds(now or timezone.now())
    return public_sessions().filter(starts_at__gte=start, starts_at__lt=end)


def sessions_this_week(*, now: dt.datetime | None = None) -> QuerySet[Session]:
    start, end = week_bounds(now or timezone.now())
    return public_sessions().filter(starts_at__gte=start, starts_at__lt=end)


@dataclass(frozen=True)
class SessionFilters:
    q: str = ""
    region: str | None = None
    when: str = ""  # "", "upcoming", "today", "week" or "past"

    @property
    def active(self) -> bool:
        return bool(self.q or self.region or self.when)


# A search counts its matches up to this many ("1,000+ sessions found"): LIKE on titles and
# abstracts scans the table, and a count that stops at the cap reads only until it has them
# (at 20,000 sessions, 6,302 matching 健康: 3 ms instead of 18 ms), and the page needs no more.
SEARCH_COUNT_CAP = 1000


def session_search(filters: SessionFilters, *, now: dt.datetime | None = None) -> QuerySet[Session]:
    """Public sessions matching the words (title, abstract or a lecturer's name), region and
    time; upcoming ones soonest first, otherwise the latest first."""
    now = now or timezone.now()
    sessions = public_sessions()
    if filters.q:
        by_lecturer = Session.lecturers.through.objects.filter(
            lecturer__name__icontains=filters.q
        ).values("session_id")
        sessions = sessions.filter(
            Q(title__icontains=filters.q) | Q(abstract__icontains=filters.q) | Q(pk__in=by_lecturer)
        )
    if filters.region:
        sessions = sessions.filter(region_id=filters.region)
    if filters.when == "today":
        start, end = day_bounds(now)
        return sessions.filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at", "id")
    if filters.when == "week":
        start, end = week_bounds(now)
        return sessions.filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at", "id")
    if filters.when == "upcoming":
        return sessions.filter(starts_at__gte=now).order_by("starts_at", "id")
    if filters.when == "past":
        sessions = sessions.filter(starts_at__lt=now)
    return sessions.order_by("-starts_at", "-id")


# --- The hall's home page -------------------------------------------------------------------

HOME_LIST_SIZE = 12
HOME_BROWSE_SIZE = 12


@dataclass(frozen=True)
class HallOverview:
    live: list[Session]
    today: list[Session]  # at most HOME_LIST_SIZE; more_today says whether there are more
    more_today: bool
    week: list[Session]
    more_week: bool
    regions: list[Region]  # each with `upcoming`: its published sessions still to come
    series: list[Series]  # the first HOME_BROWSE_SIZE, each with `public_count`
    more_series: bool
    lecturers: list[Lecturer]
    more_lecturers: bool


def _head(queryset: QuerySet[Any], size: int) -> tuple[list[Any], bool]:
    """The first `size` rows and whether there are more, in one query."""
    rows = list(queryset[: size + 1])
    return rows[:size], len(rows) > size


def regions_with_upcoming(*, now: dt.datetime) -> list[Region]:
    """Every region with `upcoming`: how many published sessions start at or after `now`.

    The count reads only the upcoming published rows, through the (state, starts_at) index, with
    no join to regions (at 20,000 sessions: 4 ms where joining every session to every region
    and filtering in the aggregate took 9 ms); regions without any get 0."""
    upcoming = dict(
        Session.objects.filter(state=SessionState.PUBLISHED, starts_at__gte=now)
        .order_by()
        .values("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    regions = list(Region.objects.order_by("code"))
    for region in regions:
        region.upcoming = upcoming.get(region.code, 0)  # type: ignore[attr-defined]
    return regions


def _public_count() -> Coalesce:
    """A series' public sessions, counted per series row through the `series_id` index: with a
    LIMIT only the rows shown are counted, not every series' sessions before the LIMIT."""
    counted = (
        Session.objects.filter(series=OuterRef("pk"), state__in=PUBLIC_STATES)
        .order_by()
        .values("series")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def series_overview(*, with_lecturers: bool = True) -> QuerySet[Series]:
    """Every series with its region (and lecturers unless `with_lecturers` is False), and how
    many public sessions it has (`public_count`)."""
    series = Series.objects.select_related("region").annotate(public_count=_public_count())
    if with_lecturers:
        series = series.prefetch_related(
            Prefetch("lecturers", queryset=Lecturer.objects.order_by("name", "id"))
        )
    return series.order_by("title", "id")


def lecturer_overview() -> QuerySet[Lecturer]:
    """Approved lecturers (the public ones), with their region."""
    return (
        Lecturer.objects.filter(status=LecturerStatus.APPROVED)
        .select_related("region")
        .order_by("name", "id")
    )


# The browse blocks are the same for every visitor and language (a region's name is chosen in
# the reader's language when the page renders), so the home page keeps them for a minute.
# Staleness, at most BROWSE_CACHE_SECONDS: a session published, edited, rescheduled, cancelled
# or ended through lecture_hall.services shows at once (they delete the entry now and after their
# commit), except on the rare page that read the rows before the commit and stores them after
# the delete; a talk that started within the last minute may still count as upcoming, a renamed
# series keep its old title for that long, and a bulk load (seed_demo) show that late.
BROWSE_CACHE_SECONDS = 60


def _browse_blocks(now: dt.datetime) -> tuple[list[Region], list[Series], bool]:
    # The home shows only titles and counts: no lecturers to prefetch.
    series, more_series = _head(series_overview(with_lecturers=False), HOME_BROWSE_SIZE)
    return regions_with_upcoming(now=now), series, more_series


def hall_overview(*, now: dt.datetime | None = None) -> HallOverview:
    """The home page. Asked for the present (no `now`), the region and series blocks come from
    the cache when they are there (see BROWSE_CACHE_SECONDS); for a given `now` all is read."""
    if now is None:
        now = timezone.now()
        browse = cache.get(HALL_BROWSE_CACHE_KEY)
        if browse is None:
            browse = _browse_blocks(now)
            cache.set(HALL_BROWSE_CACHE_KEY, browse, BROWSE_CACHE_SECONDS)
    else:
        browse = _browse_blocks(now)
    regions, series, more_series = browse
    today, more_today = _head(sessions_today(now=now), HOME_LIST_SIZE)
    week, more_week = _head(sessions_this_week(now=now), HOME_LIST_SIZE)
    lecturers, more_lecturers = _head(lecturer_overview(), HOME_BROWSE_SIZE)
    return HallOverview(
        live=sessions_live_now(now=now),
        today=today,
        more_today=more_today,
        week=week,
        more_week=more_week,
        regions=regions,
        series=series,
        more_series=more_series,
        lecturers=lecturers,
        more_lecturers=more_lecturers,
    )


# --- One session ----------------------------------------------------------------------------


def _may_manage(viewer: Any, session: Session) -> bool:
    return can_manage_lecture(
        viewer,
        lecturer_user_ids={lecturer.user_id for lecturer in session.lecturers.all()},
        region_code=session.region_id,
    )


@dataclass(frozen=True)
class SessionPage:
    session: Session
    may_manage: bool
    has_started: bool
    reschedule_reason: str | None  # the last reschedule's reason, when it was rescheduled


def session_page(*, pk: int, viewer: Any, now: dt.datetime | None = None) -> SessionPage:
    """A session as its page shows it. A draft exists only for those who may manage it:
    anyone else gets Session.DoesNotExist, as for a session that never existed."""
    session = with_related(Session.objects.filter(pk=pk)).get()
    may_manage = _may_manage(viewer, session)
    if session.state == SessionState.DRAFT and not may_manage:
        raise Session.DoesNotExist
    reason = None
    if session.reschedule_count:
        last = session.changes.filter(action="rescheduled").order_by("-changed_at", "-id").first()
        reason = last.reason if last else ""
    return SessionPage(
        session=session,
        may_manage=may_manage,
        has_started=session.starts_at <= (now or timezone.now()),
        reschedule_reason=reason,
    )


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


# --- Lecturers and series pages -------------------------------------------------------------


@dataclass(frozen=True)
class LecturerPage:
    lecturer: Lecturer
    upcoming: QuerySet[Session]
    past: QuerySet[Session]
    series: list[Series]
    may_edit: bool


def _lecturer_may_edit(viewer: Any, lecturer: Lecturer) -> bool:
    if not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.pk == lecturer.user_id or is_ministry(viewer):
        return True
    return lecturer.region_id is not None and can_manage_region(viewer, lecturer.region_id)


def lecturer_page(*, pk: int, viewer: Any, now: dt.datetime | None = None) -> LecturerPage:
    """An approved lecturer's public page: Lecturer.DoesNotExist for requests and refusals."""
    now = now or timezone.now()
    lecturer = (
        Lecturer.objects.select_related("region").filter(status=LecturerStatus.APPROVED).get(pk=pk)
    )
    theirs = public_sessions().filter(
        pk__in=Session.lecturers.through.objects.filter(lecturer=lecturer).values("session_id")
    )
    return LecturerPage(
        lecturer=lecturer,
        upcoming=theirs.filter(starts_at__gte=now).order_by("starts_at", "id"),
        past=theirs.filter(starts_at__lt=now).order_by("-starts_at", "-id"),
        series=list(lecturer.series.order_by("title", "id")),
        may_edit=_lecturer_may_edit(viewer, lecturer),
    )


@dataclass(frozen=True)
class SeriesPage:
    series: Series
    lecturers: list[Lecturer]
    upcoming: QuerySet[Session]
    past: QuerySet[Session]
    may_edit: bool


def series_page(*, pk: int, viewer: Any, now: dt.datetime | None = None) -> SeriesPage:
    now = now or timezone.now()
    series = Series.objects.select_related("region").get(pk=pk)
    lecturers = list(
        series.lecturers.filter(status=LecturerStatus.APPROVED)
        .select_related("region")
        .order_by("name", "id")
    )
    sessions = public_sessions().filter(series=series)
    return SeriesPage(
        series=series,
        lecturers=lecturers,
        upcoming=sessions.filter(starts_at__gte=now).order_by("starts_at", "id"),
        past=sessions.filter(starts_at__lt=now).order_by("-starts_at", "-id"),
        may_edit=can_manage_lecture(
            viewer,
            lecturer_user_ids={lecturer.user_id for lecturer in lecturers},
            region_code=series.region_id,
        ),
    )


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
    upcoming: QuerySet[Session]
    drafts: QuerySet[Session]
    past: QuerySet[Session]
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


def dashboard(*, actor: Any, now: dt.datetime | None = None) -> Dashboard:
    """Lecturers see their own sessions, coordinators their region's, the Ministry all:
    published or cancelled ones ahead, drafts, and the past (soonest and latest first)."""
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
    return Dashboard(
        upcoming=sessions.filter(
            state__in=[SessionState.PUBLISHED, SessionState.CANCELLED], starts_at__gte=now
        ).order_by("starts_at", "id"),
        drafts=sessions.filter(state=SessionState.DRAFT).order_by("starts_at", "id"),
        past=sessions.filter(state__in=PUBLIC_STATES, starts_at__lt=now).order_by(
            "-starts_at", "-id"
        ),
        own_lecturer=own,
        series=series.select_related("region").order_by("title", "id"),
        may_manage_lecturers=may_manage_lecturers,
        pending_requests=lecturer_requests(actor=actor).count() if may_manage_lecturers else 0,
    )


# --- Managing lecturers ---------------------------------------------------------------------


def lecturer_manager_regions(*, actor: Any) -> QuerySet[Region]:
    """The regions whose lecturers the actor manages: all for the Ministry, a coordinator's
    own; PermissionDenied for anyone else."""
    require_signed_in(actor)
    if is_ministry(actor):
        return Region.objects.order_by("code")
    if actor.role == Role.COORDINATOR and actor.region_id:
        return Region.objects.filter(code=actor.region_id)
    raise PermissionDenied(ERROR_MANAGE_LECTURERS)


def lecturer_requests(*, actor: Any) -> QuerySet[Lecturer]:
    """Requests to become a lecturer that the actor may decide, oldest first."""
    regions = lecturer_manager_regions(actor=actor)
    requests = Lecturer.objects.filter(status=LecturerStatus.REQUESTED)
    if not is_ministry(actor):
        requests = requests.filter(region__in=regions)
    return requests.select_related("region", "user").order_by("created_at", "id")


def managed_lecturer(*, actor: Any, pk: int) -> Lecturer:
    """A lecturer profile to edit: the lecturer themselves, the Ministry, or the coordinators
    of the lecturer's region."""
    require_signed_in(actor)
    lecturer = Lecturer.objects.select_related("region").get(pk=pk)
    if not _lecturer_may_edit(actor, lecturer):
        raise PermissionDenied(ERROR_MANAGE_LECTURERS)
    return lecturer


def own_lecturer_profile(*, actor: Any) -> Lecturer | None:
    """The actor's lecturer profile whatever its status (a request shows as pending)."""
    require_signed_in(actor)
    return Lecturer.objects.filter(user_id=actor.pk).select_related("region").first()
