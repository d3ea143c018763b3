"""Template filters of the scheduling pages: dates and holiday names in the active language."""

import datetime as dt

from django import template

from scheduling.models import Week
from scheduling.yearcal import Day
from scheduling.yearsvg import day_name as _day_name
from scheduling.yearsvg import short_date as _short_date
from scheduling.yearsvg import week_dates as _week_dates

register = template.Library()


@register.filter
def short_date(value: dt.date) -> str:
    return _short_date(value)


@register.filter
def week_dates(week: Week) -> str:
    return _week_dates(week.starts_on, week.ends_on)


@register.filter
def day_name(day: Day) -> str:
    return _day_name(day.name_zh, day.name_en)
