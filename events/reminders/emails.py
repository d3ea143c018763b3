"""The reminder, change-notice and confirmation emails: text and HTML in the recipient's
language, the join link, an .ics attachment built with `events.ical` (METHOD:PUBLISH, the
feeds' UID and SEQUENCE), a deterministic Message-ID and RFC 8058 one-click unsubscribe headers.

A batch renders each distinct (event, version, offset, language) once, with placeholders where
the recipient, Message-ID, date and unsubscribe token go, and serializes that email once with
Django's own EmailMessage; each email is then those bytes with its four values swapped in.
Measured here, Python's email package took 3-7 ms to serialize each message, more than the
rest of a send together (docs/benchmarks-reminders.md). When a placeholder does not survive
serialization verbatim (a body line over 998 octets, a non-ASCII address), the email is
built the ordinary way instead.
"""

import dataclasses
import datetime as dt
import email.policy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import MIMEPart
from email.utils import formatdate
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from events.feeds import ical_item
from events.ical import calendar_bytes, vevent_bytes
from events.models import Event, EventStatus, ReminderOffset

TEMPLATES = "events/reminders/email"
# Stands in for a token while a shared body is rendered: letters only, so no escaping or
# encoding can change it before it is replaced.
PLACEHOLDER = "QQunsubscribetokenQQ"
TO_PLACEHOLDER = "qqrecipientqq@placeholder.invalid"
ID_PLACEHOLDER = "<qqmessageidqq@placeholder.invalid>"
DATE_PLACEHOLDER = "Mon, 01 Jan 2001 01:01:01 -0000"  # a valid date: an invalid one is dropped
# Lines up to RFC 5322's 998 octets: bodies go 8bit, so placeholders in them stay verbatim.
TEMPLATE_POLICY = email.policy.SMTP.clone(max_line_length=998)
PLAIN_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$")
HTML_LANG = {"zh-hans": "zh-Hans", "en": "en"}


def base_url() -> str:
    return str(settings.PUBLIC_BASE_URL).rstrip("/")


def mail_domain() -> str:
    return urlsplit(base_url()).hostname or "localhost"


def reminder_message_id(delivery_id: int) -> str:
    return f"<delivery-{delivery_id}@{mail_domain()}>"


def notice_message_id(delivery_id: int) -> str:
    return f"<notice-{delivery_id}@{mail_domain()}>"


def unsubscribe_url(token: str) -> str:
    return f"{base_url()}/unsubscribe/{token}/"


def confirm_url(token: str) -> str:
    return f"{base_url()}/reminders/confirm/{token}/"


def event_url(event: Event) -> str:
    return f"{base_url()}/events/{event.pk}/"


@dataclass(frozen=True)
class Parts:
    subject: str
    text: str
    html: str
    ics: str
    language: str
    raw: bytes | None = None  # the whole email with placeholders (see the module's docstring)


@dataclass
class PartsCache:
    """Rendered parts of one batch, by (kind, event, sequence, offset, language)."""

    parts: dict[tuple[str, int, int, int | str, str], Parts] = field(default_factory=dict)


def _ics(event: Event) -> str:
    item = ical_item(event)
    return calendar_bytes(name=event.title, fragments=[vevent_bytes(item)]).decode()


def _render(name: str, context: Mapping[str, object], language: str) -> Parts:
    with translation.override(language):
        context = {**context, "html_lang": HTML_LANG.get(language, language)}
        subject = render_to_string(f"{TEMPLATES}/{name}_subject.txt", context)
        text = render_to_string(f"{TEMPLATES}/{name}.txt", context)
        html = render_to_string(f"{TEMPLATES}/{name}.html", context)
        event = context.get("event")
        ics = _ics(event) if isinstance(event, Event) else ""
    parts = Parts(" ".join(subject.split()), text, html, ics, language)
    return dataclasses.replace(parts, raw=_prebuild(parts))


def _event_context(event: Event) -> dict[str, object]:
    return {
        "event": event,
        "join_url": event.online_url or event_url(event),
        "event_url": event_url(event),
        "unsubscribe_url": unsubscribe_url(PLACEHOLDER),
        "reminders_url": f"{base_url()}/reminders/",
    }


def reminder_parts(cache: PartsCache, event: Event, offset: int, language: str) -> Parts:
    key = ("reminder", event.pk, event.sequence, offset, language)
    if key not in cache.parts:
        with translation.override(language):
            label = ReminderOffset(offset).label
        context = _event_context(event) | {"offset": offset, "offset_label": label}
        cache.parts[key] = _render("reminder", context, language)
    return cache.parts[key]


