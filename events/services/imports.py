"""Bulk import of events from a spreadsheet: every row is checked; all rows are stored or none."""

import hashlib
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.permissions import is_ministry, require_region_manager
from events.feeds import feeds_changing
from events.models import (
    ACTIVITY_TYPE_NOTICE_NAMES,
    LEVEL_NOTICE_NAMES,
    ActivityType,
    Event,
    EventSource,
    EventStatus,
    Level,
)
from events.rules import event_errors, remembered_weeks
from events.services.events import SEQUENCED_FIELDS, change_kind
from events.signals import event_changed
from events.spreadsheet import COLUMNS, Row, SpreadsheetError, parse_local_datetime, read_rows
from scheduling.models import Region

HEADERS = {cid: zh for cid, zh, _en, _req in COLUMNS}


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


class ImportFailed(Exception):  # noqa: N818 - an outcome the page shows, row by row
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s); nothing was imported")
        self.errors = errors


def _choice_lookup(enum: Any, notice_names: dict[Any, str]) -> dict[str, str]:
    lookup: dict[str, str] = {name.lower(): str(value) for value, name in notice_names.items()}
    # Spreadsheets often drop the quotation marks: 社长（总编）荐书活动.
    lookup.update(
        {
            name.replace("“", "").replace("”", "").lower(): str(value)
            for value, name in notice_names.items()
        }
    )
    for value, label in enum.choices:
        lookup[value.lower()] = value
        lookup[str(label).lower()] = value
        with override("zh-hans"):
            lookup[str(enum(value).label).lower()] = value
        with override("en"):
            lookup[str(enum(value).label).lower()] = value
    return lookup


def _import_key(region_code: str, data: dict[str, Any]) -> str:
    basis = "|".join(
        [region_code, data["title"], data["starts_at"].isoformat(), data.get("city") or "",
         data["activity_type"]]
    )  # fmt: skip
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _parse_row(
    row: Row, region: Region, types: dict[str, str], levels: dict[str, str]
) -> tuple[dict[str, Any], list[RowError]]:
    errors: list[RowError] = []
    tz = timezone.get_default_timezone()

    def text(key: str) -> str:
        value = row.values.get(key)
        return "" if value is None else str(value).strip()

    data: dict[str, Any] = {
        "title": text("title"),
        "activity_type": types.get(text("activity_type").lower(), text("activity_type")),
        "level": levels.get(text("level").lower(), text("level")),
        "city": text("city"),
        "venue": text("venue"),
        "online_url": text("online_url"),
        "organiser": text("organiser"),
        "description": text("description"),
        "region": region if levels.get(text("level").lower()) != Level.NATIONAL else None,
        "status": EventStatus.CONFIRMED,
    }
    for key in ("starts_at", "ends_at"):
        try:
            data[key] = parse_local_datetime(row.values.get(key), tz)
        except ValueError:
            errors.append(
                RowError(
                    row.line,
                    HEADERS[key],
                    _("%(value)r is not a date and time; write it as 2027-04-23 14:00.")
                    % {"value": text(key)},
                )
            )
            data[key] = None
    participants = text("participants")
    data["participants"] = None
    if participants:
        try:
            data["participants"] = int(float(participants))
            if float(participants) != data["participants"]:
                raise ValueError(participants)
        except ValueError:
            errors.append(
                RowError(
                    row.line,
                    HEADERS["participants"],
                    _("%(value)r is not a whole number of person-times.") % {"value": participants},
                )
            )
    return data, errors


