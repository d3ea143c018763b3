"""REST API for statistics tables: a region's table (its coordinators and the Ministry) and the
national roll-up (the Ministry). Read only: reviewing and submitting happen on the pages."""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import routers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import require_ministry, require_region_manager
from events.models import StatisticsTable
from events.statistics.selectors import national_statistics, region_statistics
from events.statistics.serializers import NationalSerializer, RegionTableSerializer
from scheduling.api import YEAR_PREFIX
from scheduling.api.base import (
    FORBIDDEN,
    NOT_FOUND,
    REGION_PARAMETER,
    YEAR_PARAMETER,
    SchedulingAPIMixin,
    existing_region,
)


class _OneObjectSchema(AutoSchema):
    """The list endpoint answers one object (the national roll-up), not a list of tables."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


@extend_schema(parameters=[YEAR_PARAMETER], tags=["statistics"])
class StatisticsViewSet(SchedulingAPIMixin, viewsets.GenericViewSet[Any]):
    """The notice's statistics table (全民终身学习活动开展情况统计表), computed from the events:
    cancelled events never count; participants are person-times (for lecture hall sessions,
    the attendances the live room recorded, not distinct viewers)."""

    queryset = StatisticsTable.objects.none()
    serializer_class = RegionTableSerializer
    lookup_field = "region_code"
    lookup_value_regex = r"[0-9]{6}"
    pagination_class = None
    schema = _OneObjectSchema()

    @extend_schema(
        operation_id="years_statistics_list",
        summary="The national roll-up: every region's figures (submitted where submitted, the "
        "current draft elsewhere) and the totals (Ministry)",
        responses={200: NationalSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_ministry(request.user)
        return Response(NationalSerializer(national_statistics(self.campaign_year)).data)

    @extend_schema(
        summary="A region's table: every cell computed, current (with adjustments) and submitted "
        "(the region's coordinators and the Ministry)",
        parameters=[REGION_PARAMETER],
        responses={200: RegionTableSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        code = kwargs["region_code"]
        require_region_manager(request.user, code)
        region = existing_region(code)
        stats = region_statistics(self.campaign_year, region)
        return Response(RegionTableSerializer(stats).data)


def register_routes(router: routers.DefaultRouter) -> None:
    """Add the statistics endpoints to the project's API router."""
    router.register(f"{YEAR_PREFIX}/statistics", StatisticsViewSet, basename="statistics")
