"""Read queries of the statistics table: one region's table or all 37, computed from the events
with a fixed number of aggregate queries (however many events there are), with the stored
header, adjustments and the latest submission.

What counts: events of the region whose start lies in the campaign's ISO year in Beijing time
(Monday of week 1, 00:00, up to the Monday after the last week, 00:00), not cancelled.
Participants are person-times: the sum of the counts recorded on the events. For an Online
Public Lecture Hall session that is the attendance figure the live room stores as the event's
participants (attendances, not distinct people).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from events.models import (
    Event,
    EventStatus,
    Level,
    StatisticsAdjustment,
    StatisticsSubmission,
    StatisticsTable,
)
from events.statistics.compute import (
    CELLS,
    Cell,
    LevelCities,
    TypeLevelFigures,
    apply_adjustments,
    cell,
    compute_tables,
    differences,
    display,
    empty_table,
    national_totals,
    unrecorded_counts,
)
from scheduling.models import CampaignYear, Region
from scheduling.yearcal import year_bounds


@dataclass(frozen=True)
class CellView:
    """One cell as the pages, exports and API show it."""

    cell: Cell
    computed: int  # from the events, now
    value: int  # the coordinator's figure: computed, or the adjustment
    adjustment: StatisticsAdjustment | None
    submitted: int | None  # in the latest submission (standing or reopened)
    submitted_computed: int | None  # what the events gave when it was submitted
    differs: bool  # the events now give another figure than at submission

    @property
    def key(self) -> str:
        return self.cell.key

    @property
    def adjusted(self) -> bool:
        return self.adjustment is not None

    @property
    def reason(self) -> str:
        return self.adjustment.reason if self.adjustment else ""

    @property
    def adjusted_by(self) -> str | None:
        if self.adjustment is None or self.adjustment.adjusted_by is None:
            return None
        return str(self.adjustment.adjusted_by)

    @property
    def adjusted_at(self) -> dt.datetime | None:
        return self.adjustment.adjusted_at if self.adjustment else None

    @property
    def shown(self) -> str:
        return display(self.cell.key, self.value)

    @property
    def computed_shown(self) -> str:
        return display(self.cell.key, self.computed)

    @property
    def submitted_shown(self) -> str:
        return "" if self.submitted is None else display(self.cell.key, self.submitted)

    @property
    def submitted_computed_shown(self) -> str:
        if self.submitted_computed is None:
            return ""
        return display(self.cell.key, self.submitted_computed)


@dataclass
class RegionStatistics:
    """A region's table: computed figures, adjustments and the latest submission."""

    campaign_year: CampaignYear
    region: Region
    table: StatisticsTable | None
    computed: dict[str, int]
    adjustments: dict[str, StatisticsAdjustment] = field(default_factory=dict)
    submission: StatisticsSubmission | None = None  # the latest, standing or reopened
    unrecorded: int = 0  # counted local events without person-times yet

    @property
    def current(self) -> dict[str, int]:
        return apply_adjustments(
            self.computed, {key: a.value for key, a in self.adjustments.items()}
        )

    @property
    def locked(self) -> bool:
        """Submitted and not reopened: nothing may change until the Ministry reopens it."""
        return self.submission is not None and self.submission.is_standing

    @property
    def reopened(self) -> bool:
        return self.submission is not None and not self.submission.is_standing

    @property
    def differs(self) -> list[str]:
        """Cells whose computation changed since the latest submission."""
        if self.submission is None:
            return []
        return differences(self.computed, self.submission.computed_values())

    @property
    def reported(self) -> dict[str, int]:
        """The figures that count nationally: the submitted ones, else the current draft."""
        if self.locked and self.submission is not None:
            return {**empty_table(), **self.submission.values()}
        return self.current

    @property
    def header(self) -> dict[str, str]:
        table = self.table
        return {
            "contact_name": table.contact_name if table else "",
            "contact_department": table.contact_department if table else "",
            "office_phone": table.office_phone if table else "",
            "mobile": table.mobile if table else "",
        }

    def cell(self, key: str) -> CellView:
        found = cell(key)
        if found is None:
            raise KeyError(key)
        submitted = self.submission.cells.get(key) if self.submission else None
        differs = set(self.differs)
        return CellView(
            cell=found,
            computed=self.computed.get(key, 0),
            value=self.current[key],
            adjustment=self.adjustments.get(key),
            submitted=int(submitted["value"]) if submitted else None,
            submitted_computed=int(submitted["computed"]) if submitted else None,
            differs=key in differs,
        )

    def cells(self) -> list[CellView]:
        return [self.cell(key) for key in CELLS]


