"""API shapes for events, plans, nominations and coverage: what the API returns, and the types
and shapes it accepts.

Input serializers check types, lengths and references (a region code must name a region);
the rules of the campaign (end after start, known types and levels, who may enter a national
event, how many nominations) are the services' to enforce, so the API, the forms and the import
answer with the same messages.
"""

import datetime as dt
import re
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from events.models import (
    ActivityType,
    Event,
    EventStatus,
    Level,
    Nomination,
    WorkPlan,
)
from events.rules import ERROR_LEVEL, ERROR_TYPE
from events.selectors import CoverageWeek
from scheduling.api.base import ERROR_UNKNOWN_REGION
from scheduling.models import Region

ERROR_MONTH = _("%(value)r is not a month; write it as YYYY-MM, for example 2027-04.")
ERROR_DAY = _(
    "%(value)r is not a day; write it as YYYY-MM-DD between 1900 and 2200, for example 2027-06-03."
)
ERROR_DAY_OUTSIDE_MONTH = _(
    "The day %(day)s is not in the month %(month)s; leave out “month” to ask for that day."
)
ERROR_DATE_OUTSIDE = _("%(value)s is outside the calendar; give a day between 1900 and 2200.")
FIRST_YEAR, LAST_YEAR = 1900, 2200  # aware datetimes in Asia/Shanghai convert to UTC in this range
DAY_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
ERROR_DATES_REVERSED = _(
    "The range ends (%(to)s) before it begins (%(from)s); give the earlier date in “from”."
)
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
MAX_SEARCH_LENGTH = 100

# The statuses an edit may set (cancelling has its own endpoint, with a reason); named in
# SPECTACULAR_SETTINGS so the schema has one enum for them.
CHANGEABLE_EVENT_STATUSES = [
    (EventStatus.TENTATIVE.value, EventStatus.TENTATIVE.label),
    (EventStatus.CONFIRMED.value, EventStatus.CONFIRMED.label),
]


def _choices_text(enum: type[TextChoices]) -> str:
    # The same listing events.rules puts in its messages, so a filter and a write read alike.
    return ", ".join(f"{value} ({label})" for value, label in enum.choices)


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise serializers.ValidationError(str(ERROR_UNKNOWN_REGION % {"code": code}))
    return region


# --- events ------------------------------------------------------------------------------------


class EventSerializer(serializers.ModelSerializer[Event]):
    """One event as calendars and clients see it; times are ISO 8601 in Beijing time."""

    region = serializers.CharField(
        source="region_id",
        allow_null=True,
        read_only=True,
        help_text="The region's six-digit code; null for a national event.",
    )
    # Not a `uri` in the schema: most events have none, and the empty string is no URI.
    online_url = serializers.CharField(read_only=True, help_text="An http(s) link, or empty.")

    class Meta:
        model = Event
        fields = [
            "id",
            "uid",
            "sequence",
            "status",
            "title",
            "description",
            "activity_type",
            "level",
            "region",
            "city",
            "venue",
            "online_url",
            "starts_at",
            "ends_at",
            "organiser",
            "participants",
            "participants_recorded_at",
            "cancel_reason",
            "source",
            "last_modified",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "sequence": {"help_text": "Rises by one on each change of time, place or status."},
            "last_modified": {"help_text": "The last change of any field."},
        }


class EventUpdateSerializer(serializers.Serializer[Any]):
    """The fields a PATCH may change; any it leaves out stay as they are."""

    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    activity_type = serializers.CharField(
        required=False, help_text="One of: " + ", ".join(ActivityType.values) + "."
    )
    level = serializers.CharField(required=False, help_text="One of: " + ", ".join(Level.values))
    region = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="The region's six-digit code; null for a national event (Ministry only).",
    )
    city = serializers.CharField(required=False, allow_blank=True, max_length=60)
    venue = serializers.CharField(required=False, allow_blank=True, max_length=200)
    online_url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    starts_at = serializers.DateTimeField(
        required=False, help_text="ISO 8601; without an offset it is read as Beijing time."
    )
    ends_at = serializers.DateTimeField(required=False)
    status = serializers.ChoiceField(
        choices=CHANGEABLE_EVENT_STATUSES,
        required=False,
        help_text="Cancel through POST …/cancel/ with a reason.",
    )
    organiser = serializers.CharField(required=False, allow_blank=True, max_length=120)
    expected_sequence = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="The sequence you edited; if the event has changed since, nothing is stored.",
    )

    def validate_region(self, value: str | None) -> Region | None:
        return None if value is None else _region(value)


