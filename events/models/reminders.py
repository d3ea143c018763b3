"""Reminder models: who asked to be reminded of what, the emails that produces, change notices.

Reminders are rows, never far-ahead scheduled tasks: the minute dispatcher turns due requests
into `ReminderDelivery` rows (one per request, event, offset and event SEQUENCE, by a unique
constraint) and workers send each row once. A change to an event opens one `ChangeNotice`
that collects further edits for a few minutes and then becomes one `NoticeDelivery` per person.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models.calendar import Event


class ReminderOffset(models.IntegerChoices):
    """The fixed menu of how long before the start a reminder goes out (minutes)."""

    DAY = 1440, _("1 day before")
    HOUR = 60, _("1 hour before")
    TEN_MINUTES = 10, _("10 minutes before")


# A request's offsets are a small bit set, so "who wants the 1-hour reminder" is an indexable
# `offset_mask IN (...)` on every database (SQLite has no array or JSON containment).
OFFSET_BITS = {ReminderOffset.DAY: 1, ReminderOffset.HOUR: 2, ReminderOffset.TEN_MINUTES: 4}
ALL_OFFSETS_MASK = 7


def offsets_to_mask(offsets: Iterable[int]) -> int:
    return sum(OFFSET_BITS[ReminderOffset(m)] for m in set(offsets))


def mask_to_offsets(mask: int) -> list[int]:
    """Offsets in the menu's order (longest first)."""
    return [int(m) for m, bit in OFFSET_BITS.items() if mask & bit]


def masks_including(offset: int) -> list[int]:
    bit = OFFSET_BITS[ReminderOffset(offset)]
    return [m for m in range(1, ALL_OFFSETS_MASK + 1) if m & bit]


class ReminderRequest(models.Model):
    """A person asking for reminders about one target at some offsets.

    `target` is "event:<id>", "lecturer:<id>", "series:<id>" (an event tag) or "region:<code>".
    `recipient` names the person ("user:<id>" or "email:<address>") so that two requests covering
    one event still give that person one reminder. A signed-in resident's request is confirmed
    at once; an email address's only when its owner follows the confirmation link, and an offset
    change asked for anonymously waits in `pending_mask` until confirmed the same way."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_requests",
    )
    email = models.EmailField(_("email address"), blank=True)
    language = models.CharField(max_length=8, default="zh-hans")
    recipient = models.CharField(max_length=270)
    target = models.CharField(max_length=40)
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    offset_mask = models.PositiveSmallIntegerField(default=0)
    pending_mask = models.PositiveSmallIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirm_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    confirm_requested_at = models.DateTimeField(null=True, blank=True)
    confirm_sent_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["target", "offset_mask"], name="reminder_target_idx")]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "target"], name="reminder_request_once"),
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(email=""))
                | (Q(user__isnull=True) & ~Q(email="")),
                name="reminder_user_or_email",
            ),
            models.CheckConstraint(
                condition=Q(offset_mask__gte=0, offset_mask__lte=ALL_OFFSETS_MASK)
                & Q(pending_mask__gte=0, pending_mask__lte=ALL_OFFSETS_MASK),
                name="reminder_offsets_on_menu",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} → {self.target}"

    @property
    def offsets(self) -> list[int]:
        return mask_to_offsets(self.offset_mask)

    @property
    def is_active(self) -> bool:
        return (
            self.confirmed_at is not None and self.unsubscribed_at is None and self.offset_mask > 0
        )


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Due")
    QUEUED = "queued", _("Handed to a worker")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    OBSOLETE = "obsolete", _("Not sent: no longer applies")


DONE_STATUSES = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.OBSOLETE)


class OutgoingEmail(models.Model):
    """What every email row records: where it is, how many tries it took, what went wrong.

    The unsubscribe link in an email carries a random token made when that email is sent; only
    its SHA-256 is kept, here."""

    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)  # handed to the broker
    started_at = models.DateTimeField(null=True, blank=True)  # a worker began its batch
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    unsubscribe_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class ReminderDelivery(OutgoingEmail):
    """One reminder email: for this request, event, offset and the event's SEQUENCE."""

    request = models.ForeignKey(
        ReminderRequest, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    offset_minutes = models.PositiveSmallIntegerField(choices=ReminderOffset.choices)
    sequence = models.PositiveIntegerField()
    recipient = models.CharField(max_length=270)
    starts_at = models.DateTimeField()  # the start this reminder announces

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at", "event"], name="reminder_delivery_status_idx"),
            models.Index(fields=["due_at"], name="reminder_delivery_due_idx"),
            models.Index(fields=["sent_at"], name="reminder_delivery_sent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "event", "offset_minutes", "sequence"],
                name="reminder_delivery_once",
            ),
            # Two requests covering one event (the talk itself and its lecturer) still make
            # one email per person.
            models.UniqueConstraint(
                fields=["recipient", "event", "offset_minutes", "sequence"],
                name="reminder_delivery_once_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"reminder {self.pk} ({self.status})"


class ChangeNotice(models.Model):
    """ "This event moved / was cancelled", once for however many edits came within a few
    minutes: further changes update the open notice until `not_before`, when the dispatcher
    fixes its recipients (`expanded_at`) and the emails go out."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    # The weightiest change so far: "relocated" < "rescheduled" < "cancelled".
    change = models.CharField(max_length=16)
    reason = models.CharField(max_length=300, blank=True)
    changes = models.PositiveIntegerField(default=1)
    first_change_at = models.DateTimeField()
    last_change_at = models.DateTimeField()
    not_before = models.DateTimeField()
    expanded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["not_before", "id"]
        indexes = [models.Index(fields=["expanded_at", "not_before"], name="notice_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(expanded_at__isnull=True),
                name="one_open_notice_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.change} notice for event {self.event_id}"


class NoticeDelivery(OutgoingEmail):
    """One change-notice email to one person: a subscriber (through one of their requests) or
    a user a tag owner named (a lecturer of the session)."""

    notice = models.ForeignKey(ChangeNotice, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.CharField(max_length=270)
    request = models.ForeignKey(
        ReminderRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="notice_delivery_status_idx"),
            models.Index(fields=["sent_at"], name="notice_delivery_sent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["notice", "recipient"], name="notice_delivery_once"),
            models.CheckConstraint(
                condition=Q(request__isnull=False) | Q(user__isnull=False),
                name="notice_delivery_has_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"notice {self.pk} ({self.status})"


class NoticeOptOut(models.Model):
    """A user who asked, by a notice's unsubscribe link, for no more change notices about
    events they were told of without a reminder request (a lecturer's own sessions)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"no notices for {self.user_id}"
