"""The live room in Chromium: two real pages join and both see the count change, one leaves
and the other sees it fall; the room page and the lecturer's panel pass axe-core.

pytest-django's live_server is WSGI only, so the pages and the socket come from a uvicorn
subprocess of our own, over a database of its own (migrated and seeded for this module), with
the configured channel layer and presence store (Redis when REDIS_URL is set)."""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.lecture_hall.live.servers import (
    Server,
    ServerDatabase,
    seed,
    server_database,
    uvicorn_server,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[ServerDatabase, dict[str, Any]]]:
    with server_database(redis_url=os.environ.get("REDIS_URL")) as database:
        yield database, seed(database)


@pytest.fixture(scope="module")
def asgi(seeded: tuple[ServerDatabase, dict[str, Any]]) -> Iterator[Server]:
    with uvicorn_server(seeded[0]) as server:
        yield server


@pytest.fixture
def ids(seeded: tuple[ServerDatabase, dict[str, Any]]) -> dict[str, Any]:
    return seeded[1]


def _context(browser: Browser, asgi: Server, foreign: list[str]) -> BrowserContext:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})

    def note(url: str) -> None:
        if not url.startswith((asgi.url, asgi.ws, "data:", "about:")):
            foreign.append(url)

    context.on("request", lambda request: note(request.url))
    return context


def _axe_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in results.response["violations"]
    ]


def test_two_pages_join_and_the_count_follows(
    browser: Browser, asgi: Server, ids: dict[str, Any]
) -> None:
    foreign: list[str] = []
    room = f"{asgi.url}/lectures/sessions/{ids['live']}/live/"
    first_context = _context(browser, asgi, foreign)
    second_context = _context(browser, asgi, foreign)
    try:
        first = first_context.new_page()
        first.goto(room)
        expect(first.locator("#live-count")).to_have_text("1", timeout=10_000)
        assert _axe_violations(first) == []

        second = second_context.new_page()
        second.goto(room)
        expect(second.locator("#live-count")).to_have_text("2", timeout=10_000)
        expect(first.locator("#live-count")).to_have_text("2", timeout=10_000)
        assert first.locator("#live-status").inner_text() != ""

        second_context.close()
        expect(first.locator("#live-count")).to_have_text("1", timeout=10_000)
    finally:
        first_context.close()
    assert foreign == []


def test_the_lecturers_panel_shows_the_audience_and_passes_axe(
    browser: Browser, asgi: Server, ids: dict[str, Any]
) -> None:
    foreign: list[str] = []
    lecturer = _context(browser, asgi, foreign)
    viewer = _context(browser, asgi, foreign)
    lecturer.add_cookies([{"name": "sessionid", "value": ids["teacher_cookie"], "url": asgi.url}])
    try:
        watching = viewer.new_page()
        watching.goto(f"{asgi.url}/lectures/sessions/{ids['live']}/live/")
        expect(watching.locator("#live-count")).not_to_have_text("–", timeout=10_000)
        panel = lecturer.new_page()
        panel.goto(f"{asgi.url}/lectures/sessions/{ids['live']}/live/panel/")
        expect(panel.locator("#viewers-chart canvas")).to_be_visible(timeout=10_000)
        expect(panel.locator("#stat-count")).to_have_text("1", timeout=10_000)
        assert _axe_violations(panel) == []

        panel.locator("#id_text").fill("请大家打开课件第三页")
        panel.locator("form.lh-form button[type=submit]").click()
        expect(watching.locator("#announcements li").last).to_contain_text(
            "请大家打开课件第三页", timeout=10_000
        )
    finally:
        lecturer.close()
        viewer.close()
    assert foreign == []
