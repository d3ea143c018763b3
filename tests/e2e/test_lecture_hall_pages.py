"""The lecture hall in Chromium: a lecturer creates, publishes, reschedules and cancels a session
through the forms; a resident finds it with the home page's search and sees it cancelled; the
home and session pages pass axe-core in Chinese and English; the home page fits a 360 px phone."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role
from lecture_hall.models import Lecturer, Session, SessionState
from lecture_hall.services import (
    series_create,
    session_cancel,
    session_create,
    session_publish,
    session_reschedule,
)
from tests.e2e.helpers import sign_in
from tests.factories import LecturerFactory, UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "家庭教育与终身学习"


def _axe_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in results.response["violations"]
    ]


def _local_input(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _evening_in(days: int) -> dt.datetime:
    """19:00 Beijing time, `days` days from today."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(19, 0), tzinfo=timezone.get_default_timezone())


@pytest.fixture
def teacher() -> Lecturer:
    return LecturerFactory(name="王教授", user__username="teacher-e2e")


def _submit(page: Page) -> None:
    page.locator("form.lh-form button[type=submit]").click()


def test_lecturer_publishes_reschedules_cancels_and_a_resident_finds_it_cancelled(
    page: Page, live_server: object, browser: Browser, teacher: Lecturer
) -> None:
    start = _evening_in(7)
    sign_in(page, str(live_server), teacher.user.username, PASSWORD)
    page.goto(f"{live_server}/lectures/dashboard/")
    page.locator("a[href='/lectures/sessions/new/']").click()
    expect(page.locator(f"#id_lecturers input[value='{teacher.pk}']")).to_be_checked()
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_abstract").fill("父母如何陪伴孩子成长，建设学习型家庭。")
    page.locator("#id_starts_at").fill(_local_input(start))
    page.locator("#id_duration_minutes").fill("90")
    page.locator("#id_stream_url").fill("https://live.example.cn/e2e")
    _submit(page)
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator(".banner-draft")).to_be_visible()

    page.locator(".manage-panel form[action$='/publish/'] button").click()
    expect(page.locator(".message-success")).to_be_visible()
    # One way in: the live room (it links the stream); the stream itself is not a second button.
    expect(page.locator(".session-links a[href$='/live/']")).to_be_visible()
    expect(page.locator(".session-links a")).to_have_count(1)
    expect(page.locator("main a[href='https://live.example.cn/e2e']")).to_have_count(0)
    session = Session.objects.get(title=TITLE)
    assert session.state == SessionState.PUBLISHED

    page.locator(".manage-panel a[href$='/reschedule/']").click()
    page.locator("#id_starts_at").fill(_local_input(start + dt.timedelta(days=1, minutes=30)))
    page.locator("#id_reason").fill("场地调整到周四")
    _submit(page)
    expect(page.locator(".banner-rescheduled")).to_contain_text("场地调整到周四")

    page.locator(".manage-panel a[href$='/cancel/']").click()
    page.locator("#id_reason").fill("讲师临时出差")
    _submit(page)
    expect(page.locator(".banner-cancelled")).to_contain_text("讲师临时出差")
    # Cancelled after a reschedule: no "here is the new time", nothing to add or join.
    expect(page.locator(".banner-rescheduled")).to_have_count(0)
    expect(page.locator(".calendar-actions")).to_have_count(0)
    expect(page.locator(".session-links")).to_have_count(0)
    session.refresh_from_db()
    assert (session.state, session.starts_at) == (
        SessionState.CANCELLED,
        start + dt.timedelta(days=1, minutes=30),
    )

    # Someone else, not signed in: finds it through the search, and sees it cancelled.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    visitor = context.new_page()
    visitor.goto(f"{live_server}/lectures/")
    visitor.locator("#id_q").fill("家庭教育")
    visitor.locator("form.search-form button[type=submit]").click()
    card = visitor.locator(".session-card", has_text=TITLE)
    expect(card).to_have_count(1)
    expect(card.locator(".badge-cancelled")).to_be_visible()
    card.locator("h3 a").click()
    expect(visitor.locator(".banner-cancelled")).to_contain_text("讲师临时出差")
    expect(visitor.locator(".manage-panel")).to_have_count(0)
    context.close()


