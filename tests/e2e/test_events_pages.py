"""The events pages in Chromium: a coordinator enters an event through the form and finds it in
the public list and month view, imports a spreadsheet; the calendar, month view and coverage
pass axe-core in Chinese and English; the list fits a 360 px phone."""

import datetime as dt
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from accounts.models import Role, User
from events.models import ActivityType, Event, EventStatus, Level
from events.spreadsheet import COLUMNS
from scheduling.models import CampaignYear
from scheduling.services import campaign_year_open
from tests.e2e.helpers import sign_in
from tests.factories import EventFactory, UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SH = timezone.get_default_timezone()


def _at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)  # type: ignore[misc]


@pytest.fixture
def coordinator() -> User:
    return UserFactory(role=Role.COORDINATOR, region_id="110000", username="beijing-e2e")


@pytest.fixture
def year_2027() -> CampaignYear:
    ministry = UserFactory(role=Role.MINISTRY, is_staff=True, username="ministry-e2e")
    return campaign_year_open(actor=ministry, year=2027)


@pytest.fixture
def calendar(year_2027: CampaignYear) -> None:
    """A March with events of every kind, a cancelled one and a very long title."""
    types = ActivityType.values
    for i in range(12):
        start = _at(2027, 3, 1 + i * 2, 9 + i % 8, 0)
        EventFactory(
            title=f"社区读书分享会第{i + 1}场",
            activity_type=types[i % 4],
            region_id=("110000", "310000", "440000")[i % 3],
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
        )
    EventFactory(
        title="已取消的线上讲座",
        status=EventStatus.CANCELLED,
        cancel_reason="讲师生病",
        starts_at=_at(2027, 3, 4, 19, 0),
        ends_at=_at(2027, 3, 4, 20, 0),
    )
    EventFactory(
        title="全民终身学习活动周开幕式暨“让学习成为一种生活方式”主题读书分享与优秀学习成果展示交流会"
        "Averyveryveryveryveryveryveryverylongwordwithoutanybreakopportunities",
        level=Level.COUNTY,
        city="延庆区",
        starts_at=_at(2027, 3, 9, 14, 0),
        ends_at=_at(2027, 3, 9, 17, 0),
    )


def _axe_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


def test_coordinator_enters_an_event_and_finds_it_in_the_list_and_month_view(
    page: Page, live_server: object, coordinator: User
) -> None:
    sign_in(page, str(live_server), coordinator.username, PASSWORD)
    page.goto(f"{live_server}/events/new/")
    page.locator("#id_title").fill("海淀区亲子共读会")
    page.locator("#id_activity_type").select_option(ActivityType.THEMED_READING.value)
    page.locator("#id_level").select_option(Level.PREFECTURE.value)
    page.locator("#id_city").fill("海淀区")
    page.locator("#id_starts_at").fill("2027-03-10T14:00")
    page.locator("#id_ends_at").fill("2027-03-10T16:30")
    page.locator("#id_venue").fill("海淀区图书馆")
    page.locator("form.event-form button[type=submit]").click()

    expect(page.locator("h1")).to_have_text("海淀区亲子共读会")
    expect(page.locator(".event-when").first).to_contain_text("14:00–16:30")
    event = Event.objects.get(title="海淀区亲子共读会")
    assert event.starts_at == _at(2027, 3, 10, 14, 0)
    assert event.region_id == "110000"

    page.goto(f"{live_server}/events/?q=亲子")
    link = page.locator(".event-list a", has_text="海淀区亲子共读会")
    expect(link).to_be_visible()
    page.goto(f"{live_server}/events/month/2027/03/")
    day = page.locator(".month-day", has=page.locator("time[datetime='2027-03-10']"))
    expect(day.get_by_role("link", name="14:00 海淀区亲子共读会")).to_be_visible()
    day.get_by_role("link", name="14:00 海淀区亲子共读会").click()
    expect(page).to_have_url(f"{live_server}/events/{event.pk}/")


