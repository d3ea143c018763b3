"""Pages offer the right feed and calendar actions (subscribe, download, star, follow)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from events.models import CalendarSubscription
from lecture_hall.services import series_create, session_create, session_publish
from tests.factories import EventFactory, LecturerFactory

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _clock() -> object:
    with time_machine.travel(dt.datetime(2027, 3, 1, 9, tzinfo=SH), tick=False):
        yield


def test_lecturer_and_series_pages_offer_their_feeds_and_follow(
    client: Client, resident: User
) -> None:
    me = LecturerFactory()
    series = series_create(actor=me.user, title="十讲", lecturer_ids=[me.pk])
    client.force_login(resident)
    lecturer_html = client.get(f"/lectures/lecturers/{me.pk}/").content.decode()
    assert f"/calendar/lecturers/{me.pk}.ics" in lecturer_html
    assert f'value="lecturer:{me.pk}"' in lecturer_html
    series_html = client.get(f"/lectures/series/{series.pk}/").content.decode()
    assert f"/calendar/series/{series.pk}.ics" in series_html
    client.post("/calendar/me/follow/", {"tag": f"series:{series.pk}"})
    assert CalendarSubscription.objects.get(user=resident).tags == [f"series:{series.pk}"]


def test_session_page_links_its_own_file_by_session_id(client: Client, resident: User) -> None:
    me = LecturerFactory()
    session = session_create(
        actor=me.user,
        title="讲座",
        lecturer_ids=[me.pk],
        starts_at=dt.datetime(2027, 3, 10, 19, tzinfo=SH),
        duration_minutes=60,
    )
    session = session_publish(actor=me.user, session=session, expected_version=session.version)
    client.force_login(resident)
    html = client.get(f"/lectures/sessions/{session.pk}/").content.decode()
    assert f"/calendar/sessions/{session.pk}.ics" in html
    assert f"/calendar/me/star/{session.event_id}/" in html
    assert client.get(f"/calendar/sessions/{session.pk}.ics").status_code == 200


def test_event_page_and_region_filtered_list_offer_feeds(client: Client) -> None:
    event = EventFactory(region_id="110000")
    assert f"/calendar/events/{event.pk}.ics" in client.get(f"/events/{event.pk}/").content.decode()
    assert "/calendar/regions/110000.ics" in client.get("/events/?region=110000").content.decode()
    assert "/calendar/all.ics" in client.get("/events/").content.decode()
