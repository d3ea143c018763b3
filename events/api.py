"""REST API for events, plans and nominations."""

from rest_framework import routers


def register_routes(router: routers.DefaultRouter) -> None:
    """Add this app's viewsets to the project's API router."""
