"""The minute dispatcher: which reminders are due now, and handing them to workers in batches.

Due times are computed from each event's start as it is at that moment (due = start − offset),
so a rescheduled event's reminders follow it without anything being rescheduled. A reminder is
made only when it is due within the catch-up grace and the event is confirmed and still to
start; one row per (request, event, offset, SEQUENCE), so a new time or version makes a new
row and running the dispatcher twice makes nothing twice. Due rows are then claimed in chunks
(`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)` on PostgreSQL; SQLite's IMMEDIATE
transactions serialize) and their primary keys go to `reminders_send_batch` in batches of
REMINDERS_BATCH_SIZE (200), grouped by event, with `delay_on_commit`. Rows handed out
and still not done long after (a worker killed inside their batch, a lost task message) are
handed out again: sending is idempotent, so a second hand-out can never send twice.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from events.models import (
    DeliveryStatus,
    Event,
    EventStatus,
    NoticeDelivery,
    ReminderDelivery,
    ReminderOffset,
    ReminderRequest,
)
from events.models.reminders import masks_including
from events.reminders import rows


def grace() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "REMINDERS_GRACE_MINUTES", 15))


def batch_size() -> int:
    return int(getattr(settings, "REMINDERS_BATCH_SIZE", 200))


def reclaim_after() -> dt.timedelta:
    """A worker began the row's batch this long ago and it is still not done: it died."""
    return dt.timedelta(seconds=getattr(settings, "REMINDERS_RECLAIM_AFTER_SECONDS", 600))


def reclaim_unstarted_after() -> dt.timedelta:
    """Handed to the broker this long ago and no worker ever began it: the message was lost.
    Long, because a row waiting behind a big backlog looks the same until its turn."""
    return dt.timedelta(seconds=getattr(settings, "REMINDERS_RECLAIM_UNSTARTED_SECONDS", 1800))


CLAIM_CHUNK = 5000  # rows claimed per transaction (one statement)


def active_requests() -> Any:
    return ReminderRequest.objects.filter(
        confirmed_at__isnull=False, unsubscribed_at__isnull=True, offset_mask__gt=0
    )


def covering_targets(event: Event, tags: Sequence[str]) -> list[str]:
    """Every target whose requests cover this event."""
    keys = [f"event:{event.pk}", *tags]
    if event.region_id:
        keys.append(f"region:{event.region_id}")
    return keys


@dataclass
class DispatchResult:
    created: int = 0
    notices: int = 0
    claimed: int = 0
    reclaimed: int = 0


def _due_events(offset: int, now: dt.datetime) -> list[Event]:
    """Confirmed events whose reminder at `offset` is due within the grace, not yet started."""
    lead = dt.timedelta(minutes=offset)
    return list(
        Event.objects.filter(
            status=EventStatus.CONFIRMED,
            starts_at__gt=now,
            starts_at__gte=now + lead - grace(),
            starts_at__lte=now + lead,
        ).prefetch_related("tags")
    )


def _create_for(event: Event, offset: int, now: dt.datetime) -> int:
    tags = [t.key for t in event.tags.all()]
    return rows.reminders_insert(
        event_id=event.pk,
        offset=offset,
        sequence=event.sequence,
        starts_at=event.starts_at,
        targets=covering_targets(event, tags),
        masks=masks_including(offset),
        now=now,
    )


def reminders_create_due(*, now: dt.datetime | None = None) -> int:
    """Make the reminder rows due now; one transaction per event and offset."""
    now = now or timezone.now()
    created = 0
    for offset in ReminderOffset.values:
        for event in _due_events(offset, now):
            created += _create_for(event, offset, now)
    return created


def _hand_out(
    model: type[ReminderDelivery] | type[NoticeDelivery],
    task: Any,
    where: tuple[str, list[Any]],
    now: dt.datetime,
    limit: int,
) -> int:
    """Claim matching rows in chunks (one transaction each), send their keys after commit. A
    batch holds rows of one event where it can, so its email is rendered once."""
    size = batch_size()
    group = "event_id" if model is ReminderDelivery else "notice_id"
    total = 0
    while total < limit:
        with transaction.atomic():
            claimed = rows.claim(
                model, where=where[0], params=where[1], group=group, now=now,
                limit=min(CLAIM_CHUNK, limit - total),
            )  # fmt: skip
            if not claimed:
                break
            ids = [pk for _key, pk in sorted((key, pk) for pk, key in claimed)]
            for start in range(0, len(ids), size):
                task.delay_on_commit(ids[start : start + size])
        total += len(ids)
    return total


def deliveries_claim(*, now: dt.datetime | None = None, limit: int = 500_000) -> tuple[int, int]:
    """Hand due rows to workers; then rows whose batch a worker began long ago, or that no
    worker began long after they were handed out, and are still not done. Returns (claimed,
    reclaimed)."""
    from events.tasks import notices_send_batch, reminders_send_batch

    now = now or timezone.now()
    due = ("status = %s AND due_at <= %s", [DeliveryStatus.PENDING, now])
    stale = (
        "status = %s AND (started_at < %s OR (started_at IS NULL AND claimed_at < %s))",
        [DeliveryStatus.QUEUED, now - reclaim_after(), now - reclaim_unstarted_after()],
    )
    claimed = _hand_out(ReminderDelivery, reminders_send_batch, due, now, limit)
    claimed += _hand_out(NoticeDelivery, notices_send_batch, due, now, limit)
    reclaimed = _hand_out(ReminderDelivery, reminders_send_batch, stale, now, limit)
    reclaimed += _hand_out(NoticeDelivery, notices_send_batch, stale, now, limit)
    return claimed, reclaimed


def reminders_dispatch(*, now: dt.datetime | None = None) -> DispatchResult:
    """What the minute beat runs: make due reminders and notices, hand out what is due."""
    from events.reminders.notices import notices_expand_due

    now = now or timezone.now()
    result = DispatchResult()
    result.created = reminders_create_due(now=now)
    result.notices = notices_expand_due(now=now)
    result.claimed, result.reclaimed = deliveries_claim(now=now)
    return result
