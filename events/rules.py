"""The rules an event must keep, shared by the form, the spreadsheet import and the API.

`event_errors` returns per-field messages (nothing raised), so an import can collect the errors
of every row before deciding to store none.
"""

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from events.models import ActivityType, EventStatus, Level
from scheduling.models import PublishedVersion, Region
from scheduling.yearcal import week_bounds

MAX_DAYS = 31
MAX_PARTICIPANTS = 50_000_000  # more than any single activity's person-times could be

ERROR_REQUIRED = _("This field is required.")
ERROR_TYPE = _("%(value)r is not an activity type; choose one of: %(choices)s.")
ERROR_LEVEL = _("%(value)r is not a level; choose one of: %(choices)s.")
ERROR_STATUS = _("%(value)r is not a status; choose one of: %(choices)s.")
ERROR_END_BEFORE_START = _(
    "The event ends (%(end)s) before it starts (%(start)s); the end must come after the start."
)
ERROR_TOO_LONG = _("An event lasts at most %(days)s days; split longer programmes into events.")
ERROR_CITY_NEEDED = _("Say which city or county holds a %(level)s event.")
ERROR_REGION_NEEDED = _("Choose the region that holds the event.")
ERROR_NATIONAL_MINISTRY = _("Only the Ministry enters national events.")
ERROR_URL = _("The online link must start with http:// or https://.")
ERROR_LW_NO_WEEK = _(
    "%(region)s has no published Learning Week in %(year)s yet, so a Learning Week event "
    "cannot be placed; enter it as another type or wait for the calendar."
)
ERROR_LW_OUTSIDE = _(
    "A Learning Week event of %(region)s must fall within its allocated week %(week)s "
    "(%(first)s to %(last)s)."
)
ERROR_PARTICIPANTS_NEGATIVE = _("Participants cannot be negative; enter 0 or more person-times.")
ERROR_PARTICIPANTS_ABSURD = _("%(value)s person-times is not believable for one activity.")
ERROR_PARTICIPANTS_FUTURE = _("Participants are recorded after the event has taken place.")


def _choices(enum: Any) -> str:
    return ", ".join(f"{value} ({label})" for value, label in enum.choices)


def _local(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def allocated_week(region: Region, iso_year: int) -> int | None:
    memo = _WEEK_MEMO.get()
    if memo is not None:
        key = (region.code, iso_year)
        if key not in memo:
            memo[key] = _allocated_week(region, iso_year)
        return memo[key]
    return _allocated_week(region, iso_year)


# Within one bulk check (an import of thousands of rows) the published weeks do not change:
# `remembered_weeks()` lets the rules look each region's week up once instead of per row.
_WEEK_MEMO: ContextVar[dict[tuple[str, int], int | None] | None] = ContextVar(
    "week_memo", default=None
)


@contextmanager
def remembered_weeks() -> Iterator[None]:
    token = _WEEK_MEMO.set({})
    try:
        yield
    finally:
        _WEEK_MEMO.reset(token)


def _allocated_week(region: Region, iso_year: int) -> int | None:
    version = (
        PublishedVersion.objects.filter(campaign_year__year=iso_year).order_by("-number").first()
    )
    if version is None:
        return None
    assignment = version.assignments.filter(region=region).first()
    return assignment.week_number if assignment else None


def event_errors(data: Mapping[str, Any], *, is_ministry: bool) -> dict[str, list[str]]:
    """Check one event's fields (already parsed to Python values); {} when all is well."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: Any) -> None:
        errors.setdefault(field, []).append(str(message))

    title = (data.get("title") or "").strip()
    if not title:
        add("title", ERROR_REQUIRED)
    activity_type = data.get("activity_type")
    if activity_type not in ActivityType.values:
        add(
            "activity_type",
            ERROR_TYPE % {"value": activity_type, "choices": _choices(ActivityType)},
        )
    level = data.get("level")
    if level not in Level.values:
        add("level", ERROR_LEVEL % {"value": level, "choices": _choices(Level)})
    status = data.get("status", EventStatus.CONFIRMED)
    if status not in EventStatus.values:
        add("status", ERROR_STATUS % {"value": status, "choices": _choices(EventStatus)})
    region: Region | None = data.get("region")
    if level == Level.NATIONAL:
        if not is_ministry:
            add("level", ERROR_NATIONAL_MINISTRY)
    elif level in Level.values and region is None:
        add("region", ERROR_REGION_NEEDED)
    if level in (Level.PREFECTURE, Level.COUNTY) and not (data.get("city") or "").strip():
        add("city", ERROR_CITY_NEEDED % {"level": Level(level).label})
    url = (data.get("online_url") or "").strip()
    if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        add("online_url", ERROR_URL)
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if starts_at is None:
        add("starts_at", ERROR_REQUIRED)
    if ends_at is None:
        add("ends_at", ERROR_REQUIRED)
    if starts_at is not None and ends_at is not None:
        if ends_at <= starts_at:
            add(
                "ends_at",
                ERROR_END_BEFORE_START % {"end": _local(ends_at), "start": _local(starts_at)},
            )
        elif ends_at - starts_at > dt.timedelta(days=MAX_DAYS):
            add("ends_at", ERROR_TOO_LONG % {"days": MAX_DAYS})
        elif activity_type == ActivityType.LEARNING_WEEK and region is not None:
            errors.update(_learning_week_errors(region, starts_at, ends_at))
    participants = data.get("participants")
    if participants is not None:
        errors.update(participants_errors(participants, starts_at))
    return errors


def _learning_week_errors(
    region: Region, starts_at: dt.datetime, ends_at: dt.datetime
) -> dict[str, list[str]]:
    local_start = timezone.localtime(starts_at)
    iso_year = local_start.isocalendar().year
    week = allocated_week(region, iso_year)
    if week is None:
        return {"starts_at": [str(ERROR_LW_NO_WEEK % {"region": region.name, "year": iso_year})]}
    first, last = week_bounds(iso_year, week)
    local_end = timezone.localtime(ends_at - dt.timedelta(microseconds=1))
    if not (first <= local_start.date() <= last and first <= local_end.date() <= last):
        message = ERROR_LW_OUTSIDE % {
            "region": region.name,
            "week": week,
            "first": date_format(first, "SHORT_DATE_FORMAT"),
            "last": date_format(last, "SHORT_DATE_FORMAT"),
        }
        return {"starts_at": [str(message)]}
    return {}


def participants_errors(value: int, starts_at: dt.datetime | None) -> dict[str, list[str]]:
    if value < 0:
        return {"participants": [str(ERROR_PARTICIPANTS_NEGATIVE)]}
    if value > MAX_PARTICIPANTS:
        return {"participants": [str(ERROR_PARTICIPANTS_ABSURD % {"value": value})]}
    if value > 0 and starts_at is not None and starts_at > timezone.now():
        return {"participants": [str(ERROR_PARTICIPANTS_FUTURE)]}
    return {}
