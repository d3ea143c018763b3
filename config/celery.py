"""The Celery app, configured from Django settings (CELERY_* names) with tasks autodiscovered."""

import os
import time
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

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
