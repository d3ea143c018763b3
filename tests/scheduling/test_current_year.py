"""/calendar/ opens this year's calendar while it is published (residents look for this year's
Learning Weeks), and this year's page points to next year once that is open; the Ministry's
/calendar/manage/ still opens the newest year, the one it works on."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from scheduling.services import campaign_year_open
from tests.factories import published_year

pytestmark = pytest.mark.django_db

SH = timezone.get_default_timezone()
NOVEMBER_2026 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SH)


@pytest.fixture
def years_2026_and_2027(ministry_user: User) -> None:
    with time_machine.travel(dt.datetime(2025, 10, 1, 10, 0, tzinfo=SH), tick=False):
        published_year(ministry_user, year=2026)
    with time_machine.travel(dt.datetime(2026, 10, 1, 10, 0, tzinfo=SH), tick=False):
        published_year(ministry_user, year=2027)


def latest(client: Client, name: str = "scheduling:year_latest") -> str:
    response = client.get(reverse(name))
    assert response.status_code == 302
    return response["Location"]


def test_calendar_opens_this_year_while_it_is_published(
    client: Client, years_2026_and_2027: None
) -> None:
    with time_machine.travel(NOVEMBER_2026, tick=False):
        assert latest(client) == reverse("scheduling:year", args=[2026])


def test_calendar_opens_the_next_year_once_this_one_has_ended(
    client: Client, years_2026_and_2027: None
) -> None:
    # 4 January 2027 is in ISO week 1 of 2027 (28 December 2026 still belongs to 2026's week 53).
    with time_machine.travel(dt.datetime(2026, 12, 28, 10, 0, tzinfo=SH), tick=False):
        assert latest(client) == reverse("scheduling:year", args=[2026])
    with time_machine.travel(dt.datetime(2027, 1, 4, 10, 0, tzinfo=SH), tick=False):
        assert latest(client) == reverse("scheduling:year", args=[2027])


def test_calendar_opens_the_latest_published_year_when_this_one_has_none(
    client: Client, ministry_user: User
) -> None:
    with time_machine.travel(NOVEMBER_2026, tick=False):
        campaign_year_open(actor=ministry_user, year=2027)
        assert latest(client) == reverse("scheduling:year", args=[2027])


def test_this_years_page_links_to_next_year_and_the_ministry_still_manages_it(
    client: Client, years_2026_and_2027: None, ministry_user: User
) -> None:
    with time_machine.travel(NOVEMBER_2026, tick=False):
        html = client.get(
            reverse("scheduling:year", args=[2026]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
        assert 'class="next-year"><a href="/calendar/2027/">' in html
        assert "The 2027 calendar is published" in html
        next_page = client.get(reverse("scheduling:year", args=[2027])).content.decode()
        assert 'class="next-year"' not in next_page
        client.force_login(ministry_user)
        assert latest(client, "scheduling:manage_latest") == reverse(
            "scheduling:manage", args=[2027]
        )


def test_an_open_but_unpublished_next_year_is_announced_as_in_preparation(
    client: Client, ministry_user: User
) -> None:
    with time_machine.travel(dt.datetime(2025, 10, 1, 10, 0, tzinfo=SH), tick=False):
        published_year(ministry_user, year=2026)
    with time_machine.travel(NOVEMBER_2026, tick=False):
        campaign_year_open(actor=ministry_user, year=2027)
        html = client.get(
            reverse("scheduling:year", args=[2026]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert "The 2027 calendar is being prepared" in html
