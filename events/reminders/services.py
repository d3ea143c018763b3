"""Asking for reminders, confirming an address, changing and stopping them, unsubscribing.

Keyword-only functions, one transaction each, raising `ValidationError` with the constants
below. Sending lives in `sending.py`, the minute dispatcher in `dispatch.py`, change notices in
`notices.py`.
"""

import datetime as dt
import enum
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import require_signed_in
from events.models import (
    Event,
    EventStatus,
    EventTag,
    NoticeDelivery,
    NoticeOptOut,
    ReminderDelivery,
    ReminderOffset,
    ReminderRequest,
)
from events.models.reminders import mask_to_offsets, offsets_to_mask
from events.reminders.selectors import event_start_text, offsets_ahead
from scheduling.models import Region

TAG_PATTERN = re.compile(r"^(lecturer|series):[1-9][0-9]{0,9}$")
EVENT_PATTERN = re.compile(r"^event:[1-9][0-9]{0,17}$")
REGION_PATTERN = re.compile(r"^region:[1-9][0-9]{5}$")
LANGUAGES = ("zh-hans", "en")
# A second "send me the link" within this time sends nothing new (the first link still works).
CONFIRM_THROTTLE = dt.timedelta(minutes=2)
CONFIRM_VALID = dt.timedelta(days=7)
TOKEN_BYTES = 24  # 192 bits

ERROR_NO_TARGET = _(
    "Say what to be reminded of: an event (?event=12), a lecturer or series "
    "(?tag=lecturer:5) or a region (?region=110000)."
)
ERROR_EVENT_UNKNOWN = _("There is no event %(id)s.")
ERROR_EVENT_CANCELLED = _("This event was cancelled, so there is nothing to remind you of.")
ERROR_EVENT_PAST = _("This event has already started; reminders are only for events still to come.")
ERROR_TAG = _(
    "%(tag)s is not a lecturer or series that can be followed; "
    "write lecturer:<number> or series:<number>."
)
ERROR_TAG_EMPTY = _("Nothing has been published under %(tag)s.")
ERROR_REGION = _("Unknown region %(code)s; use one of the 37 six-digit region codes.")
ERROR_OFFSETS_EMPTY = _("Choose at least one time: 1 day, 1 hour or 10 minutes before.")
ERROR_OFFSET_UNKNOWN = _(
    "%(value)s is not one of the offered times; choose 1 day, 1 hour or 10 minutes before."
)
ERROR_OFFSET_PASSED = _(
    "“%(choice)s” has already passed: this event starts %(starts)s (Beijing time). "
    "Choose a time that is still to come."
)
ERROR_EMAIL = _("Enter a valid email address, such as name@example.cn.")
ERROR_ACCOUNT_EMAIL = _(
    "Your account has no email address: add one to your account, then ask again."
)
ERROR_CONFIRM_TOKEN = _(
    "This confirmation link is unknown, already used or more than 7 days old. "
    "Ask for the reminders again to get a new link."
)
ERROR_UNSUBSCRIBE_TOKEN = _(
    "This unsubscribe link is unknown. Use the link in the latest email, "
    "or sign in to manage your reminders."
)
ERROR_NOT_YOURS = _("These are not your reminders.")


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CONFIRMATION_SENT = "confirmation_sent"


@dataclass(frozen=True)
class Unsubscribed:
    already: bool
    target: str  # "" for a notice opt-out


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A random link secret and the hash that is all the database keeps of it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def target_from_query(
    *, event: str | None = None, tag: str | None = None, region: str | None = None
) -> str:
    """The target key a page's query string names (not yet checked against the database)."""
    if event:
        return f"event:{event.strip()}"
    if tag:
        return tag.strip()
    if region:
        return f"region:{region.strip()}"
    raise ValidationError({"target": [str(ERROR_NO_TARGET)]})


