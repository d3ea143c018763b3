"""REST API for the lecture hall: lecturers, series and sessions."""

from rest_framework import routers


def register_routes(router: routers.DefaultRouter) -> None:
    """Add this app's viewsets to the project's API router."""
