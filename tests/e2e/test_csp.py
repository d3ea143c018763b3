"""The content security policy in Chromium: a page of every kind, over the demo year (`seed_demo`),
served by uvicorn as `dev.py run` serves it, raises zero CSP violations, and every page is sent
with the policy. The policy allows no inline script or style at all (config/settings/base.py),
so an inline `<script>`, `style=` attribute or `on…=` handler anywhere fails here.

Violations are seen twice over: the `securitypolicyviolation` events of each document (listened
to by an init script, which Playwright injects outside the page's policy) and Chromium's console
messages. The live room's WebSocket must connect under `connect-src 'self'`."""

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, expect

from tests.e2e.helpers import sign_in, watch_foreign
from tests.lecture_hall.live.servers import (
    ROOT,
    Server,
    ServerDatabase,
    server_database,
    uvicorn_server,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

DEMO_PASSWORD = "demo-learning-2027"
YEAR = 2027
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile + ":" + event.lineNumber,
    sample: event.sample,
  });
});
"""
IDS = """
import json
from lecture_hall.demo.week import demo_live_session
from lecture_hall.models import AttendanceSpan, Session, SessionState
live = demo_live_session()
held = Session.objects.filter(
    state=SessionState.ENDED, pk__in=AttendanceSpan.objects.values("session_id")
).order_by("pk").first()
print(json.dumps({
    "live": live.pk,
    "live_lecturer": live.lecturers.order_by("pk").first().user.username,
    "held": held.pk,
    "held_lecturer": held.lecturers.order_by("pk").first().user.username,
}))
"""


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[ServerDatabase, dict[str, Any]]]:
    with server_database() as database:
        subprocess.run(
            [sys.executable, "manage.py", "seed_demo"],
            cwd=ROOT, env=database.env, check=True, capture_output=True, timeout=400,
        )  # fmt: skip
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", IDS],
            cwd=ROOT, env=database.env, check=True, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        yield database, json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def asgi(demo: tuple[ServerDatabase, dict[str, Any]]) -> Iterator[Server]:
    with uvicorn_server(demo[0]) as server:
        yield server


@pytest.fixture
def ids(demo: tuple[ServerDatabase, dict[str, Any]]) -> dict[str, Any]:
    return demo[1]


class Watch:
    """One browser context, watching every page it opens for CSP violations."""

    def __init__(self, browser: Browser, server: Server) -> None:
        self.server = server
        self.context: BrowserContext = browser.new_context(
            locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        self.context.add_init_script(LISTEN)
        self.console: list[str] = []
        self.foreign = watch_foreign(self.context, server.url, server.ws)
        self.page = self.context.new_page()
        self.page.on("console", self._note)

    def _note(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def visit(self, path: str, ready: str | None = None) -> list[str]:
        """Open `path`, wait until it has drawn (`ready`), and return what the policy blocked."""
        response = self.page.goto(f"{self.server.url}{path}")
        assert response is not None, path
        assert response.status == 200, path
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy, path
        assert "style-src 'self'" in policy, path
        self.page.wait_for_load_state("networkidle")
        if ready:
            expect(self.page.locator(ready).first).to_be_visible(timeout=15_000)
        return self.blocked(path)

    def blocked(self, label: str) -> list[str]:
        found = self.page.evaluate("window.__cspViolations || []")
        return [
            f"{label}: {v['directive']} {v['blocked']} at {v['source']} {v['sample']}"
            for v in found
        ]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watch(browser: Browser, asgi: Server) -> Iterator[Any]:
    opened: list[Watch] = []

    def open_watch() -> Watch:
        opened.append(Watch(browser, asgi))
        return opened[-1]

    yield open_watch
    for item in opened:
        item.close()


def test_the_watch_notices_an_inline_style_and_an_inline_script(watch: Any) -> None:
    """The detector itself: what the policy must block is blocked and seen."""
    w = watch()
    assert w.visit("/") == []
    w.page.evaluate(
        """() => {
            document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>');
            const script = document.createElement("script");
            script.textContent = "window.__inlineRan = true";
            document.body.appendChild(script);
        }"""
    )
    w.page.wait_for_timeout(300)
    blocked = w.blocked("/")
    assert any("style-src" in line for line in blocked), blocked
    assert any("script-src" in line for line in blocked), blocked
    assert w.page.evaluate("window.__inlineRan === undefined")
    assert w.console, "Chromium reports the violations on the console too"


def test_public_pages_raise_no_csp_violation(watch: Any, ids: dict[str, Any]) -> None:
    w = watch()
    pages = {
        "/": None,
        f"/calendar/{YEAR}/": "svg",
        "/events/": None,
        f"/events/month/{YEAR}/05/": None,
        f"/events/{YEAR}/coverage/": "svg",
        "/lectures/": None,
        f"/lectures/sessions/{ids['held']}/": "h1",
        f"/lectures/sessions/{ids['live']}/": "h1",
        "/accounts/login/": "#id_username",
        "/api/docs/": "#swagger-ui .opblock",
    }
    blocked = [line for path, ready in pages.items() for line in w.visit(path, ready)]
    assert blocked == []
    assert w.console == []
    assert w.foreign == []


def test_the_live_room_connects_its_socket_under_the_policy(
    watch: Any, ids: dict[str, Any]
) -> None:
    w = watch()
    blocked = w.visit(f"/lectures/sessions/{ids['live']}/live/")
    # The count comes over the WebSocket: connect-src 'self' covers ws: on the same origin.
    expect(w.page.locator("#live-count")).not_to_have_text("–", timeout=15_000)
    assert blocked + w.blocked("live room after connecting") == []
    assert w.console == []
    assert w.foreign == []


def test_signed_in_pages_raise_no_csp_violation(
    watch: Any, asgi: Server, ids: dict[str, Any]
) -> None:
    ministry = watch()
    sign_in(ministry.page, asgi.url, "ministry", DEMO_PASSWORD)
    blocked = ministry.visit(f"/calendar/{YEAR}/manage/")
    blocked += ministry.visit(f"/reports/{YEAR}/", "svg")
    blocked += ministry.visit(f"/reports/{YEAR}/110000/")
    blocked += ministry.visit("/reminders/deliveries/")
    blocked += ministry.visit("/admin/")  # Django's admin (Ministry staff are staff)

    coordinator = watch()
    sign_in(coordinator.page, asgi.url, "coord-110000", DEMO_PASSWORD)
    blocked += coordinator.visit(f"/reports/{YEAR}/110000/")
    blocked += coordinator.visit("/events/new/")
    blocked += coordinator.visit(f"/calendar/{YEAR}/apply/")

    lecturer = watch()
    sign_in(lecturer.page, asgi.url, ids["live_lecturer"], DEMO_PASSWORD)
    blocked += lecturer.visit("/lectures/dashboard/")
    blocked += lecturer.visit(
        f"/lectures/sessions/{ids['live']}/live/panel/", "#viewers-chart canvas"
    )
    blocked += lecturer.blocked("live panel after drawing")

    held = watch()
    sign_in(held.page, asgi.url, ids["held_lecturer"], DEMO_PASSWORD)
    blocked += held.visit(f"/lectures/sessions/{ids['held']}/attendance/", "canvas")
    blocked += held.visit("/calendar/me/")

    assert blocked == []
    for w in (ministry, coordinator, lecturer, held):
        assert w.console == []
        assert w.foreign == []
