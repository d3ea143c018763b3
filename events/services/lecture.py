"""The calendar side of Online Public Lecture Hall sessions, kept by the lecture hall.

The lecture hall decides who may change a session; this service keeps the event in step
(SEQUENCE, status) and tells listeners after commit.
"""

import datetime as dt
from collections.abc import Sequence
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from events.feeds import feeds_changing
from events.models import ActivityType, Event, EventSource, EventTag, Level
from events.rules import event_errors
from events.services.events import SEQUENCED_FIELDS, change_kind
from events.signals import event_changed
from scheduling.models import Region


def _announce(event_id: int, change: str, reason: str) -> None:
    event_changed.send(sender=Event, event_id=event_id, change=change, reason=reason)


def _set_tags(event: Event, tags: Sequence[str]) -> bool:
    """Replace the event's tags; True when they changed."""
    wanted = set(tags)
    current = set(event.tags.values_list("key", flat=True))
    if wanted == current:
        return False
    event.tags.exclude(key__in=wanted).delete()
    EventTag.objects.bulk_create([EventTag(event=event, key=k) for k in sorted(wanted - current)])
    return True


@transaction.atomic
def lecture_event_sync(
    *,
    event: Event | None,
    title: str,
    description: str,
    region_code: str | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    online_url: str,
    status: str,
    organiser: str,
    reason: str = "",
    tags: Sequence[str] = (),
) -> Event:
    """Create or update a session's event; a change of time, link or status bumps SEQUENCE."""
    data = {
        "title": title.strip()[:200],
        "description": description.strip()[:5000],
        "activity_type": ActivityType.LECTURE_HALL,
        "level": Level.PROVINCIAL if region_code else Level.NATIONAL,
        "region": Region.objects.get(code=region_code) if region_code else None,
        "city": "",
        "venue": "",
        "online_url": online_url,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "status": status,
        "organiser": organiser[:120],
    }
    errors = event_errors(data, is_ministry=True)
    if errors:
        raise ValidationError(errors)
    if event is None:
        event = Event.objects.create(**data, source=EventSource.LECTURE_HALL)
        _set_tags(event, tags)
        feeds_changing()
        transaction.on_commit(partial(_announce, event.pk, "created", reason))
        return event
    event = Event.objects.select_for_update().get(pk=event.pk)
    changed = {k: v for k, v in data.items() if getattr(event, k) != v}
    if _set_tags(event, tags) and not changed:
        event.save(update_fields=["last_modified"])  # who gives it changed: feeds must notice
        feeds_changing()
    if not changed:
        return event
    bump = any(k in SEQUENCED_FIELDS for k in changed)
    kind = change_kind({k: getattr(event, k) for k in data}, data)
    if kind == "cancelled":
        event.cancel_reason = reason[:300]
    for key, value in changed.items():
        setattr(event, key, value)
    if bump:
        event.sequence = F("sequence") + 1
    event.save()
    event.refresh_from_db()
    feeds_changing()
    transaction.on_commit(partial(_announce, event.pk, kind, reason))
    return event


@transaction.atomic
def lecture_event_participants(*, event: Event, participants: int) -> Event:
    """Store the person-times the live room counted (the lecture hall computed them)."""
    from django.utils import timezone

    Event.objects.filter(pk=event.pk).update(
        participants=participants, participants_recorded_at=timezone.now()
    )
    event.refresh_from_db()
    return event
