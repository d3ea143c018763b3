"""API shapes for the lecture hall: what lecturers, series and sessions look like to clients,
and the types and shapes the API accepts.

Input serializers check types, shapes and that referenced things exist; the rules of a session
(not in the past, 15 minutes to 4 hours, no overlap, who may) are the services' to enforce, so
the API and the pages answer with the same messages.
"""

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lecture_hall.models import Lecturer, LecturerStatus, Series, Session, SessionChange
from lecture_hall.models import SessionState as State
from scheduling.api.base import ERROR_UNKNOWN_REGION
from scheduling.models import Region
from scheduling.serializers import MAX_SMALL, id_field

# Database column limits: longer text would be a database error, not a message.
TITLE_MAX = 200
ABSTRACT_MAX = 5000
URL_MAX = 500
REASON_MAX = 300
# No session or series has a sensible need for more co-lecturers than this.
MAX_LECTURERS = 20
MAX_DUPLICATE_WEEKS = 52

ERROR_UNKNOWN_LECTURER = _(
    "There is no lecturer %(id)s; the lecturers are listed at /api/lecturers/."
)
ERROR_UNKNOWN_SERIES = _("There is no series %(id)s; the series are listed at /api/series/.")
ERROR_MOMENT = _(
    "“%(value)s” is neither a date (2027-03-10) nor a date and time (2027-03-10T19:00 or "
    "2027-03-10T19:00:00+08:00)."
)
ERROR_RANGE_REVERSED = _(
    "“to” (%(to)s) is before “from” (%(from)s); give the earlier moment as “from”."
)
ERROR_STATE_FILTER = _("“%(value)s” is not a session state; use one of: %(choices)s.")
ERROR_DRAFTS_ONLY_MINE = _(
    "Drafts are listed only to those who may manage them: add mine=1 and sign in."
)

# A "+" in a query string arrives as a space unless the client encoded it: "19:00 08:00".
_SPACED_OFFSET = re.compile(r"^(.+T[0-9:.]+) ([0-9]{2}(?::?[0-9]{2})?)$")


def _region_code(value: str | None) -> str | None:
    if not value:
        return None
    if not Region.objects.filter(code=value).exists():
        raise serializers.ValidationError(str(ERROR_UNKNOWN_REGION % {"code": value}))
    return value


def _series(value: int | None) -> Series | None:
    if value is None:
        return None
    series = Series.objects.filter(pk=value).first()
    if series is None:
        raise serializers.ValidationError(str(ERROR_UNKNOWN_SERIES % {"id": value}))
    return series


def _approved_lecturer(value: int | None) -> int | None:
    if (
        value is not None
        and not Lecturer.objects.filter(pk=value, status=LecturerStatus.APPROVED).exists()
    ):
        raise serializers.ValidationError(str(ERROR_UNKNOWN_LECTURER % {"id": value}))
    return value


def parse_moment(value: str, *, end_of_day: bool) -> dt.datetime:
    """A date or a date and time as an aware moment in the campaign's zone. A date stands for
    the start of that day, or for its very end when it ends a range (so the day is included)."""
    text = value.strip()
    spaced = _SPACED_OFFSET.match(text)
    if spaced:
        text = f"{spaced[1]}+{spaced[2]}"
    try:
        # The date first: parse_datetime would take a bare date for its midnight.
        day = parse_date(text)
        moment = None if day is not None else parse_datetime(text)
    except ValueError:
        moment = day = None
    zone = timezone.get_default_timezone()
    if moment is not None:
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment, zone)
    if day is not None:
        return dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min, tzinfo=zone)
    raise serializers.ValidationError(str(ERROR_MOMENT % {"value": value}))


# --- output ------------------------------------------------------------------------------------


class LecturerSerializer(serializers.ModelSerializer[Lecturer]):
    """A lecturer's public profile (never their account's name or email)."""

    region = serializers.CharField(
        source="region_id", allow_null=True, read_only=True, help_text="Six-digit region code."
    )
    photo_url = serializers.SerializerMethodField(help_text="Absolute URL; null without a photo.")

    class Meta:
        model = Lecturer
        fields = ["id", "name", "title", "organisation", "region", "biography", "photo_url"]
        read_only_fields = fields

    def get_photo_url(self, lecturer: Lecturer) -> str | None:
        if not lecturer.photo:
            return None
        request = self.context.get("request")
        url = lecturer.photo.url
        return request.build_absolute_uri(url) if request is not None else url


class LecturerRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SeriesSerializer(serializers.ModelSerializer[Series]):
    region = serializers.CharField(
        source="region_id", allow_null=True, read_only=True, help_text="Six-digit region code."
    )
    lecturers = LecturerRefSerializer(many=True, read_only=True)
    cover_url = serializers.SerializerMethodField(help_text="Absolute URL; null without a cover.")

    class Meta:
        model = Series
        fields = [
            "id",
            "title",
            "description",
            "region",
            "lecturers",
            "cover_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_cover_url(self, series: Series) -> str | None:
        if not series.cover:
            return None
        request = self.context.get("request")
        url = series.cover.url
        return request.build_absolute_uri(url) if request is not None else url


class CalendarEventSerializer(serializers.Serializer[Any]):
    """The calendar side of a published session, as the iCal feeds carry it."""

    id = serializers.IntegerField()
    uid = serializers.UUIDField(help_text="The iCal UID; stable for the session's life.")
    sequence = serializers.IntegerField(
        help_text="The iCal SEQUENCE; rises on each change of time, link or status."
    )


class SessionChangeSerializer(serializers.ModelSerializer[SessionChange]):
    changed_by = serializers.SerializerMethodField()
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field → [old value, new value], as text.",
    )

    class Meta:
        model = SessionChange
        fields = ["action", "changed_at", "changed_by", "changes", "reason"]
        read_only_fields = fields

    def get_changed_by(self, change: SessionChange) -> str | None:
        return str(change.changed_by) if change.changed_by is not None else None


class SessionSerializer(serializers.ModelSerializer[Session]):
    """One session; times are ISO 8601 in Beijing time (+08:00). Its history is shown only to
    those who may manage it, on the detail endpoint and in answers to their writes (`manager`
    in the context); everywhere else `history` is null. One shape everywhere, so clients (and
    the schema) have a single Session."""

    series = serializers.IntegerField(source="series_id", allow_null=True, read_only=True)
    lecturers = LecturerRefSerializer(many=True, read_only=True)
    region = serializers.CharField(
        source="region_id", allow_null=True, read_only=True, help_text="Six-digit region code."
    )
    ends_at = serializers.DateTimeField(read_only=True)
    # Not `uri`s in the schema: a link not given yet is the empty string, which is no URI.
    stream_url = serializers.CharField(read_only=True, help_text="An http(s) link, or empty.")
    replay_url = serializers.CharField(read_only=True, help_text="An http(s) link, or empty.")
    event = CalendarEventSerializer(
        read_only=True, allow_null=True, help_text="Null until the session is published."
    )
    history = serializers.SerializerMethodField(
        help_text="Who changed what and why, newest first; null unless you may manage it."
    )

    class Meta:
        model = Session
        fields = [
            "id",
            "title",
            "abstract",
            "series",
            "lecturers",
            "region",
            "starts_at",
            "ends_at",
            "duration_minutes",
            "stream_url",
            "replay_url",
            "state",
            "version",
            "reschedule_count",
            "cancel_reason",
            "event",
            "history",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "version": {"help_text": "Send it back as `expected_version` with a change."},
        }

    @extend_schema_field(SessionChangeSerializer(many=True, allow_null=True))
    def get_history(self, session: Session) -> list[dict[str, Any]] | None:
        if not self.context.get("manager"):
            return None
        changes = session.changes.select_related("changed_by")
        return SessionChangeSerializer(changes, many=True).data  # type: ignore[return-value]


# --- input -------------------------------------------------------------------------------------


def _lecturer_ids(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=id_field(),
        max_length=MAX_LECTURERS,
        help_text="Ids of approved lecturers; a lecturer must include themselves.",
        **kwargs,
    )


class SessionFilterSerializer(serializers.Serializer[Any]):
    """The list's query parameters; a bad value is refused naming its parameter."""

    region = serializers.CharField(required=False, allow_blank=True)
    lecturer = id_field(required=False)
    series = id_field(required=False)
    state = serializers.CharField(required=False, allow_blank=True)
    mine = serializers.BooleanField(required=False, default=False)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        # `from` is a Python keyword, so these two cannot be declared as attributes.
        fields["from"] = serializers.CharField(required=False)
        fields["to"] = serializers.CharField(required=False)
        return fields

    def validate_region(self, value: str) -> str | None:
        return _region_code(value)

    def validate_lecturer(self, value: int) -> int | None:
        return _approved_lecturer(value)

    def validate_series(self, value: int) -> Series | None:
        return _series(value)

    def validate_state(self, value: str) -> str | None:
        if value and value not in State.values:
            raise serializers.ValidationError(
                str(ERROR_STATE_FILTER % {"value": value, "choices": ", ".join(State.values)})
            )
        return value or None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        for name in ("from", "to"):
            if name in attrs:
                try:
                    attrs[name] = parse_moment(attrs[name], end_of_day=name == "to")
                except serializers.ValidationError as exc:
                    errors[name] = list(exc.detail)  # type: ignore[arg-type]
        if errors:
            raise serializers.ValidationError(errors)
        first, last = attrs.get("from"), attrs.get("to")
        if first is not None and last is not None and last < first:
            shown = self.initial_data
            raise serializers.ValidationError(
                {"to": [str(ERROR_RANGE_REVERSED % {"from": shown["from"], "to": shown["to"]})]}
            )
        if attrs.get("state") == State.DRAFT and not attrs.get("mine"):
            raise serializers.ValidationError({"state": [str(ERROR_DRAFTS_ONLY_MINE)]})
        return attrs


