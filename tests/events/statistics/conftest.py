"""Hand-counted events for Beijing's 2027 table, shared by the statistics tests."""

import datetime as dt
from typing import Any

import pytest

from events.models import ActivityType, EventStatus, Level
from scheduling.models import CampaignYear
from tests.factories import EventFactory

SH = dt.timezone(dt.timedelta(hours=8))
T = ActivityType


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


def event(
    activity_type: str = T.THEMED_READING,
    level: str = Level.PREFECTURE,
    city: str = "",
    participants: int | None = None,
    start: dt.datetime | None = None,
    region: str | None = "110000",
    **extra: Any,
) -> Any:
    start = start or at(2027, 6, 1)
    return EventFactory(
        activity_type=activity_type,
        level=level,
        city=city,
        participants=participants,
        region_id=region,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        **extra,
    )


# What Beijing's 2027 table must say, counted by hand from `beijing_events`.
EXPECTED_BEIJING = {
    "header.prefecture_cities": 2,  # 海淀区, 朝阳区 (海淀区 holds two types: one city)
    "header.county_cities": 2,  # 延庆区, 密云区
    "themed_reading.provincial": 1,
    "themed_reading.prefecture_cities": 2,  # 海淀区 twice, 朝阳区 once
    # The provincial event (5000; 地市级及以上 is "prefecture level and above"), 海淀区 100 and
    # 50, 朝阳区 not recorded yet, and the ISO year's first and last moments
    "themed_reading.prefecture_activities": 1 + 5,
    "themed_reading.prefecture_participants": 5000 + 100 + 50 + 20 + 0,
    "themed_reading.county_cities": 1,
    "themed_reading.county_activities": 1,
    "themed_reading.county_participants": 30,
    "lecture_hall.provincial": 1,  # the session's 812 person-times count at prefecture-and-above
    "lecture_hall.prefecture_cities": 1,  # a provincial event adds no city of its own
    "lecture_hall.prefecture_activities": 1 + 3,
    "lecture_hall.prefecture_participants": 812 + 3,  # one resident at three talks: 3
    "digital_reading.county_cities": 2,
    "digital_reading.county_activities": 2,
    "digital_reading.county_participants": 45,
    "learning_week.provincial": 0,  # its only provincial event was cancelled
}


@pytest.fixture
def beijing_events(campaign_2027: CampaignYear) -> CampaignYear:
    """Beijing's events of 2027 (and some that must not count)."""
    event(level=Level.PROVINCIAL, participants=5000)
    event(city="海淀区", participants=100)
    event(city="海淀区", participants=50)
    event(city="朝阳区", participants=None)
    event(city="东城区", participants=999, status=EventStatus.CANCELLED)
    event(level=Level.COUNTY, city="延庆区", participants=30)
    event(T.LECTURE_HALL, Level.PROVINCIAL, participants=812)
    for day in (1, 8, 15):  # the same resident at three talks, each recorded as 1
        event(T.LECTURE_HALL, city="海淀区", participants=1, start=at(2027, 9, day, 19))
    event(T.DIGITAL_READING, Level.COUNTY, city="延庆区", participants=20)
    event(T.DIGITAL_READING, Level.COUNTY, city="密云区", participants=25)
    event(T.LEARNING_WEEK, Level.PROVINCIAL, participants=70, status=EventStatus.CANCELLED)
    # The ISO year 2027 runs from Monday 4 January 2027 00:00 to Monday 3 January 2028 00:00,
    # Beijing time.
    event(city="西城区", participants=7, start=at(2027, 1, 3, 23, 30))  # ISO 2026
    event(city="海淀区", participants=20, start=at(2028, 1, 2, 23, 30))  # last minutes of 2027
    event(city="丰台区", participants=9, start=at(2028, 1, 3, 0, 0))  # ISO 2028
    event(city="朝阳区", participants=0, start=at(2027, 1, 4, 0, 0))  # the very first moment
    event(city="浦东新区", participants=500, region="310000")  # another region
    event(level=Level.NATIONAL, participants=10_000, region=None)  # national: no region's
    return campaign_2027
