"""A real Celery worker on the real broker (Redis): the dispatcher's batches reach a real SMTP
server once each, and the same task delivered again sends nothing twice."""

import datetime as dt
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections
from django.utils import timezone

from events.models import DeliveryStatus, ReminderDelivery
from events.reminders.dispatch import reminders_dispatch
from events.reminders.emails import reminder_message_id
from events.tasks import reminders_send_batch
from tests.events.reminders.conftest import Sink
from tests.events.reminders.factories import EmailReminderRequestFactory, ReminderRequestFactory
from tests.factories import EventFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for the worker")
        time.sleep(0.05)


@pytest.fixture
def worker(redis_url: str, database_url: str) -> Iterator[Any]:
    """A worker thread consuming from Redis. It needs PostgreSQL too: the test run's in-memory
    SQLite (shared cache) answers "table is locked" at once to a second thread's writes."""
    from config.celery import app

    # CELERY_BROKER_URL defaults to REDIS_URL: the settings already point the app at it.
    assert app.conf.broker_url == redis_url or str(app.conf.broker_url).startswith("redis")
    saved = {"task_always_eager": app.conf.task_always_eager}
    database = connections.settings["default"]
    saved_age = database.get("CONN_MAX_AGE", 0)
    # The worker thread's own connection closes after each task, so the test database can be
    # dropped at the end of the run.
    database["CONN_MAX_AGE"] = 0
    app.conf.task_always_eager = False
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("celery")  # db of this test run only
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING") as worker:
            yield worker
    finally:
        app.conf.update(saved)
        database["CONN_MAX_AGE"] = saved_age


def test_worker_sends_each_email_once_even_when_the_task_comes_again(
    smtp: Sink, worker: Any, resident: Any
) -> None:
    start = timezone.now() + dt.timedelta(minutes=60) - dt.timedelta(seconds=30)
    event = EventFactory(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    ReminderRequestFactory(user=resident, event=event, offset_mask=2)
    for _ in range(2):
        EmailReminderRequestFactory(event=event, offset_mask=2)

    result = reminders_dispatch()  # commits; the batch goes to Redis after commit
    assert (result.created, result.claimed) == (3, 3)
    wait_for(lambda: len(smtp.received) == 3)
    ids = sorted(ReminderDelivery.objects.values_list("pk", flat=True))

    # The same message delivered again (same task id, same keys), twice.
    for _ in range(2):
        reminders_send_batch.apply_async(args=[ids], task_id="redelivered-batch")
    # A later batch: once its email is in, the worker has run the redelivered ones before it.
    later = EmailReminderRequestFactory(event=event, offset_mask=2)
    assert reminders_dispatch().claimed == 1
    wait_for(lambda: len(smtp.received) == 4)
    time.sleep(0.5)

    expected = {reminder_message_id(pk) for pk in [*ids, later.deliveries.get().pk]}
    assert sorted(smtp.message_ids()) == sorted(expected)  # 4 distinct, no duplicates
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
