"""REST API for scheduling: regions, campaign years, weeks, applications, runs, versions, pins.

Thin adapters: each endpoint checks the body's shape, calls one service or selector and shapes
the answer; the services decide who may and what is valid (`scheduling.api.base` turns their
errors into responses).
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import routers, viewsets

from scheduling.api.allocation import PinViewSet, RunViewSet, VersionViewSet
from scheduling.api.applications import ApplicationViewSet
from scheduling.api.base import ErrorSerializer, existing_region
from scheduling.api.years import CampaignYearViewSet, WeekViewSet
from scheduling.models import Region
from scheduling.serializers import RegionSerializer

YEAR_PREFIX = r"years/(?P<year>[0-9]{4})"


@extend_schema_view(
    retrieve=extend_schema(
        responses={200: RegionSerializer, 404: OpenApiResponse(ErrorSerializer, "No such region.")}
    )
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet[Region]):
    """The 37 participating regions, by administrative code."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{6}"
    pagination_class = None

    def get_object(self) -> Region:
        return existing_region(self.kwargs["code"])


def register_routes(router: routers.DefaultRouter) -> None:
    router.register("regions", RegionViewSet, basename="region")
    router.register("years", CampaignYearViewSet, basename="campaign-year")
    router.register(f"{YEAR_PREFIX}/weeks", WeekViewSet, basename="week")
    router.register(f"{YEAR_PREFIX}/applications", ApplicationViewSet, basename="application")
    router.register(f"{YEAR_PREFIX}/runs", RunViewSet, basename="allocation-run")
    router.register(f"{YEAR_PREFIX}/versions", VersionViewSet, basename="version")
    router.register(f"{YEAR_PREFIX}/pins", PinViewSet, basename="pin")


__all__ = ["register_routes"]
