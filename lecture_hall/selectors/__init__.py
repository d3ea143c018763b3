"""Read queries of the lecture hall: the public hall (live now, today, this week, search), the
session, lecturer and series pages, the dashboard and a session's history.

`hall` holds the public pages and the home's browse cache, `dashboard` the lecturer's own pages
and forms, `people` lecturers and their requests, `common` the helpers they share.
"""

from lecture_hall.selectors.common import PUBLIC_STATES
from lecture_hall.selectors.dashboard import (
    ERROR_NOT_A_LECTURER,
    AuthoringScope,
    authoring_scope,
    dashboard,
    managed_series,
    managed_session,
    session_history,
)
from lecture_hall.selectors.hall import (
    SEARCH_COUNT_CAP,
    WHEN_CHOICES,
    SessionFilters,
    day_bounds,
    hall_overview,
    lecturer_overview,
    lecturer_page,
    regions_with_upcoming,
    series_overview,
    series_page,
    session_page,
    session_search,
    sessions_live_now,
    sessions_this_week,
    sessions_today,
    week_bounds,
)
from lecture_hall.selectors.people import (
    lecturer_manager_regions,
    lecturer_requests,
    managed_lecturer,
    own_lecturer_profile,
)

__all__ = [
    "ERROR_NOT_A_LECTURER",
    "PUBLIC_STATES",
    "SEARCH_COUNT_CAP",
    "WHEN_CHOICES",
    "AuthoringScope",
    "SessionFilters",
    "authoring_scope",
    "dashboard",
    "day_bounds",
    "hall_overview",
    "lecturer_manager_regions",
    "lecturer_overview",
    "lecturer_page",
    "lecturer_requests",
    "managed_lecturer",
    "managed_series",
    "managed_session",
    "own_lecturer_profile",
    "regions_with_upcoming",
    "series_overview",
    "series_page",
    "session_history",
    "session_page",
    "session_search",
    "sessions_live_now",
    "sessions_this_week",
    "sessions_today",
    "week_bounds",
]
