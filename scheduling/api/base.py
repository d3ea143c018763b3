"""What every scheduling endpoint shares: domain errors as responses (the one place they are
turned into 400 / 403 / 409), input parsing, the campaign year in the URL, schema pieces."""

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from scheduling.models import CampaignYear, Region
from scheduling.services import AllocationConflict

ERROR_LIST_ENTRY = _("Entry %(position)s: %(message)s")
ERROR_UNKNOWN_YEAR = _(
    "Campaign year %(year)s has not been opened; the open years are listed at /api/years/."
)
ERROR_UNKNOWN_REGION = _(
    "There is no region %(code)s; use one of the 37 six-digit codes listed at /api/regions/."
)

YEAR_PARAMETER = OpenApiParameter(
    "year",
    # Four digits, as the URL takes them.
    {"type": "integer", "minimum": 1000, "maximum": 9999},
    OpenApiParameter.PATH,
    description="The campaign (ISO) year.",
)
REGION_PARAMETER = OpenApiParameter(
    "region_code",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=r"^[0-9]{6}$",
    description="The region's six-digit administrative code.",
)
# Every error answer: `detail` (one message) or `errors` (messages per field).
ErrorSerializer = inline_serializer(
    "Error",
    {
        "detail": serializers.CharField(required=False),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text="Messages per field; `non_field_errors` for the request as a whole.",
        ),
    },
)
BAD_REQUEST = OpenApiResponse(
    ErrorSerializer, description="`errors` per field, or `detail` for the request as a whole."
)
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Not allowed; `detail` says why.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such year (or object in it).")
CONFLICT = OpenApiResponse(
    ErrorSerializer, description="Someone else's run or publication came first; `detail` says."
)


def _messages(errors: Any) -> list[str]:
    """A serializer's errors for one field as plain messages; a list's entries say which."""
    if isinstance(errors, dict):
        return [
            str(ERROR_LIST_ENTRY % {"position": key + 1 if isinstance(key, int) else key,
                                    "message": message})
            for key, value in errors.items()
            for message in _messages(value)
        ]  # fmt: skip
    if isinstance(errors, list):
        return [message for error in errors for message in _messages(error)]
    return [str(errors)]


def domain_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The services' errors with their own messages; anything else as DRF answers it."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = {
                api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: messages
                for field, messages in exc.message_dict.items()
            }
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        detail = str(exc) or str(exceptions.PermissionDenied.default_detail)
        return Response({"detail": detail}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, AllocationConflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return exception_handler(exc, context)


def validated(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    """The request body checked for types and shapes; wrong ones are answered like the
    services' own validation errors, field by field."""
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise DjangoValidationError(
            {field: _messages(errors) for field, errors in serializer.errors.items()}
        )
    return dict(serializer.validated_data)


def existing_region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise exceptions.NotFound(ERROR_UNKNOWN_REGION % {"code": code})
    return region


class SchedulingAPIMixin:
    """Domain errors answered by `domain_exception_handler`; the URL's campaign year."""

    kwargs: dict[str, Any]
    # JSON only: lists of weeks and nulls have one unambiguous spelling there.
    parser_classes: Sequence[type[BaseParser]] = (JSONParser,)

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return domain_exception_handler

    @cached_property
    def campaign_year(self) -> CampaignYear:
        year = int(self.kwargs["year"])
        campaign_year = CampaignYear.objects.filter(year=year).first()
        if campaign_year is None:
            raise exceptions.NotFound(ERROR_UNKNOWN_YEAR % {"year": year})
        return campaign_year