def _hall_with_sessions() -> tuple[Session, Session]:
    """A published session in a series, a rescheduled one and a cancelled one, by two lecturers."""
    teacher = LecturerFactory(name="王教授")
    partner = LecturerFactory(name="李老师", region_id="110000", user__region_id="110000")
    series = series_create(
        actor=teacher.user, title="健康老龄化系列", region_code="500000", lecturer_ids=[teacher.pk]
    )
    sessions = []
    for i, lecturer in enumerate((teacher, partner, teacher)):
        session = session_create(
            actor=lecturer.user,
            title=f"健康老龄化第{i + 1}讲：运动、饮食与社会参与",
            abstract="如何在晚年保持身心健康。<script>alert(1)</script>",
            starts_at=_evening_in(i + 1),
            duration_minutes=90,
            lecturer_ids=[lecturer.pk],
            series=series if lecturer == teacher else None,
            stream_url="https://live.example.cn/s/1",
        )
        sessions.append(session_publish(actor=lecturer.user, session=session, expected_version=1))
    session_reschedule(
        actor=partner.user,
        session=sessions[1],
        expected_version=2,
        starts_at=_evening_in(3) + dt.timedelta(hours=1, minutes=40),
        reason="场地调整",
    )
    session_cancel(actor=teacher.user, session=sessions[2], expected_version=2, reason="讲师出差")
    return sessions[0], sessions[1]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_home_and_session_pages_have_no_axe_violations(
    page: Page, live_server: object, language: str
) -> None:
    published, rescheduled = _hall_with_sessions()
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": str(live_server)}]
    )
    expected_lang = "zh-Hans" if language == "zh-hans" else "en"
    for path in (
        "/lectures/",
        "/lectures/?q=健康&when=upcoming",
        f"/lectures/sessions/{published.pk}/",
        f"/lectures/sessions/{rescheduled.pk}/",
    ):
        page.goto(f"{live_server}{path}")
        expect(page.locator("html")).to_have_attribute("lang", expected_lang)
        assert _axe_violations(page) == [], path
    expect(page.locator(".banner-rescheduled")).to_contain_text("场地调整")


def test_the_lecturers_forms_have_no_axe_violations(page: Page, live_server: object) -> None:
    published, _rescheduled = _hall_with_sessions()
    lecturer = published.lecturers.get()
    sign_in(page, str(live_server), lecturer.user.username, PASSWORD)
    for path in (
        "/lectures/dashboard/",
        "/lectures/sessions/new/",
        f"/lectures/sessions/{published.pk}/",
        f"/lectures/sessions/{published.pk}/reschedule/",
        f"/lectures/sessions/{published.pk}/history/",
    ):
        page.goto(f"{live_server}{path}")
        assert _axe_violations(page) == [], path
    # A form sent back with the service's messages on its fields.
    page.goto(f"{live_server}/lectures/sessions/new/")
    page.locator("#id_title").fill("太短的讲座")
    page.locator("#id_starts_at").fill(_local_input(_evening_in(10)))
    page.locator("#id_duration_minutes").fill("10")
    _submit(page)
    expect(page.locator("#id_duration_minutes_error")).to_contain_text("10")
    assert _axe_violations(page) == []


def test_home_fits_a_360px_phone_without_sideways_scrolling(
    page: Page, live_server: object
) -> None:
    published, _rescheduled = _hall_with_sessions()
    UserFactory(role=Role.RESIDENT)
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("/lectures/", f"/lectures/sessions/{published.pk}/", "/lectures/?q=健康"):
        page.goto(f"{live_server}{path}")
        font_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert font_size >= 18
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 360, f"{path} scrolls sideways on a phone ({scroll_width} px)"


def test_keyboard_reaches_the_search(page: Page, live_server: object) -> None:
    _hall_with_sessions()
    page.goto(f"{live_server}/lectures/")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_q":
            break
    else:
        pytest.fail("the search box is not reachable by keyboard")
    page.keyboard.type("健康")
    page.keyboard.press("Enter")
    expect(page.locator("#results-heading")).to_be_visible()
    expect(page.locator(".session-card")).to_have_count(3)


def test_a_resident_follows_a_lecturer_from_the_top_of_the_page_on_a_phone(
    page: Page, live_server: object
) -> None:
    published, _rescheduled = _hall_with_sessions()
    lecturer = published.lecturers.get()
    resident = UserFactory(role=Role.RESIDENT, username="follower-e2e")
    page.set_viewport_size({"width": 360, "height": 740})
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": str(live_server)}])
    url = f"{live_server}/lectures/lecturers/{lecturer.pk}/"

    # Not signed in: a line with the ways in, near the top.
    page.goto(url)
    box = page.locator(".follow-box")
    expect(box).to_contain_text("to follow this lecturer in your own calendar")
    expect(box.locator("a[href^='/accounts/login/?next=']")).to_be_visible()
    expect(box.locator("a[href='/accounts/signup/']")).to_be_visible()

    page.set_viewport_size({"width": 1280, "height": 900})  # the sign-in helper reads the wide menu
    sign_in(page, str(live_server), resident.username, PASSWORD)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(url)
    follow = page.locator(".follow-box button")
    expect(follow).to_have_text("Follow")
    box = follow.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] < 740, "the Follow button is below the first screen"
    assert _axe_violations(page) == []
    follow.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".follow-box .follow-state")).to_contain_text("Following")
    expect(page.locator(".follow-box button")).to_have_text("Stop following")
    assert _axe_violations(page) == []
    page.locator(".follow-box button").click()
    expect(page.locator(".follow-box button")).to_have_text("Follow")
