"""The month grid's cap: at most MONTH_DAY_CAP events a day, then "+N more" leading to the list
filtered to that day (the `day` filter of the page, the selector and the API)."""

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from events.forms import ERROR_DAY, ERROR_DAY_OUTSIDE_MONTH, ERROR_MONTH
from events.models import Event, EventStatus
from events.selectors import MONTH_DAY_CAP, EventFilters, event_list, month_events, month_grid
from events.serializers import ERROR_DATE_OUTSIDE
from events.serializers import ERROR_DAY as API_ERROR_DAY
from events.serializers import ERROR_DAY_OUTSIDE_MONTH as API_ERROR_DAY_OUTSIDE_MONTH
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
JUNE = "/events/month/2027/06/"
JUNE_3 = dt.date(2027, 6, 3)


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2027, month, day, hour, minute, tzinfo=SH)


def en(message: Any, **params: Any) -> str:
    with translation.override("en"):
        return str(message % params) if params else str(message)


def get(client: Client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def listed_titles(html: str) -> set[str]:
    return set(re.findall(r'<h3 class="event-title"><a href="[^"]+">(?:<s>)?([^<]+)', html))


def field_errors(html: str, field: str) -> str:
    match = re.search(rf'<div class="field-errors" id="id_{field}_error">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


def day_cell(html: str, day: dt.date) -> str:
    """One day of the grid, up to the next day's cell (or the grid's end)."""
    start = html.index(f'datetime="{day.isoformat()}"')
    ends = [html.find(mark, start) for mark in ('<li class="month-day', "</ol>")]
    return html[start : min(e for e in ends if e != -1)]


@pytest.fixture
def busy_day() -> list[str]:
    """Nine Beijing events on 3 June 2027 (one began on the 2nd and runs into it), and around
    them what must not count: another region's event that day, events ending at its first
    midnight or starting at its last. Their titles, in time order."""
    nine = [
        EventFactory(title="通宵读书夜", starts_at=at(6, 2, 20), ends_at=at(6, 3, 8)),
        *(
            EventFactory(
                title=f"六月三日活动{i}",
                starts_at=at(6, 3, 9 + i),
                ends_at=at(6, 3, 10 + i),
                status=EventStatus.CANCELLED if i == 6 else EventStatus.CONFIRMED,
            )
            for i in range(7)
        ),
        EventFactory(title="深夜讲座", starts_at=at(6, 3, 23, 30), ends_at=at(6, 4, 0, 30)),
    ]
    EventFactory(
        title="上海的活动", region_id="310000", starts_at=at(6, 3, 9), ends_at=at(6, 3, 10)
    )
    EventFactory(title="二日结束", starts_at=at(6, 2, 22), ends_at=at(6, 3, 0))
    EventFactory(title="四日开始", starts_at=at(6, 4, 0), ends_at=at(6, 4, 2))
    return [event.title for event in nine]


# --- the selector ------------------------------------------------------------------------------


def test_day_filter_is_every_event_running_at_any_time_of_that_day(busy_day: list[str]) -> None:
    titles = [e.title for e in event_list(EventFilters(region="110000", day=JUNE_3))]
    assert titles == busy_day  # in time order, the night before's first


def test_month_grid_shows_the_first_events_of_a_day_and_counts_the_rest(
    busy_day: list[str],
) -> None:
    events = month_events(EventFilters(region="110000"), dt.date(2027, 6, 1))
    cells = {cell.day: cell for week in month_grid(dt.date(2027, 6, 1), events) for cell in week}
    assert MONTH_DAY_CAP == 4
    june_3 = cells[JUNE_3]
    assert [e.title for e in june_3.events] == busy_day[:4]
    assert june_3.hidden == 5
    assert june_3.total == 9
    assert cells[dt.date(2027, 6, 4)].total == 2  # 深夜讲座 runs past midnight, 四日开始
    assert cells[dt.date(2027, 6, 4)].hidden == 0


def test_month_grid_counts_the_days_of_the_months_around_it_in_full() -> None:
    # June 2027's grid starts on Monday 31 May and ends on Sunday 4 July.
    for hour in range(6):
        EventFactory(starts_at=at(5, 31, 8 + hour), ends_at=at(5, 31, 9 + hour))
    EventFactory(title="五月", starts_at=at(5, 30, 9), ends_at=at(5, 30, 10))  # not in the grid
    events = month_events(EventFilters(), dt.date(2027, 6, 1))
    grid = month_grid(dt.date(2027, 6, 1), events)
    assert grid[0][0].day == dt.date(2027, 5, 31)
    assert grid[-1][-1].day == dt.date(2027, 7, 4)
    assert (grid[0][0].total, grid[0][0].hidden) == (6, 2)
    assert "五月" not in {e.title for e in events}


# --- the month page ----------------------------------------------------------------------------


def test_a_busy_day_shows_four_events_and_a_link_to_the_other_five(
    client: Client, busy_day: list[str]
) -> None:
    html = get(client, f"{JUNE}?region=110000")
    cell = day_cell(html, JUNE_3)
    assert cell.count("<li") == 4
    for title in busy_day[:4]:
        assert title in cell
    for title in busy_day[4:]:
        assert title not in cell
    link = re.search(r'<p class="day-more"><a href="([^"]+)">(.*?)</a></p>', cell, re.S)
    assert link is not None
    # Seen: "+5 more"; heard by a screen reader: "+5 more events on June 3".
    assert link.group(2) == '+5 more<span class="visually-hidden"> events on June 3</span>'
    assert link.group(1) == "/events/?day=2027-06-03&amp;region=110000"
    assert "上海的活动" not in html


def test_the_more_link_lists_exactly_that_days_events(client: Client, busy_day: list[str]) -> None:
    month = get(client, f"{JUNE}?region=110000")
    href = re.search(r'<p class="day-more"><a href="([^"]+)"', day_cell(month, JUNE_3))
    assert href is not None
    html = get(client, href.group(1).replace("&amp;", "&"))
    assert listed_titles(html) == set(busy_day)
    assert "<h1>Events on June 3, 2027</h1>" in html
    assert ">9 events</h2>" in html
    assert 'type="date" name="day" value="2027-06-03"' in html  # the form shows the filter
    assert 'href="/events/month/2027/06/?region=110000"' in html  # back to the grid, filtered


def test_the_more_link_keeps_every_filter_of_the_month_view(client: Client) -> None:
    for hour in range(6):
        EventFactory(
            title=f"县级数字阅读{hour}",
            activity_type="digital_reading",
            level="county",
            city="延庆区",
            starts_at=at(6, 10, 8 + hour),
            ends_at=at(6, 10, 9 + hour),
        )
    EventFactory(title="省级数字阅读", activity_type="digital_reading", starts_at=at(6, 10, 9))
    query = "region=110000&activity_type=digital_reading&level=county&q=阅读"
    html = get(client, f"{JUNE}?{query}")
    href = re.search(r'<p class="day-more"><a href="([^"]+)"', html)
    assert href is not None
    url = href.group(1).replace("&amp;", "&")
    assert url.startswith("/events/?day=2027-06-10&")
    for kept in ("region=110000", "activity_type=digital_reading", "level=county", "q=%E9%98%85"):
        assert kept in url
    assert listed_titles(get(client, url)) == {f"县级数字阅读{h}" for h in range(6)}


def test_a_cell_links_each_event_with_its_time_and_strikes_out_a_cancelled_one(
    client: Client,
) -> None:
    kept = EventFactory(title="照常举行", starts_at=at(6, 3, 9, 30), ends_at=at(6, 3, 11))
    cancelled = EventFactory(
        title="已取消的讲座",
        status=EventStatus.CANCELLED,
        starts_at=at(6, 3, 14),
        ends_at=at(6, 3, 15),
    )
    cell = day_cell(get(client, JUNE), JUNE_3)
    assert (
        f'<a href="/events/{kept.pk}/"><span class="event-time">09:30</span> 照常举行</a>' in cell
    )
    assert f'<li class="is-cancelled"><a href="/events/{cancelled.pk}/">' in cell
    assert "<s>已取消的讲座</s>" in cell


def test_a_day_with_four_events_has_no_more_link(client: Client) -> None:
    for hour in range(4):
        EventFactory(starts_at=at(6, 3, 8 + hour), ends_at=at(6, 3, 9 + hour))
    html = get(client, JUNE)
    assert day_cell(html, JUNE_3).count("<li") == 4
    assert "day-more" not in html


def test_the_month_heading_counts_the_months_events_only(client: Client) -> None:
    EventFactory(starts_at=at(5, 31, 9), ends_at=at(5, 31, 10))  # shown in the grid's first row
    EventFactory(starts_at=at(6, 30, 23), ends_at=at(7, 1, 1))
    EventFactory(starts_at=at(7, 2, 9), ends_at=at(7, 2, 10))
    html = get(client, JUNE)
    assert "1 event this month" in html
    assert day_cell(html, dt.date(2027, 5, 31)).count("<li") == 1


def test_month_view_queries_stay_the_same_as_a_day_fills_up(client: Client) -> None:
    counts = []
    for total in (1, 40):
        for i in range(total - Event.objects.count()):
            EventFactory(starts_at=at(6, 3, 8) + dt.timedelta(minutes=i), ends_at=at(6, 3, 22))
        with CaptureQueriesContext(connection) as queries:
            html = get(client, f"{JUNE}?region=110000")
        counts.append(len(queries))
        assert day_cell(html, JUNE_3).count("<li") == min(total, MONTH_DAY_CAP)
    assert counts[0] == counts[1] <= 2
    assert "+36 more" in html


# --- the day filter on the list page -----------------------------------------------------------


@pytest.mark.parametrize("value", ["2027-13-40", "abc", "2027-02-30", "0001-01-01", "9999-12-31"])
def test_a_bad_day_is_shown_as_an_error_on_the_field_and_not_applied(
    client: Client, value: str
) -> None:
    EventFactory(title="五月的活动", starts_at=at(5, 3, 9), ends_at=at(5, 3, 10))
    html = get(client, f"/events/?day={value}")
    assert escape(en(ERROR_DAY)) in field_errors(html, "day")
    assert listed_titles(html) == {"五月的活动"}
    assert "Events calendar</h1>" in html


def test_a_day_inside_the_month_filter_is_that_day(client: Client, busy_day: list[str]) -> None:
    html = get(client, "/events/?region=110000&month=2027-06&day=2027-06-03")
    assert listed_titles(html) == set(busy_day)
    assert not field_errors(html, "day")


def test_a_day_outside_the_month_filter_is_refused_and_the_month_kept(client: Client) -> None:
    EventFactory(title="五月的活动", starts_at=at(5, 3, 9), ends_at=at(5, 3, 10))
    EventFactory(title="六月的活动", starts_at=at(6, 3, 9), ends_at=at(6, 3, 10))
    html = get(client, "/events/?month=2027-05&day=2027-06-03")
    message = en(ERROR_DAY_OUTSIDE_MONTH, day="2027-06-03", month="2027-05")
    assert escape(message) in field_errors(html, "day")
    assert listed_titles(html) == {"五月的活动"}


def test_a_month_beyond_the_calendar_is_an_error_not_a_crash(client: Client) -> None:
    html = get(client, "/events/?month=9999-12")
    assert escape(en(ERROR_MONTH)) in field_errors(html, "month")


def test_the_pages_of_a_day_keep_the_day(client: Client) -> None:
    for i in range(51):
        EventFactory(starts_at=at(6, 3, 0) + dt.timedelta(minutes=i), ends_at=at(6, 3, 23))
    EventFactory(starts_at=at(6, 4, 9), ends_at=at(6, 4, 10))
    html = get(client, "/events/?day=2027-06-03")
    assert ">51 events</h2>" in html
    assert "?day=2027-06-03&amp;page=2" in html


# --- the API -----------------------------------------------------------------------------------


def test_api_day_filter_lists_the_days_events(busy_day: list[str]) -> None:
    response = Client().get("/api/events/?region=110000&day=2027-06-03&limit=100")
    assert response.status_code == 200
    assert [e["title"] for e in response.json()["results"]] == busy_day


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("day=2027-13-40", lambda: en(API_ERROR_DAY, value="2027-13-40")),
        ("day=abc", lambda: en(API_ERROR_DAY, value="abc")),
        ("day=0001-01-01", lambda: en(API_ERROR_DAY, value="0001-01-01")),
        (
            "day=2027-06-03&month=2027-05",
            lambda: en(API_ERROR_DAY_OUTSIDE_MONTH, day="2027-06-03", month="2027-05"),
        ),
    ],
    ids=["month-13", "words", "year-1", "outside-month"],
)
def test_api_bad_day_is_400_naming_the_parameter(query: str, expected: Any) -> None:
    response = Client(headers={"accept-language": "en"}).get(f"/api/events/?{query}")
    assert response.status_code == 400
    assert response.json() == {"errors": {"day": [expected()]}}


def test_api_schema_documents_the_day_parameter() -> None:
    schema = Client().get("/api/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/events/"]["get"]["parameters"]}
    assert parameters["day"]["schema"]["pattern"] == r"^(\d{4}-\d{2}-\d{2})?$"
    assert "YYYY-MM-DD" in parameters["day"]["description"]


@pytest.mark.parametrize(
    ("query", "parameter"), [("from=0001-01-01", "from"), ("to=9999-12-31", "to")]
)
def test_api_date_range_beyond_the_calendar_is_400_not_a_crash(query: str, parameter: str) -> None:
    response = Client(headers={"accept-language": "en"}).get(f"/api/events/?{query}")
    assert response.status_code == 400
    value = query.split("=")[1]
    assert response.json() == {"errors": {parameter: [en(ERROR_DATE_OUTSIDE, value=value)]}}