def year_window(campaign_year: CampaignYear) -> tuple[dt.datetime, dt.datetime]:
    """The ISO year's first and first-after moments in Beijing time."""
    tz = timezone.get_default_timezone()
    first, last = year_bounds(campaign_year.year)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def counted_events(campaign_year: CampaignYear, region_code: str | None = None) -> QuerySet[Event]:
    """The events a table counts (every region's, or one region's)."""
    start, end = year_window(campaign_year)
    events = Event.objects.filter(
        region__isnull=False, starts_at__gte=start, starts_at__lt=end
    ).exclude(status=EventStatus.CANCELLED)
    if region_code is not None:
        events = events.filter(region_id=region_code)
    return events.order_by()  # no ORDER BY: it would join the GROUP BY


def _aggregates(
    campaign_year: CampaignYear, region_code: str | None
) -> tuple[list[TypeLevelFigures], list[LevelCities]]:
    """Two aggregate queries, whatever the number of events."""
    events = counted_events(campaign_year, region_code)
    with_city = ~Q(city="")
    figures = [
        TypeLevelFigures(
            region=row["region_id"],
            activity_type=row["activity_type"],
            level=row["level"],
            activities=row["n_activities"],
            participants=row["person_times"] or 0,
            cities=row["n_cities"],
            unrecorded=row["n_unrecorded"],
        )
        for row in events.values("region_id", "activity_type", "level").annotate(
            # Named apart from the fields: an alias equal to a field would shadow it.
            n_activities=Count("id"),
            person_times=Sum("participants"),
            n_cities=Count("city", distinct=True, filter=with_city),
            n_unrecorded=Count("id", filter=Q(participants__isnull=True)),
        )
    ]
    cities = [
        LevelCities(region=row["region_id"], level=row["level"], cities=row["n_cities"])
        for row in events.filter(with_city, level__in=[Level.PREFECTURE, Level.COUNTY])
        .values("region_id", "level")
        .annotate(n_cities=Count("city", distinct=True))
    ]
    return figures, cities


def _statistics(campaign_year: CampaignYear, regions: list[Region]) -> list[RegionStatistics]:
    one = regions[0].code if len(regions) == 1 else None
    figures, cities = _aggregates(campaign_year, one)
    computed = compute_tables(figures, cities)
    unrecorded = unrecorded_counts(figures)
    scope = (
        Q(campaign_year=campaign_year)
        if one is None
        else Q(campaign_year=campaign_year, region_id=one)
    )
    tables = {t.region_id: t for t in StatisticsTable.objects.filter(scope)}
    adjustments: dict[int, dict[str, StatisticsAdjustment]] = {}
    for adjustment in StatisticsAdjustment.objects.filter(
        table_id__in=[t.pk for t in tables.values()]
    ).select_related("adjusted_by"):
        adjustments.setdefault(adjustment.table_id, {})[adjustment.cell] = adjustment
    latest: dict[int, StatisticsSubmission] = {}
    for submission in (
        StatisticsSubmission.objects.filter(table_id__in=[t.pk for t in tables.values()])
        .select_related("submitted_by", "reopened_by")
        .order_by("table_id", "number")
    ):
        latest[submission.table_id] = submission
    result = []
    for region in regions:
        table = tables.get(region.code)
        result.append(
            RegionStatistics(
                campaign_year=campaign_year,
                region=region,
                table=table,
                computed=computed.get(region.code, empty_table()),
                adjustments=adjustments.get(table.pk, {}) if table else {},
                submission=latest.get(table.pk) if table else None,
                unrecorded=unrecorded.get(region.code, 0),
            )
        )
    return result


def region_statistics(campaign_year: CampaignYear, region: Region) -> RegionStatistics:
    """One region's table: five queries, however many events."""
    return _statistics(campaign_year, [region])[0]


@dataclass
class NationalStatistics:
    campaign_year: CampaignYear
    regions: list[RegionStatistics]

    @property
    def submitted(self) -> list[RegionStatistics]:
        return [r for r in self.regions if r.locked]

    @property
    def totals(self) -> dict[str, int]:
        """Sums of the reported figures (submitted where submitted, the draft elsewhere)."""
        return national_totals(r.reported for r in self.regions)


def national_statistics(campaign_year: CampaignYear) -> NationalStatistics:
    """All 37 regions' tables: six queries, however many events."""
    regions = list(Region.objects.order_by("code"))
    return NationalStatistics(campaign_year, _statistics(campaign_year, regions))
