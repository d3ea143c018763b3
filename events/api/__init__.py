"""REST API for events, work plans, nominations and the year's coverage.

Thin adapters like the scheduling API's (whose error handling they share): each endpoint checks
the body's shape, calls one service or selector and shapes the answer; the services decide who
may and what is valid, with the same messages the forms and the import show.
"""

from rest_framework import routers

from events.api.events import EventViewSet
from events.api.years import CoverageViewSet, NominationViewSet, WorkPlanViewSet
from events.statistics.api import register_routes as register_statistics_routes
from scheduling.api import YEAR_PREFIX


def register_routes(router: routers.DefaultRouter) -> None:
    """Add this app's viewsets to the project's API router, beside scheduling's year routes."""
    router.register("events", EventViewSet, basename="event")
    router.register(f"{YEAR_PREFIX}/plans", WorkPlanViewSet, basename="work-plan")
    router.register(f"{YEAR_PREFIX}/nominations", NominationViewSet, basename="nomination")
    router.register(f"{YEAR_PREFIX}/coverage", CoverageViewSet, basename="coverage")
    register_statistics_routes(router)


__all__ = ["register_routes"]
