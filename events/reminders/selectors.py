"""Read queries of the reminder pages: names of targets, a person's reminders, what a link in
an email stands for, and the Ministry's delivery figures per hour."""

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from events.models import (
    Event,
    NoticeDelivery,
    NoticeOptOut,
    ReminderDelivery,
    ReminderOffset,
    ReminderRequest,
)
from events.models.reminders import DeliveryStatus, mask_to_offsets
from events.reminders.registry import tag_labels, tag_urls
from scheduling.models import Region

# Why an email was not sent, stored on its row as a code and shown in the active language.
REASONS = {
    "stopped": _("The person stopped these reminders."),
    "opted_out": _("The person asked for no more change notices."),
    "cancelled": _("The event was cancelled; the cancellation notice goes instead."),
    "tentative": _("The event is no longer confirmed."),
    "moved": _("The event changed; a reminder for its new version replaces this one."),
    "started": _("The event had started before the reminder could be sent."),
    "no_address": _("There is no email address to send to."),
    "not_tried": _("Not tried: the mail server failed on the batch's last attempt."),
}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def event_start_text(event: Event) -> str:
    """When the event starts, in Beijing time, as the reminder pages write it."""
    local = timezone.localtime(event.starts_at, timezone.get_default_timezone())
    return f"{date_format(local, 'DATE_FORMAT')} {local:%H:%M}"


def _event_label(event: Event) -> str:
    return f"{event.title} ({event_start_text(event)})"


def offsets_ahead(starts_at: dt.datetime, *, now: dt.datetime | None = None) -> list[int]:
    """The menu's offsets (longest first) whose reminder time is still to come for an event
    starting then: a "1 day before" chosen six hours ahead would never be sent."""
    now = now or timezone.now()
    return [
        int(minutes)
        for minutes in ReminderOffset.values
        if starts_at - dt.timedelta(minutes=minutes) > now
    ]


def target_labels(targets: Iterable[str]) -> dict[str, str]:
    """A name for each target in the active language: three queries at most."""
    targets = set(targets)
    event_ids = [int(t[6:]) for t in targets if t.startswith("event:") and t[6:].isdigit()]
    codes = [t[7:] for t in targets if t.startswith("region:")]
    tags = [t for t in targets if t.partition(":")[0] not in ("event", "region")]
    labels: dict[str, str] = {}
    for event in Event.objects.filter(pk__in=event_ids):
        labels[f"event:{event.pk}"] = _event_label(event)
    for region in Region.objects.filter(code__in=codes):
        labels[f"region:{region.code}"] = region.name
    labels.update(tag_labels(tags))
    return {t: labels.get(t, t) for t in targets}


@dataclass(frozen=True)
class TagLink:
    tag: str
    label: str
    url: str  # "" when the owning app names no page for it


def tag_links(tags: Sequence[str]) -> list[TagLink]:
    """Followed lecturers and series as people know them: a name and, where known, its page;
    one query per kind of tag."""
    labels = target_labels(tags)
    urls = tag_urls(tags)
    return [TagLink(tag, labels[tag], urls.get(tag, "")) for tag in tags]


@dataclass(frozen=True)
class TargetView:
    key: str
    kind: str  # "event", "tag" or "region"
    label: str
    event: Event | None = None


def target_describe(target: str) -> TargetView:
    kind = target.partition(":")[0]
    event = None
    if kind == "event" and target[6:].isdigit():
        event = Event.objects.select_related("region").filter(pk=int(target[6:])).first()
    label = _event_label(event) if event else target_labels([target])[target]
    return TargetView(target, kind if kind in ("event", "region") else "tag", label, event)


@dataclass(frozen=True)
class RequestRow:
    request: ReminderRequest
    label: str
    offsets: list[int]
    active: bool


def my_reminders(user: Any) -> list[RequestRow]:
    """The signed-in person's requests, newest first: two queries plus the label look-ups."""
    requests = list(ReminderRequest.objects.filter(user=user).order_by("-created_at", "-pk"))
    labels = target_labels(r.target for r in requests)
    return [
        RequestRow(r, labels[r.target], mask_to_offsets(r.offset_mask), r.is_active)
        for r in requests
    ]


def recent_deliveries(user: Any, *, limit: int = 10) -> list[ReminderDelivery]:
    return list(
        ReminderDelivery.objects.filter(request__user=user)
        .exclude(status=DeliveryStatus.OBSOLETE)
        .select_related("event")
        .order_by("-due_at", "-pk")[:limit]
    )


def confirm_lookup(token: str) -> ReminderRequest | None:
    return ReminderRequest.objects.filter(confirm_token_hash=_hash(token)).first()


