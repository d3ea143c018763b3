"""Row SQL of the two hot paths: making the due reminders of an event (one INSERT … SELECT),
and, per email, locking its row, reading what decides whether it still goes, marking it after.

Hand-written because of volume: the ORM made 20,000 reminder rows in 3.3 s as Python objects
where one statement takes a fraction of that, and compiling the per-email ORM queries (a locked
select with three joins, then an update) cost 1-3 ms of Python per email here, more than the
database took to answer them. Only the email row is locked (`FOR UPDATE OF`): locking the event
as well would serialize every reminder of a popular talk; a change racing a send is followed
by its change notice. Comparisons of times happen in SQL, so SQLite's text datetimes never
reach Python. SQLite has no row locks: its IMMEDIATE transactions serialize writers instead.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection

from events.models import Event, NoticeDelivery, NoticeOptOut, ReminderDelivery, ReminderRequest


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _lock_clause() -> str:
    return " FOR UPDATE OF d" if connection.features.has_select_for_update_of else ""


@cache
def _reminder_sql(vendor: str) -> str:
    return (
        "SELECT d.status, e.status,"  # noqa: S608 - table names from the models
        " (e.sequence = d.sequence AND e.starts_at = d.starts_at),"
        " (e.starts_at > %s),"
        " r.offset_mask, (r.confirmed_at IS NOT NULL AND r.unsubscribed_at IS NULL)"
        f" FROM {_table(ReminderDelivery)} d"
        f" JOIN {_table(Event)} e ON e.id = d.event_id"
        f" JOIN {_table(ReminderRequest)} r ON r.id = d.request_id"
        " WHERE d.id = %s" + _lock_clause()
    )


@cache
def _notice_sql(vendor: str) -> str:
    return (
        "SELECT d.status, d.request_id,"  # noqa: S608 - table names from the models
        " (r.confirmed_at IS NOT NULL AND r.unsubscribed_at IS NULL AND r.offset_mask > 0),"
        f" EXISTS (SELECT 1 FROM {_table(NoticeOptOut)} o WHERE o.user_id = d.user_id)"
        f" FROM {_table(NoticeDelivery)} d"
        f" LEFT JOIN {_table(ReminderRequest)} r ON r.id = d.request_id"
        " WHERE d.id = %s" + _lock_clause()
    )


def reminders_insert(
    *,
    event_id: int,
    offset: int,
    sequence: int,
    starts_at: dt.datetime,
    targets: Sequence[str],
    masks: Sequence[int],
    now: dt.datetime,
) -> int:
    """One reminder row per person whose active request covers this event at this offset,
    unless they have one for this version already (the lowest request wins). Returns how many."""
    adapt = connection.ops.adapt_datetimefield_value
    due_at = starts_at - dt.timedelta(minutes=offset)
    target_marks = ", ".join(["%s"] * len(targets))
    mask_marks = ", ".join(["%s"] * len(masks))
    sql = (
        f"INSERT INTO {_table(ReminderDelivery)} (request_id, event_id, offset_minutes,"  # noqa: S608 - table names from the models
        " sequence, recipient, starts_at, due_at, status, attempts, last_error, created_at)"
        " SELECT MIN(r.id), %s, %s, %s, r.recipient, %s, %s, %s, 0, '', %s"
        f" FROM {_table(ReminderRequest)} r"
        f" WHERE r.target IN ({target_marks}) AND r.offset_mask IN ({mask_marks})"
        " AND r.confirmed_at IS NOT NULL AND r.unsubscribed_at IS NULL"
        f" AND NOT EXISTS (SELECT 1 FROM {_table(ReminderDelivery)} d"
        " WHERE d.recipient = r.recipient AND d.event_id = %s AND d.offset_minutes = %s"
        " AND d.sequence = %s)"
        " GROUP BY r.recipient"
        " ON CONFLICT DO NOTHING"
    )
    params = [
        event_id, offset, sequence, adapt(starts_at), adapt(due_at), "pending", adapt(now),
        *targets, *masks, event_id, offset, sequence,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def claim(
    model: type[ReminderDelivery] | type[NoticeDelivery],
    *,
    where: str,
    params: Sequence[Any],
    group: str,
    now: dt.datetime,
    limit: int,
) -> list[tuple[int, int]]:
    """Mark up to `limit` rows matching `where` queued, oldest due first, skipping rows another
    dispatcher has locked; one statement. Returns (id, group) of each, in no order."""
    skip = (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    table = _table(model)
    sql = (
        f"UPDATE {table} SET status = %s, claimed_at = %s, started_at = NULL"  # noqa: S608 - table names from the models
        f" WHERE id IN (SELECT id FROM {table} WHERE {where}"
        f" ORDER BY due_at, {group}, id LIMIT %s{skip})"
        f" RETURNING id, {group}"
    )
    adapt = connection.ops.adapt_datetimefield_value
    values = [adapt(v) if isinstance(v, dt.datetime) else v for v in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, ["queued", adapt(now), *values, limit])
        return [(int(pk), int(key)) for pk, key in cursor.fetchall()]


@dataclass(frozen=True)
class ReminderState:
    status: str
    event_status: str
    same_version: bool  # the event still has the SEQUENCE and start the row was made for
    to_come: bool  # the event has not started
    offset_mask: int
    request_active: bool


@dataclass(frozen=True)
class NoticeState:
    status: str
    request_active: bool | None  # None: the notice came without a request
    opted_out: bool


def reminder_lock(pk: int, now: dt.datetime) -> ReminderState | None:
    """Lock a reminder row (inside the caller's transaction) and read its deciding state."""
    with connection.cursor() as cursor:
        cursor.execute(
            _reminder_sql(connection.vendor), [connection.ops.adapt_datetimefield_value(now), pk]
        )
        found = cursor.fetchone()
    if found is None:
        return None
    status, event_status, same, to_come, mask, active = found
    return ReminderState(status, event_status, bool(same), bool(to_come), int(mask), bool(active))


def notice_lock(pk: int, now: dt.datetime) -> NoticeState | None:
    with connection.cursor() as cursor:
        cursor.execute(_notice_sql(connection.vendor), [pk])
        found = cursor.fetchone()
    if found is None:
        return None
    status, request_id, active, opted_out = found
    return NoticeState(status, None if request_id is None else bool(active), bool(opted_out))


def mark(
    model: type[ReminderDelivery] | type[NoticeDelivery],
    pk: int,
    *,
    status: str | None = None,
    last_error: str | None = None,
    tried: bool = False,
    sent_at: dt.datetime | None = None,
    token_hash: str | None = None,
) -> None:
    """Record what happened to a locked row: its status, the try, the error, the send."""
    sets: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("status", status),
        ("last_error", last_error),
        ("sent_at", connection.ops.adapt_datetimefield_value(sent_at) if sent_at else None),
        ("unsubscribe_token_hash", token_hash),
    ):
        if value is not None:
            sets.append(f"{column} = %s")
            params.append(value)
    if tried:
        sets.append("attempts = attempts + 1")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_table(model)} SET {', '.join(sets)} WHERE id = %s", [*params, pk])  # noqa: S608 - fixed column names
