"""The lecture hall's pages through the test client: both languages, drafts never public, every
write page for every role, each rule's message on its field with nothing stored, escaping, and
query counts that do not grow with the number of sessions."""

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from pytest_django.fixtures import Settings

from accounts.models import Role, User
from lecture_hall.images import ERROR_NOT_AN_IMAGE
from lecture_hall.models import Lecturer, LecturerStatus, Series, Session, SessionChange
from lecture_hall.selectors import ERROR_NOT_A_LECTURER
from lecture_hall.services import (
    lecturer_request,
    series_create,
    session_cancel,
    session_create,
    session_end,
    session_publish,
    session_reschedule,
    session_update,
)
from lecture_hall.services.sessions import ERROR_REASON, ERROR_STALE
from tests.factories import LecturerFactory, UserFactory

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH)  # a Monday morning in Beijing
EVENING = dt.datetime(2027, 3, 1, 19, 0, tzinfo=SH)
LANGUAGES = ["zh-hans", "en"]


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: object) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def teacher() -> Lecturer:
    return LecturerFactory(name="王教授")  # region 500000 (Chongqing)


@pytest.fixture
def region_coordinator() -> User:
    return UserFactory(role=Role.COORDINATOR, region_id="500000")


def new_session(
    teacher: Lecturer,
    *,
    publish: bool = False,
    title: str = "健康老龄化",
    start: dt.datetime = EVENING,
    minutes: int = 90,
    **extra: Any,
) -> Session:
    session = session_create(
        actor=teacher.user,
        title=title,
        starts_at=start,
        duration_minutes=minutes,
        lecturer_ids=[teacher.pk],
        stream_url="https://live.example.cn/s/1",
        **extra,
    )
    if publish:
        session = session_publish(actor=teacher.user, session=session, expected_version=1)
    return session


def get(client: Client, url: str, language: str = "en") -> Any:
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def post(client: Client, url: str, data: dict[str, Any], language: str = "en") -> Any:
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)


