"""REST API for scheduling: regions, campaign years, weeks, applications, runs, versions."""

from rest_framework import routers, viewsets

from scheduling.models import Region
from scheduling.serializers import RegionSerializer


class RegionViewSet(viewsets.ReadOnlyModelViewSet[Region]):
    """The 37 participating regions, by administrative code."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{6}"
    pagination_class = None


def register_routes(router: routers.DefaultRouter) -> None:
    router.register("regions", RegionViewSet, basename="region")
