"""A busy day of the month view in Chromium: four events, then "+5 more" named for screen readers
with its day; it leads to that day's list with the filters kept; axe-core finds nothing in either
language, wide or on a 360 px phone, where the link is a full-size touch target."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import EventFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SH = timezone.get_default_timezone()
MONTH = "/events/month/2027/03/?region=110000"


def _at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2027, 3, day, hour, tzinfo=SH)


@pytest.fixture
def busy_day() -> None:
    """Nine Beijing events touching 10 March (one began the evening before), one in Shanghai."""
    EventFactory(title="通宵读书夜", starts_at=_at(9, 20), ends_at=_at(10, 8))
    for i in range(8):
        EventFactory(title=f"三月十日活动{i}", starts_at=_at(10, 9 + i), ends_at=_at(10, 10 + i))
    EventFactory(title="上海的活动", region_id="310000", starts_at=_at(10, 9), ends_at=_at(10, 10))


def _axe_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


def test_more_link_leads_to_the_days_list_and_passes_axe(
    page: Page, live_server: object, busy_day: None
) -> None:
    page.goto(f"{live_server}{MONTH}")
    assert _axe_violations(page) == []  # Chinese, the default
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": str(live_server)}])
    page.goto(f"{live_server}{MONTH}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert _axe_violations(page) == []
    day = page.locator(".month-day", has=page.locator("time[datetime='2027-03-10']"))
    expect(day.locator(".day-events li")).to_have_count(4)
    more = page.get_by_role("link", name="+5 more events on March 10")
    expect(more).to_be_visible()
    # Seen: "+5 more"; the day is for screen readers only (a 1 px clipped box).
    hidden = more.locator(".visually-hidden")
    expect(hidden).to_have_text(" events on March 10")
    hidden_box = hidden.bounding_box()
    assert hidden_box is not None
    assert hidden_box["width"] <= 1
    more.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Events on March 10, 2027")
    expect(page.locator(".event-item")).to_have_count(9)
    expect(page.get_by_text("上海的活动")).to_have_count(0)
    expect(page.get_by_label("Region")).to_have_value("110000")
    assert _axe_violations(page) == []


def test_more_link_on_a_phone_is_a_touch_target_without_sideways_scrolling(
    page: Page, live_server: object, busy_day: None
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}{MONTH}")
    more = page.locator(".day-more a")
    expect(more).to_be_visible()
    box = more.bounding_box()
    assert box is not None
    assert box["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert _axe_violations(page) == []
