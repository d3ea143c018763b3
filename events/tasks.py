"""Celery tasks of events: thin wrappers over the reminder services, primary keys only.

The sending tasks are safe to run twice with the same keys (each row is locked and skipped
once done), which is what makes `acks_late` + `reject_on_worker_lost` (a killed worker's
message is delivered again) exactly-once at the rows. Mail-server failures are retried with
exponential backoff; on the last try what still fails is marked failed on its row instead.
"""

from smtplib import SMTPException
from typing import Any

from celery import shared_task
from django.conf import settings

from events.reminders import dispatch, sending

MAX_RETRIES = int(getattr(settings, "REMINDERS_MAX_RETRIES", 5))
# Per worker, in batches (of REMINDERS_BATCH_SIZE emails): what the mail server accepts.
# Change it at run time with `celery -A config control rate_limit events.reminders_send_batch`.
RATE_LIMIT = getattr(settings, "REMINDERS_RATE_LIMIT", "600/m")

SEND_OPTIONS: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": MAX_RETRIES,
    "rate_limit": RATE_LIMIT,
    "ignore_result": True,
}


def _last_try(task: Any) -> bool:
    return int(task.request.retries or 0) >= int(task.max_retries or 0)


@shared_task(name="events.reminders_dispatch", ignore_result=True, acks_late=True)
def reminders_dispatch() -> dict[str, int]:
    """Every minute (CELERY_BEAT_SCHEDULE): make due reminders and notices, hand them out."""
    return vars(dispatch.reminders_dispatch())


@shared_task(name="events.reminders_send_batch", **SEND_OPTIONS)
def reminders_send_batch(self: Any, delivery_ids: list[int]) -> dict[str, int]:
    result = sending.reminders_send(delivery_ids=delivery_ids, final=_last_try(self))
    return vars(result)


@shared_task(name="events.notices_send_batch", **SEND_OPTIONS)
def notices_send_batch(self: Any, delivery_ids: list[int]) -> dict[str, int]:
    result = sending.notices_send(delivery_ids=delivery_ids, final=_last_try(self))
    return vars(result)


@shared_task(
    name="events.reminders_send_confirmation",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=MAX_RETRIES,
    ignore_result=True,
)
def reminders_send_confirmation(request_id: int) -> bool:
    return sending.confirmation_send(request_id=request_id)
