"""Factories for every model, one module per app; import them from here."""

from tests.factories.accounts import UserFactory
from tests.factories.events import EventFactory, NominationFactory
from tests.factories.lecture_hall import LecturerFactory
from tests.factories.scheduling import published_year

__all__ = [
    "EventFactory",
    "LecturerFactory",
    "NominationFactory",
    "UserFactory",
    "published_year",
]
