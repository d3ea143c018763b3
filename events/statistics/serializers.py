"""The statistics table in the API: a region's table (computed, current and submitted figures of
every cell) and the national roll-up. The serializers only shape what the selectors give."""

from typing import Any

from rest_framework import serializers

from events.statistics.compute import CELLS
from events.statistics.selectors import CellView, NationalStatistics, RegionStatistics

STATUS_CHOICES = ["open", "submitted", "reopened"]


def _status(stats: RegionStatistics) -> str:
    return "submitted" if stats.locked else "reopened" if stats.reopened else "open"


class HeaderSerializer(serializers.Serializer[dict[str, str]]):
    contact_name = serializers.CharField()
    contact_department = serializers.CharField()
    office_phone = serializers.CharField()
    mobile = serializers.CharField()


class CellSerializer(serializers.Serializer[CellView]):
    cell = serializers.CharField(source="key", help_text="e.g. themed_reading.county_participants")
    activity_type = serializers.CharField(
        source="cell.activity_type", allow_null=True, help_text="null for the header's counts"
    )
    row = serializers.CharField(source="cell.row")
    label = serializers.CharField(  # type: ignore[assignment]
        source="cell.label", help_text="The attachment's own words."
    )
    computed = serializers.IntegerField(help_text="From the events, now.")
    value = serializers.IntegerField(help_text="The current figure: computed or adjusted.")
    adjusted = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why the cell was adjusted; empty when it was not.")
    adjusted_by = serializers.CharField(allow_null=True)
    adjusted_at = serializers.DateTimeField(allow_null=True)
    submitted = serializers.IntegerField(
        allow_null=True, help_text="In the latest submission; null before any."
    )
    submitted_computed = serializers.IntegerField(
        allow_null=True, help_text="What the events gave when the table was submitted."
    )
    differs = serializers.BooleanField(
        help_text="The events now give another figure than at submission."
    )


class SubmissionSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()
    submitted_by = serializers.CharField(allow_null=True)
    reopened_at = serializers.DateTimeField(allow_null=True)
    reopened_by = serializers.CharField(allow_null=True)
    reopen_reason = serializers.CharField()


class RegionTableSerializer(serializers.Serializer[RegionStatistics]):
    year = serializers.IntegerField(source="campaign_year.year")
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.short_name_zh")
    status = serializers.SerializerMethodField()
    header = HeaderSerializer()
    cells = CellSerializer(many=True)
    submission = SubmissionSerializer(allow_null=True)
    differs = serializers.ListField(child=serializers.CharField())
    unrecorded = serializers.IntegerField(
        help_text="Counted prefecture and county activities with no participant count yet."
    )

    def get_status(self, stats: RegionStatistics) -> str:
        return _status(stats)


def _figures(source: str | None = None) -> serializers.DictField:
    return serializers.DictField(
        source=source,
        child=serializers.IntegerField(),
        help_text=f"Every cell's figure ({len(CELLS)} cells; provincial rows: 1 yes, 0 no).",
    )


class RegionFiguresSerializer(serializers.Serializer[RegionStatistics]):
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.short_name_zh")
    status = serializers.SerializerMethodField()
    submitted_at = serializers.SerializerMethodField()
    differs = serializers.ListField(child=serializers.CharField())
    figures = _figures("reported")

    def get_status(self, stats: RegionStatistics) -> str:
        return _status(stats)

    def get_submitted_at(self, stats: RegionStatistics) -> str | None:
        if not stats.locked or stats.submission is None:
            return None
        return serializers.DateTimeField().to_representation(stats.submission.submitted_at)


class NationalSerializer(serializers.Serializer[NationalStatistics]):
    year = serializers.IntegerField(source="campaign_year.year")
    deadline = serializers.DateTimeField(source="campaign_year.statistics_deadline")
    submitted = serializers.SerializerMethodField()
    regions = RegionFiguresSerializer(many=True)
    totals = _figures()

    def get_submitted(self, national: NationalStatistics) -> int:
        return len(national.submitted)