class LecturerFilterSerializer(serializers.Serializer[Any]):
    region = serializers.CharField(required=False, allow_blank=True)

    def validate_region(self, value: str) -> str | None:
        return _region_code(value)


class SeriesFilterSerializer(serializers.Serializer[Any]):
    region = serializers.CharField(required=False, allow_blank=True)
    lecturer = id_field(required=False)

    def validate_region(self, value: str) -> str | None:
        return _region_code(value)

    def validate_lecturer(self, value: int) -> int | None:
        return _approved_lecturer(value)


class SeriesCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(allow_blank=True, max_length=TITLE_MAX)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=ABSTRACT_MAX
    )
    region = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text="Six-digit region code; null for a national series.",
    )
    lecturer_ids = _lecturer_ids()

    def validate_region(self, value: str | None) -> str | None:
        return _region_code(value)


class SeriesUpdateSerializer(serializers.Serializer[Any]):
    """The fields a PATCH may change; any it leaves out stay as they are. The cover picture is
    uploaded through the series page."""

    title = serializers.CharField(required=False, allow_blank=True, max_length=TITLE_MAX)
    description = serializers.CharField(required=False, allow_blank=True, max_length=ABSTRACT_MAX)
    lecturer_ids = _lecturer_ids(required=False)


class SessionCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(allow_blank=True, max_length=TITLE_MAX)
    abstract = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=ABSTRACT_MAX
    )
    starts_at = serializers.DateTimeField(
        help_text="ISO 8601; without an offset it is read as Beijing time."
    )
    duration_minutes = serializers.IntegerField(
        min_value=0, max_value=MAX_SMALL, help_text="From 15 to 240."
    )
    lecturer_ids = _lecturer_ids()
    series = id_field(
        required=False, allow_null=True, default=None, help_text="A series id, or null."
    )
    region = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text="Six-digit region code; by default the series' or the first lecturer's.",
    )
    stream_url = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=URL_MAX
    )

    def validate_series(self, value: int | None) -> Series | None:
        return _series(value)

    def validate_region(self, value: str | None) -> str | None:
        return _region_code(value)


class VersionedSerializer(serializers.Serializer[Any]):
    expected_version = serializers.IntegerField(
        min_value=1,
        help_text="The session's `version` as you read it; if it changed since, the answer is "
        "409 and nothing is stored.",
    )


class SessionUpdateSerializer(VersionedSerializer):
    """The fields a PATCH may change; any it leaves out stay as they are. A new time for a
    published session is a reschedule: subscribers are told, with `reason` if given."""

    title = serializers.CharField(required=False, allow_blank=True, max_length=TITLE_MAX)
    abstract = serializers.CharField(required=False, allow_blank=True, max_length=ABSTRACT_MAX)
    starts_at = serializers.DateTimeField(required=False)
    duration_minutes = serializers.IntegerField(required=False, min_value=0, max_value=MAX_SMALL)
    stream_url = serializers.CharField(required=False, allow_blank=True, max_length=URL_MAX)
    replay_url = serializers.CharField(required=False, allow_blank=True, max_length=URL_MAX)
    series = id_field(required=False, allow_null=True)
    lecturer_ids = _lecturer_ids(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=REASON_MAX)

    def validate_series(self, value: int | None) -> Series | None:
        return _series(value)


class SessionRescheduleSerializer(VersionedSerializer):
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=MAX_SMALL,
        help_text="By default unchanged.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REASON_MAX,
        help_text="Required: subscribers read it.",
    )


class SessionCancelSerializer(VersionedSerializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REASON_MAX,
        help_text="Required: subscribers read it.",
    )


class SessionEndSerializer(serializers.Serializer[Any]):
    expected_version = serializers.IntegerField(required=False, allow_null=True, default=None)
    replay_url = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=URL_MAX
    )


class SessionDuplicateSerializer(serializers.Serializer[Any]):
    weeks = serializers.IntegerField(
        required=False,
        default=1,
        min_value=1,
        max_value=MAX_DUPLICATE_WEEKS,
        help_text="How many weeks later the copy is (a weekly course: 1).",
    )
