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


def _follow_box(html: str) -> str:
    return html.split('class="follow-box"')[1].split("</div>")[0]


@pytest.mark.parametrize("kind", ["lecturer", "series"])
def test_follow_sits_under_the_name_and_shows_whether_one_follows(
    client: Client, resident: User, kind: str
) -> None:
    me = LecturerFactory(name="刘秀英")
    series = series_create(actor=me.user, title="法律常识系列", lecturer_ids=[me.pk])
    pk = me.pk if kind == "lecturer" else series.pk
    url = f"/lectures/{'lecturers' if kind == 'lecturer' else 'series'}/{pk}/"
    tag = f"{kind}:{pk}"
    client.force_login(resident)

    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    box = _follow_box(html)
    # Near the top: right under the heading, before the talks and the subscribe box.
    assert html.index('class="follow-box"') > html.index("<h1>")
    assert html.index('class="follow-box"') < html.index('id="upcoming-heading"')
    assert f'name="tag" value="{tag}"' in box
    assert 'name="follow" value="1"' in box
    assert ">Follow</button>" in box
    assert "Following" not in box

    response = client.post(
        "/calendar/me/follow/", {"tag": tag, "follow": "1", "next": url}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response["Location"] == url
    box = _follow_box(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "<strong>Following</strong>" in box
    assert 'href="/calendar/me/"' in box  # where the talks now are
    assert 'name="follow" value="0"' in box
    assert ">Stop following</button>" in box

    client.post("/calendar/me/follow/", {"tag": tag, "follow": "0", "next": url})
    assert CalendarSubscription.objects.get(user=resident).tags == []
    box = _follow_box(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert ">Follow</button>" in box


@pytest.mark.parametrize("kind", ["lecturer", "series"])
def test_visitors_are_asked_to_sign_in_or_sign_up_to_follow(client: Client, kind: str) -> None:
    me = LecturerFactory()
    series = series_create(actor=me.user, title="十讲", lecturer_ids=[me.pk])
    pk = me.pk if kind == "lecturer" else series.pk
    url = f"/lectures/{'lecturers' if kind == 'lecturer' else 'series'}/{pk}/"
    box = _follow_box(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "<form" not in box
    assert f'<a href="/accounts/login/?next={url}">Sign in</a>' in box
    assert '<a href="/accounts/signup/">sign up</a>' in box
    assert f"to follow this {kind} in your own calendar." in box
