"""Celery tasks of scheduling: thin wrappers over services, primary keys only."""

from celery import shared_task

from scheduling.services import version_notify


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    name="scheduling.send_version_notices",
)
def send_version_notices(version_id: int) -> int:
    return version_notify(version_id=version_id)