def unsubscribe_lookup(token: str) -> tuple[bool, str] | None:
    """(already stopped, what the link stops) for a known link, None for an unknown one."""
    digest = _hash(token)
    delivery = (
        ReminderDelivery.objects.filter(unsubscribe_token_hash=digest)
        .select_related("request")
        .first()
    )
    request = delivery.request if delivery else None
    if delivery is None:
        notice = (
            NoticeDelivery.objects.filter(unsubscribe_token_hash=digest)
            .select_related("request")
            .first()
        )
        if notice is None:
            return None
        if notice.request is None:
            return NoticeOptOut.objects.filter(user=notice.user).exists(), ""
        request = notice.request
    assert request is not None
    label = target_labels([request.target])[request.target]
    return request.unsubscribed_at is not None, label


@dataclass
class HourRow:
    hour: dt.datetime
    due: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    obsolete: int = 0


@dataclass
class DeliveryStats:
    rows: list[HourRow] = field(default_factory=list)
    totals: HourRow | None = None
    waiting: int = 0  # due or queued, not yet done


def _per_hour(
    model: type[ReminderDelivery] | type[NoticeDelivery],
    moment: str,
    since: dt.datetime,
    until: dt.datetime,
    counts: dict[str, Any],
) -> Sequence[dict[str, Any]]:
    tz = timezone.get_default_timezone()
    queryset: Any = model.objects.filter(**{f"{moment}__gte": since, f"{moment}__lt": until})
    return list(
        queryset.annotate(hour=TruncHour(moment, tzinfo=tz))
        .values("hour")
        .annotate(**counts)
        .order_by("hour")
    )


def delivery_stats(*, hours: int = 48, now: dt.datetime | None = None) -> DeliveryStats:
    """Reminder and notice emails per hour (Beijing time) over the last `hours`: due (by due
    time), sent (by send time), failed, retried (more than one try) and not needed (by due
    time). Four aggregate queries whatever the volume."""
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    end = timezone.localtime(now, tz).replace(minute=0, second=0, microsecond=0)
    end += dt.timedelta(hours=1)
    start = end - dt.timedelta(hours=hours)
    by_due = {
        "due": Count("pk"),
        "failed": Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
        "retried": Count("pk", filter=Q(attempts__gt=1)),
        "obsolete": Count("pk", filter=Q(status=DeliveryStatus.OBSOLETE)),
    }
    rows = {
        start + dt.timedelta(hours=i): HourRow(start + dt.timedelta(hours=i)) for i in range(hours)
    }
    for model in (ReminderDelivery, NoticeDelivery):
        for item in _per_hour(model, "due_at", start, end, by_due):
            row = rows[timezone.localtime(item["hour"], tz)]
            for key in by_due:
                setattr(row, key, getattr(row, key) + item[key])
        for item in _per_hour(model, "sent_at", start, end, {"sent": Count("pk")}):
            rows[timezone.localtime(item["hour"], tz)].sent += item["sent"]
    ordered = [rows[k] for k in sorted(rows)]
    totals = HourRow(end)
    for row in ordered:
        for key in ("due", "sent", "failed", "retried", "obsolete"):
            setattr(totals, key, getattr(totals, key) + getattr(row, key))
    waiting_filter = Q(status__in=(DeliveryStatus.PENDING, DeliveryStatus.QUEUED))
    waiting = ReminderDelivery.objects.filter(waiting_filter).count()
    waiting += NoticeDelivery.objects.filter(waiting_filter).count()
    return DeliveryStats(ordered, totals, waiting)


@dataclass(frozen=True)
class FailedRow:
    kind: str  # "reminder" or "notice"
    pk: int
    due_at: dt.datetime
    event: Event
    recipient: str  # masked: the Ministry sees that an address failed, not whose it is
    attempts: int
    error: str


def _mask(recipient: str) -> str:
    kind, _sep, value = recipient.partition(":")
    if kind != "email":
        return recipient
    name, _at, domain = value.partition("@")
    return f"{name[:1]}***@{domain}"


def error_text(stored: str) -> str:
    """A stored reason code (see REASONS) in the active language; an SMTP reply as it came."""
    code, _sep, rest = stored.partition(" ")
    return f"{REASONS[code]} {rest}".strip() if code in REASONS else stored


def failed_deliveries(*, limit: int = 50) -> list[FailedRow]:
    """The latest failed emails of both kinds, with their errors, newest due first."""
    rows = [
        FailedRow(
            "reminder",
            d.pk,
            d.due_at,
            d.event,
            _mask(d.recipient),
            d.attempts,
            error_text(d.last_error),
        )
        for d in ReminderDelivery.objects.filter(status=DeliveryStatus.FAILED)
        .select_related("event")
        .order_by("-due_at", "-pk")[:limit]
    ]
    rows += [
        FailedRow(
            "notice",
            d.pk,
            d.due_at,
            d.notice.event,
            _mask(d.recipient),
            d.attempts,
            error_text(d.last_error),
        )
        for d in NoticeDelivery.objects.filter(status=DeliveryStatus.FAILED)
        .select_related("notice__event")
        .order_by("-due_at", "-pk")[:limit]
    ]
    rows.sort(key=lambda r: (r.due_at, r.pk), reverse=True)
    return rows[:limit]