class EventCreateSerializer(EventUpdateSerializer):
    title = serializers.CharField(allow_blank=True, max_length=200)
    activity_type = serializers.CharField(
        help_text="One of: " + ", ".join(ActivityType.values) + "."
    )
    level = serializers.CharField(help_text="One of: " + ", ".join(Level.values) + ".")
    starts_at = serializers.DateTimeField(
        help_text="ISO 8601; without an offset it is read as Beijing time."
    )
    ends_at = serializers.DateTimeField()
    participants = serializers.IntegerField(
        required=False, allow_null=True, help_text="Person-times, for an event already held."
    )
    expected_sequence = None  # type: ignore[assignment]  # a new event has no version yet


class EventCancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(allow_blank=True, max_length=300)


class EventParticipantsSerializer(serializers.Serializer[Any]):
    participants = serializers.IntegerField(help_text="Person-times (人次), 0 or more.")


class EventFilterSerializer(serializers.Serializer[Any]):
    """The list's query parameters; a bad value is refused naming its parameter."""

    region = serializers.CharField(required=False, allow_blank=True)
    activity_type = serializers.CharField(required=False, allow_blank=True)
    level = serializers.CharField(required=False, allow_blank=True)
    month = serializers.CharField(required=False, allow_blank=True)
    day = serializers.CharField(required=False, allow_blank=True)
    q = serializers.CharField(required=False, allow_blank=True, max_length=MAX_SEARCH_LENGTH)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        # `from` is a Python keyword, so these two cannot be declared as attributes.
        fields["from"] = serializers.DateField(required=False)
        fields["to"] = serializers.DateField(required=False)
        return fields

    def validate_region(self, value: str) -> str | None:
        return _region(value).code if value else None

    def validate_activity_type(self, value: str) -> str | None:
        if value and value not in ActivityType.values:
            raise serializers.ValidationError(
                str(ERROR_TYPE % {"value": value, "choices": _choices_text(ActivityType)})
            )
        return value or None

    def validate_level(self, value: str) -> str | None:
        if value and value not in Level.values:
            raise serializers.ValidationError(
                str(ERROR_LEVEL % {"value": value, "choices": _choices_text(Level)})
            )
        return value or None

    def validate_month(self, value: str) -> dt.date | None:
        if not value:
            return None
        match = MONTH_PATTERN.match(value)
        if (
            match is None
            or not 1 <= int(match[2]) <= 12
            or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR
        ):
            raise serializers.ValidationError(str(ERROR_MONTH % {"value": value}))
        return dt.date(int(match[1]), int(match[2]), 1)

    def validate_day(self, value: str) -> dt.date | None:
        if not value:
            return None
        try:
            day = dt.date.fromisoformat(value) if DAY_PATTERN.match(value) else None
        except ValueError:
            day = None
        if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise serializers.ValidationError(str(ERROR_DAY % {"value": value}))
        return day

    def validate_q(self, value: str) -> str | None:
        return value.strip() or None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        day, month = attrs.get("day"), attrs.get("month")
        if day is not None and month is not None and day.replace(day=1) != month:
            raise serializers.ValidationError(
                {
                    "day": [
                        str(
                            ERROR_DAY_OUTSIDE_MONTH
                            % {"day": day.isoformat(), "month": f"{month:%Y-%m}"}
                        )
                    ]
                }
            )
        first, last = attrs.get("from"), attrs.get("to")
        for name, value in (("from", first), ("to", last)):
            # Year 1 or 9999 cannot become a UTC datetime for the query: refuse, don't crash.
            if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
                raise serializers.ValidationError(
                    {name: [str(ERROR_DATE_OUTSIDE % {"value": value.isoformat()})]}
                )
        if first is not None and last is not None and last < first:
            raise serializers.ValidationError(
                {"to": [str(ERROR_DATES_REVERSED % {"from": first, "to": last})]}
            )
        return attrs


