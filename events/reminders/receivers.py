"""Listening to `event_changed`: a reschedule or cancellation opens (or extends) the event's
change notice. Reminders need nothing here: their due times follow the event by themselves."""

import logging
from typing import Any

from django.db import DatabaseError
from django.dispatch import receiver

from events.reminders.notices import change_notice_record
from events.signals import event_changed

logger = logging.getLogger(__name__)


@receiver(event_changed, dispatch_uid="events.reminders.change_notice")
def on_event_changed(
    sender: Any, *, event_id: int, change: str, reason: str = "", **kwargs: Any
) -> None:
    # The change has committed already (the signal is sent after commit): a failure here must
    # not turn the editor's successful save into an error page, but it must be seen.
    try:
        change_notice_record(event_id=event_id, change=change, reason=reason)
    except DatabaseError:
        logger.exception("Could not record the change notice of event %s", event_id)
