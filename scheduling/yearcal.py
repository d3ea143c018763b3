"""The shape of a campaign year: ISO weeks, China's public holidays, make-up days, golden weeks.

Pure computation (no Django): holidays come from the `holidays` package, and hand-made
overrides (the Ministry's word for years the State Council has not announced yet) win.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import holidays

# Holidays whose run of days off blocks, by default, each week holding at least
# GOLDEN_MIN_DAYS of its official days off (a week that only loses a Sunday or a Monday to the
# golden week is still a good Learning Week).
GOLDEN_MIN_DAYS = 2
GOLDEN_WEEK_HOLIDAYS = {
    "Chinese New Year (Spring Festival)": ("春节黄金周", "Spring Festival golden week"),
    "National Day": ("国庆黄金周", "National Day golden week"),
}


class DayKind(StrEnum):
    HOLIDAY = "holiday"  # a day off
    WORKDAY = "workday"  # a make-up working day (调休上班), usually a weekend day
    NORMAL = "normal"  # an override that removes a holiday or make-up day


@dataclass(frozen=True)
class Day:
    date: dt.date
    kind: DayKind
    name_zh: str
    name_en: str
    manual: bool = False


@dataclass(frozen=True)
class WeekShape:
    number: int
    starts_on: dt.date
    ends_on: dt.date
    holidays: tuple[Day, ...]
    workdays: tuple[Day, ...]
    golden_zh: str | None
    golden_en: str | None

    @property
    def is_golden(self) -> bool:
        return self.golden_zh is not None


@dataclass(frozen=True)
class Override:
    kind: DayKind
    name: str = ""


def weeks_in_year(year: int) -> int:
    """52 or 53: 28 December always lies in the ISO year's last week."""
    return dt.date(year, 12, 28).isocalendar().week


def week_bounds(year: int, number: int) -> tuple[dt.date, dt.date]:
    monday = dt.date.fromisocalendar(year, number, 1)
    return monday, monday + dt.timedelta(days=6)


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return week_bounds(year, 1)[0], week_bounds(year, weeks_in_year(year))[1]


def year_days(year: int, overrides: Mapping[dt.date, Override] | None = None) -> dict[dt.date, Day]:
    """Holidays and make-up working days of an ISO year (which spans two calendar years)."""
    first, last = year_bounds(year)
    years = list(range(first.year, last.year + 1))
    zh = holidays.China(years=years, language="zh_CN")
    en = holidays.China(years=years, language="en_US")
    days: dict[dt.date, Day] = {}
    for date, name_zh in zh.items():
        if first <= date <= last:
            days[date] = Day(date, DayKind.HOLIDAY, name_zh, en.get(date, name_zh))
    for date in zh.weekend_workdays:
        if first <= date <= last:
            days[date] = Day(date, DayKind.WORKDAY, "调休上班", "Make-up working day")
    for date, override in (overrides or {}).items():
        if not first <= date <= last:
            continue
        if override.kind == DayKind.NORMAL:
            days.pop(date, None)
            continue
        default_zh, default_en = (
            ("节假日", "Holiday")
            if override.kind == DayKind.HOLIDAY
            else ("调休上班", "Make-up working day")
        )
        days[date] = Day(
            date,
            override.kind,
            override.name or default_zh,
            override.name or default_en,
            manual=True,
        )
    return days


def _day_off(date: dt.date, days: Mapping[dt.date, Day]) -> bool:
    day = days.get(date)
    if day is not None:
        return day.kind == DayKind.HOLIDAY
    return date.weekday() >= 5


def golden_periods(days: Mapping[dt.date, Day]) -> list[tuple[dt.date, dt.date, str, str]]:
    """Each golden week as the whole run of days off around its holiday (weekends included)."""
    periods: list[tuple[dt.date, dt.date, str, str]] = []
    seen: set[dt.date] = set()
    for date in sorted(days):
        day = days[date]
        names = GOLDEN_WEEK_HOLIDAYS.get(day.name_en) if day.kind == DayKind.HOLIDAY else None
        if names is None or date in seen:
            continue
        start = end = date
        while _day_off(start - dt.timedelta(days=1), days):
            start -= dt.timedelta(days=1)
        while _day_off(end + dt.timedelta(days=1), days):
            end += dt.timedelta(days=1)
        seen.update(start + dt.timedelta(days=i) for i in range((end - start).days + 1))
        periods.append((start, end, *names))
    return periods


def year_shape(year: int, overrides: Mapping[dt.date, Override] | None = None) -> list[WeekShape]:
    days = year_days(year, overrides)
    periods = golden_periods(days)
    weeks: list[WeekShape] = []
    for number in range(1, weeks_in_year(year) + 1):
        monday, sunday = week_bounds(year, number)
        inside = [days[d] for d in sorted(days) if monday <= d <= sunday]
        golden = next(
            (
                (zh, en)
                for start, end, zh, en in periods
                if sum(1 for d in inside if d.kind == DayKind.HOLIDAY and start <= d.date <= end)
                >= GOLDEN_MIN_DAYS
            ),
            (None, None),
        )
        weeks.append(
            WeekShape(
                number=number,
                starts_on=monday,
                ends_on=sunday,
                holidays=tuple(d for d in inside if d.kind == DayKind.HOLIDAY),
                workdays=tuple(d for d in inside if d.kind == DayKind.WORKDAY),
                golden_zh=golden[0],
                golden_en=golden[1],
            )
        )
    return weeks


def week_of(date: dt.date) -> tuple[int, int]:
    """(ISO year, ISO week) of a date: 1 January 2027 is in week 53 of 2026."""
    iso = date.isocalendar()
    return iso.year, iso.week
