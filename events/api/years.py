"""What a campaign year collects from the regions, and how well its weeks are covered: work
plans, nominations (Learning Stars, Brand Projects) and their review, the coverage table."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role
from accounts.permissions import (
    ERROR_NOT_A_COORDINATOR,
    is_ministry,
    require_ministry,
    require_region_manager,
    require_signed_in,
)
from events.api.base import FORM_OR_JSON_PARSERS, UPLOAD_PARSERS, region_in, target_region
from events.models import Nomination, ReviewStatus, WorkPlan
from events.selectors import coverage, showcase
from events.serializers import (
    CoverageWeekSerializer,
    NominationInputSerializer,
    NominationSerializer,
    ReviewInputSerializer,
    WorkPlanInputSerializer,
    WorkPlanSerializer,
)
from events.services import nomination_review, nomination_submit, plan_submit
from scheduling.api.base import (
    BAD_REQUEST,
    FORBIDDEN,
    NOT_FOUND,
    REGION_PARAMETER,
    YEAR_PARAMETER,
    ErrorSerializer,
    SchedulingAPIMixin,
    existing_region,
    validated,
)
from scheduling.models import Week

ERROR_UNKNOWN_NOMINATION = _(
    "Campaign year %(year)s has no nomination %(id)s; "
    "its nominations are listed at /api/years/%(year)s/nominations/."
)


def _require_coordinator_or_ministry(user: Any) -> None:
    require_signed_in(user)
    if not is_ministry(user) and user.role != Role.COORDINATOR:
        raise PermissionDenied(ERROR_NOT_A_COORDINATOR)


@extend_schema(parameters=[YEAR_PARAMETER], tags=["plans and nominations"])
class WorkPlanViewSet(SchedulingAPIMixin, viewsets.GenericViewSet[WorkPlan]):
    """Each region's work plan (活动方案) for the year, one PDF per region."""

    queryset = WorkPlan.objects.all()
    serializer_class = WorkPlanSerializer
    lookup_field = "region_code"
    lookup_value_regex = r"[0-9]{6}"
    pagination_class = None
    parser_classes = UPLOAD_PARSERS

    @extend_schema(
        summary="Work plans (Ministry: all; a coordinator: their region's)",
        responses={200: WorkPlanSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _require_coordinator_or_ministry(request.user)
        plans = WorkPlan.objects.filter(campaign_year=self.campaign_year).order_by("region_id")
        if not is_ministry(request.user):
            plans = plans.filter(region_id=getattr(request.user, "region_id", None))
        context = {"request": request}
        return Response(WorkPlanSerializer(plans, many=True, context=context).data)

    @extend_schema(
        summary="Submit or replace a region's plan (its coordinators before the deadline; "
        "the Ministry always)",
        parameters=[REGION_PARAMETER],
        request={"multipart/form-data": WorkPlanInputSerializer},
        responses={
            200: WorkPlanSerializer,
            201: WorkPlanSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        code = kwargs["region_code"]
        require_region_manager(request.user, code)
        existing_region(code)
        data = validated(WorkPlanInputSerializer, request.data)
        replaced = WorkPlan.objects.filter(
            campaign_year=self.campaign_year, region_id=code
        ).exists()
        plan = plan_submit(
            actor=request.user, campaign_year=self.campaign_year, region_code=code, **data
        )
        return Response(
            WorkPlanSerializer(plan, context={"request": request}).data,
            status=status.HTTP_200_OK if replaced else status.HTTP_201_CREATED,
        )


@extend_schema(parameters=[YEAR_PARAMETER], tags=["plans and nominations"])
class NominationViewSet(SchedulingAPIMixin, viewsets.GenericViewSet[Nomination]):
    """Learning Stars and Brand Projects the regions put forward, 3 to 5 of each."""

    queryset = Nomination.objects.all()
    serializer_class = NominationSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    pagination_class = None  # at most 5 of each kind for each of 37 regions
    parser_classes = UPLOAD_PARSERS

    def _visible(self, user: Any) -> QuerySet[Nomination]:
        nominations = Nomination.objects.filter(campaign_year=self.campaign_year).order_by(
            "region_id", "kind", "name"
        )
        if is_ministry(user):
            return nominations
        if getattr(user, "is_authenticated", False) and user.role == Role.COORDINATOR:
            # Accepted ones are public anyway: signing in never hides anything.
            return nominations.filter(Q(region_id=user.region_id) | Q(status=ReviewStatus.ACCEPTED))
        return showcase(self.campaign_year)

    @extend_schema(
        summary="Nominations (the Ministry: all; a coordinator: their region's and every "
        "accepted one; everyone else: the accepted ones)",
        responses={200: NominationSerializer(many=True), 404: NOT_FOUND},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        nominations = self._visible(request.user)
        context = {"request": request}
        return Response(NominationSerializer(nominations, many=True, context=context).data)

    @extend_schema(
        summary="Nominate a Learning Star or a Brand Project (the region's coordinators before "
        "the deadline; the Ministry always)",
        request={"multipart/form-data": NominationInputSerializer},
        responses={201: NominationSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campaign_year = self.campaign_year
        code = target_region(request.user, region_in(request))
        data = validated(NominationInputSerializer, request.data)
        data.pop("region", None)
        nomination = nomination_submit(
            actor=request.user, campaign_year=campaign_year, region_code=code, **data
        )
        return Response(
            NominationSerializer(nomination, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Accept a nomination, or return it for changes (Ministry)",
        request=ReviewInputSerializer,
        responses={200: NominationSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], parser_classes=FORM_OR_JSON_PARSERS)
    def review(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_ministry(request.user)
        nomination = Nomination.objects.filter(
            campaign_year=self.campaign_year, pk=int(kwargs["pk"])
        ).first()
        if nomination is None:
            raise exceptions.NotFound(
                ERROR_UNKNOWN_NOMINATION % {"year": self.campaign_year.year, "id": kwargs["pk"]}
            )
        data = validated(ReviewInputSerializer, request.data)
        nomination = nomination_review(
            actor=request.user,
            nomination=nomination,
            status=data["status"],
            comment=data["comment"],
        )
        return Response(NominationSerializer(nomination, context={"request": request}).data)


@extend_schema(parameters=[YEAR_PARAMETER], tags=["campaign years"])
class CoverageViewSet(SchedulingAPIMixin, viewsets.GenericViewSet[Week]):
    """ "Every week has an activity", measured: per week, who holds the Learning Week and how
    many events of each type start."""

    queryset = Week.objects.all()
    serializer_class = CoverageWeekSerializer
    pagination_class = None

    @extend_schema(
        summary="Coverage of the year's weeks",
        responses={
            200: CoverageWeekSerializer(many=True),
            404: OpenApiResponse(ErrorSerializer, description="No such campaign year."),
        },
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(CoverageWeekSerializer(coverage(self.campaign_year), many=True).data)
