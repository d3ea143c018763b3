"""REST API for the lecture hall: lecturers (read only), series and sessions.

Thin adapters like the scheduling API's (whose error handling they extend with 409 for a stale
session edit): each endpoint checks the body's shape, calls one service and shapes the answer;
the services decide who may and what is valid, with the messages the pages show.
"""

from rest_framework import routers

from lecture_hall.api.lecturers import LecturerViewSet
from lecture_hall.api.series import SeriesViewSet
from lecture_hall.api.sessions import SessionViewSet


def register_routes(router: routers.DefaultRouter) -> None:
    """Add this app's viewsets to the project's API router."""
    router.register("lecturers", LecturerViewSet, basename="lecturer")
    router.register("series", SeriesViewSet, basename="series")
    router.register("sessions", SessionViewSet, basename="session")


__all__ = ["register_routes"]
