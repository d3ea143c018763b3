"""The Celery app, configured from Django settings (CELERY_* names) with tasks autodiscovered.

Logging: workers and beat use the platform's own logging (Django's LOGGING: redaction, request
ids, JSON in production) instead of Celery's, and a task sent during a request carries that
request's id in a message header, so its log lines can be found from the request's.
"""

import os
import time
from pathlib import Path
from typing import Any

from celery import Celery, Task
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

from config.logging import request_id_var

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The message header that carries the sending request's id to the worker.
REQUEST_ID_HEADER = "platform_request_id"


@setup_logging.connect
def use_platform_logging(**_: Any) -> None:
    """Connected, so Celery does not replace the root logger's handlers with its own."""
    from django.conf import settings

    from config.logging import configure

    configure(settings.LOGGING)


@before_task_publish.connect
def add_request_id_header(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = request_id_var.get()
    if headers is not None and request_id and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = request_id


def _header_request_id(task: Task) -> str | None:
    request = task.request
    value = getattr(request, REQUEST_ID_HEADER, None) or (request.headers or {}).get(
        REQUEST_ID_HEADER
    )
    return value if isinstance(value, str) else None


# Per task id: the context token to put the previous request id back after the task.
_tokens: dict[str, Any] = {}


@task_prerun.connect
def restore_request_id(task_id: str | None = None, task: Task | None = None, **_: Any) -> None:
    if task is None or task_id is None:
        return
    request_id = _header_request_id(task)
    if request_id is None and task.request.is_eager:
        return  # run in the sending request's own context: its id is already there
    _tokens[task_id] = request_id_var.set(request_id)


@task_postrun.connect
def forget_request_id(task_id: str | None = None, **_: Any) -> None:
    token = _tokens.pop(task_id, None) if task_id else None
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context (a pool that switched threads)
            request_id_var.set(None)


# kombu's filesystem transport never empties its processed folder (~4 KB a message).
PROCESSED_KEEP_SECONDS = 24 * 3600


@app.task(name="config.celery.prune_processed_messages", ignore_result=True)
def prune_processed_messages() -> int:
    """Delete processed embedded-broker messages older than a day; a no-op on real brokers."""
    from django.conf import settings

    folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("processed_folder")
    if not folder:
        return 0
    cutoff = time.time() - PROCESSED_KEEP_SECONDS
    removed = 0
    for path in Path(folder).iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another worker pruned it first
            continue
    return removed
