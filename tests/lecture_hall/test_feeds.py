"""Lecturer, series and session feeds (the lecture hall selects, events serves)."""

import datetime as dt

import icalendar
import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from lecture_hall.models import Lecturer, Series
from lecture_hall.services import (
    series_create,
    session_cancel,
    session_create,
    session_publish,
    session_update,
)
from tests.factories import LecturerFactory

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _clock() -> object:
    cache.clear()
    with time_machine.travel(dt.datetime(2027, 3, 1, 9, tzinfo=SH), tick=False) as traveller:
        yield traveller


def published(lecturer: Lecturer, title: str, day: int, series: Series | None = None) -> object:
    session = session_create(
        actor=lecturer.user,
        title=title,
        lecturer_ids=[lecturer.pk],
        series=series,
        starts_at=dt.datetime(2027, 3, day, 19, tzinfo=SH),
        duration_minutes=60,
    )
    return session_publish(actor=lecturer.user, session=session, expected_version=session.version)


def summaries(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return [
        str(v["SUMMARY"]) for v in icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    ]


def test_lecturer_feed_holds_their_published_sessions_only(client: Client) -> None:
    me, other = LecturerFactory(name="王老师"), LecturerFactory()
    published(me, "我的讲座", 10)
    published(other, "别人的讲座", 11)
    session_create(
        actor=me.user,
        title="草稿",
        lecturer_ids=[me.pk],
        starts_at=dt.datetime(2027, 3, 12, 19, tzinfo=SH),
        duration_minutes=60,
    )
    assert summaries(client, f"/calendar/lecturers/{me.pk}.ics") == ["我的讲座"]


def test_series_feed_and_cancelled_session_kept(client: Client) -> None:
    me = LecturerFactory()
    series = series_create(actor=me.user, title="十讲", lecturer_ids=[me.pk])
    first = published(me, "第一讲", 10, series)
    published(me, "第二讲", 17, series)
    session_cancel(actor=me.user, session=first, expected_version=first.version, reason="调整")
    calendar = icalendar.Calendar.from_ical(client.get(f"/calendar/series/{series.pk}.ics").content)
    statuses = {str(v["SUMMARY"]): str(v["STATUS"]) for v in calendar.walk("VEVENT")}
    assert statuses["第二讲"] == "CONFIRMED"
    [cancelled] = [title for title, status in statuses.items() if status == "CANCELLED"]
    assert "第一讲" in cancelled


def test_moving_a_session_to_another_series_moves_it_between_feeds(client: Client) -> None:
    me = LecturerFactory()
    a = series_create(actor=me.user, title="A", lecturer_ids=[me.pk])
    b = series_create(actor=me.user, title="B", lecturer_ids=[me.pk])
    session = published(me, "讲座", 10, a)
    before = client.get(f"/calendar/series/{a.pk}.ics")
    session_update(actor=me.user, session=session, expected_version=session.version, series=b)
    assert summaries(client, f"/calendar/series/{a.pk}.ics") == []
    assert summaries(client, f"/calendar/series/{b.pk}.ics") == ["讲座"]
    assert client.get(f"/calendar/series/{a.pk}.ics")["ETag"] != before["ETag"]


def test_session_file_and_unknowns_are_404(client: Client) -> None:
    me = LecturerFactory()
    session = published(me, "单场", 10)
    draft = session_create(
        actor=me.user,
        title="草稿",
        lecturer_ids=[me.pk],
        starts_at=dt.datetime(2027, 3, 20, 19, tzinfo=SH),
        duration_minutes=60,
    )
    assert summaries(client, f"/calendar/sessions/{session.pk}.ics") == ["单场"]
    assert client.get(f"/calendar/sessions/{draft.pk}.ics").status_code == 404
    assert client.get("/calendar/lecturers/999999.ics").status_code == 404
    assert client.get("/calendar/series/999999.ics").status_code == 404
