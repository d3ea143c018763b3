"""API shapes for scheduling data: what the API returns, and the types and shapes it accepts.

Input serializers check types and shapes only (integers, lists of a sane length); the rules of
the campaign (which weeks are open, how many ranks, deadlines) are the services' to enforce, so
the API and the forms answer with the same messages.
"""

from typing import Any

from rest_framework import serializers

from scheduling.models import (
    AllocationRun,
    CampaignYear,
    Pin,
    PublishedVersion,
    Region,
)

# No list of weeks can sensibly hold more entries than a year has weeks.
MAX_WEEKS_IN_LIST = 53
# Whole numbers the API takes are bounded by the columns they are looked up in (big ids, small
# week numbers), so an absurd one is refused naming its field instead of overflowing a query.
MAX_ID = 2**63 - 1
MAX_SMALL = 32767


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """An object's id in a request body or query."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def week_number_field(**kwargs: Any) -> serializers.IntegerField:
    """A week number; whether the year has that week is the services' to say."""
    return serializers.IntegerField(min_value=1, max_value=MAX_SMALL, **kwargs)


class RegionSerializer(serializers.ModelSerializer[Region]):
    class Meta:
        model = Region
        fields = ["code", "short_name_zh", "name_en", "kind", "region_group"]


# --- campaign years and weeks ----------------------------------------------------------------


class CampaignYearSerializer(serializers.ModelSerializer[CampaignYear]):
    week_count = serializers.IntegerField(read_only=True, help_text="52 or 53 ISO weeks.")
    latest_version = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Number of the latest published version."
    )

    class Meta:
        model = CampaignYear
        fields = [
            "year",
            "state",
            "theme",
            "applications_deadline",
            "plan_deadline",
            "nomination_deadline",
            "statistics_deadline",
            "week_count",
            "latest_version",
        ]


class DaySerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    manual = serializers.BooleanField(
        help_text="Set by the Ministry rather than the holidays data."
    )


class WeekSerializer(serializers.Serializer[Any]):
    """One `selectors.WeekRow`: the stored week with its holidays and make-up working days."""

    number = serializers.IntegerField(source="week.number")
    starts_on = serializers.DateField(source="week.starts_on")
    ends_on = serializers.DateField(source="week.ends_on")
    capacity = serializers.IntegerField(source="week.capacity")
    blocked = serializers.BooleanField(source="week.blocked")
    block_reason = serializers.CharField(source="week.block_reason")
    manual = serializers.BooleanField(
        source="week.manual", help_text="Capacity or block set by the Ministry by hand."
    )
    holidays = DaySerializer(many=True)
    makeup_workdays = DaySerializer(many=True, source="workdays")


class WeekUpdateSerializer(serializers.Serializer[Any]):
    capacity = serializers.IntegerField(required=False)
    blocked = serializers.BooleanField(required=False)
    block_reason = serializers.CharField(required=False, allow_blank=True)


# --- the published allocation and its versions ----------------------------------------------


class AssignmentSerializer(serializers.Serializer[Any]):
    region_code = serializers.CharField()
    short_name_zh = serializers.CharField()
    name_en = serializers.CharField()
    week_number = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    theme = serializers.CharField()


class AllocationSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    version = serializers.IntegerField(
        allow_null=True, help_text="Null until the Ministry publishes."
    )
    published_at = serializers.DateTimeField(allow_null=True)
    assignments = AssignmentSerializer(many=True)


class VersionSerializer(serializers.ModelSerializer[PublishedVersion]):
    class Meta:
        model = PublishedVersion
        fields = ["number", "run", "published_at", "note"]


class RegionChangeSerializer(serializers.Serializer[Any]):
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    old_week = serializers.IntegerField(allow_null=True, help_text="Null: new in this version.")
    new_week = serializers.IntegerField()
    moved = serializers.BooleanField()


class VersionDetailSerializer(VersionSerializer):
    changes = RegionChangeSerializer(
        many=True,
        read_only=True,
        help_text="Every region of the version against the version before.",
    )

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "changes"]


class VersionCreateSerializer(serializers.Serializer[Any]):
    run_id = id_field()
    note = serializers.CharField(required=False, allow_blank=True, default="")


# --- applications ----------------------------------------------------------------------------


class ApplicationSerializer(serializers.Serializer[Any]):
    """One `selectors.ApplicationStatus` whose region has applied."""

    region_code = serializers.CharField(source="region.code")
    short_name_zh = serializers.CharField(source="region.short_name_zh")
    name_en = serializers.CharField(source="region.name_en")
    ranked_weeks = serializers.ListField(
        child=serializers.IntegerField(), source="ranked", help_text="First choice first."
    )
    avoided_weeks = serializers.ListField(child=serializers.IntegerField(), source="avoided")
    theme = serializers.CharField(source="application.theme")
    description = serializers.CharField(source="application.description")
    contact_name = serializers.CharField(source="application.contact_name")
    contact_phone = serializers.CharField(source="application.contact_phone")
    contact_email = serializers.CharField(source="application.contact_email")
    updated_at = serializers.DateTimeField(source="application.updated_at")


class ApplicationInputSerializer(serializers.Serializer[Any]):
    ranked_weeks = serializers.ListField(
        child=week_number_field(),
        max_length=MAX_WEEKS_IN_LIST,
        help_text="Week numbers, first choice first (the campaign allows up to 5).",
    )
    avoided_weeks = serializers.ListField(
        child=week_number_field(),
        max_length=MAX_WEEKS_IN_LIST,
        required=False,
        default=list,
    )
    theme = serializers.CharField(allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(allow_blank=True)
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="")
    contact_email = serializers.CharField(required=False, allow_blank=True, default="")


# --- allocation runs and pins ------------------------------------------------------------------


class RunProblemSerializer(serializers.Serializer[Any]):
    region = serializers.CharField(allow_blank=True)
    reason = serializers.CharField()
    message = serializers.CharField()
    regions = serializers.ListField(child=serializers.CharField(), required=False)
    weeks = serializers.ListField(child=serializers.IntegerField(), required=False)


class RunSerializer(serializers.ModelSerializer[AllocationRun]):
    result = serializers.DictField(
        child=serializers.IntegerField(), help_text="Region code → week number."
    )
    costs = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Region code → cost: the rank it got (1–5), 6 for an unranked week; "
        "pinned regions have none.",
    )
    problems = RunProblemSerializer(many=True)
    run_by = serializers.CharField(read_only=True, allow_null=True, help_text="Who ran it.")

    class Meta:
        model = AllocationRun
        fields = [
            "id",
            "status",
            "result",
            "costs",
            "worst_cost",
            "total_cost",
            "solve_ms",
            "problems",
            "run_by",
            "created_at",
        ]


class RunCreateSerializer(serializers.Serializer[Any]):
    expected_latest_run_id = id_field(
        allow_null=True,
        help_text="The latest run you have seen (null if none); a newer one makes this a 409.",
    )


class PinSerializer(serializers.ModelSerializer[Pin]):
    region_code = serializers.CharField(source="region_id")
    pinned_by = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Pin
        fields = ["region_code", "week_number", "pinned_by", "created_at"]


class PinInputSerializer(serializers.Serializer[Any]):
    week_number = week_number_field()
