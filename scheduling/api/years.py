"""Campaign years, their weeks (public; the Ministry edits them) and the published allocation."""

from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import require_ministry
from scheduling.api.base import (
    BAD_REQUEST,
    ERROR_UNKNOWN_YEAR,
    FORBIDDEN,
    NOT_FOUND,
    YEAR_PARAMETER,
    SchedulingAPIMixin,
    validated,
)
from scheduling.models import CampaignYear, Week
from scheduling.selectors import WeekRow, latest_version, year_calendar
from scheduling.serializers import (
    AllocationSerializer,
    CampaignYearSerializer,
    WeekSerializer,
    WeekUpdateSerializer,
)
from scheduling.services import week_update
from scheduling.yearcal import week_bounds, weeks_in_year

ERROR_UNKNOWN_WEEK = _(
    "Campaign year %(year)s has no week %(week)s; its weeks run from 1 to %(last)s."
)


@extend_schema_view(
    list=extend_schema(summary="Campaign years"),
    retrieve=extend_schema(
        summary="One campaign year",
        parameters=[YEAR_PARAMETER],
        responses={200: CampaignYearSerializer, 404: NOT_FOUND},
    ),
)
@extend_schema(tags=["campaign years"])
class CampaignYearViewSet(SchedulingAPIMixin, viewsets.ReadOnlyModelViewSet[CampaignYear]):
    """Campaign years with their deadlines, newest first."""

    queryset = CampaignYear.objects.annotate(
        week_count=Count("weeks", distinct=True), latest_version=Max("versions__number")
    ).order_by("-year")
    serializer_class = CampaignYearSerializer
    lookup_field = "year"
    lookup_value_regex = r"[0-9]{4}"
    pagination_class = None

    def get_object(self) -> CampaignYear:
        year = int(self.kwargs["year"])
        campaign_year = self.get_queryset().filter(year=year).first()
        if campaign_year is None:
            raise exceptions.NotFound(ERROR_UNKNOWN_YEAR % {"year": year})
        return campaign_year

    @extend_schema(
        summary="The published allocation",
        description="The latest published version: every region with its week and theme.",
        parameters=[YEAR_PARAMETER],
        responses={200: AllocationSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def allocation(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        year = self.campaign_year.year
        version = latest_version(self.campaign_year)
        assignments = []
        if version is not None:
            for a in version.assignments.select_related("region").order_by(
                "week_number", "region_id"
            ):
                starts_on, ends_on = week_bounds(year, a.week_number)
                assignments.append(
                    {
                        "region_code": a.region_id,
                        "short_name_zh": a.region.short_name_zh,
                        "name_en": a.region.name_en,
                        "week_number": a.week_number,
                        "starts_on": starts_on,
                        "ends_on": ends_on,
                        "theme": a.theme,
                    }
                )
        data = {
            "year": year,
            "version": version.number if version else None,
            "published_at": version.published_at if version else None,
            "assignments": assignments,
        }
        return Response(AllocationSerializer(data).data)


@extend_schema(parameters=[YEAR_PARAMETER], tags=["campaign years"])
class WeekViewSet(SchedulingAPIMixin, viewsets.GenericViewSet[Week]):
    """The ISO weeks of a campaign year with their holidays and make-up working days."""

    queryset = Week.objects.all()
    serializer_class = WeekSerializer
    lookup_field = "number"
    lookup_value_regex = r"[0-9]{1,2}"
    pagination_class = None

    def _row(self, number: int) -> WeekRow:
        year = self.campaign_year.year
        for row in year_calendar(self.campaign_year):
            if row.week.number == number:
                return row
        raise exceptions.NotFound(
            ERROR_UNKNOWN_WEEK % {"year": year, "week": number, "last": weeks_in_year(year)}
        )

    @extend_schema(
        summary="Weeks of a year", responses={200: WeekSerializer(many=True), 404: NOT_FOUND}
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = year_calendar(self.campaign_year)
        return Response(WeekSerializer(rows, many=True).data)

    @extend_schema(summary="One week", responses={200: WeekSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(WeekSerializer(self._row(int(kwargs["number"]))).data)

    @extend_schema(
        summary="Change a week's capacity or block it (Ministry)",
        request=WeekUpdateSerializer,
        responses={200: WeekSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_ministry(request.user)
        data = validated(WeekUpdateSerializer, request.data)
        number = int(kwargs["number"])
        week_update(actor=request.user, campaign_year=self.campaign_year, number=number, **data)
        return Response(WeekSerializer(self._row(number)).data)
