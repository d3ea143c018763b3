"""A resident's private calendar: what they follow, what they star, and its secret link."""

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.permissions import require_signed_in
from events.feeds import feeds_changing
from events.models import ActivityType, CalendarSubscription, Event, EventStatus
from scheduling.models import Region

TAG_PATTERN = re.compile(r"^(lecturer|series):[1-9][0-9]{0,9}$")
ALARM_CHOICES = (10, 30, 60, 24 * 60)
ERROR_ALARM = _("Choose a reminder of 10 minutes, 30 minutes, 1 hour or 1 day before, or none.")
ERROR_TAG = _("%(tag)s is not something that can be followed.")
ERROR_TYPE = _("%(value)s is not an activity type.")
ERROR_REGION = _("Unknown region %(code)s.")
ERROR_STAR_CANCELLED = _("This event was cancelled; there is nothing to add.")


def _token_under(key: str, subscription: CalendarSubscription) -> str:
    mac = hmac.new(
        key.encode(),
        f"calendar:{subscription.user_id}:{subscription.token_salt}".encode(),
        hashlib.sha256,
    ).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode().rstrip("=")


def calendar_token(subscription: CalendarSubscription) -> str:
    """The secret in the private feed's link: 192 bits, derived under the server's secret."""
    return _token_under(settings.SECRET_KEY, subscription)


def calendar_token_in_use(subscription: CalendarSubscription) -> str | None:
    """The link that opens this calendar now, or None when it can no longer be shown.

    The link was derived under the secret key of its day. After the key is rotated the old key
    sits in SECRET_KEY_FALLBACKS and the link is re-derived from it, so the page keeps showing
    the address the resident's calendar app already uses. Once no key derives it, the link
    still works (look-up is by its hash) but nobody can show it again: the caller offers a
    new one."""
    for key in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())):
        token = _token_under(key, subscription)
        if hmac.compare_digest(token_hash(token), subscription.token_hash):
            return token
    return None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_secret(subscription: CalendarSubscription) -> None:
    subscription.token_salt = secrets.token_hex(16)
    subscription.token_hash = token_hash(calendar_token(subscription))


@transaction.atomic
def subscription_get_or_create(*, actor: Any) -> CalendarSubscription:
    require_signed_in(actor)
    subscription = CalendarSubscription.objects.filter(user=actor).first()
    if subscription is None:
        subscription = CalendarSubscription(user=actor)
        _new_secret(subscription)
        subscription.save()
    return subscription


@transaction.atomic
def subscription_rotate(*, actor: Any) -> CalendarSubscription:
    """A new secret link; the old one answers 404 from now on."""
    subscription = subscription_get_or_create(actor=actor)
    _new_secret(subscription)
    subscription.save()
    return subscription


@transaction.atomic
def subscription_update(
    *,
    actor: Any,
    region_codes: Sequence[str] | None = None,
    activity_types: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    alarm_minutes: int | str | None = "",
) -> CalendarSubscription:
    """Change what the private feed follows; only what is passed changes."""
    subscription = subscription_get_or_create(actor=actor)
    errors: dict[str, list[str]] = {}
    if region_codes is not None:
        regions = list(Region.objects.filter(code__in=region_codes))
        unknown = sorted(set(region_codes) - {r.code for r in regions})
        if unknown:
            errors["regions"] = [str(ERROR_REGION % {"code": ", ".join(unknown)})]
    if activity_types is not None:
        bad = [t for t in activity_types if t not in ActivityType.values]
        if bad:
            errors["activity_types"] = [str(ERROR_TYPE % {"value": ", ".join(bad)})]
    if tags is not None:
        bad = [t for t in tags if not TAG_PATTERN.match(t)]
        if bad:
            errors["tags"] = [str(ERROR_TAG % {"tag": ", ".join(bad)})]
    if alarm_minutes != "" and alarm_minutes is not None and alarm_minutes not in ALARM_CHOICES:
        errors["alarm_minutes"] = [str(ERROR_ALARM)]
    if errors:
        raise ValidationError(errors)
    if region_codes is not None:
        subscription.regions.set(regions)
    if activity_types is not None:
        subscription.activity_types = sorted(set(activity_types))
    if tags is not None:
        subscription.tags = sorted(set(tags))
    if alarm_minutes != "":
        subscription.alarm_minutes = alarm_minutes
    subscription.save()
    feeds_changing()
    return subscription


@transaction.atomic
def subscription_follow(*, actor: Any, tag: str, follow: bool = True) -> CalendarSubscription:
    subscription = subscription_get_or_create(actor=actor)
    tags = set(subscription.tags)
    (tags.add if follow else tags.discard)(tag)
    return subscription_update(actor=actor, tags=sorted(tags))


@transaction.atomic
def subscription_star(*, actor: Any, event: Event, star: bool = True) -> CalendarSubscription:
    subscription = subscription_get_or_create(actor=actor)
    if star:
        if event.status == EventStatus.CANCELLED:
            raise ValidationError(ERROR_STAR_CANCELLED)
        subscription.starred.add(event)
    else:
        subscription.starred.remove(event)
    subscription.save(update_fields=["changed_at"])
    feeds_changing()
    return subscription