def events_import(
    *, actor: Any, region_code: str, content: bytes, filename: str = ""
) -> dict[str, int]:
    """Import a region's events; returns how many rows were "created", "updated", "unchanged",
    and matched a "cancelled" event (left cancelled).

    Raises ImportFailed with every bad row's line, column and message, storing nothing."""
    require_region_manager(actor, region_code)
    region = Region.objects.get(code=region_code)
    try:
        rows = read_rows(content, filename)
    except SpreadsheetError as exc:
        raise ImportFailed([RowError(1, "", str(exc))]) from exc
    types = _choice_lookup(ActivityType, ACTIVITY_TYPE_NOTICE_NAMES)
    levels = _choice_lookup(Level, LEVEL_NOTICE_NAMES)
    ministry = is_ministry(actor)
    with remembered_weeks():
        parsed, errors = _check_rows(rows, region, region_code, types, levels, ministry)
    if errors:
        raise ImportFailed(errors)
    return _store(actor, region, [data for _row, data in parsed])


def _check_rows(
    rows: list[Row],
    region: Region,
    region_code: str,
    types: dict[str, str],
    levels: dict[str, str],
    ministry: bool,
) -> tuple[list[tuple[Row, dict[str, Any]]], list[RowError]]:
    parsed: list[tuple[Row, dict[str, Any]]] = []
    errors: list[RowError] = []
    keys: dict[str, int] = {}
    for row in rows:
        data, row_errors = _parse_row(row, region, types, levels)
        errors += row_errors
        if not row_errors:
            for field, messages in event_errors(data, is_ministry=ministry).items():
                column = HEADERS.get(field, field)
                errors += [RowError(row.line, column, m) for m in messages]
        if not row_errors and data["starts_at"] is not None:
            key = _import_key(region_code, data)
            if key in keys:
                errors.append(
                    RowError(
                        row.line, "", _("This row repeats line %(line)s.") % {"line": keys[key]}
                    )
                )
            keys[key] = row.line
            data["import_key"] = key
        parsed.append((row, data))
    return parsed, errors


@transaction.atomic
def _store(actor: Any, region: Region, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Rows matching an earlier import update that event from the file, as an edit on the site
    would (SEQUENCE, change notices), except that a cancelled event stays cancelled and an
    event's status is never set by a file. National rows (no region) match too."""
    existing = {
        e.import_key: e
        # of=("self",): national rows make the region join an outer one, which PostgreSQL
        # will not lock; the events are what must not change meanwhile.
        for e in Event.objects.select_for_update(of=("self",))
        .select_related("region")
        .filter(Q(region=region) | Q(region__isnull=True))
        .filter(import_key__in=[r["import_key"] for r in rows])
    }
    counts = {"created": 0, "updated": 0, "unchanged": 0, "cancelled": 0}
    new: list[Event] = []
    announcements: list[tuple[int, str]] = []
    now = timezone.now()
    for data in rows:
        participants = data.pop("participants")
        event = existing.get(data["import_key"])
        if event is None:
            new.append(Event(**data, participants=participants,
                             participants_recorded_at=now if participants is not None else None,
                             source=EventSource.IMPORTED, created_by=actor))  # fmt: skip
            continue
        if event.status == EventStatus.CANCELLED:
            counts["cancelled"] += 1  # ERROR_CANCELLED_IS_FINAL: a file does not revive it
            continue
        data.pop("status")
        changed = {k: v for k, v in data.items() if getattr(event, k) != v}
        if participants is not None and participants != event.participants:
            changed["participants"] = participants
            changed["participants_recorded_at"] = now
        if not changed:
            counts["unchanged"] += 1
            continue
        kind = change_kind({k: getattr(event, k) for k in data}, data)
        bump = any(k in SEQUENCED_FIELDS for k in changed)
        for key, value in changed.items():
            setattr(event, key, value)
        if bump:
            event.sequence = F("sequence") + 1
        event.save()
        announcements.append((event.pk, kind))
        counts["updated"] += 1
    Event.objects.bulk_create(new, batch_size=1000)
    counts["created"] = len(new)
    if counts["created"] or counts["updated"]:
        feeds_changing()
    transaction.on_commit(partial(_announce_all, [e.pk for e in new], announcements))
    return counts


def _announce_all(created: list[int], changed: list[tuple[int, str]]) -> None:
    for event_id, kind in [(pk, "created") for pk in created] + changed:
        event_changed.send(sender=Event, event_id=event_id, change=kind, reason="")
