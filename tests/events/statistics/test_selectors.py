"""Computed tables against hand-counted events: person-times, cancelled events, distinct cities
per level, the ISO year's bounds in Beijing time; query counts that do not grow."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.statistics.compute import CELLS
from events.statistics.selectors import national_statistics, region_statistics
from scheduling.models import CampaignYear, Region
from tests.events.statistics.conftest import EXPECTED_BEIJING, at, event

pytestmark = pytest.mark.django_db


def test_beijing_table_matches_the_hand_count(beijing_events: CampaignYear) -> None:
    stats = region_statistics(beijing_events, Region.objects.get(code="110000"))
    expected = dict.fromkeys(CELLS, 0) | EXPECTED_BEIJING
    assert stats.computed == expected
    assert stats.unrecorded == 1  # 朝阳区's themed reading event has no count yet
    assert not stats.locked
    assert stats.differs == []


def test_person_times_are_attendances_not_people(campaign_2027: CampaignYear) -> None:
    for day in (1, 2, 3):  # one resident, three talks: each talk records 1
        event("lecture_hall", "county", city="延庆区", participants=1, start=at(2027, 5, day))
    stats = region_statistics(campaign_2027, Region.objects.get(code="110000"))
    assert stats.computed["lecture_hall.county_participants"] == 3
    assert stats.computed["lecture_hall.county_cities"] == 1


def test_cities_are_distinct_per_level_not_across_levels(campaign_2027: CampaignYear) -> None:
    event(city="海淀区")
    event(city="海淀区", level="county")  # the same name at the other level counts there too
    event("digital_reading", city="海淀区")
    stats = region_statistics(campaign_2027, Region.objects.get(code="110000"))
    assert stats.computed["header.prefecture_cities"] == 1
    assert stats.computed["header.county_cities"] == 1
    assert stats.computed["themed_reading.prefecture_cities"] == 1
    assert stats.computed["digital_reading.prefecture_cities"] == 1


def test_national_statistics_covers_37_regions_and_sums_them(
    beijing_events: CampaignYear,
) -> None:
    national = national_statistics(beijing_events)
    assert len(national.regions) == 37
    by_code = {r.region.code: r for r in national.regions}
    assert by_code["310000"].computed["themed_reading.prefecture_participants"] == 500
    assert by_code["110000"].computed == dict.fromkeys(CELLS, 0) | EXPECTED_BEIJING
    totals = national.totals
    assert totals["themed_reading.prefecture_participants"] == 5170 + 500
    assert totals["themed_reading.provincial"] == 1  # one region said yes


def _queries(fn: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_query_counts_do_not_grow_with_the_number_of_events(
    campaign_2027: CampaignYear,
) -> None:
    beijing = Region.objects.get(code="110000")
    event(city="海淀区", participants=3)
    one_region = _queries(lambda: region_statistics(campaign_2027, beijing).cells())
    one_national = _queries(lambda: national_statistics(campaign_2027).totals)
    for i in range(49):
        event(("themed_reading", "lecture_hall")[i % 2], ("prefecture", "county")[i % 2],
              city=f"城{i % 7}", participants=i, region=("110000", "310000")[i % 2])  # fmt: skip
    assert _queries(lambda: region_statistics(campaign_2027, beijing).cells()) == one_region
    assert _queries(lambda: national_statistics(campaign_2027).totals) == one_national
    assert one_region <= 5
    assert one_national <= 6
