"""Every role end to end in Chromium, as people go: from the home page, by the navigation, links
and buttons, with the key steps of each journey done by keyboard alone (Tab, Shift+Tab, Enter,
Space, arrows in a list, typing in a field) and the focus visible at every stop.

- Ministry: opens 2027, runs the allocation and publishes it by keyboard, reads the year
  calendar and the national statistics.
- Coordinator: fills and saves the week application by keyboard, imports events from an XLSX
  file, nominates a Learning Star, reviews and submits the statistics table.
- Lecturer: publishes a series and a session in it, reschedules it, cancels it by keyboard,
  and watches the live panel count a viewer who joins from another browser.
- Resident: finds a talk with the lecture hall's search, asks for a reminder (by keyboard),
  subscribes to the series' feed (copied address, read back as iCalendar), joins the live
  room in two tabs and is counted once.

The first two run against pytest-django's live server; the live room needs WebSockets, so the
last two run against a uvicorn subprocess over a database of its own (seeded by
tests/e2e/journey_seed.py). Nothing may be requested from another origin in any of them.

With UPDATE_SCREENSHOTS=1 the main pages are written to docs/screenshots/ at 360 and 1280 px in
Chinese and English; without it the same pages are still opened and checked to render."""

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import Role, User
from events.models import (
    ActivityType,
    Event,
    Level,
    Nomination,
    StatisticsSubmission,
)
from events.spreadsheet import COLUMNS
from scheduling.models import CampaignYear, PublishedVersion, Region, WeekApplication
from scheduling.regions import read_regions
from scheduling.services import application_submit, campaign_year_open
from tests.e2e import journey_seed
from tests.e2e.helpers import (
    fill_sign_in,
    press,
    screenshot,
    start_from_top,
    tab_to,
    watch_foreign,
)
from tests.factories import EventFactory, LecturerFactory, UserFactory
from tests.factories.accounts import PASSWORD
from tests.lecture_hall.live.servers import ROOT, Server, server_database, uvicorn_server

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]
SH = timezone.get_default_timezone()
DESKTOP = {"width": 1280, "height": 900}
LANGUAGES = {"zh": ("zh-hans", "zh-Hans"), "en": ("en", "en")}


def _at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)  # type: ignore[misc]


def _regions() -> None:
    """A transactional test empties the tables afterwards, the migrated regions included."""
    for row in read_regions():
        Region.objects.update_or_create(
            code=row.code,
            defaults={"short_name_zh": row.short_name_zh, "name_en": row.name_en,
                      "kind": row.kind, "region_group": row.region_group},
        )  # fmt: skip


def _nav(page: Page, href: str) -> None:
    """Follow a link of the site's main navigation."""
    page.locator(f".site-nav a[href='{href}']").click()


