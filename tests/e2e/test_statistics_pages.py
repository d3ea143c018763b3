"""The statistics table in Chromium: a coordinator reviews Beijing's table, adjusts one cell with
a reason and submits it; the Ministry's national view and a region's table pass axe-core in
Chinese and English; the region page fits a 360 px phone (the table scrolls in its own box)."""

import datetime as dt
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role, User
from events.models import ActivityType, Level, StatisticsAdjustment, StatisticsSubmission
from events.statistics.services import statistics_header_update, statistics_submit
from scheduling.models import CampaignYear
from scheduling.services import campaign_year_open
from tests.e2e.helpers import sign_in
from tests.factories import EventFactory, UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SH = timezone.get_default_timezone()
CELL = "themed_reading.county_activities"


@pytest.fixture
def coordinator() -> User:
    return UserFactory(role=Role.COORDINATOR, region_id="110000", username="beijing-stats")


@pytest.fixture
def ministry() -> User:
    return UserFactory(role=Role.MINISTRY, is_staff=True, username="ministry-stats")


@pytest.fixture
def year_2027(ministry: User, coordinator: User) -> CampaignYear:
    year = campaign_year_open(actor=ministry, year=2027)
    for i, (code, level, city) in enumerate(
        [("110000", Level.PREFECTURE, "海淀区"), ("110000", Level.COUNTY, "延庆区"),
         ("110000", Level.PROVINCIAL, ""), ("310000", Level.PREFECTURE, "浦东新区"),
         ("440000", Level.COUNTY, "从化区"), ("650000", Level.PREFECTURE, "乌鲁木齐市")]
    ):  # fmt: skip
        start = dt.datetime(2027, 6, 1 + i, 9, tzinfo=SH)
        EventFactory(activity_type=ActivityType.values[i % 5], level=level, city=city,
                     region_id=code, starts_at=start, ends_at=start + dt.timedelta(hours=2),
                     participants=100 * (i + 1))  # fmt: skip
    statistics_header_update(actor=ministry, campaign_year=year, region_code="310000",
                             contact_name="李老师", office_phone="021-1")  # fmt: skip
    statistics_submit(actor=ministry, campaign_year=year, region_code="310000")
    return year


def _axe_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


def test_coordinator_adjusts_a_cell_with_a_reason_and_submits(
    page: Page, live_server: object, coordinator: User, year_2027: CampaignYear
) -> None:
    sign_in(page, str(live_server), coordinator.username, PASSWORD)
    page.goto(f"{live_server}/reports/")
    expect(page).to_have_url(f"{live_server}/reports/2027/110000/")
    table = page.locator("table.stats-table")
    expect(table.locator("caption")).to_contain_text("2027 年全民终身学习活动开展情况统计表")
    expect(table.get_by_role("columnheader", name="全民阅读")).to_be_visible()
    expect(page.locator("#cell-themed_reading\\.provincial .figure")).to_have_text("否")

    page.locator(f"#cell-{CELL.replace('.', '\\.')} a.cell-action").click()
    expect(page.locator("h1")).to_be_visible()
    page.locator("#id_value").fill("12")
    page.locator("main form button[name=action][value=adjust]").click()
    # No reason: refused, naming the cell, nothing stored.
    expect(page.locator(".field-errors")).to_contain_text(
        "主题阅读活动 · 县级城市开展情况 · 活动数"
    )
    assert StatisticsAdjustment.objects.count() == 0
    page.locator("#id_value").fill("12")
    page.locator("#id_reason").fill("县图书馆的读书月活动未在平台录入。")
    page.locator("main form button[name=action][value=adjust]").click()

    expect(page).to_have_url(f"{live_server}/reports/2027/110000/#cell-{CELL}")
    cell = page.locator(f"#cell-{CELL.replace('.', '\\.')}")
    expect(cell.locator(".figure")).to_have_text("12")
    expect(cell.locator(".mark-adjusted")).to_be_visible()
    assert StatisticsAdjustment.objects.get().reason == "县图书馆的读书月活动未在平台录入。"

    page.locator(".stats-header + p a.button").click()  # the contact details
    page.locator("#id_contact_name").fill("王老师")
    page.locator("#id_office_phone").fill("010-66096253")
    page.locator("main form button[type=submit]").click()
    page.locator("form.submit-form button[type=submit]").click()
    expect(page.locator(".status-submitted")).to_be_visible()
    expect(page.locator("a.cell-action")).to_have_count(0)
    submission = StatisticsSubmission.objects.get(table__region_id="110000")
    assert submission.cells[CELL] | {"adjusted_at": ""} == {
        "computed": 0, "value": 12, "reason": "县图书馆的读书月活动未在平台录入。",
        "adjusted_by": str(coordinator), "adjusted_at": "",
    }  # fmt: skip
    assert _axe_violations(page) == []


def test_national_view_and_a_region_pass_axe_in_chinese_and_english(
    page: Page, live_server: object, ministry: User, year_2027: CampaignYear
) -> None:
    sign_in(page, str(live_server), ministry.username, PASSWORD)
    pages = [
        "/reports/2027/",
        "/reports/2027/?figure=participants&type=themed_reading",
        "/reports/2027/310000/",
        "/reports/2027/440000/",
        "/reports/2027/440000/adjust/?cell=themed_reading.provincial",
        "/reports/2027/440000/adjust/?cell=lecture_hall.county_participants",
        "/reports/2027/440000/header/",
    ]
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

    page.goto(f"{live_server}/reports/2027/")
    expect(page.locator("svg[role=img]")).to_have_count(6)
    expect(page.locator("svg.map-svg g.tile")).to_have_count(37)
    expect(page.locator("#submission-progress")).to_have_attribute("value", "1")
    page.locator("#id_figure").select_option("participants")
    page.locator("form.figure-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server}/reports/2027/?figure=participants&type=all")


def test_region_page_fits_a_360px_phone(
    page: Page, live_server: object, coordinator: User, year_2027: CampaignYear
) -> None:
    sign_in(page, str(live_server), coordinator.username, PASSWORD)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/reports/2027/110000/")
    expect(page.locator("table.stats-table")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


WIDE_ENOUGH = (
    "el => el.getBoundingClientRect().width >= 5 * parseFloat(getComputedStyle(el).fontSize)"
)


def test_national_and_region_tables_fit_a_360px_phone(
    page: Page, live_server: object, ministry: User, year_2027: CampaignYear, tmp_path: Path
) -> None:
    sign_in(page, str(live_server), ministry.username, PASSWORD)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/reports/2027/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for name in ("table.regions-table th[scope=row]", "table.figures-table th[scope=row]"):
        assert page.locator(name).first.evaluate(WIDE_ENOUGH), name
    page.locator("table.regions-table").screenshot(path=tmp_path / "regions.png")

    page.goto(f"{live_server}/reports/2027/650000/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = page.locator("#region-table").locator("xpath=..")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")  # the table scrolls in its box
    caption = page.locator("#region-table caption")
    expect(caption).to_be_visible()
    # The whole caption is inside the phone's width, not cut off at the box's edge.
    right = caption.evaluate("el => el.getBoundingClientRect().right")
    assert right <= 360
    box.screenshot(path=tmp_path / "region.png")
