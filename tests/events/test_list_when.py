"""Upcoming first: the public list and a coordinator's list open at today, past events are one
link away, a chosen day or month still lists all of it, and the API's default is unchanged."""

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from events.models import Event
from events.selectors import EventFilters, event_list
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

SH = timezone.get_default_timezone()
TITLES = ("去年的活动", "昨天的活动", "今天早上的活动", "明天的活动", "明年的活动")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)  # type: ignore[misc]


@pytest.fixture
def today() -> Iterator[None]:
    with time_machine.travel(at(2026, 11, 25, 15, 0), tick=False):
        yield


@pytest.fixture
def events(today: None) -> list[Event]:
    starts = (
        at(2025, 11, 30, 9, 0),
        at(2026, 11, 24, 9, 0),
        at(2026, 11, 25, 8, 0),  # ended this morning: still today's
        at(2026, 11, 26, 9, 0),
        at(2027, 3, 1, 9, 0),
    )
    return [
        EventFactory(title=title, starts_at=start, ends_at=start + dt.timedelta(hours=2))
        for title, start in zip(TITLES, starts, strict=True)
    ]


def shown(html: str) -> list[str]:
    """The titles listed, in page order."""
    return [t for t in re.findall(r'<a href="/events/\d+/">([^<]+)</a>', html) if t in TITLES]


def test_the_list_opens_at_today_soonest_first(client: Client, events: list[Event]) -> None:
    html = client.get(reverse("events:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert shown(html) == ["今天早上的活动", "明天的活动", "明年的活动"]
    assert "From today on, soonest first." in html
    assert '<a href="/events/" aria-current="page">Upcoming</a>' in html
    assert '<a href="/events/?when=past">Past</a>' in html


def test_past_events_are_one_link_away_latest_first(client: Client, events: list[Event]) -> None:
    html = client.get(reverse("events:list") + "?when=past", HTTP_ACCEPT_LANGUAGE="en")
    assert shown(html.content.decode()) == ["昨天的活动", "去年的活动"]
    every = client.get(reverse("events:list") + "?when=all").content.decode()
    assert shown(every) == list(TITLES)


def test_the_when_links_keep_the_other_filters(client: Client, events: list[Event]) -> None:
    html = client.get(reverse("events:list") + "?region=110000&page=2").content.decode()
    assert 'href="/events/?region=110000&amp;when=past"' in html
    assert 'href="/events/?region=110000"' in html


def test_a_chosen_day_or_month_lists_all_of_it(client: Client, events: list[Event]) -> None:
    # The month grid's "+N more" link opens a day, past or not.
    html = client.get(reverse("events:list") + "?day=2025-11-30").content.decode()
    assert shown(html) == ["去年的活动"]
    assert '<option value="all" selected>' in html
    html = client.get(reverse("events:list") + "?month=2026-11").content.decode()
    assert shown(html) == ["昨天的活动", "今天早上的活动", "明天的活动"]
    # Asked for explicitly, upcoming and past still apply within the month.
    html = client.get(reverse("events:list") + "?month=2026-11&when=past").content.decode()
    assert shown(html) == ["昨天的活动"]


def test_the_results_come_before_the_filter_form(client: Client, events: list[Event]) -> None:
    html = client.get(reverse("events:list")).content.decode()
    assert '<a href="#filters-title">' in html
    assert html.index('id="results-title"') < html.index('id="filters-title"')
    assert html.index('id="results-title"') < html.index('class="subscribe')


def test_an_unknown_when_is_reported_and_upcoming_shown(
    client: Client, events: list[Event]
) -> None:
    html = client.get(reverse("events:list") + "?when=soon", HTTP_ACCEPT_LANGUAGE="en")
    text = html.content.decode()
    assert 'id="id_when_error"' in text
    assert shown(text) == ["今天早上的活动", "明天的活动", "明年的活动"]


def test_a_coordinators_list_opens_at_today_and_reaches_the_past(
    client: Client, coordinator: User, events: list[Event]
) -> None:
    client.force_login(coordinator)
    html = client.get(reverse("events:mine"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert shown(html) == ["今天早上的活动", "明天的活动", "明年的活动"]
    assert "open one there to record its participants" in html
    past = client.get(reverse("events:mine") + "?when=past").content.decode()
    assert shown(past) == ["昨天的活动", "去年的活动"]
    yesterday = events[1]
    assert reverse("events:participants", kwargs={"event_id": yesterday.pk}) in past


def test_the_ministry_keeps_the_region_in_the_when_links(
    client: Client, events: list[Event]
) -> None:
    client.force_login(UserFactory(role=Role.MINISTRY))
    html = client.get(reverse("events:mine") + "?region=110000").content.decode()
    assert 'href="/events/mine/?region=110000&amp;when=past"' in html
    assert shown(html) == ["今天早上的活动", "明天的活动", "明年的活动"]


def test_the_api_still_lists_every_date_in_time_order(client: Client, events: list[Event]) -> None:
    results = client.get("/api/events/").json()["results"]
    assert [e["title"] for e in results] == list(TITLES)


def test_the_selector_default_is_every_date(events: list[Event]) -> None:
    assert [e.title for e in event_list(EventFilters())] == list(TITLES)
    upcoming = event_list(EventFilters(when="upcoming"), today=dt.date(2026, 11, 26))
    assert [e.title for e in upcoming] == ["明天的活动", "明年的活动"]
