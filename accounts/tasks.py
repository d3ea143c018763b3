"""Sign-up emails go out from the worker, retried while the mail server is away; the request
that asked for them has long answered. Tasks take the account's id, never a token."""

from smtplib import SMTPException
from typing import Any

from celery import shared_task

from accounts import services

SEND_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": True,
    "max_retries": 8,
    "ignore_result": True,
}


@shared_task(name="accounts.send_activation", **SEND_OPTIONS)
def send_activation(user_id: int) -> bool:
    return services.activation_send(user_id=user_id)


@shared_task(name="accounts.send_already_registered", **SEND_OPTIONS)
def send_already_registered(user_id: int) -> bool:
    return services.already_registered_send(user_id=user_id)


@shared_task(name="accounts.purge_pending_signups", ignore_result=True)
def purge_pending_signups() -> int:
    return services.pending_signups_purge()
