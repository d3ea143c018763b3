"""Read queries over the calendar: the public list and month view, coverage, dashboards."""

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractIsoYear, ExtractWeek
from django.utils import timezone

from events.models import ActivityType, Event, EventStatus, Nomination, NominationKind, WorkPlan
from events.services.submissions import MIN_NOMINATIONS
from events.statistics.selectors import year_window
from scheduling.models import CampaignYear, Region, Week
from scheduling.selectors import latest_version
from scheduling.yearcal import week_bounds


@dataclass(frozen=True)
class EventFilters:
    region: str | None = None
    activity_type: str | None = None
    level: str | None = None
    month: dt.date | None = None  # first day of the month, in the campaign's zone
    day: dt.date | None = None  # one day in the campaign's zone: events running at any time of it
    search: str | None = None
    include_cancelled: bool = True
    # "" (any time, in time order: the API's default), "upcoming" (running today or later,
    # soonest first) or "past" (ended before today, latest first).
    when: str = ""


WHEN_UPCOMING, WHEN_PAST = "upcoming", "past"


# A day of the month grid lists at most this many events, then links to the rest: a busy June
# day has 20-40, which made a cell a wall of links on a phone (Google/Outlook do the same).
MONTH_DAY_CAP = 4


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=tz)
    following = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=tz)
    return start, following


