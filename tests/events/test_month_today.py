"""The month grid marks today and links to it when the month shown holds it."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

SH = timezone.get_default_timezone()


@time_machine.travel(dt.datetime(2026, 11, 25, 23, 30, tzinfo=SH), tick=False)
def test_the_month_of_today_marks_it_and_links_to_it(client: Client) -> None:
    for url in (reverse("events:month"), reverse("events:month", args=[2026, 11])):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<a href="#today" class="today-link">Today</a>' in html
        cell = html[html.index(' is-today"') :]
        cell = cell[: cell.index("</li>")]
        assert 'aria-current="date"' in cell
        assert 'datetime="2026-11-25"' in cell  # Beijing's date, not UTC's (15:30 on the 25th)
        assert '<span class="today-badge">Today</span>' in cell
        assert "No events today." in cell


@time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=SH), tick=False)
def test_another_month_has_no_today(client: Client) -> None:
    html = client.get(reverse("events:month", args=[2026, 12])).content.decode()
    assert 'href="#today"' not in html
    assert 'aria-current="date"' not in html
