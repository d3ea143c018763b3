"""Read queries of the public hall: live now, today, this week, search, the home page (with its
cached browse blocks), and the session, lecturer and series pages.

Every list joins its series and region and prefetches its lecturers, so a page costs the same
number of queries for 1 session as for 1,000. Only published, ended and cancelled sessions are
public; a draft is seen only by those who may manage it. Days and weeks are those of the
campaign's zone (Asia/Shanghai), weeks ISO (Monday to Sunday).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.permissions import can_manage_lecture
from events.models import CalendarSubscription
from lecture_hall.models import (
    MAX_DURATION_MINUTES,
    Lecturer,
    LecturerStatus,
    Series,
    Session,
    SessionState,
)
from lecture_hall.selectors.common import PUBLIC_STATES, _zone, with_related
from lecture_hall.selectors.people import _lecturer_may_edit
from lecture_hall.services.sessions import HALL_BROWSE_CACHE_KEY
from scheduling.models import Region

WHEN_CHOICES = ("upcoming", "today", "week", "past")


# --- Time ---------------------------------------------------------------------------------


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
    # The last reschedule's reason, when it was rescheduled and still takes place: once
    # cancelled, the cancellation is the only news (a "new time" would contradict it).
    reschedule_reason: str | None


def session_page(*, pk: int, viewer: Any, now: dt.datetime | None = None) -> SessionPage:
    """A session as its page shows it. A draft exists only for those who may manage it:
    anyone else gets Session.DoesNotExist, as for a session that never existed."""
    session = with_related(Session.objects.filter(pk=pk)).get()
    may_manage = _may_manage(viewer, session)
    if session.state == SessionState.DRAFT and not may_manage:
        raise Session.DoesNotExist
    reason = None
    if session.reschedule_count and session.state != SessionState.CANCELLED:
        last = session.changes.filter(action="rescheduled").order_by("-changed_at", "-id").first()
        reason = last.reason if last else ""
    return SessionPage(
        session=session,
        may_manage=may_manage,
        has_started=session.starts_at <= (now or timezone.now()),
        reschedule_reason=reason,
    )


# --- Lecturers and series pages -------------------------------------------------------------


def follows(viewer: Any, tag: str) -> bool | None:
    """Whether the viewer's private calendar follows `tag` ("lecturer:12", "series:3"), as
    events.services.subscription_follow stores it; None for a visitor who is not signed in."""
    if not getattr(viewer, "is_authenticated", False):
        return None
    tags = (
        CalendarSubscription.objects.filter(user_id=viewer.pk)
        .values_list("tags", flat=True)
        .first()
    )
    return tag in (tags or [])


@dataclass(frozen=True)
class LecturerPage:
    lecturer: Lecturer
    upcoming: QuerySet[Session]
    past: QuerySet[Session]
    series: list[Series]
    may_edit: bool
    following: bool | None  # None: not signed in


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
        following=follows(viewer, f"lecturer:{lecturer.pk}"),
    )


@dataclass(frozen=True)
class SeriesPage:
    series: Series
    lecturers: list[Lecturer]
    upcoming: QuerySet[Session]
    past: QuerySet[Session]
    may_edit: bool
    following: bool | None  # None: not signed in


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
        following=follows(viewer, f"series:{series.pk}"),
    )
