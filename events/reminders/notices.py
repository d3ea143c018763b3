"""Change notices: an event was rescheduled, moved to another place or link, or cancelled, so
the people it concerns get one email about it, however many edits it took.

The first change opens a `ChangeNotice` due a few minutes later; further changes before then
update it. When it is due the dispatcher fixes its recipients — everyone with an active reminder
request covering the event, and the users the event's tag owners name (its lecturers), one
email per person — and the notice is sent like reminders are. Its content is the event as it
is when sent: the new time, or the cancellation and its reason.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from events.models import ChangeNotice, Event, NoticeDelivery, NoticeOptOut
from events.reminders.dispatch import active_requests, covering_targets
from events.reminders.registry import notice_user_ids

# What people who will go must hear about, least to most: several changes before a notice goes
# out are one notice, named by the weightiest (its content is the event as it then is).
NOTICE_CHANGES = ("relocated", "rescheduled", "cancelled")


def weightier(current: str, new: str) -> str:
    return max(current, new, key=NOTICE_CHANGES.index)


logger = logging.getLogger(__name__)


def debounce() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "REMINDERS_NOTICE_DELAY_MINUTES", 5))


def change_notice_record(
    *, event_id: int, change: str, reason: str = "", now: dt.datetime | None = None
) -> ChangeNotice | None:
    """Open the event's notice, or fold this change into the open one."""
    if change not in NOTICE_CHANGES:
        return None
    now = now or timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                if not Event.objects.filter(pk=event_id).exists():
                    return None
                notice = (
                    ChangeNotice.objects.select_for_update()
                    .filter(event_id=event_id, expanded_at__isnull=True)
                    .first()
                )
                if notice is None:
                    return ChangeNotice.objects.create(
                        event_id=event_id,
                        change=change,
                        reason=reason[:300],
                        first_change_at=now,
                        last_change_at=now,
                        not_before=now + debounce(),
                    )
                notice.change = weightier(notice.change, change)
                notice.reason = reason[:300] or notice.reason
                notice.changes += 1
                notice.last_change_at = now
                notice.save()
                return notice
        except IntegrityError:
            continue  # another process opened the notice at the same moment: fold into it
    return None


@transaction.atomic
def _expand(notice_id: int, now: dt.datetime) -> int:
    notice = (
        ChangeNotice.objects.select_for_update(skip_locked=True)
        .filter(pk=notice_id, expanded_at__isnull=True)
        .select_related("event")
        .first()
    )
    if notice is None:
        return 0
    event = notice.event
    tags = list(event.tags.values_list("key", flat=True))
    rows: dict[str, NoticeDelivery] = {}
    requests = (
        active_requests()
        .filter(target__in=covering_targets(event, tags))
        .order_by("pk")
        .values_list("pk", "recipient")
    )
    for pk, recipient in requests.iterator(chunk_size=5000):
        rows.setdefault(
            recipient,
            NoticeDelivery(notice=notice, recipient=recipient, request_id=pk, due_at=now),
        )
    owners = notice_user_ids(tags)
    owners -= set(NoticeOptOut.objects.filter(user_id__in=owners).values_list("user_id", flat=True))
    for user_id in sorted(owners):
        rows.setdefault(
            f"user:{user_id}",
            NoticeDelivery(notice=notice, recipient=f"user:{user_id}", user_id=user_id, due_at=now),
        )
    NoticeDelivery.objects.bulk_create(rows.values(), ignore_conflicts=True, batch_size=1000)
    notice.expanded_at = now
    notice.save(update_fields=["expanded_at"])
    return len(rows)


def notices_expand_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Fix the recipients of every notice whose quiet period is over; the emails go out with
    the next hand-out. Returns how many emails that makes."""
    now = now or timezone.now()
    due = ChangeNotice.objects.filter(expanded_at__isnull=True, not_before__lte=now)
    ids = list(due.order_by("not_before", "pk").values_list("pk", flat=True)[:limit])
    return sum(_expand(notice_id, now) for notice_id in ids)
