"""Celery tasks of the lecture hall: thin wrappers over services, primary keys only.

Nothing here talks to browsers (the in-memory channel layer is one process only): the live
room's tick, inside the ASGI process, does that. These tasks only compute and store.
"""

from celery import current_app, shared_task

from lecture_hall.live.selectors import sessions_due_summary
from lecture_hall.live.services import attendance_summarize

SUMMARY_SWEEP_SECONDS = 300.0


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    name="lecture_hall.summarize_attendance",
)
def summarize_attendance(session_id: int) -> int | None:
    """A finished session's attendance (idempotent: recomputed from every span)."""
    record = attendance_summarize(session_id=session_id)
    return record.distinct_viewers if record else None


@shared_task(name="lecture_hall.summarize_due_attendance", ignore_result=True)
def summarize_due_attendance() -> int:
    """Sessions over whose summary is missing or stale: those nobody was watching when they
    ended (no tick closed their room) and those with spans written after their summary."""
    due = sessions_due_summary()
    for session_id in due:
        summarize_attendance.delay(session_id)
    return len(due)


# Beat runs the catch-up every five minutes. Registered here so the lecture hall owns it;
# config/settings/base.py's CELERY_BEAT_SCHEDULE may take it over under the same name.
current_app.conf.beat_schedule.setdefault(
    "lecture-hall-summarize-due-attendance",
    {"task": "lecture_hall.summarize_due_attendance", "schedule": SUMMARY_SWEEP_SECONDS},
)
