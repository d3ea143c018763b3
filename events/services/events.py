"""Creating, changing, cancelling events and recording who took part."""

from collections.abc import Mapping
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_ministry, require_region_manager, require_signed_in
from events.feeds import feeds_changing
from events.models import Event, EventSource, EventStatus
from events.rules import event_errors, participants_errors
from events.signals import event_changed
from scheduling.models import Region

# A change to any of these is a change calendar apps must see: SEQUENCE goes up.
SEQUENCED_FIELDS = ("starts_at", "ends_at", "venue", "online_url", "city", "status")
TIME_FIELDS = ("starts_at", "ends_at")
PLACE_FIELDS = ("city", "venue", "online_url")
EDITABLE_FIELDS = (
    "title", "description", "activity_type", "level", "region", "city", "venue",
    "online_url", "starts_at", "ends_at", "status", "organiser",
)  # fmt: skip

ERROR_CANCELLED_IS_FINAL = _("This event was cancelled; a cancelled event is kept but not edited.")
ERROR_LECTURE_EVENTS = _(
    "Online Public Lecture Hall sessions are changed by their lecturers in the lecture hall."
)
ERROR_STALE = _(
    "Someone changed this event meanwhile (it is now at version %(now)s, you edited %(yours)s); "
    "reload it and make your change again."
)
ERROR_NOT_A_REGION = _("Unknown region %(code)s.")


def change_kind(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """What a change means to the people who will go: "cancelled", "rescheduled" (a new time),
    "relocated" (a new place or online link), or "updated" (nothing they act on)."""
    if after.get("status") == EventStatus.CANCELLED != before.get("status"):
        return "cancelled"
    if any(after[k] != before[k] for k in TIME_FIELDS if k in after):
        return "rescheduled"
    if any(after[k] != before[k] for k in PLACE_FIELDS if k in after):
        return "relocated"
    return "updated"


def _announce(event_id: int, change: str, reason: str = "") -> None:
    event_changed.send(sender=Event, event_id=event_id, change=change, reason=reason)


def _require_writer(actor: Any, region: Region | None) -> None:
    require_signed_in(actor)
    if region is None:
        if not is_ministry(actor):
            raise PermissionDenied(_("Only the Ministry enters national events."))
        return
    require_region_manager(actor, region.code)


def _clean_text(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("title", "description", "city", "venue", "online_url", "organiser"):
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()
    return data


@transaction.atomic
def event_create(*, actor: Any, source: str = EventSource.ENTERED, **fields: Any) -> Event:
    """Create an event for a region the actor manages (national events: the Ministry)."""
    data = _clean_text({k: fields.get(k) for k in EDITABLE_FIELDS if k in fields})
    data.setdefault("status", EventStatus.CONFIRMED)
    for key in ("description", "city", "venue", "online_url", "organiser"):
        data[key] = data.get(key) or ""
    _require_writer(actor, data.get("region"))
    errors = event_errors(
        {**data, "participants": fields.get("participants")}, is_ministry=is_ministry(actor)
    )
    if errors:
        raise ValidationError(errors)
    event = Event(**data, created_by=actor, source=source)
    if fields.get("participants") is not None:
        event.participants = fields["participants"]
        event.participants_recorded_at = timezone.now()
    event.save()
    feeds_changing()
    transaction.on_commit(partial(_announce, event.pk, "created"))
    return event


@transaction.atomic
def event_update(
    *, actor: Any, event: Event, expected_sequence: int | None = None, **changes: Any
) -> Event:
    """Change an event; a change of time, place or status raises its SEQUENCE by one."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    _require_writer(actor, event.region)
    if event.source == EventSource.LECTURE_HALL:
        raise PermissionDenied(ERROR_LECTURE_EVENTS)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(ERROR_CANCELLED_IS_FINAL)
    if expected_sequence is not None and expected_sequence != event.sequence:
        raise ValidationError(ERROR_STALE % {"now": event.sequence, "yours": expected_sequence})
    data = _clean_text({k: v for k, v in changes.items() if k in EDITABLE_FIELDS})
    if "region" in data and data["region"] != event.region:
        _require_writer(actor, data["region"])  # moving it needs rights on both regions
    merged = {k: getattr(event, k) for k in EDITABLE_FIELDS} | data
    errors = event_errors(merged, is_ministry=is_ministry(actor))
    if errors:
        raise ValidationError(errors)
    bump = any(merged[k] != getattr(event, k) for k in SEQUENCED_FIELDS)
    kind = change_kind({k: getattr(event, k) for k in EDITABLE_FIELDS}, merged)
    for key, value in data.items():
        setattr(event, key, value)
    if bump:
        event.sequence = F("sequence") + 1
    event.save()
    event.refresh_from_db()
    feeds_changing()
    transaction.on_commit(partial(_announce, event.pk, kind))
    return event


@transaction.atomic
def event_cancel(*, actor: Any, event: Event, reason: str) -> Event:
    """Cancel but keep: feeds go on showing it as cancelled with a higher SEQUENCE."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    _require_writer(actor, event.region)
    if event.source == EventSource.LECTURE_HALL:
        raise PermissionDenied(ERROR_LECTURE_EVENTS)
    if event.status == EventStatus.CANCELLED:
        return event  # cancelling twice changes nothing
    if not reason.strip():
        raise ValidationError({"cancel_reason": [str(_("Say why the event is cancelled."))]})
    event.status = EventStatus.CANCELLED
    event.cancel_reason = reason.strip()[:300]
    event.sequence = F("sequence") + 1
    event.save()
    event.refresh_from_db()
    feeds_changing()
    transaction.on_commit(partial(_announce, event.pk, "cancelled", event.cancel_reason))
    return event


@transaction.atomic
def event_record_participants(*, actor: Any, event: Event, participants: int) -> Event:
    """Record the person-times (人次) of an event that has taken place."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    _require_writer(actor, event.region)
    errors = participants_errors(participants, event.starts_at)
    if errors:
        raise ValidationError(errors)
    event.participants = participants
    event.participants_recorded_at = timezone.now()
    event.save(update_fields=["participants", "participants_recorded_at", "last_modified"])
    return event
