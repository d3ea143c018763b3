"""Sending reminder and change-notice emails, each row at most once: one transaction per email
locks the row, skips it when it is already done (so a redelivered task is harmless), re-checks
that it still applies, sends, and marks it sent with its Message-ID's number and the hash of
its unsubscribe token. A refused or unreachable mail server is recorded on the row; the task
retries the batch, and on its last try what still fails is marked failed, never dropped.
"""

import contextlib
import datetime as dt
import smtplib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import connection, models, transaction
from django.utils import timezone

from events.models import (
    DeliveryStatus,
    EventStatus,
    NoticeDelivery,
    ReminderDelivery,
    ReminderRequest,
)
from events.models.reminders import DONE_STATUSES, OFFSET_BITS, ReminderOffset, mask_to_offsets
from events.reminders import rows
from events.reminders.emails import (
    Parts,
    PartsCache,
    build,
    confirmation_message,
    notice_message_id,
    notice_parts,
    reminder_message_id,
    reminder_parts,
)
from events.reminders.selectors import target_labels
from events.reminders.services import new_token


@dataclass
class BatchResult:
    sent: int = 0
    skipped: int = 0
    obsolete: int = 0
    failed: int = 0
    deferred: int = 0


@dataclass(frozen=True)
class Plan:
    obsolete: str = ""
    failed: str = ""
    to: str = ""
    parts: Parts | None = None
    message_id: str = ""


class Mailer:
    """One connection to the mail server for a batch, opened at the first email really sent."""

    def __init__(self) -> None:
        self._connection: Any = None

    def send(self, message: mail.EmailMessage) -> None:
        if self._connection is None:
            backend = mail.mailers.default
            backend.open()
            self._connection = backend
        self._connection.send_messages([message])

    def reset(self) -> None:
        backend, self._connection = self._connection, None
        if backend is not None:
            # A broken connection may fail to close; a new one is opened next time anyway.
            with contextlib.suppress(OSError):
                backend.close()