def day_bounds(first: dt.date, last: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Midnight starting `first` and midnight ending `last` (default: `first`), in the campaign's
    zone."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine((last or first) + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def event_list(filters: EventFilters, *, today: dt.date | None = None) -> QuerySet[Event]:
    """Events matching the filters, with their region joined: one query however many there are.
    `today` (default: today in the campaign's zone) is where upcoming and past part."""
    events = Event.objects.select_related("region").order_by("starts_at", "id")
    if filters.when in (WHEN_UPCOMING, WHEN_PAST):
        midnight, _ = day_bounds(
            today or timezone.localdate(timezone=timezone.get_default_timezone())
        )
        if filters.when == WHEN_UPCOMING:
            events = events.filter(ends_at__gt=midnight)
        else:
            events = events.filter(ends_at__lte=midnight).order_by("-starts_at", "-id")
    if filters.region:
        events = events.filter(region_id=filters.region)
    if filters.activity_type:
        events = events.filter(activity_type=filters.activity_type)
    if filters.level:
        events = events.filter(level=filters.level)
    if filters.month:
        start, end = month_bounds(filters.month)
        events = events.filter(starts_at__lt=end, ends_at__gt=start)
    if filters.day:
        start, end = day_bounds(filters.day)
        events = events.filter(starts_at__lt=end, ends_at__gt=start)
    if filters.search:
        events = events.filter(
            Q(title__icontains=filters.search)
            | Q(city__icontains=filters.search)
            | Q(organiser__icontains=filters.search)
        )
    if not filters.include_cancelled:
        events = events.exclude(status="cancelled")
    return events


def month_span(month: dt.date) -> tuple[dt.date, dt.date]:
    """The grid's first and last day: the Monday on or before the 1st, the Sunday on or after the
    month's last day."""
    first = month.replace(day=1)
    start = first - dt.timedelta(days=first.weekday())
    last = (month_bounds(first)[1] - dt.timedelta(days=1)).date()
    return start, last + dt.timedelta(days=6 - last.weekday())


class GridEvent(NamedTuple):
    """An event as a month grid cell shows it. Fetched as plain rows: a busy month has thousands
    (7,671 in bench.calendar's June) and building a model instance for each was most of the
    page's time, for the few a cell shows."""

    pk: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED


class Timed(Protocol):
    @property
    def starts_at(self) -> dt.datetime: ...

    @property
    def ends_at(self) -> dt.datetime: ...


def month_events(filters: EventFilters, month: dt.date) -> list[GridEvent]:
    """The events of the month's whole grid (the days shown of the months around it too, so
    their counts are right) in time order: one query, no join, five columns."""
    first, last = month_span(month)
    start, end = day_bounds(first, last)
    rows = (
        event_list(dataclasses.replace(filters, month=None, day=None, when=""))
        .filter(starts_at__lt=end, ends_at__gt=start)
        .select_related(None)
        .values_list("id", "title", "starts_at", "ends_at", "status")
    )
    return [GridEvent._make(row) for row in rows]


def month_total(month: dt.date, events: Iterable[Timed]) -> int:
    """How many of these events run at some time in the month itself."""
    start, end = month_bounds(month)
    return sum(1 for event in events if event.starts_at < end and event.ends_at > start)


@dataclass(frozen=True)
class MonthDay[T: Timed]:
    """One cell of the month grid: its first events in time order, and how many more it has."""

    day: dt.date
    events: list[T]
    hidden: int = 0

    @property
    def total(self) -> int:
        return len(self.events) + self.hidden


def month_grid[T: Timed](
    month: dt.date, events: Iterable[T], *, cap: int = MONTH_DAY_CAP
) -> list[list[MonthDay[T]]]:
    """Weeks (Monday first) of the month, each day with its first `cap` events (an event shows
    on each day it covers; events are taken in the order given) and the count of the rest,
    computed here from the same list, so the page costs no query per day."""
    tz = timezone.get_default_timezone()
    start, last = month_span(month)
    by_day: dict[dt.date, list[T]] = defaultdict(list)
    for event in events:
        day = max(event.starts_at.astimezone(tz).date(), start)
        final = min((event.ends_at - dt.timedelta(microseconds=1)).astimezone(tz).date(), last)
        while day <= final:
            by_day[day].append(event)
            day += dt.timedelta(days=1)
    weeks = []
    monday = start
    while monday <= last:
        week = []
        for offset in range(7):
            day = monday + dt.timedelta(days=offset)
            listed = by_day.get(day, [])
            week.append(MonthDay(day, listed[:cap], max(len(listed) - cap, 0)))
        weeks.append(week)
        monday += dt.timedelta(days=7)
    return weeks


@dataclass
class CoverageWeek:
    week: Week
    learning_week_regions: list[Region] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # activity type -> events

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def has_activity(self) -> bool:
        return bool(self.learning_week_regions) or self.total > 0


def coverage(campaign_year: CampaignYear) -> list[CoverageWeek]:
    """For every week: who holds the Learning Week and how many events of each type happen —
    "every week has an activity", measured. Four queries whatever the number of events."""
    tz = timezone.get_default_timezone()
    rows = {w.number: CoverageWeek(w) for w in Week.objects.filter(campaign_year=campaign_year)}
    first, _ = week_bounds(campaign_year.year, 1)
    _, last = week_bounds(campaign_year.year, max(rows) if rows else 1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    counted = (
        Event.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status="cancelled")
        .annotate(
            iso_year=ExtractIsoYear("starts_at", tzinfo=tz),
            week=ExtractWeek("starts_at", tzinfo=tz),
        )
        .values("iso_year", "week", "activity_type")
        .annotate(n=Count("id"))
    )
    for row in counted:
        if row["iso_year"] == campaign_year.year and row["week"] in rows:
            rows[row["week"]].counts[row["activity_type"]] = row["n"]
    version = latest_version(campaign_year)
    if version is not None:
        for assignment in version.assignments.select_related("region"):
            rows[assignment.week_number].learning_week_regions.append(assignment.region)
    for coverage_week in rows.values():
        for activity_type in ActivityType.values:
            coverage_week.counts.setdefault(activity_type, 0)
    return [rows[n] for n in sorted(rows)]


@dataclass(frozen=True)
class RegionProgress:
    region: Region
    has_plan: bool
    stars: int
    brands: int
    events: int

    @property
    def missing(self) -> list[str]:
        gaps = []
        if not self.has_plan:
            gaps.append("plan")
        if self.stars < MIN_NOMINATIONS:
            gaps.append("learning_stars")
        if self.brands < MIN_NOMINATIONS:
            gaps.append("brand_projects")
        if self.events == 0:
            gaps.append("events")
        return gaps


def region_progress(campaign_year: CampaignYear) -> list[RegionProgress]:
    """Which regions are missing a plan, nominations or events (four queries)."""
    start, end = year_window(campaign_year)
    plans = set(
        WorkPlan.objects.filter(campaign_year=campaign_year).values_list("region_id", flat=True)
    )
    nominations: dict[tuple[str, str], int] = {
        (r["region_id"], r["kind"]): r["n"]
        for r in Nomination.objects.filter(campaign_year=campaign_year)
        .values("region_id", "kind")
        .annotate(n=Count("id"))
    }
    events = dict(
        Event.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status="cancelled")
        .values_list("region_id")
        .annotate(n=Count("id"))
    )
    return [
        RegionProgress(
            region=region,
            has_plan=region.code in plans,
            stars=nominations.get((region.code, NominationKind.LEARNING_STAR), 0),
            brands=nominations.get((region.code, NominationKind.BRAND_PROJECT), 0),
            events=events.get(region.code, 0),
        )
        for region in Region.objects.all()
    ]


def showcase(campaign_year: CampaignYear) -> QuerySet[Nomination]:
    """Accepted Learning Stars and Brand Projects, by region, for the public showcase."""
    return (
        Nomination.objects.filter(campaign_year=campaign_year, status="accepted")
        .select_related("region")
        .order_by("region_id", "kind", "name")
    )