def _sign_in_from_home(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    _nav(page, "/accounts/login/")
    fill_sign_in(page, username, PASSWORD)


def _select_by_arrows(page: Page, value: str) -> None:
    """Move the focused <select> with the arrow keys to `value` (skipping closed weeks)."""
    for _ in range(60):
        if page.evaluate("document.activeElement.value") == value:
            return
        press(page, "ArrowDown")
    pytest.fail(f"the list never reached {value}")


# --- Ministry ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_ministry_opens_the_year_allocates_publishes_and_reads_the_figures(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    _regions()
    ministry = UserFactory(role=Role.MINISTRY, is_staff=True, username="journey-ministry")
    _sign_in_from_home(page, base, ministry.username)

    # No year yet: the dashboard asks to open one.
    _nav(page, "/calendar/manage/")
    expect(page).to_have_url(f"{base}/calendar/manage/open/")
    page.locator("#id_year").fill("2027")
    deadline = timezone.localdate() + dt.timedelta(days=30)
    page.locator("#id_applications_deadline").fill(deadline.isoformat())
    page.locator("form.open-year-form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/calendar/2027/manage/")
    expect(page.locator(".message-success")).to_contain_text("2027")
    year = CampaignYear.objects.get(year=2027)
    assert timezone.localtime(year.applications_deadline).date() == deadline

    # Meanwhile every region applies, and some activities happen in 2027.
    for i, code in enumerate(Region.objects.order_by("code").values_list("code", flat=True)):
        application_submit(
            actor=ministry, campaign_year=year, region_code=code,
            ranked_weeks=[10 + i % 20, 22 + i % 15], theme=f"主题{i}", contact_name="联系人",
        )  # fmt: skip
    for i, code in enumerate(("110000", "310000", "440000")):
        start = _at(2027, 6, 1 + i, 9, 0)
        EventFactory(region_id=code, activity_type=ActivityType.values[i], level=Level.PREFECTURE,
                     city="市区", starts_at=start, ends_at=start + dt.timedelta(hours=2),
                     participants=100 * (i + 1))  # fmt: skip
    page.reload()
    expect(page.locator("#applications .big-figure")).to_contain_text("37")

    # Keyboard only: run the allocation, then publish it.
    start_from_top(page)
    tab_to(page, page.locator("#run form button[type=submit]"))
    press(page, "Enter")
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator(".histogram-svg")).to_be_visible()
    start_from_top(page)
    tab_to(page, page.locator(".publish-form button[type=submit]"))
    press(page, "Enter")
    expect(page.locator("#versions li")).to_have_count(1)
    assert PublishedVersion.objects.get(campaign_year=year).number == 1

    _nav(page, "/calendar/")
    expect(page).to_have_url(f"{base}/calendar/2027/")
    expect(page.locator(".yearcal-svg .yc-cell")).to_have_count(37)

    # The national statistics (only reachable from the statistics pages' own link).
    page.goto(f"{base}/reports/")
    expect(page).to_have_url(f"{base}/reports/2027/")
    expect(page.locator("svg.map-svg g.tile")).to_have_count(37)
    beijing = page.locator("table tbody tr", has=page.locator("th a[href$='/110000/']"))
    expect(beijing).to_have_count(1)
    beijing.locator("th a").click()
    expect(page).to_have_url(f"{base}/reports/2027/110000/")
    expect(page.locator("table.stats-table")).to_be_visible()


# --- Coordinator ------------------------------------------------------------------------------


