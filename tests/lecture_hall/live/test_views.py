"""Live room pages: the room (anonymous viewers welcome, a device cookie), the JSON count and
its polling heartbeat, the lecturer's panel and announcements (lecturers and managers only),
the attendance page and CSV. No inline scripts or event handlers anywhere."""

import csv
import datetime as dt
import io
import re
import uuid

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from lecture_hall.models import Lecturer, Session
from tests.factories import UserFactory
from tests.lecture_hall.live.factories import (
    T0,
    LiveAnnouncementFactory,
    SessionAttendanceFactory,
    draft_session,
)

pytestmark = pytest.mark.django_db
DURING = T0 + dt.timedelta(minutes=10)


@pytest.fixture(autouse=True)
def traveller() -> object:
    with time_machine.travel(DURING, tick=False) as moving:
        yield moving


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _no_inline_code(html: str) -> None:
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>", html)
    assert all("src=" in a or 'type="application/json"' in a for a in scripts), scripts
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"


def test_an_anonymous_viewer_gets_the_room_and_a_device_cookie(
    client: Client, talk: Session
) -> None:
    LiveAnnouncementFactory(session=talk, text="欢迎来到直播间")
    response = client.get(reverse("live:room", kwargs={"pk": talk.pk}))
    assert response.status_code == 200
    cookie = response.cookies["live_device"]
    device = cookie.value
    assert uuid.UUID(device).version == 4
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    html = response.content.decode()
    assert f'data-viewer="{device}"' in html
    assert f'data-ws-path="/ws/sessions/{talk.pk}/live/"' in html
    assert 'data-phase="live"' in html
    assert "欢迎来到直播间" in html
    assert "https://live.example.cn/s/1" in html
    _no_inline_code(html)
    again = client.get(reverse("live:room", kwargs={"pk": talk.pk}))
    assert "live_device" not in again.cookies  # kept, not replaced
    assert f'data-viewer="{device}"' in again.content.decode()


def test_a_signed_in_viewer_says_hello_as_their_user(talk: Session, resident: User) -> None:
    html = _signed_in(resident).get(reverse("live:room", kwargs={"pk": talk.pk})).content.decode()
    assert f'data-viewer="user:{resident.pk}"' in html


def test_a_draft_or_missing_session_has_no_room(client: Client, teacher: Lecturer) -> None:
    draft = draft_session(teacher, starts_at=T0 + dt.timedelta(days=3))
    assert client.get(reverse("live:room", kwargs={"pk": draft.pk})).status_code == 404
    assert client.get(reverse("live:room", kwargs={"pk": 999_999})).status_code == 404


def test_the_count_endpoint_reads_and_the_polling_post_counts_the_viewer(
    client: Client, talk: Session
) -> None:
    url = reverse("live:count", kwargs={"pk": talk.pk})
    LiveAnnouncementFactory(session=talk, text="请提问")
    assert client.get(url).json() == {
        "type": "count",
        "count": 0,
        "phase": "live",
        "announcements": [
            {
                "id": talk.announcements.get().pk,
                "text": "请提问",
                "at": talk.announcements.get().sent_at.isoformat(),
            }
        ],
    }
    checked = Client(enforce_csrf_checks=True)
    assert checked.post(url).status_code == 403  # a POST needs the page's CSRF token
    assert client.post(url).json()["count"] == 1
    assert client.post(url).json()["count"] == 1  # the same browser again
    assert Client().post(url).json()["count"] == 2


def test_after_the_talk_a_post_does_not_count(
    client: Client, talk: Session, traveller: object
) -> None:
    traveller.move_to(T0 + dt.timedelta(hours=2))  # type: ignore[attr-defined]
    body = client.post(reverse("live:count", kwargs={"pk": talk.pk})).json()
    assert (body["count"], body["phase"]) == (0, "ended")


def test_the_panel_is_for_the_sessions_lecturers_and_managers(
    client: Client, talk: Session, teacher: Lecturer, resident: User
) -> None:
    url = reverse("live:panel", kwargs={"pk": talk.pk})
    assert client.get(url).status_code == 302  # sign in first
    assert _signed_in(resident).get(url).status_code == 403
    other_lecturer = UserFactory(role=Role.LECTURER)
    assert _signed_in(other_lecturer).get(url).status_code == 403
    coordinator = UserFactory(role=Role.COORDINATOR, region_id="500000")
    assert _signed_in(coordinator).get(url).status_code == 200
    response = _signed_in(teacher.user).get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="viewers-chart"' in html
    assert "vendor/uplot/uPlot.iife.min.js" in html
    assert 'data-panel="1"' in html
    _no_inline_code(html)


def test_a_lecturer_announces_from_the_panel_form(
    talk: Session, teacher: Lecturer, resident: User
) -> None:
    url = reverse("live:announce", kwargs={"pk": talk.pk})
    assert _signed_in(resident).post(url, {"text": "假消息"}).status_code == 403
    response = _signed_in(teacher.user).post(url, {"text": "下半场开始"})
    assert response.status_code == 302
    assert response["Location"] == reverse("live:panel", kwargs={"pk": talk.pk})
    assert list(talk.announcements.values_list("text", flat=True)) == ["下半场开始"]


def test_the_attendance_page_and_csv(talk: Session, teacher: Lecturer, resident: User) -> None:
    page = reverse("live:attendance", kwargs={"pk": talk.pk})
    csv_url = reverse("live:attendance_csv", kwargs={"pk": talk.pk})
    lecturer = _signed_in(teacher.user)
    assert "attendance-chart" not in lecturer.get(page).content.decode()  # not computed yet
    SessionAttendanceFactory(
        session=talk, distinct_viewers=812, peak_viewers=640, stayed_viewers=500
    )
    response = lecturer.get(page)
    html = response.content.decode()
    assert response.status_code == 200
    assert "812" in html
    assert "640" in html
    assert 'id="attendance-data"' in html
    _no_inline_code(html)
    export = lecturer.get(csv_url)
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="session-' in export["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[1:] == [
        ["0", "2027-03-10 19:00", "1"],
        ["1", "2027-03-10 19:01", "2"],
        ["2", "2027-03-10 19:02", "2"],
    ]
    assert _signed_in(resident).get(page).status_code == 403
    assert _signed_in(resident).get(csv_url).status_code == 403


def test_the_room_page_costs_the_same_queries_with_many_announcements(
    client: Client, talk: Session, django_assert_num_queries: object
) -> None:
    url = reverse("live:room", kwargs={"pk": talk.pk})
    client.get(url)
    LiveAnnouncementFactory(session=talk)
    with django_assert_num_queries(5) as one:  # type: ignore[operator]
        client.get(url)
    LiveAnnouncementFactory.create_batch(3, session=talk)
    with django_assert_num_queries(len(one.captured_queries)):  # type: ignore[operator]
        client.get(url)
