"""Week applications: read by the Ministry and each region's coordinators (they hold contact
details), written through `application_submit`."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role
from accounts.permissions import (
    ERROR_NOT_A_COORDINATOR,
    can_manage_region,
    is_ministry,
    require_region_manager,
    require_signed_in,
)
from scheduling.api.base import (
    BAD_REQUEST,
    FORBIDDEN,
    NOT_FOUND,
    REGION_PARAMETER,
    YEAR_PARAMETER,
    SchedulingAPIMixin,
    existing_region,
    validated,
)
from scheduling.models import WeekApplication
from scheduling.selectors import ApplicationStatus, application_overview
from scheduling.serializers import ApplicationInputSerializer, ApplicationSerializer
from scheduling.services import application_submit

ERROR_NOT_APPLIED = _(
    "Region %(code)s has not applied for %(year)s yet; PUT an application to this address to apply."
)


def _require_application_reader(user: Any) -> None:
    """Applications hold contact details: only the Ministry and coordinators read any."""
    require_signed_in(user)
    if not is_ministry(user) and user.role != Role.COORDINATOR:
        raise PermissionDenied(ERROR_NOT_A_COORDINATOR)


def _status(application: WeekApplication) -> ApplicationStatus:
    choices = list(application.weeks.all())
    return ApplicationStatus(
        region=application.region,
        application=application,
        ranked=[c.week_number for c in sorted(choices, key=lambda c: c.rank or 0) if c.rank],
        avoided=sorted(c.week_number for c in choices if c.rank is None),
    )


@extend_schema(parameters=[YEAR_PARAMETER], tags=["applications"])
class ApplicationViewSet(SchedulingAPIMixin, viewsets.GenericViewSet[WeekApplication]):
    """A region's application for its Learning Week, one per region and year."""

    queryset = WeekApplication.objects.all()
    serializer_class = ApplicationSerializer
    lookup_field = "region_code"
    lookup_value_regex = r"[0-9]{6}"
    pagination_class = None

    @extend_schema(
        summary="Applications (Ministry: all; a coordinator: their region's)",
        responses={200: ApplicationSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _require_application_reader(request.user)
        statuses = [
            s
            for s in application_overview(self.campaign_year)
            if s.application is not None and can_manage_region(request.user, s.region.code)
        ]
        return Response(ApplicationSerializer(statuses, many=True).data)

    @extend_schema(
        summary="One region's application",
        parameters=[REGION_PARAMETER],
        responses={200: ApplicationSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        code = kwargs["region_code"]
        require_region_manager(request.user, code)
        existing_region(code)
        application = (
            WeekApplication.objects.filter(campaign_year=self.campaign_year, region_id=code)
            .select_related("region")
            .first()
        )
        if application is None:
            raise exceptions.NotFound(
                ERROR_NOT_APPLIED % {"code": code, "year": self.campaign_year.year}
            )
        return Response(ApplicationSerializer(_status(application)).data)

    @extend_schema(
        summary="Apply, or replace the application (the region's coordinators before the "
        "deadline; the Ministry always)",
        parameters=[REGION_PARAMETER],
        request=ApplicationInputSerializer,
        responses={
            200: ApplicationSerializer,
            201: ApplicationSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        code = kwargs["region_code"]
        # Who may is asked before the body is read: a refusal should not depend on the input.
        require_region_manager(request.user, code)
        existing_region(code)
        data = validated(ApplicationInputSerializer, request.data)
        replaced = WeekApplication.objects.filter(
            campaign_year=self.campaign_year, region_id=code
        ).exists()
        application = application_submit(
            actor=request.user, campaign_year=self.campaign_year, region_code=code, **data
        )
        return Response(
            ApplicationSerializer(_status(application)).data,
            status=status.HTTP_200_OK if replaced else status.HTTP_201_CREATED,
        )