# --- import ------------------------------------------------------------------------------------


class EventImportSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        allow_empty_file=True, help_text="The template filled in: XLSX, or CSV in UTF-8/GB18030."
    )
    region = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The region's six-digit code; coordinators may leave it out (their own).",
    )


class ImportCountsSerializer(serializers.Serializer[Any]):
    region = serializers.CharField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField(help_text="Rows matching an earlier import, changed.")
    unchanged = serializers.IntegerField()
    cancelled = serializers.IntegerField(
        help_text="Rows matching an event cancelled since: left cancelled, not changed."
    )


class RowErrorSerializer(serializers.Serializer[Any]):
    line = serializers.IntegerField(help_text="The spreadsheet's line number (1 is the header).")
    column = serializers.CharField(help_text="The column's header; empty for the row as a whole.")
    message = serializers.CharField()


class ImportFailedSerializer(serializers.Serializer[Any]):
    imported = serializers.IntegerField(help_text="Always 0: a file is stored whole or not at all.")

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # Declared here: as an attribute, `errors` would hide the serializer's own `errors`.
        return {"errors": RowErrorSerializer(many=True), **super().get_fields()}


# --- plans and nominations ---------------------------------------------------------------------


class WorkPlanSerializer(serializers.ModelSerializer[WorkPlan]):
    region = serializers.CharField(source="region_id", read_only=True)

    class Meta:
        model = WorkPlan
        fields = ["region", "title", "document", "status", "review_comment", "submitted_at"]
        read_only_fields = fields


class WorkPlanInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(allow_blank=True, max_length=200)
    document = serializers.FileField(allow_empty_file=True, help_text="The plan as a PDF.")


class NominationSerializer(serializers.ModelSerializer[Nomination]):
    region = serializers.CharField(source="region_id", read_only=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "region",
            "kind",
            "name",
            "summary",
            "material",
            "status",
            "review_comment",
            "submitted_at",
        ]
        read_only_fields = fields


class NominationInputSerializer(serializers.Serializer[Any]):
    region = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The region's six-digit code; coordinators may leave it out (their own).",
    )
    kind = serializers.CharField(help_text="learning_star or brand_project.")
    name = serializers.CharField(allow_blank=True, max_length=120)
    summary = serializers.CharField(allow_blank=True, max_length=3000)
    material = serializers.FileField(
        required=False, allow_empty_file=True, help_text="A PDF or an image (PNG, JPEG, WebP)."
    )


class ReviewInputSerializer(serializers.Serializer[Any]):
    status = serializers.CharField(help_text="accepted or returned.")
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text="Required when returning: what needs to change.",
    )


# --- coverage ----------------------------------------------------------------------------------


class ActivityCountsSerializer(serializers.Serializer[Any]):
    """Events (not cancelled) starting in the week, per activity type."""

    themed_reading = serializers.IntegerField()
    publisher_recommends = serializers.IntegerField()
    lecture_hall = serializers.IntegerField()
    digital_reading = serializers.IntegerField()
    learning_week = serializers.IntegerField()


class CoverageWeekSerializer(serializers.Serializer[Any]):
    """One `selectors.CoverageWeek`."""

    number = serializers.IntegerField(source="week.number")
    starts_on = serializers.DateField(source="week.starts_on")
    ends_on = serializers.DateField(source="week.ends_on")
    learning_week_regions = serializers.SerializerMethodField(
        help_text="Codes of the regions holding their Learning Week (latest published version)."
    )
    counts = ActivityCountsSerializer()
    total = serializers.IntegerField()
    has_activity = serializers.BooleanField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_learning_week_regions(self, row: CoverageWeek) -> list[str]:
        return [region.code for region in row.learning_week_regions]
