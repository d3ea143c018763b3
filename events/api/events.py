"""Events: the public list and detail, and writes through the event services. Cancelled events
are kept (calendars show them struck through), so there is no DELETE."""

import dataclasses
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from events.api.base import (
    UPLOAD_PARSERS,
    region_in,
    require_event_author,
    require_event_writer,
    target_region,
)
from events.models import ActivityType, Event, Level
from events.selectors import EventFilters, event_list
from events.serializers import (
    EventCancelSerializer,
    EventCreateSerializer,
    EventFilterSerializer,
    EventImportSerializer,
    EventParticipantsSerializer,
    EventSerializer,
    EventUpdateSerializer,
    ImportCountsSerializer,
    ImportFailedSerializer,
)
from events.services import (
    ImportFailed,
    event_cancel,
    event_create,
    event_record_participants,
    event_update,
    events_import,
)
from events.spreadsheet import MAX_BYTES as MAX_SPREADSHEET_BYTES
from scheduling.api.base import (
    BAD_REQUEST,
    FORBIDDEN,
    ErrorSerializer,
    SchedulingAPIMixin,
    validated,
)
from scheduling.pagination import CheckedLimitOffsetPagination

ERROR_UNKNOWN_EVENT = _("There is no event %(id)s; events are listed at /api/events/.")

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such event.")
FILTER_PARAMETERS = [
    OpenApiParameter("region", OpenApiTypes.STR, description="A region's six-digit code."),
    OpenApiParameter("activity_type", OpenApiTypes.STR, enum=ActivityType.values),
    OpenApiParameter("level", OpenApiTypes.STR, enum=Level.values),
    OpenApiParameter(
        "month",
        OpenApiTypes.STR,
        pattern=r"^(\d{4}-\d{2})?$",
        description="YYYY-MM, Beijing time; empty for any month.",
    ),
    OpenApiParameter(
        "day",
        OpenApiTypes.STR,
        pattern=r"^(\d{4}-\d{2}-\d{2})?$",
        description="YYYY-MM-DD (years 1900-2200): events running at any time of that day, "
        "Beijing time, including those that began the day before. With `month`, the day must "
        "lie in it (400 otherwise). Empty for any day.",
    ),
    OpenApiParameter("q", OpenApiTypes.STR, description="Words in the title, city or organiser."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="Events still running on this day…"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="…or starting by this day (inclusive)."),
]
IMPORT_BAD_REQUEST = OpenApiResponse(
    PolymorphicProxySerializer(
        component_name="ImportRefused",
        serializers=[ImportFailedSerializer, ErrorSerializer],
        resource_type_field_name=None,
    ),
    description="Bad rows: every one with its line, column and message, and nothing stored; "
    "or `errors` per field when the request itself lacks the file or the region.",
)


class EventPagination(CheckedLimitOffsetPagination):
    max_limit = 1000  # a page of the list, not the whole calendar: feeds serve that


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def _in_dates(
    events: QuerySet[Event], first: dt.date | None, last: dt.date | None
) -> QuerySet[Event]:
    # Days in the campaign's zone; an event counts if any of it falls within the range.
    if first is not None:
        events = events.filter(ends_at__gt=_day_start(first))
    if last is not None:
        events = events.filter(starts_at__lt=_day_start(last + dt.timedelta(days=1)))
    return events


def _renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    """A service's error with its fields named as this endpoint's body names them."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(f, f): m for f, m in exc.message_dict.items()})


@extend_schema(tags=["events"])
class EventViewSet(SchedulingAPIMixin, viewsets.GenericViewSet[Event]):
    """Events of the five activity types; anyone reads, coordinators write their region's."""

    queryset = Event.objects.all()
    serializer_class = EventSerializer
    pagination_class = EventPagination
    lookup_value_regex = r"[0-9]{1,18}"

    def get_object(self) -> Event:
        event = Event.objects.filter(pk=int(self.kwargs["pk"])).first()
        if event is None:
            raise exceptions.NotFound(ERROR_UNKNOWN_EVENT % {"id": self.kwargs["pk"]})
        return event

    @extend_schema(
        summary="Events, filtered",
        description="Cancelled events are listed with status `cancelled`. Bad filter values "
        "are refused (400) naming the parameter.",
        parameters=FILTER_PARAMETERS,
        responses={200: EventSerializer(many=True), 400: BAD_REQUEST},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = validated(EventFilterSerializer, request.query_params)
        events = event_list(
            EventFilters(
                region=params.get("region"),
                activity_type=params.get("activity_type"),
                level=params.get("level"),
                month=params.get("month"),
                day=params.get("day"),
                search=params.get("q"),
            )
        )
        events = _in_dates(events, params.get("from"), params.get("to"))
        page = self.paginate_queryset(events)
        return self.get_paginated_response(EventSerializer(page, many=True).data)

    @extend_schema(summary="One event", responses={200: EventSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(EventSerializer(self.get_object()).data)

    @extend_schema(
        summary="Enter an event (the region's coordinators; national events: the Ministry)",
        request=EventCreateSerializer,
        responses={201: EventSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_event_author(request.user)
        data = validated(EventCreateSerializer, request.data)
        event = event_create(actor=request.user, **data)
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an event (a change of time, place or status raises its sequence)",
        description="With `expected_sequence`, the change is stored only if nobody changed the "
        "event since you read it; otherwise 400 with `detail` saying so.",
        request=EventUpdateSerializer,
        responses={200: EventSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = self.get_object()
        require_event_writer(request.user, event.region_id)
        data = validated(EventUpdateSerializer, request.data)
        event = event_update(actor=request.user, event=event, **data)
        return Response(EventSerializer(event).data)

    @extend_schema(
        summary="Cancel an event (kept, shown as cancelled; its sequence rises)",
        request=EventCancelSerializer,
        responses={200: EventSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = self.get_object()
        require_event_writer(request.user, event.region_id)
        data = validated(EventCancelSerializer, request.data)
        try:
            event = event_cancel(actor=request.user, event=event, reason=data["reason"])
        except ValidationError as exc:
            raise _renamed(exc, {"cancel_reason": "reason"}) from exc
        return Response(EventSerializer(event).data)

    @extend_schema(
        summary="Record how many took part (person-times), once the event has taken place",
        request=EventParticipantsSerializer,
        responses={200: EventSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def participants(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = self.get_object()
        require_event_writer(request.user, event.region_id)
        data = validated(EventParticipantsSerializer, request.data)
        event = event_record_participants(
            actor=request.user, event=event, participants=data["participants"]
        )
        return Response(EventSerializer(event).data)

    @extend_schema(
        summary="Import a region's events from the spreadsheet template (all rows or none)",
        description="Uploading the same file again updates the rows it imported before "
        "instead of doubling them.",
        request={"multipart/form-data": EventImportSerializer},
        responses={200: ImportCountsSerializer, 400: IMPORT_BAD_REQUEST, 403: FORBIDDEN},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=UPLOAD_PARSERS)
    def import_events(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        region_code = target_region(request.user, region_in(request))
        data = validated(EventImportSerializer, request.data)
        upload = data["file"]
        # One byte past the limit is enough for the import to say the file is too large.
        content = upload.read(MAX_SPREADSHEET_BYTES + 1)
        try:
            counts = events_import(
                actor=request.user, region_code=region_code, content=content, filename=upload.name
            )
        except ImportFailed as failed:
            body = {"errors": [dataclasses.asdict(e) for e in failed.errors], "imported": 0}
            return Response(ImportFailedSerializer(body).data, status=status.HTTP_400_BAD_REQUEST)
        return Response(ImportCountsSerializer({"region": region_code, **counts}).data)