def target_check(target: str, *, now: dt.datetime | None = None) -> Event | None:
    """Refuse what cannot be reminded of; the event for an event target."""
    now = now or timezone.now()
    if target.startswith("event:"):
        raw = target.partition(":")[2]
        event = Event.objects.filter(pk=int(raw)).first() if EVENT_PATTERN.match(target) else None
        if event is None:
            raise ValidationError({"target": [str(ERROR_EVENT_UNKNOWN % {"id": raw[:20]})]})
        if event.status == EventStatus.CANCELLED:
            raise ValidationError({"target": [str(ERROR_EVENT_CANCELLED)]})
        if event.starts_at <= now:
            raise ValidationError({"target": [str(ERROR_EVENT_PAST)]})
        return event
    if target.startswith("region:"):
        code = target.partition(":")[2]
        if not REGION_PATTERN.match(target) or not Region.objects.filter(code=code).exists():
            raise ValidationError({"target": [str(ERROR_REGION % {"code": code[:20]})]})
        return None
    if not TAG_PATTERN.match(target):
        raise ValidationError({"target": [str(ERROR_TAG % {"tag": target[:40]})]})
    if not EventTag.objects.filter(key=target).exists():
        raise ValidationError({"target": [str(ERROR_TAG_EMPTY % {"tag": target})]})
    return None


def offsets_check(offsets: Sequence[int | str]) -> int:
    """The bit set of offsets chosen from the menu."""
    if not offsets:
        raise ValidationError({"offsets": [str(ERROR_OFFSETS_EMPTY)]})
    chosen: set[int] = set()
    for value in offsets:
        try:
            minutes = int(value)
            ReminderOffset(minutes)
        except ValueError:
            raise ValidationError(
                {"offsets": [str(ERROR_OFFSET_UNKNOWN % {"value": str(value)[:20]})]}
            ) from None
        chosen.add(minutes)
    return offsets_to_mask(chosen)


def email_normalise(raw: str) -> str:
    email = raw.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [str(ERROR_EMAIL)]}) from None
    return email


@transaction.atomic
def reminder_request(
    *,
    actor: Any,
    target: str,
    offsets: Sequence[int | str],
    email: str = "",
    language: str = "zh-hans",
) -> tuple[ReminderRequest, Outcome]:
    """Ask for reminders. Asking again is not an error: the same request is kept (and its
    offsets changed). A signed-in resident's request applies at once; an email address gets a
    confirmation link and nothing else until it is followed."""
    errors: dict[str, list[str]] = {}
    event: Event | None = None
    mask = 0
    for check in ("target", "offsets", "email"):
        try:
            if check == "target":
                event = target_check(target)
            elif check == "offsets":
                mask = offsets_check(offsets)
            elif not getattr(actor, "is_authenticated", False):
                email = email_normalise(email)
            elif not actor.email:
                raise ValidationError({"email": [str(ERROR_ACCOUNT_EMAIL)]})
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if event is not None and "offsets" not in errors:
        passed = _passed_offsets_error(event, mask_to_offsets(mask))
        if passed:
            errors.setdefault("offsets", []).append(passed)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if getattr(actor, "is_authenticated", False):
        request, created = ReminderRequest.objects.select_for_update().get_or_create(
            recipient=f"user:{actor.pk}",
            target=target,
            defaults={"user": actor, "event": event, "offset_mask": mask, "confirmed_at": now},
        )
        if created:
            return request, Outcome.CREATED
        if request.is_active and request.offset_mask == mask:
            return request, Outcome.UNCHANGED
        outcome = Outcome.UPDATED if request.is_active else Outcome.CREATED
        request.offset_mask, request.unsubscribed_at = mask, None
        request.confirmed_at = request.confirmed_at or now
        request.save()
        return request, outcome
    language = language if language in LANGUAGES else "zh-hans"
    request, created = ReminderRequest.objects.select_for_update().get_or_create(
        recipient=f"email:{email}",
        target=target,
        defaults={"email": email, "event": event, "language": language},
    )
    if request.is_active and request.offset_mask == mask:
        return request, Outcome.UNCHANGED  # the page says the same as for a new address
    request.pending_mask, request.language = mask, language
    recent = request.confirm_requested_at and now - request.confirm_requested_at < CONFIRM_THROTTLE
    if not recent:
        from events.tasks import reminders_send_confirmation

        request.confirm_requested_at = now
        reminders_send_confirmation.delay_on_commit(request.pk)  # type: ignore[attr-defined]
    request.save()
    return request, Outcome.CONFIRMATION_SENT