def _permanent(exc: BaseException) -> bool:
    """5xx: the server will never take this message; retrying would not help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def _connection_level(exc: BaseException) -> bool:
    """The server is unreachable or dropped us: the rest of the batch would fail the same way."""
    if isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPHeloError):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421
    return not isinstance(exc, smtplib.SMTPRecipientsRefused)


def describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
        return f"{exc.smtp_code} {text}".strip()[:500]
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{code} {msg.decode(errors='replace')}" for code, msg in exc.recipients.values()]
        return "; ".join(parts)[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


def _address(request: ReminderRequest) -> tuple[str, str]:
    if request.user is not None:
        return request.user.email, request.user.language
    return request.email, request.language


def _reminder_plan(row: ReminderDelivery, state: Any, cache: PartsCache) -> Plan:
    bit = OFFSET_BITS[ReminderOffset(row.offset_minutes)]
    if not state.request_active or not state.offset_mask & bit:
        return Plan(obsolete="stopped")
    if state.event_status == EventStatus.CANCELLED:
        return Plan(obsolete="cancelled")
    if state.event_status != EventStatus.CONFIRMED:
        return Plan(obsolete="tentative")
    if not state.same_version:
        return Plan(obsolete="moved")
    if not state.to_come:
        return Plan(obsolete="started")
    to, language = _address(row.request)
    if not to:
        return Plan(failed="no_address")
    parts = reminder_parts(cache, row.event, row.offset_minutes, language)
    return Plan(to=to, parts=parts, message_id=reminder_message_id(row.pk))


def _notice_plan(row: NoticeDelivery, state: Any, cache: PartsCache) -> Plan:
    if state.request_active is not None:
        assert row.request is not None
        if not state.request_active:
            return Plan(obsolete="stopped")
        to, language = _address(row.request)
    else:
        assert row.user is not None
        if state.opted_out:
            return Plan(obsolete="opted_out")
        to, language = row.user.email, row.user.language
    if not to:
        return Plan(failed="no_address")
    notice = row.notice
    parts = notice_parts(cache, notice.event, notice.reason, language, notice.change)
    return Plan(to=to, parts=parts, message_id=notice_message_id(row.pk))


@dataclass(frozen=True)
class _Kind:
    model: type[ReminderDelivery] | type[NoticeDelivery]
    related: tuple[str, ...]  # read once per batch, to render and address the emails
    lock: Callable[[int, dt.datetime], Any]  # per email, inside its transaction
    plan: Callable[[Any, Any, PartsCache], Plan]


REMINDERS = _Kind(
    ReminderDelivery, ("request__user", "event__region"), rows.reminder_lock, _reminder_plan
)
NOTICES = _Kind(
    NoticeDelivery,
    ("notice__event__region", "request__user", "user"),
    rows.notice_lock,
    _notice_plan,
)


def _send_one(
    kind: _Kind, row: Any, mailer: Mailer, cache: PartsCache, *, final: bool
) -> tuple[str, OSError | None]:
    with transaction.atomic():
        state = kind.lock(row.pk, timezone.now())
        if state is None or state.status in DONE_STATUSES:
            return "skipped", None  # done by an earlier delivery of this task
        plan = kind.plan(row, state, cache)
        if plan.obsolete or plan.failed:
            status = DeliveryStatus.OBSOLETE if plan.obsolete else DeliveryStatus.FAILED
            rows.mark(kind.model, row.pk, status=status, last_error=plan.obsolete or plan.failed)
            return ("obsolete" if plan.obsolete else "failed"), None
        assert plan.parts is not None
        token, digest = new_token()
        message = build(plan.parts, to=plan.to, token=token, message_id=plan.message_id)
        try:
            mailer.send(message)
        except OSError as exc:  # smtplib.SMTPException is an OSError
            permanent = _permanent(exc)
            failed = permanent or final
            rows.mark(
                kind.model, row.pk, tried=True, last_error=describe(exc),
                status=DeliveryStatus.FAILED if failed else None,
            )  # fmt: skip
            return ("failed" if failed else "deferred"), None if permanent else exc
        except ValueError as exc:  # an address no mail server could take (UnicodeError too)
            rows.mark(
                kind.model, row.pk, tried=True, last_error=describe(exc),
                status=DeliveryStatus.FAILED,
            )  # fmt: skip
            return "failed", None
        rows.mark(
            kind.model, row.pk, status=DeliveryStatus.SENT, tried=True,
            sent_at=timezone.now(), token_hash=digest,
        )  # fmt: skip
        return "sent", None


def _fail_untried(model: type[models.Model], ids: Sequence[int], exc: BaseException) -> int:
    return model._default_manager.filter(
        pk__in=ids, status__in=(DeliveryStatus.PENDING, DeliveryStatus.QUEUED)
    ).update(status=DeliveryStatus.FAILED, last_error=f"not_tried {describe(exc)}"[:500])


@contextlib.contextmanager
def _commit_without_waiting_for_disk() -> Iterator[None]:
    """PostgreSQL: the batch's commits do not wait for the WAL to reach the disk.

    Each email is one transaction; waiting for fsync at each commit cost ~5 ms here, more than
    everything else of a send. A killed worker loses nothing by this (its commits are in the
    server); only a crash of the database server itself within ~0.6 s can undo the last "sent"
    marks, and those emails are then sent again with the same Message-ID. Set
    REMINDERS_SYNCHRONOUS_COMMIT = True to wait for the disk anyway."""
    if connection.vendor != "postgresql" or getattr(
        settings, "REMINDERS_SYNCHRONOUS_COMMIT", False
    ):
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _send_batch(kind: _Kind, ids: Sequence[int], *, final: bool) -> BatchResult:
    with _commit_without_waiting_for_disk():
        return _send_rows(kind, ids, final=final)


def _send_rows(kind: _Kind, ids: Sequence[int], *, final: bool) -> BatchResult:
    result = BatchResult()
    mailer, cache = Mailer(), PartsCache()
    deferred: OSError | None = None
    remaining = sorted(set(ids))
    # Tells the dispatcher a worker has these rows: if they are still not done long after,
    # the worker died and they are handed out again.
    kind.model.objects.filter(pk__in=remaining, status=DeliveryStatus.QUEUED).update(
        started_at=timezone.now()
    )
    related = kind.model.objects.filter(pk__in=remaining).select_related(*kind.related)
    loaded = {row.pk: row for row in related}
    try:
        for index, pk in enumerate(remaining):
            if pk not in loaded:
                result.skipped += 1
                continue
            outcome, exc = _send_one(kind, loaded[pk], mailer, cache, final=final)
            setattr(result, outcome, getattr(result, outcome) + 1)
            if exc is None:
                continue
            mailer.reset()
            if _connection_level(exc):
                if not final:
                    raise exc
                result.failed += _fail_untried(kind.model, remaining[index + 1 :], exc)
                break
            deferred = deferred or exc
    finally:
        mailer.reset()
    if deferred is not None and not final:
        raise deferred  # the task retries the batch; what was sent is skipped then
    return result


def reminders_send(*, delivery_ids: Sequence[int], final: bool = False) -> BatchResult:
    """Send a batch of reminder rows. `final` (the task's last try): failures are marked failed
    instead of raised for a retry."""
    return _send_batch(REMINDERS, delivery_ids, final=final)


def notices_send(*, delivery_ids: Sequence[int], final: bool = False) -> BatchResult:
    return _send_batch(NOTICES, delivery_ids, final=final)


def confirmation_send(*, request_id: int) -> bool:
    """Send the confirmation link of an email-only request, once per time it was asked for. A
    new random token replaces the last; only its hash is stored, with the send."""
    with transaction.atomic():
        request = ReminderRequest.objects.select_for_update().filter(pk=request_id).first()
        if (
            request is None
            or request.user_id is not None
            or not request.pending_mask
            or request.confirm_requested_at is None
            or (request.confirm_sent_at and request.confirm_sent_at >= request.confirm_requested_at)
        ):
            return False
        token, digest = new_token()
        now = timezone.now()
        message = confirmation_message(
            request_id=request.pk,
            to=request.email,
            token=token,
            language=request.language,
            target_label=_label(request.target, request.language),
            offsets=mask_to_offsets(request.pending_mask),
            sent_at=now,
        )
        request.confirm_token_hash, request.confirm_sent_at = digest, now
        request.save(update_fields=["confirm_token_hash", "confirm_sent_at"])
        mailer = Mailer()
        try:
            mailer.send(message)
        finally:
            mailer.reset()
    return True


def _label(target: str, language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return target_labels([target]).get(target, target)
