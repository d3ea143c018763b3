"""REST API for statistics tables."""

from rest_framework import routers


def register_routes(router: routers.DefaultRouter) -> None:
    """Add the statistics endpoints to the project's API router."""
