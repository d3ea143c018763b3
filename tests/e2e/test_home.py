"""The home page in a real browser: Chinese first, switch to English, accessible (axe-core)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _axe_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in results.response["violations"]
    ]


def test_home_in_chinese_then_english_with_no_axe_violations(
    page: Page, live_server: object
) -> None:
    page.goto(f"{live_server}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("让学习成为一种生活方式")
    assert _axe_violations(page) == []

    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make learning a way of life")
    assert _axe_violations(page) == []


def test_home_is_usable_at_360px_with_large_type(page: Page, live_server: object) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/")
    font_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font_size >= 18
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, "the page scrolls sideways on a phone"


def test_keyboard_reaches_skip_link_and_sign_in(page: Page, live_server: object) -> None:
    page.goto(f"{live_server}/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("跳到主要内容")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "登录":
            break
    else:
        pytest.fail("sign-in link not reachable by keyboard")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/accounts/login/")


def test_on_a_phone_the_menu_folds_behind_a_button_that_keyboards_and_readers_can_use(
    page: Page, live_server: object
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/")
    menu = page.get_by_role("button", name="菜单")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    sign_in = page.locator("#site-menu").get_by_role("link", name="登录")
    expect(sign_in).to_be_hidden()
    heading = page.get_by_role("heading", level=1)
    folded = heading.bounding_box()
    assert _axe_violations(page) == []

    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(sign_in).to_be_visible()
    unfolded = heading.bounding_box()
    assert folded is not None
    assert unfolded is not None
    # folded, the content starts rows of links higher on the screen
    assert unfolded["y"] - folded["y"] >= 100
    assert _axe_violations(page) == []
    page.keyboard.press("Tab")  # the first link of the opened menu
    expect(page.locator(":focus")).to_have_text("首页")
    menu.click()
    expect(sign_in).to_be_hidden()


def test_on_a_wide_screen_every_link_shows_and_there_is_no_menu_button(
    page: Page, live_server: object
) -> None:
    page.goto(f"{live_server}/")
    expect(page.get_by_role("button", name="菜单")).to_be_hidden()
    expect(page.locator("#site-menu").get_by_role("link", name="登录")).to_be_visible()
    page.set_viewport_size({"width": 360, "height": 740})  # turning a tablet, say
    expect(page.get_by_role("button", name="菜单")).to_be_visible()
    expect(page.locator("#site-menu").get_by_role("link", name="登录")).to_be_hidden()
