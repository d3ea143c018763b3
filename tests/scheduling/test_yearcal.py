"""ISO weeks and China's holidays in Asia/Shanghai, without a database."""

import datetime as dt

from scheduling.yearcal import (
    DayKind,
    Override,
    week_bounds,
    week_of,
    weeks_in_year,
    year_bounds,
    year_days,
    year_shape,
)


def test_2026_has_53_weeks_and_2027_has_52() -> None:
    assert weeks_in_year(2026) == 53
    assert weeks_in_year(2027) == 52
    assert len(year_shape(2026)) == 53


def test_2027_runs_from_monday_4_january_to_sunday_2_january_2028() -> None:
    assert year_bounds(2027) == (dt.date(2027, 1, 4), dt.date(2028, 1, 2))
    assert week_bounds(2027, 1) == (dt.date(2027, 1, 4), dt.date(2027, 1, 10))


def test_1_january_2027_belongs_to_week_53_of_2026() -> None:
    assert week_of(dt.date(2027, 1, 1)) == (2026, 53)
    week_53 = year_shape(2026)[-1]
    assert week_53.starts_on == dt.date(2026, 12, 28)
    assert [d.name_en for d in week_53.holidays] == ["New Year's Day"]


def test_golden_weeks_2027_straddle_weeks_5_6_and_39_40() -> None:
    golden = {w.number: w.golden_en for w in year_shape(2027) if w.is_golden}
    assert golden == {
        5: "Spring Festival golden week",
        6: "Spring Festival golden week",
        39: "National Day golden week",
        40: "National Day golden week",
    }


def test_golden_weeks_2026_block_only_weeks_with_two_official_days_off() -> None:
    golden = {w.number for w in year_shape(2026) if w.is_golden}
    # Spring Festival 16-20 Feb (+ Monday 23 Feb): week 8; National Day 1-7 Oct: weeks 40-41.
    assert golden == {8, 40, 41}


def test_2026_make_up_working_days_come_from_the_holidays_package() -> None:
    workdays = sorted(d for d, day in year_days(2026).items() if day.kind == DayKind.WORKDAY)
    assert workdays == [
        dt.date(2026, 1, 4), dt.date(2026, 2, 14), dt.date(2026, 2, 28),
        dt.date(2026, 5, 9), dt.date(2026, 9, 20), dt.date(2026, 10, 10),
    ]  # fmt: skip


def test_2027_has_statutory_days_but_no_announced_make_up_days() -> None:
    days = year_days(2027)
    assert days[dt.date(2027, 10, 1)].name_zh == "国庆节"
    assert not [d for d in days.values() if d.kind == DayKind.WORKDAY]


def test_manual_override_wins_over_the_package() -> None:
    overrides = {
        dt.date(2027, 2, 20): Override(DayKind.WORKDAY, "春节调休"),  # a Saturday
        dt.date(2027, 10, 1): Override(DayKind.NORMAL),
        dt.date(2027, 10, 6): Override(DayKind.HOLIDAY, "国庆节"),
    }
    days = year_days(2027, overrides)
    assert days[dt.date(2027, 2, 20)].kind == DayKind.WORKDAY
    assert days[dt.date(2027, 2, 20)].manual
    assert dt.date(2027, 10, 1) not in days
    assert days[dt.date(2027, 10, 6)].kind == DayKind.HOLIDAY


def test_override_outside_the_year_is_ignored() -> None:
    days = year_days(2027, {dt.date(2030, 1, 7): Override(DayKind.HOLIDAY, "x")})
    assert dt.date(2030, 1, 7) not in days
