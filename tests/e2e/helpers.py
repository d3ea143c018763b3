"""Steps the browser tests share: signing in, watching for other origins, keyboard-only moves
with a check that the focused element shows it is focused, and screenshots on request."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import BrowserContext, Locator, Page, expect

SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def fill_sign_in(page: Page, username: str, password: str) -> None:
    """On the sign-in page: fill it in, send it, and wait until the page says who is in."""
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".site-nav form button")).to_be_visible()  # "Sign out (name)"


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    fill_sign_in(page, username, password)


def watch_foreign(context: BrowserContext, *origins: str) -> list[str]:
    """Every request of the context that goes anywhere but `origins` (filled as they happen)."""
    foreign: list[str] = []
    allowed = (*origins, "data:", "about:", "blob:")

    def note(url: str) -> None:
        if not url.startswith(allowed):
            foreign.append(url)

    context.on("request", lambda request: note(request.url))
    return foreign


# --- Keyboard only ---------------------------------------------------------------------------

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  return {
    visible: outline || shadow,
    tag: el.tagName.toLowerCase(),
    id: el.id,
    text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 60),
  };
}"""


def assert_focus_visible(page: Page) -> dict[str, str]:
    """The focused element draws an outline or a ring; returns what it is (for messages)."""
    focused = page.evaluate(FOCUS_STYLE)
    assert focused is not None, "nothing has the keyboard focus"
    assert focused["visible"], f"the focused element shows no focus: {focused}"
    return dict(focused)


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus, checking the focus is visible at
    every stop on the way; fails naming the target when it cannot be reached."""
    key = "Shift+Tab" if backwards else "Tab"
    handle = target.element_handle(timeout=5000)
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(FOCUS_STYLE) is None:
            continue  # past the last element: the focus is in the browser's own controls
        assert_focus_visible(page)
        if page.evaluate("el => document.activeElement === el", handle):
            return
    pytest.fail(f"not reachable by {key} within {limit} presses: {target}")


def press(page: Page, key: str) -> None:
    """A key on the focused element (Enter, Space, an arrow), which must show its focus."""
    assert_focus_visible(page)
    page.keyboard.press(key)


def start_from_top(page: Page) -> None:
    """Put the keyboard at the top of the document, as after loading the page: the next Tab
    goes to the first focusable element (the skip link)."""
    page.evaluate(
        """() => {
          const mark = document.createElement("span");
          mark.tabIndex = -1;
          document.body.prepend(mark);
          mark.focus();
          mark.remove();
        }"""
    )


# --- Screenshots -----------------------------------------------------------------------------


def updating_screenshots() -> bool:
    return os.environ.get("UPDATE_SCREENSHOTS") == "1"


def screenshot(page: Page, name: str) -> None:
    """docs/screenshots/<name>.png when UPDATE_SCREENSHOTS=1; otherwise only checks the page is
    drawn (a main heading is visible) and does not scroll sideways, so CI leaves the tree clean."""
    expect(page.locator("main h1").first).to_be_visible()
    width = page.viewport_size["width"] if page.viewport_size else 1280
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name}: the page scrolls sideways ({scroll_width} > {width})"
    if updating_screenshots():
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = str(SCREENSHOTS / f"{name}.png")
        if width < 600:  # a phone: the page as it scrolls, up to a few screens
            height = min(page.evaluate("document.documentElement.scrollHeight"), 2400)
            clip = {"x": 0, "y": 0, "width": width, "height": height}
            page.screenshot(path=path, full_page=True, clip=clip)  # type: ignore[arg-type]
        else:
            page.screenshot(path=path)
        _shrink(path)


def _shrink(path: str) -> None:
    """A 256-colour palette keeps the text sharp at about a third of the bytes."""
    from PIL import Image

    with Image.open(path) as picture:
        small = picture.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
