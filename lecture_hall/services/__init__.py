"""State changes of the lecture hall: lecturers, series and sessions.

Each change of a session's time, link or state goes through here: the version rises (a stale
edit is refused), a history row is written, and the calendar event follows via
`events.services.lecture_event_sync`, which tells feeds and reminders after commit.
"""

from lecture_hall.services.lecturers import (
    lecturer_create,
    lecturer_decide,
    lecturer_request,
    lecturer_update,
)
from lecture_hall.services.series import series_create, series_update
from lecture_hall.services.sessions import (
    SessionConflict,
    session_cancel,
    session_create,
    session_duplicate,
    session_end,
    session_publish,
    session_reschedule,
    session_update,
)

__all__ = [
    "SessionConflict",
    "lecturer_create",
    "lecturer_decide",
    "lecturer_request",
    "lecturer_update",
    "series_create",
    "series_update",
    "session_cancel",
    "session_create",
    "session_duplicate",
    "session_end",
    "session_publish",
    "session_reschedule",
    "session_update",
]
