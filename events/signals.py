"""Signals events sends after a change has committed (feeds and reminders listen).

`event_changed(sender, event_id, change, reason)`: `change` is one of "created", "updated",
"rescheduled", "cancelled". Lecture hall sessions reach it through `lecture_event_sync`, so the
"session changed" notice of the lecture hall is this same signal (events never imports upward).
"""

from django.dispatch import Signal

event_changed = Signal()