def test_coordinator_imports_an_xlsx_file(
    page: Page, live_server: object, coordinator: User, tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([zh for _cid, zh, _en, _req in COLUMNS])
    sheet.append(
        [
            "读书月启动仪式",
            "主题阅读活动",
            "省级",
            "",
            "2027-04-01 09:00",
            "2027-04-01 11:00",
            "首都图书馆",
            "",
            "市教育委员会",
            "",
            "",
        ]
    )
    sheet.append(
        [
            "线上共读",
            "数字阅读分享活动",
            "县级",
            "延庆区",
            "2027-04-02 19:00",
            "2027-04-02 20:00",
            "",
            "https://example.cn/read",
            "",
            "",
            "",
        ]
    )
    path = tmp_path / "北京活动.xlsx"
    workbook.save(path)

    sign_in(page, str(live_server), coordinator.username, PASSWORD)
    page.goto(f"{live_server}/events/import/")
    expect(page.get_by_role("link", name="Excel")).to_have_attribute(
        "href", "/events/import/template.xlsx"
    )
    page.locator("#id_file").set_input_files(str(path))
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".result-ok")).to_be_visible()
    expect(page.locator(".result-ok .counts dd").first).to_have_text("2")
    assert set(Event.objects.values_list("title", flat=True)) == {"读书月启动仪式", "线上共读"}


def test_calendar_month_and_coverage_pass_axe_in_chinese_and_english(
    page: Page, live_server: object, calendar: None
) -> None:
    pages = ["/events/", "/events/month/2027/03/", "/events/2027/coverage/"]
    for path in pages:
        page.goto(f"{live_server}{path}")
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
        assert _axe_violations(page) == [], path

    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for path in pages:
        page.goto(f"{live_server}{path}")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        assert _axe_violations(page) == [], path
    # The heatmap is a picture with a name; the table holds the same numbers.
    expect(page.locator("svg.coverage-svg[role=img]")).to_have_count(1)
    expect(page.locator(".coverage-table tbody tr")).to_have_count(52)


def test_list_and_month_fit_a_360px_phone(page: Page, live_server: object, calendar: None) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/events/?month=2027-03")
    expect(page.locator(".event-item")).to_have_count(14)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"{live_server}/events/month/2027/03/")
    # On a phone the grid becomes a list of the days that have events.
    expect(page.locator(".month-head")).to_be_hidden()
    expect(page.locator(".month-day.no-events").first).to_be_hidden()
    expect(page.locator("time[datetime='2027-03-09']")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"{live_server}/events/2027/coverage/")
    # Only the picture and the table scroll, inside their own boxes.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_on_a_phone_the_list_opens_with_todays_events_and_the_month_with_today(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    now = timezone.now()
    for days in (-400, -1, 1, 2, 3):
        start = now + dt.timedelta(days=days)
        EventFactory(
            title=f"{days:+d} 天的读书会", starts_at=start, ends_at=start + dt.timedelta(hours=1)
        )
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/events/")
    first = page.locator(".event-item").first
    expect(first).to_contain_text("+1 天的读书会")
    # The first result is on the first screen (it was ~1,700 px down, below the filters).
    assert first.bounding_box()["y"] + 60 < 740  # type: ignore[index]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=tmp_path / "list.png")
    page.get_by_role("link", name="往期").click()
    expect(page.locator(".event-item").first).to_contain_text("-1 天的读书会")
    page.get_by_role("link", name="筛选活动").click()
    expect(page).to_have_url(f"{live_server}/events/?when=past#filters-title")
    expect(page.locator("#id_when")).to_have_value("past")

    page.goto(f"{live_server}/events/month/")
    page.get_by_role("link", name="今天", exact=True).click()
    today = page.locator("#today")
    expect(today).to_be_in_viewport()
    expect(today).to_have_attribute("aria-current", "date")
    page.screenshot(path=tmp_path / "month.png")
