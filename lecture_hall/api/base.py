"""What the lecture hall endpoints share beyond `scheduling.api.base` (whose error handling and
input checking they use): a stale edit answered as 409, who may write at all, schema pieces."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.response import Response

from accounts.models import Role
from accounts.permissions import require_signed_in
from lecture_hall.services import SessionConflict
from scheduling.api.base import ErrorSerializer, SchedulingAPIMixin, domain_exception_handler
from scheduling.pagination import CheckedLimitOffsetPagination

ERROR_NOT_A_LECTURER = _(
    "Only lecturers, region coordinators and Ministry staff publish sessions and series; "
    "ask to become a lecturer first."
)

CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="Someone changed the session since you read it (`expected_version` is stale); "
    "`detail` says which version is current. Nothing was stored.",
)


def lecture_hall_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Scheduling's mapping of domain errors, plus a stale session edit as 409."""
    if isinstance(exc, SessionConflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return domain_exception_handler(exc, context)


class LectureHallAPIMixin(SchedulingAPIMixin):
    """JSON bodies and the domain errors as responses (SessionConflict included)."""

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return lecture_hall_exception_handler


class LectureHallPagination(CheckedLimitOffsetPagination):
    max_limit = 500  # a page of the list, not the whole calendar: feeds serve that


def require_lecture_author(user: Any) -> None:
    """Who may create sessions and series at all; whose they may be is the service's to check.
    Asked before the body is read, so a refusal never depends on the input."""
    require_signed_in(user)
    if not (user.is_superuser or user.role in (Role.MINISTRY, Role.COORDINATOR, Role.LECTURER)):
        raise PermissionDenied(ERROR_NOT_A_LECTURER)
