"""Coverage ("every week has an activity"), the public list, the month grid, region progress."""

import datetime as dt

import pytest

from accounts.models import User
from events.models import ActivityType, Event, EventStatus
from events.selectors import EventFilters, coverage, event_list, month_grid, region_progress
from scheduling.models import CampaignYear
from scheduling.services import campaign_year_open
from tests.factories import EventFactory, NominationFactory, published_year

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2027, month, day, hour, tzinfo=SH)


def test_coverage_counts_events_per_type_and_week_and_shows_empty_weeks(
    ministry_user: User,
) -> None:
    year, _version = published_year(ministry_user, 2027, {"110000": 12})
    EventFactory(starts_at=at(3, 22), ends_at=at(3, 22, 11))  # week 12
    EventFactory(
        starts_at=at(3, 28, 23), ends_at=at(3, 29, 1), activity_type=ActivityType.DIGITAL_READING
    )  # Sunday 23:00 Shanghai
    EventFactory(starts_at=at(3, 23), ends_at=at(3, 23, 11), status=EventStatus.CANCELLED)
    EventFactory(
        starts_at=dt.datetime(2027, 1, 1, 9, tzinfo=SH),
        ends_at=dt.datetime(2027, 1, 1, 10, tzinfo=SH),
    )  # 2026-W53
    weeks = {w.week.number: w for w in coverage(year)}
    assert weeks[12].counts[ActivityType.THEMED_READING] == 1
    assert weeks[12].counts[ActivityType.DIGITAL_READING] == 1  # counted in Shanghai time
    assert weeks[12].total == 2  # the cancelled one does not count
    assert [r.code for r in weeks[12].learning_week_regions] == ["110000"]
    assert weeks[1].total == 0
    assert len(weeks) == 52


def test_coverage_query_count_does_not_grow_with_events(
    ministry_user: User, django_assert_max_num_queries: object
) -> None:
    year, _ = published_year(ministry_user, 2027, {"110000": 12})
    EventFactory.create_batch(3)
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        coverage(year)
    EventFactory.create_batch(60)
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        coverage(year)


def test_event_list_filters(db: None) -> None:
    a = EventFactory(title="海淀读书会", starts_at=at(4, 2), ends_at=at(4, 2, 11))
    EventFactory(title="上海沙龙", region_id="310000", starts_at=at(4, 3), ends_at=at(4, 3, 11))
    EventFactory(
        title="五月讲座",
        starts_at=at(5, 3),
        ends_at=at(5, 3, 11),
        activity_type=ActivityType.LECTURE_HALL,
    )
    assert [
        e.title for e in event_list(EventFilters(region="110000", month=dt.date(2027, 4, 1)))
    ] == [a.title]
    assert [e.title for e in event_list(EventFilters(search="沙龙"))] == ["上海沙龙"]
    assert [e.title for e in event_list(EventFilters(activity_type=ActivityType.LECTURE_HALL))] == [
        "五月讲座"
    ]


def test_month_grid_puts_multi_day_events_on_each_day(db: None) -> None:
    EventFactory(starts_at=at(4, 29, 18), ends_at=at(5, 1, 12))
    grid = month_grid(dt.date(2027, 4, 1), Event.objects.all())
    days_with = [cell.day for week in grid for cell in week if cell.events]
    assert days_with == [dt.date(2027, 4, 29), dt.date(2027, 4, 30), dt.date(2027, 5, 1)]
    assert grid[0][0].day == dt.date(2027, 3, 29)  # weeks start on Monday


def test_region_progress_names_what_is_missing(campaign_2027: CampaignYear) -> None:
    for i in range(3):
        NominationFactory(campaign_year=campaign_2027, name=f"星{i}")
    EventFactory(starts_at=at(6, 1), ends_at=at(6, 1, 11))
    progress = {p.region.code: p for p in region_progress(campaign_2027)}
    assert progress["110000"].missing == ["plan", "brand_projects"]
    assert progress["310000"].missing == ["plan", "learning_stars", "brand_projects", "events"]


def event_at(region: str, *start: int) -> None:
    starts_at = dt.datetime(*start, tzinfo=SH)  # type: ignore[misc]
    EventFactory(
        region_id=region, starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=20)
    )


def test_region_progress_counts_the_iso_years_events_only(campaign_2027: CampaignYear) -> None:
    """2027 has 52 ISO weeks: it runs from Monday 4 January 2027 to Sunday 2 January 2028."""
    event_at("110000", 2028, 1, 2, 23, 30)  # the last minutes of 2027-W52
    event_at("310000", 2028, 1, 3, 9)  # 2028-W01
    event_at("440000", 2027, 1, 3, 23, 30)  # 2026-W53
    progress = {p.region.code: p for p in region_progress(campaign_2027)}
    assert progress["110000"].events == 1
    assert "events" not in progress["110000"].missing
    assert progress["310000"].events == 0
    assert "events" in progress["310000"].missing
    assert progress["440000"].events == 0


def test_region_progress_counts_week_53_of_a_53_week_year(
    ministry_user: User, campaign_2027: CampaignYear
) -> None:
    campaign_2026 = campaign_year_open(actor=ministry_user, year=2026)
    assert campaign_2026.weeks.count() == 53
    event_at("310000", 2027, 1, 1, 9)  # 2026-W53
    assert {p.region.code: p for p in region_progress(campaign_2026)}["310000"].events == 1
    assert {p.region.code: p for p in region_progress(campaign_2027)}["310000"].events == 0
