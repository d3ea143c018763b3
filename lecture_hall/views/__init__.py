"""Pages of the lecture hall: the public hall (`public`), writing sessions (`sessions`), and
series and lecturers (`people`). Thin: parse with a form, call one selector or service, render."""

from lecture_hall.views.people import (
    lecturer_create,
    lecturer_decide,
    lecturer_request,
    lecturer_update,
    series_create,
    series_update,
)
from lecture_hall.views.public import (
    home,
    lecturer_detail,
    lecturer_list,
    series_detail,
    series_list,
    session_detail,
)
from lecture_hall.views.sessions import (
    dashboard,
    session_cancel,
    session_create,
    session_duplicate,
    session_end,
    session_history,
    session_publish,
    session_reschedule,
    session_update,
)

__all__ = [
    "dashboard",
    "home",
    "lecturer_create",
    "lecturer_decide",
    "lecturer_detail",
    "lecturer_list",
    "lecturer_request",
    "lecturer_update",
    "series_create",
    "series_detail",
    "series_list",
    "series_update",
    "session_cancel",
    "session_create",
    "session_detail",
    "session_duplicate",
    "session_end",
    "session_history",
    "session_publish",
    "session_reschedule",
    "session_update",
]
