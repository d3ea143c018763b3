"""State changes of the calendar: events, bulk import, plans, nominations and their review.

Keyword-only functions, one transaction each, permission first (`accounts.permissions`),
`ValidationError` with per-field messages that forms, the import and the API all show.
"""

from events.services.events import (
    event_cancel,
    event_create,
    event_record_participants,
    event_update,
)
from events.services.imports import ImportFailed, RowError, events_import
from events.services.lecture import lecture_event_participants, lecture_event_sync
from events.services.submissions import (
    nomination_review,
    nomination_submit,
    plan_review,
    plan_submit,
    region_reopen,
)
from events.services.subscriptions import (
    calendar_token,
    calendar_token_in_use,
    subscription_follow,
    subscription_get_or_create,
    subscription_rotate,
    subscription_star,
    subscription_update,
)

__all__ = [
    "ImportFailed",
    "RowError",
    "calendar_token",
    "calendar_token_in_use",
    "event_cancel",
    "event_create",
    "event_record_participants",
    "event_update",
    "events_import",
    "lecture_event_participants",
    "lecture_event_sync",
    "nomination_review",
    "nomination_submit",
    "plan_review",
    "plan_submit",
    "region_reopen",
    "subscription_follow",
    "subscription_get_or_create",
    "subscription_rotate",
    "subscription_star",
    "subscription_update",
]