def _xlsx(path: Path) -> Path:
    """Two Beijing events in the template's layout: a provincial reading launch and an online
    reading session."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([zh for _cid, zh, _en, _req in COLUMNS])
    sheet.append(["读书月启动仪式", "主题阅读活动", "省级", "", "2027-04-01 09:00",
                  "2027-04-01 11:00", "首都图书馆", "", "市教育委员会", "", ""])  # fmt: skip
    sheet.append(["线上共读", "数字阅读分享活动", "县级", "延庆区", "2027-04-02 19:00",
                  "2027-04-02 20:00", "", "https://example.cn/read", "", "", ""])  # fmt: skip
    workbook.save(path)
    return path


@pytest.mark.django_db(transaction=True)
def test_coordinator_applies_imports_nominates_and_submits_the_statistics(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    base = str(live_server)
    _regions()
    ministry = UserFactory(role=Role.MINISTRY, is_staff=True, username="journey-ministry")
    now = timezone.now()
    campaign_year_open(
        actor=ministry, year=2027,
        applications_deadline=now + dt.timedelta(days=30),
        plan_deadline=now + dt.timedelta(days=40),
        nomination_deadline=now + dt.timedelta(days=50),
        statistics_deadline=now + dt.timedelta(days=60),
    )  # fmt: skip
    coordinator = UserFactory(
        role=Role.COORDINATOR, region_id="110000", username="journey-coordinator"
    )
    _sign_in_from_home(page, base, coordinator.username)

    # Keyboard only: three ranked weeks, a theme, a contact; saved with Enter.
    _nav(page, "/calendar/apply/")
    expect(page).to_have_url(f"{base}/calendar/2027/apply/")
    start_from_top(page)
    for slot, week in enumerate(("12", "15", "20")):
        tab_to(page, page.locator(f"#id_ranked_weeks_{slot}"))
        _select_by_arrows(page, week)
    tab_to(page, page.locator("#id_theme"))
    page.keyboard.type("书香京城 终身学习")
    tab_to(page, page.locator("#id_contact_name"))
    page.keyboard.type("王老师")
    tab_to(page, page.locator("#id_contact_email"))
    page.keyboard.type("llw@example.cn")
    tab_to(page, page.locator("form.apply-form button[type=submit]"))
    press(page, "Enter")
    expect(page.locator(".message-success")).to_contain_text("北京")
    application = WeekApplication.objects.get(region_id="110000")
    assert {w.week_number: w.rank for w in application.weeks.all()} == {12: 1, 15: 2, 20: 3}
    assert application.theme == "书香京城 终身学习"

    # The region's events from a spreadsheet.
    _nav(page, "/events/")
    page.locator(".view-switch a[href='/events/import/']").click()
    page.locator("#id_file").set_input_files(str(_xlsx(tmp_path / "北京活动.xlsx")))
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".result-ok .counts dd").first).to_have_text("2")
    page.locator(".result-ok a").click()
    expect(page.locator(".event-list")).to_contain_text("读书月启动仪式")
    expect(page.locator(".event-list")).to_contain_text("线上共读")

    # A Learning Star of the People.
    page.goto(f"{base}/events/2027/nominations/")
    page.locator("#id_kind").select_option("learning_star")
    page.locator("#id_name").fill("李建国")
    page.locator("#id_summary").fill("退休教师，十年来在社区义务讲授书法课。")
    page.locator("main form.form button[type=submit]").click()
    expect(page.locator(".nomination-list")).to_contain_text("李建国")
    assert Nomination.objects.get(region_id="110000").name == "李建国"

    # The statistics table counts the imported events; review the contact, submit.
    page.goto(f"{base}/reports/")
    expect(page).to_have_url(f"{base}/reports/2027/110000/")
    expect(page.locator("#cell-themed_reading\\.provincial .figure")).to_have_text("是")
    page.locator(".stats-header + p a.button").click()
    page.locator("#id_contact_name").fill("王老师")
    page.locator("#id_office_phone").fill("010-66096253")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".stats-header")).to_contain_text("王老师")
    page.locator("form.submit-form button[type=submit]").click()
    expect(page.locator(".status-submitted")).to_be_visible()
    assert StatisticsSubmission.objects.filter(table__region_id="110000").count() == 1


# --- The ASGI server of the live-room journeys ------------------------------------------------


@pytest.fixture(scope="module")
def asgi_journeys() -> Iterator[tuple[Server, dict[str, Any]]]:
    with server_database(redis_url=os.environ.get("REDIS_URL")) as database:
        result = subprocess.run(
            [sys.executable, "-m", "tests.e2e.journey_seed"],
            cwd=ROOT, env=database.env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        ids = dict(json.loads(result.stdout.strip().splitlines()[-1]))
        with uvicorn_server(database) as server:
            yield server, ids


def _context(
    browser: Browser, server: Server, foreign: list[str], **options: Any
) -> BrowserContext:
    """A browser of its own (cookies, tabs); what it asks of other origins goes to `foreign`."""
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP, **options)  # type: ignore[arg-type]
    watched = watch_foreign(context, server.url, server.ws)
    context.on("close", lambda _closed: foreign.extend(watched))
    return context


# --- Lecturer ---------------------------------------------------------------------------------


def test_lecturer_publishes_reschedules_cancels_and_watches_the_live_panel(
    browser: Browser, asgi_journeys: tuple[Server, dict[str, Any]]
) -> None:
    server, ids = asgi_journeys
    base = server.url
    foreign: list[str] = []
    lecturer = _context(browser, server, foreign)
    viewer = _context(browser, server, foreign)
    try:
        page = lecturer.new_page()
        _sign_in_from_home(page, base, "journey-lecturer")
        _nav(page, "/lectures/dashboard/")

        page.locator("main a[href='/lectures/series/new/']").click()
        page.locator("#id_title").fill("社区营养课堂")
        page.locator("#id_description").fill("每月一讲，吃得健康。")
        page.locator("main form button[type=submit]").click()
        expect(page.locator("h1")).to_have_text("社区营养课堂")

        _nav(page, "/lectures/dashboard/")
        page.locator("main a[href='/lectures/sessions/new/']").click()
        page.locator("#id_title").fill("食品安全进社区")
        page.locator("#id_abstract").fill("如何看懂食品标签。")
        page.locator("#id_series").select_option(label="社区营养课堂")
        day = timezone.localdate() + dt.timedelta(days=7)
        page.locator("#id_starts_at").fill(f"{day.isoformat()}T19:00")
        page.locator("#id_duration_minutes").fill("90")
        page.locator("#id_stream_url").fill("https://live.example.cn/food")
        page.locator("form.lh-form button[type=submit]").click()
        expect(page.locator("h1")).to_have_text("食品安全进社区")
        expect(page.locator(".banner-draft")).to_be_visible()
        page.locator(".manage-panel form[action$='/publish/'] button").click()
        expect(page.locator(".message-success")).to_be_visible()
        expect(page.locator(".badge-published")).to_be_visible()

        page.locator(".manage-panel a[href$='/reschedule/']").click()
        page.locator("#id_starts_at").fill(f"{(day + dt.timedelta(days=1)).isoformat()}T19:30")
        page.locator("#id_reason").fill("场地调整到周四")
        page.locator("form.lh-form button[type=submit]").click()
        expect(page.locator(".banner-rescheduled")).to_contain_text("场地调整到周四")

        # Keyboard only: cancel it.
        start_from_top(page)
        tab_to(page, page.locator(".manage-panel a[href$='/cancel/']"))
        press(page, "Enter")
        expect(page.locator("#id_reason")).to_be_visible()
        tab_to(page, page.locator("#id_reason"))
        page.keyboard.type("讲师临时出差")
        tab_to(page, page.locator("form.lh-form button[type=submit]"))
        press(page, "Enter")
        expect(page.locator(".banner-cancelled")).to_contain_text("讲师临时出差")

        # The series page shows the cancelled session to everyone.
        page.locator(".facts a[href^='/lectures/series/']").click()
        expect(page.locator("main")).to_contain_text("食品安全进社区")

        # The talk that is live now: its panel counts a viewer from another browser.
        _nav(page, "/lectures/dashboard/")
        page.locator("main a", has_text=journey_seed.PANEL_TALK).first.click()
        page.locator(".manage-panel .live-links a[href$='/live/panel/']").click()
        expect(page.locator("#viewers-chart canvas")).to_be_visible(timeout=10_000)
        expect(page.locator("#stat-count")).to_have_text("0", timeout=10_000)
        watching = viewer.new_page()
        watching.goto(f"{base}/lectures/sessions/{ids['panel']}/live/")
        expect(watching.locator("#live-count")).to_have_text("1", timeout=10_000)
        expect(page.locator("#stat-count")).to_have_text("1", timeout=10_000)
        expect(page.locator("#stat-distinct")).to_have_text("1", timeout=10_000)
        _screenshots_of(page, "live-panel", lecturer)
    finally:
        lecturer.close()
        viewer.close()
    assert foreign == []


# --- Resident ---------------------------------------------------------------------------------


def test_resident_finds_a_talk_asks_for_a_reminder_subscribes_and_joins_in_two_tabs(
    browser: Browser, asgi_journeys: tuple[Server, dict[str, Any]]
) -> None:
    server, ids = asgi_journeys
    base = server.url
    foreign: list[str] = []
    resident = _context(browser, server, foreign, permissions=["clipboard-read", "clipboard-write"])
    someone_else = _context(browser, server, foreign)
    try:
        page = resident.new_page()
        _sign_in_from_home(page, base, "journey-resident")
        _nav(page, "/lectures/")

        # Keyboard only: search, open the talk, ask for a reminder a day before.
        start_from_top(page)
        tab_to(page, page.locator("#id_q"))
        page.keyboard.type("健康老龄化")
        press(page, "Enter")
        expect(page.locator("#results-heading")).to_be_visible()
        talk = page.locator(".session-card h3 a", has_text=journey_seed.NEXT_TALK)
        tab_to(page, talk)
        press(page, "Enter")
        expect(page.locator("h1")).to_have_text(journey_seed.NEXT_TALK)
        tab_to(page, page.locator(".calendar-actions a[href^='/reminders/new/']"))
        press(page, "Enter")
        expect(page.locator("main .lead strong")).to_contain_text(journey_seed.NEXT_TALK)
        day_before = page.locator("input[name=offsets][value='1440']")
        tab_to(page, day_before)
        if not day_before.is_checked():
            press(page, "Space")
        expect(day_before).to_be_checked()
        tab_to(page, page.locator("main form button[type=submit]"))
        press(page, "Enter")
        expect(page).to_have_url(f"{base}/reminders/")
        expect(page.locator(".message-success")).to_be_visible()
        expect(page.locator("main")).to_contain_text(journey_seed.NEXT_TALK)

        # Subscribe to the series: copy its address, and the calendar it serves has the talk.
        page.go_back()
        page.go_back()
        page.locator(".facts a[href^='/lectures/series/']").click()
        expect(page.locator("h1")).to_have_text(journey_seed.SERIES)
        page.bring_to_front()  # the clipboard is only for the page in front
        page.locator("button.copy-button").click()
        expect(page.locator("button.copy-button")).not_to_have_text("复制")
        address = str(page.evaluate("navigator.clipboard.readText()"))
        assert address == f"{base}/calendar/series/{ids['series']}.ics"
        feed = page.request.get(address)
        assert feed.status == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        body = feed.text()
        assert body.startswith("BEGIN:VCALENDAR")
        assert journey_seed.NEXT_TALK in body
        assert journey_seed.LIVE_TALK in body

        # The talk live now, from the hall's "Live now": joined in two tabs, counted once.
        _nav(page, "/lectures/")
        page.locator(
            "section[aria-labelledby='live-heading'] a", has_text=journey_seed.LIVE_TALK
        ).click()
        page.locator(".session-links a[href$='/live/']").click()
        room = f"{base}/lectures/sessions/{ids['live']}/live/"
        expect(page).to_have_url(room)
        expect(page.locator("#live-count")).to_have_text("1", timeout=10_000)
        second_tab = resident.new_page()
        second_tab.goto(room)
        expect(second_tab.locator("#live-status")).not_to_have_text("", timeout=10_000)
        expect(second_tab.locator("#live-count")).to_have_text("1", timeout=10_000)
        expect(page.locator("#live-count")).to_have_text("1")
        # Someone else joining is counted: the count is of people, not of tabs.
        other = someone_else.new_page()
        other.goto(room)
        expect(other.locator("#live-count")).to_have_text("2", timeout=10_000)
        expect(page.locator("#live-count")).to_have_text("2", timeout=10_000)
        expect(second_tab.locator("#live-count")).to_have_text("2", timeout=10_000)
        second_tab.close()
        expect(page.locator("#live-count")).to_have_text("2")
        _screenshots_of(page, "live-room", resident)
    finally:
        resident.close()
        someone_else.close()
    assert foreign == []


def _screenshots_of(page: Page, name: str, context: BrowserContext) -> None:
    """The page that is open, in both languages at both widths (written only on request)."""
    for short, (code, lang) in LANGUAGES.items():
        context.add_cookies([{"name": "django_language", "value": code, "url": page.url}])
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900 if width > 600 else 780})
            page.reload()
            expect(page.locator("html")).to_have_attribute("lang", lang)
            screenshot(page, f"{name}-{short}-{width}")


# --- Screenshots of the main pages ------------------------------------------------------------


def _cookie_for(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@pytest.mark.django_db(transaction=True)
def test_main_pages_render_at_phone_and_desktop_width_in_both_languages(
    browser: Browser, live_server: object
) -> None:
    from scheduling.demo import seed_year

    base = str(live_server)
    _regions()
    ministry = UserFactory(role=Role.MINISTRY, is_staff=True, username="shots-ministry")
    campaign_year_open(
        actor=ministry, year=2027, applications_deadline=timezone.now() + dt.timedelta(days=30)
    )
    seed_year(2027, ministry, lambda _message: None, seed=2027)
    coordinator = UserFactory(role=Role.COORDINATOR, region_id="110000", username="shots-coord")
    teacher = LecturerFactory(name="王教授", user__username="shots-teacher")
    from lecture_hall.services import series_create, session_create, session_publish

    series = series_create(actor=teacher.user, title="健康老龄化系列", region_code="500000",
                           lecturer_ids=[teacher.pk])  # fmt: skip
    for i, title in enumerate(("运动与饮食", "社会参与", "智能手机入门")):
        day = timezone.localdate() + dt.timedelta(days=i + 1)
        session = session_create(
            actor=teacher.user, title=f"健康老龄化第{i + 1}讲：{title}", abstract="社区公开课。",
            starts_at=dt.datetime.combine(day, dt.time(19, 0), tzinfo=SH), duration_minutes=90,
            lecturer_ids=[teacher.pk], series=series,
        )  # fmt: skip
        session_publish(actor=teacher.user, session=session, expected_version=1)
    for i in range(14):
        start = _at(2027, 3, 1 + i * 2, 9 + i % 8, 0)
        EventFactory(title=f"社区读书分享会第{i + 1}场", activity_type=ActivityType.values[i % 5],
                     region_id=("110000", "310000", "440000")[i % 3], level=Level.PREFECTURE,
                     city="市区", starts_at=start, ends_at=start + dt.timedelta(hours=2),
                     participants=50 * (i + 1))  # fmt: skip
    assert Event.objects.filter(region_id="110000").exists()

    pages = [  # (name, path, who)
        ("home", "/", None),
        ("year", "/calendar/2027/", None),
        ("events-month", "/events/month/2027/03/", None),
        ("lecture-hall", "/lectures/", None),
        ("ministry-manage", "/calendar/2027/manage/", ministry),
        ("statistics-national", "/reports/2027/", ministry),
        ("coordinator-apply", "/calendar/2027/apply/", coordinator),
        ("statistics-region", "/reports/2027/110000/", coordinator),
        ("lecturer-dashboard", "/lectures/dashboard/", teacher.user),
    ]
    cookies = {user.pk: _cookie_for(user) for _n, _p, user in pages if user is not None}
    foreign: list[str] = []
    for short, (code, lang) in LANGUAGES.items():
        for width in (1280, 360):
            viewport = {"width": width, "height": 900 if width > 600 else 780}
            context = browser.new_context(locale="zh-CN", viewport=viewport)  # type: ignore[arg-type]
            watched = watch_foreign(context, base)
            context.add_cookies([{"name": "django_language", "value": code, "url": base}])
            page = context.new_page()
            try:
                for name, path, user in pages:
                    context.clear_cookies(name="sessionid")
                    if user is not None:
                        context.add_cookies(
                            [{"name": "sessionid", "value": cookies[user.pk], "url": base}]
                        )
                    response = page.goto(f"{base}{path}")
                    assert response is not None
                    assert response.status == 200, path
                    expect(page.locator("html")).to_have_attribute("lang", lang)
                    screenshot(page, f"{name}-{short}-{width}")
            finally:
                context.close()
            foreign.extend(watched)
    assert foreign == []