@transaction.atomic
def reminder_confirm(*, token: str) -> ReminderRequest:
    """Follow a confirmation link: the address's chosen offsets apply from now on."""
    now = timezone.now()
    request = (
        ReminderRequest.objects.select_for_update()
        .filter(confirm_token_hash=token_hash(token))
        .first()
    )
    if (
        request is None
        or request.confirm_sent_at is None
        or request.confirm_sent_at < now - CONFIRM_VALID
    ):
        raise ValidationError(ERROR_CONFIRM_TOKEN)
    request.offset_mask = request.pending_mask or request.offset_mask
    request.pending_mask = 0
    request.confirmed_at = request.confirmed_at or now
    request.unsubscribed_at = None
    request.confirm_token_hash = None  # a link confirms once
    request.save()
    return request


def _own_request(actor: Any, request_id: int) -> ReminderRequest:
    require_signed_in(actor)
    request = ReminderRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None or request.user_id != actor.pk:
        raise PermissionDenied(ERROR_NOT_YOURS)
    return request


def _passed_offsets_error(event: Event, offsets: Sequence[int]) -> str:
    """A "1 day before" chosen six hours ahead would never be sent: the message saying so, or
    "" when every chosen time is still to come."""
    ahead = set(offsets_ahead(event.starts_at))
    passed = [m for m in offsets if m not in ahead]
    if not passed:
        return ""
    return str(
        ERROR_OFFSET_PASSED
        % {"choice": ReminderOffset(passed[0]).label, "starts": event_start_text(event)}
    )


@transaction.atomic
def reminder_update(
    *, actor: Any, request_id: int, offsets: Sequence[int | str]
) -> ReminderRequest:
    request = _own_request(actor, request_id)
    mask = offsets_check(offsets)
    if request.event is not None:
        # Times kept from before may have gone by (they were sent); newly added ones may not.
        added = [m for m in mask_to_offsets(mask) if m not in mask_to_offsets(request.offset_mask)]
        passed = _passed_offsets_error(request.event, added)
        if passed:
            raise ValidationError({"offsets": [passed]})
    request.offset_mask = mask
    request.unsubscribed_at = None
    request.save()
    return request


@transaction.atomic
def reminder_stop(*, actor: Any, request_id: int) -> ReminderRequest:
    request = _own_request(actor, request_id)
    if request.unsubscribed_at is None:
        request.unsubscribed_at = timezone.now()
        request.save()
    return request


@transaction.atomic
def reminder_unsubscribe(*, token: str) -> Unsubscribed:
    """The one-click unsubscribe of an email's link: stops the request that email came from
    (or, for a notice sent without a request, further notices to that user). Using a link
    again is not an error."""
    digest = token_hash(token)
    delivery = ReminderDelivery.objects.filter(unsubscribe_token_hash=digest).first()
    request_id = delivery.request_id if delivery else None
    if delivery is None:
        notice = NoticeDelivery.objects.filter(unsubscribe_token_hash=digest).first()
        if notice is None:
            raise ValidationError(ERROR_UNSUBSCRIBE_TOKEN)
        if notice.request_id is None:
            assert notice.user_id is not None
            _opt_out, created = NoticeOptOut.objects.get_or_create(user_id=notice.user_id)
            return Unsubscribed(already=not created, target="")
        request_id = notice.request_id
    request = ReminderRequest.objects.select_for_update().get(pk=int(request_id or 0))
    if request.unsubscribed_at is not None:
        return Unsubscribed(already=True, target=request.target)
    request.unsubscribed_at = timezone.now()
    request.pending_mask = 0
    request.confirm_token_hash = None
    request.save()
    return Unsubscribed(already=False, target=request.target)
