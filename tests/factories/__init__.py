"""Factories for every model, one module per app; import them from here."""

from tests.factories.accounts import UserFactory

__all__ = ["UserFactory"]