def field_errors(html: str, field: str) -> str:
    """The error text shown under one field of a form."""
    match = re.search(rf'id="id_{field}_error">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


def local(moment: dt.datetime) -> str:
    return moment.astimezone(SH).strftime("%Y-%m-%dT%H:%M")


def db_state() -> tuple[Any, ...]:
    """Everything a write page could change, to show that a refused one changed nothing."""
    return (
        list(Session.objects.order_by("pk").values_list("pk", "version", "state", "title")),
        SessionChange.objects.count(),
        list(Series.objects.order_by("pk").values_list("pk", "title", "description")),
        list(Lecturer.objects.order_by("pk").values_list("pk", "name", "biography", "status")),
    )


@dataclass
class World:
    teacher: Lecturer
    series: Series
    published: Session
    draft: Session


@pytest.fixture
def world(teacher: Lecturer) -> World:
    series = series_create(
        actor=teacher.user, title="家庭教育十讲", region_code="500000", lecturer_ids=[teacher.pk]
    )
    published = new_session(teacher, publish=True, series=series)
    draft = new_session(
        teacher, title="草稿讲座", start=EVENING + dt.timedelta(hours=2), series=series
    )
    return World(teacher, series, published, draft)


# --- Every page, in both languages ------------------------------------------------------


def _pages(w: World, ministry: User, resident: User) -> dict[str, tuple[str, User | None]]:
    s, d = w.published.pk, w.draft.pk
    t = w.teacher.user
    return {
        "home": (reverse("lecture_hall:home"), None),
        "search": (reverse("lecture_hall:home") + "?q=健康&when=today", None),
        "session": (reverse("lecture_hall:session", args=[s]), None),
        "lecturer": (reverse("lecture_hall:lecturer", args=[w.teacher.pk]), None),
        "series": (reverse("lecture_hall:series", args=[w.series.pk]), None),
        "lecturer_list": (reverse("lecture_hall:lecturer_list"), None),
        "series_list": (reverse("lecture_hall:series_list"), None),
        "draft": (reverse("lecture_hall:session", args=[d]), t),
        "dashboard": (reverse("lecture_hall:dashboard"), t),
        "session_create": (reverse("lecture_hall:session_create"), t),
        "session_update": (reverse("lecture_hall:session_update", args=[d]), t),
        "session_reschedule": (reverse("lecture_hall:session_reschedule", args=[s]), t),
        "session_cancel": (reverse("lecture_hall:session_cancel", args=[s]), t),
        "session_end": (reverse("lecture_hall:session_end", args=[s]), t),
        "session_history": (reverse("lecture_hall:session_history", args=[s]), t),
        "series_create": (reverse("lecture_hall:series_create"), t),
        "series_update": (reverse("lecture_hall:series_update", args=[w.series.pk]), t),
        "lecturer_update": (reverse("lecture_hall:lecturer_update", args=[w.teacher.pk]), t),
        "lecturer_request": (reverse("lecture_hall:lecturer_request"), resident),
        "lecturer_decide": (reverse("lecture_hall:lecturer_decide"), ministry),
        "lecturer_create": (reverse("lecture_hall:lecturer_create"), ministry),
        "dashboard_ministry": (reverse("lecture_hall:dashboard"), ministry),
    }


PAGE_NAMES = [
    "home", "search", "session", "lecturer", "series", "lecturer_list", "series_list", "draft",
    "dashboard", "session_create", "session_update", "session_reschedule", "session_cancel",
    "session_end", "session_history", "series_create", "series_update", "lecturer_update",
    "lecturer_request", "lecturer_decide", "lecturer_create", "dashboard_ministry",
]  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_page_renders_in_both_languages(
    client: Client, world: World, ministry_user: User, resident: User, name: str, language: str
) -> None:
    url, user = _pages(world, ministry_user, resident)[name]
    if user is not None:
        client.force_login(user)
    response = get(client, url, language)
    assert response.status_code == 200
    html = response.content.decode()
    if language == "en":
        assert '<html lang="en">' in html
        assert "Online Public Lecture Hall" in html
    else:
        assert '<html lang="zh-Hans">' in html
        assert "线上社会大讲堂" in html


# --- Drafts are never public -------------------------------------------------------------


def test_public_pages_never_show_drafts(client: Client, world: World, resident: User) -> None:
    other = LecturerFactory()
    public_urls = [
        reverse("lecture_hall:home"),
        reverse("lecture_hall:home") + "?q=草稿",
        reverse("lecture_hall:home") + "?when=today",
        reverse("lecture_hall:home") + "?region=500000",
        reverse("lecture_hall:lecturer", args=[world.teacher.pk]),
        reverse("lecture_hall:series", args=[world.series.pk]),
    ]
    for user in (None, resident, other.user):
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in public_urls:
            html = get(client, url).content.decode()
            assert "草稿讲座" not in html, url
            assert "健康老龄化" in html or "q=" in url, url
        draft_page = get(client, reverse("lecture_hall:session", args=[world.draft.pk]))
        assert draft_page.status_code == 404


@pytest.mark.parametrize("who", ["teacher", "region_coordinator", "ministry"])
def test_a_draft_is_visible_to_those_who_may_manage_it(
    client: Client, world: World, region_coordinator: User, ministry_user: User, who: str
) -> None:
    user = {
        "teacher": world.teacher.user,
        "region_coordinator": region_coordinator,
        "ministry": ministry_user,
    }[who]
    client.force_login(user)
    response = get(client, reverse("lecture_hall:session", args=[world.draft.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "草稿讲座" in html
    assert "This is a draft." in html
    assert "/calendar/sessions/" not in html  # no calendar event before publishing


def test_another_regions_coordinator_gets_404_for_a_draft(
    client: Client, world: World, coordinator: User
) -> None:
    client.force_login(coordinator)
    assert get(client, reverse("lecture_hall:session", args=[world.draft.pk])).status_code == 404


# --- The session page --------------------------------------------------------------------


def test_published_session_page_shows_time_lecturers_and_links(
    client: Client, world: World
) -> None:
    html = get(client, reverse("lecture_hall:session", args=[world.published.pk])).content.decode()
    assert "19:00" in html
    assert "20:30" in html
    assert "90 minutes" in html
    assert reverse("lecture_hall:lecturer", args=[world.teacher.pk]) in html
    assert reverse("lecture_hall:series", args=[world.series.pk]) in html
    assert "Chongqing" in html
    assert f'href="/calendar/sessions/{world.published.pk}.ics"' in html
    assert f'/reminders/new/?event={world.published.event_id}"' in html  # "Remind me" is real now
    assert "Manage the session" not in html  # the public does not see the actions


def test_session_page_offers_one_way_in_and_a_phone_calendar(client: Client, world: World) -> None:
    html = get(client, reverse("lecture_hall:session", args=[world.published.pk])).content.decode()
    # One primary action, the live room (which links the stream and counts the audience)...
    links = html.split('class="session-links"')[1].split("</ul>")[0]
    assert links.count("<li>") == 1
    assert f'<a class="button" href="/lectures/sessions/{world.published.pk}/live/"' in links
    assert "The live stream and the lecturer's announcements are in the live room." in html
    # ...and no second, unexplained "Watch live" straight to the stream.
    assert "Watch live" not in html
    assert 'href="https://live.example.cn/s/1"' not in html
    assert "Save to your phone's calendar" in html
    assert "Add to calendar (.ics)" not in html


def test_only_those_who_manage_a_session_see_its_workflow_state(
    client: Client, world: World, resident: User, region_coordinator: User, ministry_user: User
) -> None:
    url = reverse("lecture_hall:session", args=[world.published.pk])
    for viewer in (None, resident):
        if viewer is not None:
            client.force_login(viewer)
        html = get(client, url).content.decode()
        assert "badge-published" not in html
        assert "<dt>State</dt>" not in html
    for manager in (world.teacher.user, region_coordinator, ministry_user):
        client.force_login(manager)
        html = get(client, url).content.decode()
        assert 'class="badge badge-published">Published<' in html


def test_hall_lists_say_their_times_are_beijing_time(client: Client, world: World) -> None:
    for url in (reverse("lecture_hall:home"), reverse("lecture_hall:home") + "?q=健康"):
        html = get(client, url).content.decode()
        assert html.count("All times are Beijing time.") == 1
        # Said before the first listed session, not after it.
        assert html.index("All times are Beijing time.") < html.index('class="session-card')


def test_lecturer_series_and_dashboard_lists_say_their_times_are_beijing_time(
    client: Client, world: World
) -> None:
    urls = [
        reverse("lecture_hall:lecturer", args=[world.teacher.pk]),
        reverse("lecture_hall:series", args=[world.series.pk]),
    ]
    for url in urls:
        assert get(client, url).content.decode().count("All times are Beijing time.") == 1, url
    client.force_login(world.teacher.user)
    html = get(client, reverse("lecture_hall:dashboard")).content.decode()
    assert html.count("All times are Beijing time.") == 1


def test_cancelled_session_shows_the_banner_with_its_reason(client: Client, world: World) -> None:
    session_cancel(
        actor=world.teacher.user, session=world.published, expected_version=2, reason="讲师出差"
    )
    html = get(client, reverse("lecture_hall:session", args=[world.published.pk])).content.decode()
    assert "This session is cancelled." in html
    assert "讲师出差" in html
    assert "Watch live" not in html
    home = get(client, reverse("lecture_hall:home")).content.decode()
    assert 'class="badge badge-cancelled">Cancelled<' in home


def test_a_rescheduled_then_cancelled_session_shows_only_the_cancellation(
    client: Client, world: World, resident: User
) -> None:
    session_reschedule(
        actor=world.teacher.user,
        session=world.published,
        expected_version=2,
        starts_at=dt.datetime(2027, 3, 2, 20, 0, tzinfo=SH),
        reason="讲师当天出差",
    )
    session_cancel(
        actor=world.teacher.user, session=world.published, expected_version=3, reason="场地维修"
    )
    url = reverse("lecture_hall:session", args=[world.published.pk])
    for viewer in (None, resident):
        if viewer is not None:
            client.force_login(viewer)
        html = get(client, url).content.decode()
        assert "This session is cancelled." in html
        assert "场地维修" in html
        # No "here is the new time" under "cancelled", and nothing to add, remind or join.
        assert "rescheduled" not in html
        assert "讲师当天出差" not in html
        assert "banner-rescheduled" not in html
        assert "calendar-actions" not in html
        assert f"/calendar/sessions/{world.published.pk}.ics" not in html
        assert "/reminders/new/" not in html
        assert "Add to my calendar" not in html
        assert f"/lectures/sessions/{world.published.pk}/live/" not in html
        assert "session-links" not in html
    # Its lecturer still finds the whole story in the history.
    client.force_login(world.teacher.user)
    history = get(client, reverse("lecture_hall:session_history", args=[world.published.pk]))
    assert "讲师当天出差" in history.content.decode()


def test_rescheduled_session_shows_the_last_reason(client: Client, world: World) -> None:
    for version, (hour, reason) in enumerate([(20, "场地调整"), (21, "讲师航班改期")], start=2):
        session_reschedule(
            actor=world.teacher.user,
            session=world.published,
            expected_version=version,
            starts_at=dt.datetime(2027, 3, 2, hour, 0, tzinfo=SH),
            reason=reason,
        )
    html = get(client, reverse("lecture_hall:session", args=[world.published.pk])).content.decode()
    assert "This session was rescheduled" in html
    assert "讲师航班改期" in html
    assert "场地调整" not in html


def test_ended_session_offers_the_replay_not_the_stream(
    client: Client, world: World, clock: Any
) -> None:
    clock.move_to(EVENING + dt.timedelta(hours=2))
    session_end(
        actor=world.teacher.user, session=world.published, replay_url="https://replay.example.cn/1"
    )
    html = get(client, reverse("lecture_hall:session", args=[world.published.pk])).content.decode()
    assert 'href="https://replay.example.cn/1"' in html
    assert "Watch the replay" in html
    assert "Join the live room" not in html
    assert 'class="badge badge-ended">Ended<' in html  # useful to readers too


def test_html_in_titles_and_abstracts_shows_escaped(client: Client, teacher: Lecturer) -> None:
    title = "<script>alert(1)</script>讲座"
    session = new_session(teacher, publish=True, title=title, abstract="<b>粗体</b>")
    for url in (
        reverse("lecture_hall:session", args=[session.pk]),
        reverse("lecture_hall:home"),
        reverse("lecture_hall:home") + "?q=alert",
    ):
        html = get(client, url).content.decode()
        assert escape(title) in html, url
        assert "<script>alert(1)" not in html, url
        assert "<b>粗体</b>" not in html, url


# --- Search and browsing -----------------------------------------------------------------


def test_search_finds_by_title_abstract_and_lecturer_name(
    client: Client, world: World, teacher: Lecturer
) -> None:
    other = LecturerFactory(name="李老师", region_id="110000")
    new_session(other, publish=True, title="数字生活", abstract="防范电信诈骗", start=EVENING)
    home = reverse("lecture_hall:home")
    for query, found, not_found in [
        ("数字", "数字生活", "健康老龄化"),
        ("诈骗", "数字生活", "健康老龄化"),
        ("王教授", "健康老龄化", "数字生活"),
    ]:
        html = get(client, f"{home}?q={query}").content.decode()
        assert found in html, query
        assert not_found not in html, query
    html = get(client, f"{home}?region=110000").content.decode()
    assert "数字生活" in html
    assert "健康老龄化" not in html


def test_search_results_are_paginated(client: Client, teacher: Lecturer) -> None:
    for i in range(25):
        new_session(
            teacher,
            publish=True,
            title=f"讲座{i:02d}",
            start=EVENING + dt.timedelta(hours=i),
            minutes=30,
        )
    html = get(client, reverse("lecture_hall:home") + "?q=讲座&when=upcoming").content.decode()
    assert "25 sessions found" in html
    assert "讲座19" in html
    assert "讲座20" not in html
    assert "page=2" in html
    html = get(
        client, reverse("lecture_hall:home") + "?q=讲座&when=upcoming&page=2"
    ).content.decode()
    assert "讲座20" in html


def test_home_shows_live_now_today_and_this_week(
    client: Client, teacher: Lecturer, clock: Any
) -> None:
    new_session(teacher, publish=True, title="正在直播", start=NOW + dt.timedelta(minutes=30))
    new_session(teacher, publish=True, title="周日讲座", start=NOW + dt.timedelta(days=6))
    new_session(teacher, publish=True, title="下周讲座", start=NOW + dt.timedelta(days=7))
    clock.move_to(NOW + dt.timedelta(minutes=40))
    html = get(client, reverse("lecture_hall:home")).content.decode()
    live = html.split('id="live-heading"')[1].split('id="today-heading"')[0]
    today = html.split('id="today-heading"')[1].split('id="week-heading"')[0]
    week = html.split('id="week-heading"')[1].split('id="regions-heading"')[0]
    assert "正在直播" in live
    assert "Live now" in live
    assert "正在直播" in today
    assert "周日讲座" not in today
    assert "周日讲座" in week
    assert "下周讲座" not in html


# --- Write pages, per role ---------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    url_name: str
    target: str  # draft, published, series or lecturer
    data: Callable[[World], dict[str, Any]] | None  # None: a page that is only read
    done: Callable[[World], bool]


def _edit_data(w: World) -> dict[str, Any]:
    return {
        "title": "新标题",
        "abstract": "",
        "lecturers": [w.teacher.pk],
        "series": "",
        "starts_at": local(w.draft.starts_at),
        "duration_minutes": "90",
        "stream_url": "",
        "expected_version": "1",
    }


def _state(session: Session) -> str:
    session.refresh_from_db()
    return session.state


ACTIONS = {
    "session_update": Action(
        "session_update",
        "draft",
        _edit_data,
        lambda w: Session.objects.get(pk=w.draft.pk).title == "新标题",
    ),
    "session_publish": Action(
        "session_publish",
        "draft",
        lambda w: {"expected_version": "1"},
        lambda w: _state(w.draft) == "published",
    ),
    "session_reschedule": Action(
        "session_reschedule",
        "published",
        lambda w: {
            "starts_at": "2027-03-02T19:00",
            "duration_minutes": "90",
            "reason": "场地调整",
            "expected_version": "2",
        },
        lambda w: (
            Session.objects.get(pk=w.published.pk).starts_at
            == dt.datetime(2027, 3, 2, 19, 0, tzinfo=SH)
        ),
    ),
    "session_cancel": Action(
        "session_cancel",
        "published",
        lambda w: {"reason": "讲师生病", "expected_version": "2"},
        lambda w: _state(w.published) == "cancelled",
    ),
    "session_duplicate": Action(
        "session_duplicate",
        "published",
        lambda w: {},
        lambda w: Session.objects.filter(title="健康老龄化").count() == 2,
    ),
    "session_end": Action(
        "session_end",
        "published",
        lambda w: {"replay_url": "https://replay.example.cn/1", "expected_version": "2"},
        lambda w: _state(w.published) == "ended",
    ),
    "session_history": Action("session_history", "published", None, lambda w: True),
    "series_update": Action(
        "series_update",
        "series",
        lambda w: {"title": "家庭教育新十讲", "description": "", "lecturers": [w.teacher.pk]},
        lambda w: Series.objects.get(pk=w.series.pk).title == "家庭教育新十讲",
    ),
    "lecturer_update": Action(
        "lecturer_update",
        "lecturer",
        lambda w: {"name": "王教授", "title": "教授", "organisation": "", "biography": "三十年"},
        lambda w: Lecturer.objects.get(pk=w.teacher.pk).biography == "三十年",
    ),
}
ROLES = [
    "anonymous",
    "resident",
    "other_lecturer",
    "own_lecturer",
    "region_coordinator",
    "other_coordinator",
    "ministry",
]
ALLOWED = {"own_lecturer", "region_coordinator", "ministry"}


def _user(role: str, w: World, **people: User) -> User | None:
    if role == "anonymous":
        return None
    if role == "own_lecturer":
        return w.teacher.user
    if role == "other_lecturer":
        return LecturerFactory(name="另一位讲师").user
    return people[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action_name", list(ACTIONS))
def test_write_pages_per_role(
    client: Client,
    world: World,
    resident: User,
    region_coordinator: User,
    coordinator: User,
    ministry_user: User,
    clock: Any,
    action_name: str,
    role: str,
) -> None:
    action = ACTIONS[action_name]
    if action_name == "session_end":
        clock.move_to(EVENING + dt.timedelta(minutes=30))  # it has started
    target = {
        "draft": world.draft.pk,
        "published": world.published.pk,
        "series": world.series.pk,
        "lecturer": world.teacher.pk,
    }[action.target]
    url = reverse(f"lecture_hall:{action.url_name}", args=[target])
    user = _user(
        role,
        world,
        resident=resident,
        region_coordinator=region_coordinator,
        other_coordinator=coordinator,
        ministry=ministry_user,
    )
    if user is not None:
        client.force_login(user)
    before = db_state()
    data = action.data(world) if action.data else None
    response = get(client, url) if data is None else post(client, url, data)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert db_state() == before
    elif role in ALLOWED:
        assert response.status_code == (200 if action.data is None else 302), (
            response.content.decode()[-3000:]
        )
        assert action.done(world)
    else:
        assert response.status_code == 403
        assert "Not allowed" in response.content.decode()
        assert db_state() == before


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("resident", 403),
        ("profileless_lecturer", 403),
        ("own_lecturer", 302),
        ("other_lecturer", 403),
        ("region_coordinator", 302),
        ("ministry", 302),
    ],
)
def test_create_session_per_role(
    client: Client,
    teacher: Lecturer,
    resident: User,
    lecturer: User,
    region_coordinator: User,
    ministry_user: User,
    role: str,
    expected: int,
) -> None:
    users = {
        "resident": resident,
        "profileless_lecturer": lecturer,  # role lecturer, but no approved profile
        "own_lecturer": teacher.user,
        "other_lecturer": LecturerFactory().user,  # same region: may pick, not publish for
        "region_coordinator": region_coordinator,
        "ministry": ministry_user,
    }
    if role != "anonymous":
        client.force_login(users[role])
    data = {
        "title": "新讲座",
        "lecturers": [teacher.pk],
        "starts_at": "2027-03-10T19:00",
        "duration_minutes": "60",
        "region": "",
        "series": "",
    }
    response = post(client, reverse("lecture_hall:session_create"), data)
    assert response.status_code == expected
    if expected == 302 and role != "anonymous":
        session = Session.objects.get(title="新讲座")
        assert response["Location"] == reverse("lecture_hall:session", args=[session.pk])
        assert list(session.lecturers.all()) == [teacher]
        assert session.region_id == "500000"
    else:
        assert not Session.objects.exists()


def test_a_refused_write_shows_the_services_message(
    client: Client, world: World, resident: User
) -> None:
    client.force_login(resident)
    response = get(client, reverse("lecture_hall:session_create"))
    assert response.status_code == 403
    html = response.content.decode()
    assert escape(str(ERROR_NOT_A_LECTURER)) in html
    assert reverse("lecture_hall:lecturer_request") in html


def test_other_regions_coordinator_cannot_pick_its_lecturers(
    client: Client, teacher: Lecturer, coordinator: User
) -> None:
    client.force_login(coordinator)
    data = {"title": "x", "lecturers": [teacher.pk], "starts_at": "2027-03-10T19:00"}
    response = post(client, reverse("lecture_hall:session_create"), data | {"duration_minutes": 60})
    assert response.status_code == 200
    assert "valid choice" in field_errors(response.content.decode(), "lecturers")
    assert not Session.objects.exists()


def test_create_form_preselects_the_lecturers_own_profile(
    client: Client, teacher: Lecturer
) -> None:
    client.force_login(teacher.user)
    html = get(client, reverse("lecture_hall:session_create")).content.decode()
    own = re.search(rf'<input[^>]*value="{teacher.pk}"[^>]*>', html)
    assert own is not None
    assert "checked" in own.group(0)
    assert 'type="datetime-local"' in html


# --- Each rule's message on its field, nothing stored ------------------------------------


def _create(client: Client, teacher: Lecturer, **overrides: Any) -> str:
    client.force_login(teacher.user)
    data = {
        "title": "第二讲",
        "lecturers": [teacher.pk],
        "starts_at": "2027-03-10T19:00",
        "duration_minutes": "60",
    } | overrides
    response = post(client, reverse("lecture_hall:session_create"), data)
    assert response.status_code == 200
    return response.content.decode()


def test_start_in_the_past_is_shown_on_the_start_field(client: Client, teacher: Lecturer) -> None:
    html = _create(client, teacher, starts_at="2027-02-28T09:00")
    # It names the start that was typed as such, not as if it were the present time.
    assert field_errors(html, "starts_at").strip() == (
        "<p>The start you entered (Feb. 28, 2027, 9 a.m.) has already passed; "
        "choose a later time.</p>"
    )
    assert not Session.objects.exists()


def test_ten_minutes_is_shown_on_the_duration_field(client: Client, teacher: Lecturer) -> None:
    html = _create(client, teacher, duration_minutes="10")
    assert "10 minutes is not allowed" in field_errors(html, "duration_minutes")
    assert not Session.objects.exists()


def test_overlap_names_the_clashing_session(client: Client, teacher: Lecturer) -> None:
    new_session(teacher, title="第一讲", start=dt.datetime(2027, 3, 10, 19, 0, tzinfo=SH))
    html = _create(client, teacher, starts_at="2027-03-10T20:00")
    errors = field_errors(html, "starts_at")
    assert "王教授" in errors
    assert "第一讲" in errors
    assert Session.objects.count() == 1


def test_no_lecturer_ticked_is_shown_on_the_lecturers_field(
    client: Client, ministry_user: User, teacher: Lecturer
) -> None:
    client.force_login(ministry_user)
    data = {"title": "x", "starts_at": "2027-03-10T19:00", "duration_minutes": "60"}
    html = post(client, reverse("lecture_hall:session_create"), data).content.decode()
    assert "Choose at least one approved lecturer." in field_errors(html, "lecturers")
    assert not Session.objects.exists()


def test_stale_version_shows_the_conflict_and_saves_nothing(client: Client, world: World) -> None:
    session_update(
        actor=world.teacher.user, session=world.draft, expected_version=1, title="别人改的标题"
    )
    client.force_login(world.teacher.user)
    url = reverse("lecture_hall:session_update", args=[world.draft.pk])
    response = post(client, url, _edit_data(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(str(ERROR_STALE % {"now": 2, "yours": 1})) in html
    assert Session.objects.get(pk=world.draft.pk).title == "别人改的标题"


def test_stale_version_on_publish_is_a_message_not_a_publication(
    client: Client, world: World
) -> None:
    session_update(actor=world.teacher.user, session=world.draft, expected_version=1, title="新")
    client.force_login(world.teacher.user)
    url = reverse("lecture_hall:session_publish", args=[world.draft.pk])
    response = client.post(url, {"expected_version": "1"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "now version 2, you edited version 1" in response.content.decode()
    assert _state(world.draft) == "draft"


def test_a_file_that_is_not_a_picture_is_shown_on_the_photo_field(
    client: Client, teacher: Lecturer
) -> None:
    client.force_login(teacher.user)
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    url = reverse("lecture_hall:lecturer_update", args=[teacher.pk])
    response = post(client, url, {"name": "王教授", "biography": "新简介", "photo": fake})
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(str(ERROR_NOT_AN_IMAGE % {"name": "photo.jpg"})) in field_errors(html, "photo")
    teacher.refresh_from_db()
    assert (teacher.photo.name, teacher.biography) == ("", "")


def test_a_file_that_is_not_a_picture_is_shown_on_the_cover_field(
    client: Client, teacher: Lecturer
) -> None:
    client.force_login(teacher.user)
    fake = SimpleUploadedFile("cover.png", b"GIF89a but not really", content_type="image/png")
    data = {"title": "新系列", "lecturers": [teacher.pk], "cover": fake}
    response = post(client, reverse("lecture_hall:series_create"), data)
    assert response.status_code == 200
    assert "cover.png is not a picture" in field_errors(response.content.decode(), "cover")
    assert not Series.objects.exists()


@pytest.mark.parametrize("url_name", ["session_reschedule", "session_cancel"])
def test_missing_reason_is_shown_on_the_reason_field(
    client: Client, world: World, url_name: str
) -> None:
    client.force_login(world.teacher.user)
    data = {
        "starts_at": "2027-03-02T19:00",
        "duration_minutes": "90",
        "reason": "  ",
        "expected_version": "2",
    }
    url = reverse(f"lecture_hall:{url_name}", args=[world.published.pk])
    response = post(client, url, data)
    assert response.status_code == 200
    assert escape(str(ERROR_REASON)) in field_errors(response.content.decode(), "reason")
    published = Session.objects.get(pk=world.published.pk)
    assert (published.state, published.starts_at, published.version) == ("published", EVENING, 2)


def test_reschedule_into_the_past_is_shown_on_the_start_field(client: Client, world: World) -> None:
    client.force_login(world.teacher.user)
    url = reverse("lecture_hall:session_reschedule", args=[world.published.pk])
    data = {"starts_at": "2027-02-27T19:00", "duration_minutes": "90", "reason": "改期"}
    response = post(client, url, data | {"expected_version": "2"})
    assert "has already passed" in field_errors(response.content.decode(), "starts_at")
    assert Session.objects.get(pk=world.published.pk).starts_at == EVENING


def test_ending_before_the_start_is_refused_above_the_form(client: Client, world: World) -> None:
    client.force_login(world.teacher.user)
    url = reverse("lecture_hall:session_end", args=[world.published.pk])
    response = post(client, url, {"replay_url": "", "expected_version": "2"})
    assert response.status_code == 200
    assert "only after it has started" in response.content.decode()
    assert _state(world.published) == "published"


# --- The whole flow and the history ------------------------------------------------------


def test_lecturer_creates_publishes_reschedules_and_cancels_through_the_pages(
    client: Client, teacher: Lecturer
) -> None:
    client.force_login(teacher.user)
    data = {
        "title": "家庭教育",
        "abstract": "如何陪伴孩子成长",
        "lecturers": [teacher.pk],
        "starts_at": "2027-03-10T19:00",
        "duration_minutes": "90",
        "stream_url": "https://live.example.cn/x",
    }
    response = post(client, reverse("lecture_hall:session_create"), data)
    session = Session.objects.get()
    assert response["Location"] == reverse("lecture_hall:session", args=[session.pk])
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "is saved" in page  # the success message, shown once after the redirect

    post(
        client, reverse("lecture_hall:session_publish", args=[session.pk]), {"expected_version": 1}
    )
    assert _state(session) == "published"
    reschedule = {
        "starts_at": "2027-03-11T19:30",
        "duration_minutes": "60",
        "reason": "场地调整",
        "expected_version": "2",
    }
    post(client, reverse("lecture_hall:session_reschedule", args=[session.pk]), reschedule)
    cancel = {"reason": "讲师出差", "expected_version": "3"}
    post(client, reverse("lecture_hall:session_cancel", args=[session.pk]), cancel)
    session.refresh_from_db()
    assert (session.state, session.cancel_reason, session.duration_minutes) == (
        "cancelled",
        "讲师出差",
        60,
    )

    html = get(client, reverse("lecture_hall:session_history", args=[session.pk])).content.decode()
    assert [a in html for a in ("created", "published", "rescheduled", "cancelled")] == [True] * 4
    assert "场地调整" in html
    assert "讲师出差" in html
    assert str(teacher.user) in html
    # The old and the new start, in Beijing time.
    assert "March 10, 2027, 7 p.m. → March 11, 2027, 7:30 p.m." in html
    assert "duration (minutes)" in html


def test_duplicate_makes_next_weeks_draft(client: Client, world: World) -> None:
    client.force_login(world.teacher.user)
    url = reverse("lecture_hall:session_duplicate", args=[world.published.pk])
    response = post(client, url, {})
    copy = Session.objects.exclude(pk__in=[world.published.pk, world.draft.pk]).get()
    assert response["Location"] == reverse("lecture_hall:session", args=[copy.pk])
    assert (copy.state, copy.starts_at) == ("draft", EVENING + dt.timedelta(weeks=1))


def test_edit_of_a_published_session_leaves_the_time_to_reschedule(
    client: Client, world: World
) -> None:
    client.force_login(world.teacher.user)
    url = reverse("lecture_hall:session_update", args=[world.published.pk])
    html = get(client, url).content.decode()
    assert 'name="starts_at"' not in html
    assert reverse("lecture_hall:session_reschedule", args=[world.published.pk]) in html
    data = {"title": "新标题", "lecturers": [world.teacher.pk], "expected_version": "2"}
    assert post(client, url, data).status_code == 302
    session = Session.objects.get(pk=world.published.pk)
    assert (session.title, session.starts_at, session.version) == ("新标题", EVENING, 3)


# --- Dashboard ---------------------------------------------------------------------------


def test_dashboard_shows_each_role_its_sessions(
    client: Client,
    world: World,
    region_coordinator: User,
    coordinator: User,
    ministry_user: User,
    resident: User,
) -> None:
    beijing = LecturerFactory(name="李老师", region_id="110000", user__region_id="110000")
    new_session(beijing, publish=True, title="北京讲座")
    url = reverse("lecture_hall:dashboard")
    expectations = [
        (world.teacher.user, {"健康老龄化", "草稿讲座"}, {"北京讲座"}),
        (region_coordinator, {"健康老龄化", "草稿讲座"}, {"北京讲座"}),
        (coordinator, {"北京讲座"}, {"健康老龄化", "草稿讲座"}),
        (ministry_user, {"健康老龄化", "草稿讲座", "北京讲座"}, set()),
    ]
    for user, shown, hidden in expectations:
        client.force_login(user)
        html = get(client, url).content.decode()
        drafts = html.split('id="drafts-heading"')[1].split('id="past-heading"')[0]
        assert all(title in html for title in shown), user
        assert not any(title in html for title in hidden), user
        assert ("草稿讲座" in drafts) == ("草稿讲座" in shown)
    client.force_login(resident)
    assert get(client, url).status_code == 403
    client.logout()
    assert get(client, url).status_code == 302


def _section(html: str, heading_id: str) -> str:
    """One dashboard section's HTML, from its heading to the next section."""
    if f'id="{heading_id}"' not in html:
        return ""
    return html.split(f'id="{heading_id}"')[1].split("</section>")[0]


def test_dashboard_puts_the_live_talk_first_and_cancelled_ones_last(
    client: Client, world: World, clock: Any
) -> None:
    teacher = world.teacher
    new_session(teacher, publish=True, title="正在讲的课", start=NOW + dt.timedelta(hours=1))
    new_session(teacher, publish=True, title="下周的课", start=EVENING + dt.timedelta(days=7))
    called_off = new_session(
        teacher, publish=True, title="取消的课", start=EVENING + dt.timedelta(days=2)
    )
    session_cancel(actor=teacher.user, session=called_off, expected_version=2, reason="场地维修")
    clock.move_to(NOW + dt.timedelta(hours=1, minutes=30))  # 10:30, the first talk under way
    client.force_login(teacher.user)
    html = get(client, reverse("lecture_hall:dashboard")).content.decode()
    live = _section(html, "live-heading")
    upcoming = _section(html, "upcoming-heading")
    past = _section(html, "past-heading")
    cancelled = _section(html, "cancelled-heading")
    assert ">Live now</h2>" in live
    assert "正在讲的课" in live
    live_pk = Session.objects.get(title="正在讲的课").pk
    assert f'href="/lectures/sessions/{live_pk}/live/panel/"' in live
    assert "Open the live panel" in live
    assert "正在讲的课" not in past
    assert "下周的课" in upcoming
    assert "健康老龄化" in upcoming  # tonight's, from `world`
    assert "取消的课" not in upcoming
    assert "取消的课" in cancelled
    assert 'class="badge badge-cancelled">Cancelled<' in cancelled
    # Live first, cancelled after the upcoming, the drafts and the past.
    order = [
        html.index(f'id="{h}"') for h in ("live-heading", "upcoming-heading", "drafts-heading")
    ]
    order += [html.index(f'id="{h}"') for h in ("past-heading", "cancelled-heading")]
    assert order == sorted(order)


def test_dashboard_has_no_live_or_cancelled_section_without_such_talks(
    client: Client, world: World
) -> None:
    client.force_login(world.teacher.user)
    html = get(client, reverse("lecture_hall:dashboard")).content.decode()
    assert 'id="live-heading"' not in html
    assert 'id="cancelled-heading"' not in html
    assert "健康老龄化" in _section(html, "upcoming-heading")


# --- Lecturers: requests, decisions, accounts --------------------------------------------


def test_staff_see_why_they_cannot_ask_to_become_lecturers_instead_of_a_form(
    client: Client, coordinator: User, ministry_user: User, resident: User
) -> None:
    for user in (coordinator, ministry_user):
        client.force_login(user)
        html = get(client, reverse("lecture_hall:lecturer_request")).content.decode()
        assert "Only residents ask to become lecturers" in html
        assert 'name="biography"' not in html
    client.force_login(resident)
    html = get(client, reverse("lecture_hall:lecturer_request")).content.decode()
    assert 'name="biography"' in html
    assert "Only residents ask to become lecturers" not in html


def test_resident_requests_and_the_regions_coordinator_approves(
    client: Client, resident: User, region_coordinator: User, coordinator: User
) -> None:
    client.force_login(resident)
    data = {"name": "张居民", "organisation": "社区学院", "region": "500000", "biography": ""}
    assert post(client, reverse("lecture_hall:lecturer_request"), data).status_code == 302
    profile = Lecturer.objects.get(user=resident)
    assert profile.status == LecturerStatus.REQUESTED
    html = get(client, reverse("lecture_hall:lecturer_request")).content.decode()
    assert "waiting for the decision" in html
    assert get(client, reverse("lecture_hall:lecturer_decide")).status_code == 403

    client.force_login(coordinator)  # Beijing's: not theirs to decide
    assert "张居民" not in get(client, reverse("lecture_hall:lecturer_decide")).content.decode()
    post(
        client,
        reverse("lecture_hall:lecturer_decide"),
        {"lecturer": profile.pk, "decision": "approve"},
    )
    assert Lecturer.objects.get(pk=profile.pk).status == LecturerStatus.REQUESTED

    client.force_login(region_coordinator)
    assert "张居民" in get(client, reverse("lecture_hall:lecturer_decide")).content.decode()
    data = {"lecturer": profile.pk, "decision": "approve"}
    assert post(client, reverse("lecture_hall:lecturer_decide"), data).status_code == 302
    resident.refresh_from_db()
    assert (resident.role, Lecturer.objects.get(pk=profile.pk).status) == (
        Role.LECTURER,
        LecturerStatus.APPROVED,
    )


def test_refusing_a_request(client: Client, resident: User, ministry_user: User) -> None:
    profile = lecturer_request(actor=resident, region_code=None, name="赵居民")
    client.force_login(ministry_user)
    post(
        client,
        reverse("lecture_hall:lecturer_decide"),
        {"lecturer": profile.pk, "decision": "refuse"},
    )
    assert Lecturer.objects.get(pk=profile.pk).status == LecturerStatus.REFUSED
    assert get(client, reverse("lecture_hall:lecturer", args=[profile.pk])).status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("resident", 403),
        ("lecturer", 403),
        ("coordinator", 302),
        ("ministry", 302),
    ],
)
def test_create_lecturer_account_per_role(
    client: Client, resident: User, coordinator: User, ministry_user: User, role: str, expected: int
) -> None:
    users = {
        "resident": resident,
        "lecturer": LecturerFactory().user,
        "coordinator": coordinator,
        "ministry": ministry_user,
    }
    if role != "anonymous":
        client.force_login(users[role])
    data = {"username": "li", "email": "li@example.cn", "name": "李老师", "region": "110000"}
    response = post(client, reverse("lecture_hall:lecturer_create"), data)
    assert response.status_code == expected
    created = Lecturer.objects.filter(user__username="li").first()
    assert (created is not None) == (role in ("coordinator", "ministry"))
    if created is not None:
        assert response["Location"] == reverse("lecture_hall:lecturer", args=[created.pk])


def test_taken_user_name_is_shown_on_its_field(
    client: Client, coordinator: User, resident: User
) -> None:
    client.force_login(coordinator)
    data = {"username": resident.username, "email": "x@example.cn", "name": "X", "region": "110000"}
    response = post(client, reverse("lecture_hall:lecturer_create"), data)
    assert "is taken" in field_errors(response.content.decode(), "username")


# --- Query counts ------------------------------------------------------------------------


def _sessions(teacher: Lecturer, count: int) -> None:
    """`count` published sessions today and later this week, in a series, with two lecturers
    each (so that lecturers are prefetched, not fetched per session)."""
    partner = LecturerFactory(name="合讲老师")
    series = series_create(actor=teacher.user, title="系列", lecturer_ids=[teacher.pk])
    for i in range(count):
        session = session_create(
            actor=teacher.user,
            title=f"讲座{i}",
            starts_at=NOW + dt.timedelta(minutes=30 + 45 * i),
            duration_minutes=30,
            lecturer_ids=[teacher.pk, partner.pk],
            series=series,
            region_code="500000",
        )
        session_publish(actor=teacher.user, session=session, expected_version=1)


@pytest.mark.parametrize("count", [1, 20])
@pytest.mark.parametrize("language", LANGUAGES)
def test_home_query_count_does_not_grow_with_sessions(
    client: Client,
    teacher: Lecturer,
    django_assert_max_num_queries: Any,
    clock: Any,
    count: int,
    language: str,
) -> None:
    _sessions(teacher, count)
    clock.move_to(NOW + dt.timedelta(minutes=40))  # the first one is live
    with django_assert_max_num_queries(11):
        html = get(client, reverse("lecture_hall:home"), language).content.decode()
    assert "讲座0" in html
    with django_assert_max_num_queries(4):
        html = get(client, reverse("lecture_hall:home") + "?q=讲座", language).content.decode()
    assert "讲座0" in html


@pytest.mark.parametrize("count", [1, 20])
def test_lecturer_page_query_count_does_not_grow_with_sessions(
    client: Client, teacher: Lecturer, django_assert_max_num_queries: Any, count: int
) -> None:
    _sessions(teacher, count)
    with django_assert_max_num_queries(8):
        html = get(client, reverse("lecture_hall:lecturer", args=[teacher.pk])).content.decode()
    assert "讲座0" in html


@pytest.mark.parametrize("count", [1, 20])
def test_dashboard_query_count_does_not_grow_with_sessions(
    client: Client,
    teacher: Lecturer,
    django_assert_max_num_queries: Any,
    count: int,
    clock: Any,
) -> None:
    _sessions(teacher, count)
    # Every section filled: one cancelled talk, and the first one under way.
    called_off = new_session(
        teacher, publish=True, title="取消的讲座", start=EVENING + dt.timedelta(days=3)
    )
    session_cancel(actor=teacher.user, session=called_off, expected_version=2, reason="场地维修")
    clock.move_to(NOW + dt.timedelta(minutes=40))
    client.force_login(teacher.user)
    with django_assert_max_num_queries(16):
        html = get(client, reverse("lecture_hall:dashboard")).content.decode()
    assert "讲座0" in html.split('id="live-heading"')[1].split("</section>")[0]
    assert "取消的讲座" in html.split('id="cancelled-heading"')[1]


# --- Every write page asks anonymous visitors to sign in ---------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "dashboard",
        "session_create",
        "session_update",
        "session_reschedule",
        "session_cancel",
        "session_end",
        "session_history",
        "series_create",
        "series_update",
        "lecturer_update",
        "lecturer_request",
        "lecturer_decide",
        "lecturer_create",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(
    client: Client, world: World, ministry_user: User, resident: User, name: str
) -> None:
    url, _user = _pages(world, ministry_user, resident)[name]
    response = get(client, url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("resident", 403),
        ("profileless_lecturer", 403),
        ("own_lecturer", 302),
        ("other_lecturer", 403),
        ("region_coordinator", 302),
        ("other_coordinator", 403),
        ("ministry", 302),
    ],
)
def test_create_series_per_role(
    client: Client,
    teacher: Lecturer,
    resident: User,
    lecturer: User,
    region_coordinator: User,
    coordinator: User,
    ministry_user: User,
    role: str,
    expected: int,
) -> None:
    users = {
        "resident": resident,
        "profileless_lecturer": lecturer,
        "own_lecturer": teacher.user,
        "other_lecturer": LecturerFactory().user,
        "region_coordinator": region_coordinator,
        "other_coordinator": coordinator,
        "ministry": ministry_user,
    }
    client.force_login(users[role])
    data = {"title": "新系列", "description": "", "lecturers": [teacher.pk], "region": "500000"}
    response = post(client, reverse("lecture_hall:series_create"), data)
    if role == "other_coordinator":
        # Beijing's coordinator is offered neither Chongqing's lecturers nor its region.
        assert response.status_code == 200
        assert "valid choice" in field_errors(response.content.decode(), "lecturers")
    else:
        assert response.status_code == expected
    assert Series.objects.filter(title="新系列").exists() == (expected == 302)


def test_a_live_session_is_extended_through_the_reschedule_page(
    client: Client, world: World, clock: Any
) -> None:
    clock.move_to(EVENING + dt.timedelta(minutes=80))  # on the air, 10 minutes left
    client.force_login(world.teacher.user)
    url = reverse("lecture_hall:session_reschedule", args=[world.published.pk])
    response = get(client, url)
    assert 'value="2027-03-01T19:00"' in response.content.decode()  # the start, as it stands
    data = {"starts_at": "2027-03-01T19:00", "duration_minutes": "120", "reason": "延长答疑"}
    response = post(client, url, data | {"expected_version": "2"})
    assert response.status_code == 302, field_errors(response.content.decode(), "starts_at")
    session = Session.objects.get(pk=world.published.pk)
    assert (session.starts_at, session.ends_at) == (EVENING, EVENING + dt.timedelta(hours=2))
