"""Browser fixtures: Playwright driving Debian's Chromium (never a downloaded browser)."""

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser(django_db_setup: None) -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop running in this thread, and Django's ORM refuses
    # to run beside one unless told it is safe (it is: the loop is Playwright's, not ours). The
    # flag lives only as long as this module's browser, so other tests keep Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Browser, live_server: object) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    foreign: list[str] = []
    base = str(live_server)

    def note_foreign(url: str) -> None:
        if not url.startswith((base, "data:", "about:")):
            foreign.append(url)

    page.on("request", lambda request: note_foreign(request.url))
    yield page
    context.close()
    assert foreign == [], f"the page requested another origin: {foreign}"
