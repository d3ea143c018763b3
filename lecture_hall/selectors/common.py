"""What the lecture hall's selectors share: which states are public, the campaign's zone,
and a list's related rows in a constant number of queries."""

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from lecture_hall.models import Lecturer, Session, SessionState

PUBLIC_STATES = (SessionState.PUBLISHED, SessionState.ENDED, SessionState.CANCELLED)


# --- Time ---------------------------------------------------------------------------------


def _zone() -> dt.tzinfo:
    return timezone.get_default_timezone()


# --- Sessions in lists ----------------------------------------------------------------------


def with_related(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Series and region joined, lecturers prefetched in one query for the whole list."""
    return sessions.select_related("series", "region").prefetch_related(
        Prefetch("lecturers", queryset=Lecturer.objects.order_by("name", "id"))
    )
