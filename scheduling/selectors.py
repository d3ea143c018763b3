"""Read queries over the campaign year used by pages, the API and commands."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from scheduling.models import (
    AllocationRun,
    ApplicationWeek,
    CampaignYear,
    DayOverride,
    PublishedVersion,
    Region,
    Week,
    WeekApplication,
)
from scheduling.yearcal import Day, DayKind, Override, year_days


@dataclass(frozen=True)
class RegionChange:
    region_code: str
    region_name: str
    old_week: int | None
    new_week: int

    @property
    def moved(self) -> bool:
        return self.old_week != self.new_week


@dataclass
class Placement:
    region: Region
    theme: str
    cost: int | None


@dataclass
class WeekRow:
    week: Week
    holidays: list[Day] = field(default_factory=list)
    workdays: list[Day] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.placements


def latest_version(campaign_year: CampaignYear) -> PublishedVersion | None:
    return campaign_year.versions.order_by("-number").first()


def iso_today() -> int:
    """The ISO year of today in the campaign's zone (the campaign's weeks are ISO weeks)."""
    return timezone.localdate(timezone=timezone.get_default_timezone()).isocalendar().year


def public_calendar_year(*, today_year: int | None = None) -> int | None:
    """The year /calendar/ opens: this (ISO) year while it has a published calendar — residents
    look for this year's Learning Weeks — otherwise the latest published year, otherwise the
    latest open one; None when no year is open."""
    current = today_year if today_year is not None else iso_today()
    years = CampaignYear.objects.order_by("-year")
    if years.filter(year=current, versions__isnull=False).exists():
        return current
    published = years.filter(versions__isnull=False).values_list("year", flat=True).first()
    return published or years.values_list("year", flat=True).first()


@dataclass(frozen=True)
class NextYear:
    year: int
    published: bool


def next_year_after(campaign_year: CampaignYear) -> NextYear | None:
    """The year after this one when this is the current year and the next is open already."""
    if campaign_year.year != iso_today():
        return None
    following = (
        CampaignYear.objects.filter(year=campaign_year.year + 1)
        .annotate(published=Exists(PublishedVersion.objects.filter(campaign_year=OuterRef("pk"))))
        .values_list("year", "published")
        .first()
    )
    return NextYear(*following) if following else None


def latest_run(campaign_year: CampaignYear) -> AllocationRun | None:
    return AllocationRun.objects.filter(campaign_year=campaign_year).order_by("-id").first()


def version_changes(version: PublishedVersion) -> list[RegionChange]:
    """Who moved from which week to which, against the version before (v1: everyone is new)."""
    previous = (
        PublishedVersion.objects.filter(
            campaign_year_id=version.campaign_year_id, number__lt=version.number
        )
        .order_by("-number")
        .first()
    )
    before = dict(previous.assignments.values_list("region_id", "week_number")) if previous else {}
    names = dict(Region.objects.values_list("code", "short_name_zh"))
    return [
        RegionChange(
            a.region_id, names.get(a.region_id, a.region_id), before.get(a.region_id), a.week_number
        )
        for a in version.assignments.order_by("region_id")
    ]


def year_calendar(
    campaign_year: CampaignYear, *, run: AllocationRun | None = None
) -> list[WeekRow]:
    """Every week with its holidays and the regions holding it (the latest published version,
    or a given run for the Ministry's preview). Three queries whatever the year holds."""
    overrides = {
        o.date: Override(DayKind(o.kind), o.name)
        for o in DayOverride.objects.filter(campaign_year=campaign_year)
    }
    days = year_days(campaign_year.year, overrides)
    rows = {w.number: WeekRow(w) for w in Week.objects.filter(campaign_year=campaign_year)}
    for date, day in sorted(days.items()):
        number = date.isocalendar().week
        if number in rows and date.isocalendar().year == campaign_year.year:
            (
                rows[number].holidays if day.kind == DayKind.HOLIDAY else rows[number].workdays
            ).append(day)
    regions = {r.code: r for r in Region.objects.all()}
    if run is not None:
        themes = dict(
            WeekApplication.objects.filter(campaign_year=campaign_year).values_list(
                "region_id", "theme"
            )
        )
        for code, week in run.result.items():
            rows[week].placements.append(
                Placement(regions[code], themes.get(code, ""), run.costs.get(code))
            )
    else:
        version = latest_version(campaign_year)
        if version is not None:
            for a in version.assignments.all():
                rows[a.week_number].placements.append(
                    Placement(regions[a.region_id], a.theme, a.cost)
                )
    return [rows[n] for n in sorted(rows)]


@dataclass(frozen=True)
class ApplicationStatus:
    region: Region
    application: WeekApplication | None
    ranked: list[int]
    avoided: list[int]


def application_overview(campaign_year: CampaignYear) -> list[ApplicationStatus]:
    """Every region, with its application or none (two queries)."""
    applications = {
        a.region_id: a
        for a in WeekApplication.objects.filter(campaign_year=campaign_year).prefetch_related(
            Prefetch("weeks", queryset=ApplicationWeek.objects.order_by("rank", "week_number"))
        )
    }
    result = []
    for region in Region.objects.all():
        application = applications.get(region.code)
        choices = list(application.weeks.all()) if application else []
        result.append(
            ApplicationStatus(
                region=region,
                application=application,
                ranked=[c.week_number for c in choices if c.rank is not None],
                avoided=[c.week_number for c in choices if c.rank is None],
            )
        )
    return result


def rank_histogram(run: AllocationRun) -> dict[str, int]:
    """How many regions got their 1st … 5th choice, an unranked week, or were pinned."""
    counts = Counter(run.costs.values())
    pinned = len(run.result) - len(run.costs)
    labels = {1: "1", 2: "2", 3: "3", 4: "4", 5: "5", 6: "unranked"}
    histogram = {labels[c]: counts.get(c, 0) for c in range(1, 7)}
    histogram["pinned"] = pinned
    return histogram


def time_left(deadline: dt.datetime) -> dt.timedelta:
    return max(deadline - timezone.now(), dt.timedelta(0))