def notice_parts(
    cache: PartsCache, event: Event, reason: str, language: str, change: str = "rescheduled"
) -> Parts:
    key = ("notice", event.pk, event.sequence, change, language)
    if key not in cache.parts:
        cancelled = event.status == EventStatus.CANCELLED
        context = _event_context(event) | {
            "cancelled": cancelled,
            "relocated": change == "relocated",
            "reason": event.cancel_reason if cancelled else reason,
        }
        cache.parts[key] = _render("notice", context, language)
    return cache.parts[key]


class _Serialized:
    """An already serialized email, read by the mail backends like Django's own message."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def as_bytes(self, *args: Any, **kwargs: Any) -> bytes:
        return self._data

    def get_charset(self) -> None:
        return None


class PrebuiltEmail(EmailMultiAlternatives):
    """An email whose bytes were made from its batch's shared, serialized template."""

    raw = b""

    def message(self, *, policy: Any = email.policy.default) -> Any:
        return _Serialized(self.raw)


def _message(
    parts: Parts, *, to: str, token: str, message_id: str, date: str | None = None
) -> EmailMultiAlternatives:
    link = unsubscribe_url(token)
    headers = {
        "Message-ID": message_id,
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
        "Content-Language": HTML_LANG.get(parts.language, parts.language),
    }
    if date is not None:
        headers["Date"] = date
    message = EmailMultiAlternatives(
        subject=parts.subject,
        body=parts.text.replace(PLACEHOLDER, token),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(parts.html.replace(PLACEHOLDER, token), "text/html")
    if parts.ics:
        attachment = MIMEPart()
        attachment.set_content(
            parts.ics,
            subtype="calendar",
            charset="utf-8",
            disposition="attachment",
            filename="event.ics",
            params={"method": "PUBLISH"},
        )
        message.attach(attachment)
    return message


def _prebuild(parts: Parts) -> bytes | None:
    """The email serialized once with placeholders, if every one of them came out verbatim."""
    message = _message(
        parts, to=TO_PLACEHOLDER, token=PLACEHOLDER, message_id=ID_PLACEHOLDER,
        date=DATE_PLACEHOLDER,
    )  # fmt: skip
    raw: bytes = message.message(policy=TEMPLATE_POLICY).as_bytes()
    tokens = 1 + parts.text.count(PLACEHOLDER) + parts.html.count(PLACEHOLDER)
    expected = {PLACEHOLDER: tokens, TO_PLACEHOLDER: 1, ID_PLACEHOLDER: 1, DATE_PLACEHOLDER: 1}
    if any(raw.count(text.encode()) != n for text, n in expected.items()):
        return None
    return raw


def build(parts: Parts, *, to: str, token: str, message_id: str) -> EmailMultiAlternatives:
    """One email from shared parts: this recipient's address, unsubscribe link and Message-ID."""
    if parts.raw is None or not PLAIN_ADDRESS.match(to):
        return _message(parts, to=to, token=token, message_id=message_id)
    message = PrebuiltEmail(
        subject=parts.subject, body="", from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.raw = (
        parts.raw.replace(TO_PLACEHOLDER.encode(), to.encode())
        .replace(ID_PLACEHOLDER.encode(), message_id.encode())
        .replace(DATE_PLACEHOLDER.encode(), formatdate(usegmt=True).encode())
        .replace(PLACEHOLDER.encode(), token.encode())
    )
    return message


def confirmation_message(
    *,
    request_id: int,
    to: str,
    token: str,
    language: str,
    target_label: str,
    offsets: list[int],
    sent_at: dt.datetime,
) -> EmailMultiAlternatives:
    """The double opt-in email: the only thing an unconfirmed address ever receives."""
    with translation.override(language):
        labels = [str(ReminderOffset(m).label) for m in offsets]
    context = {
        "target_label": target_label,
        "offset_labels": labels,
        "confirm_url": confirm_url(token),
    }
    parts = _render("confirm", context, language)
    message = EmailMultiAlternatives(
        subject=parts.subject,
        body=parts.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "Message-ID": f"<confirm-{request_id}-{int(sent_at.timestamp())}@{mail_domain()}>",
            "Auto-Submitted": "auto-generated",
            "Content-Language": HTML_LANG.get(language, language),
        },
    )
    message.attach_alternative(parts.html, "text/html")
    return message
