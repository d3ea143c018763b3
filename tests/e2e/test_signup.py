"""A resident signs up in a real browser, by keyboard: the home page's "Sign up" link, the form
(a mistake first, named on its field), the emailed link, the button that activates, and the
private calendar signed in; then signs out and back in with the chosen password."""

import re
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.e2e.helpers import fill_sign_in, press, start_from_top, tab_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "xuexi-2027-lifelong"


@pytest.fixture(autouse=True)
def _eager_celery() -> Iterator[None]:
    """The activation email is sent by a task; run it in the server thread (locmem mail)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    cache.clear()
    yield
    app.conf.task_always_eager = previous


def test_a_resident_signs_up_by_keyboard_and_lands_in_their_calendar(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    mail.outbox.clear()
    page.goto(f"{base}/")
    start_from_top(page)
    tab_to(page, page.locator(".site-nav a", has_text="注册"))
    press(page, "Enter")
    expect(page.locator("main h1")).to_have_text("注册")

    def type_into(field: str, text: str) -> None:
        tab_to(page, page.locator(f"#id_{field}"))
        page.keyboard.type(text)

    type_into("username", "王阿姨")
    type_into("email", "wang.ayi@example.cn")
    type_into("display_name", "王阿姨")
    type_into("password1", PASSWORD)
    type_into("password2", PASSWORD + "x")  # a slip of the finger
    press(page, "Enter")
    expect(page.locator("#id_password2_error")).to_be_visible()
    assert not User.objects.exists()

    # The password fields come back empty; the rest is kept.
    expect(page.locator("#id_username")).to_have_value("王阿姨")
    type_into("password1", PASSWORD)
    type_into("password2", PASSWORD)
    press(page, "Enter")
    expect(page.get_by_role("status")).to_contain_text("wang.ayi@example.cn")

    (message,) = mail.outbox
    match = re.search(r"https?://[^/\s]+(/accounts/activate/[\w-]+/[\w-]+/)", str(message.body))
    assert match is not None
    page.goto(base + match.group(1))
    button = page.locator("main form button[type=submit]")
    expect(button).to_have_text("激活我的账号")
    start_from_top(page)
    tab_to(page, button)
    press(page, "Enter")

    expect(page).to_have_url(f"{base}/calendar/me/")
    expect(page.locator(".messages")).to_contain_text("您的账号已激活")
    expect(page.locator(".site-nav form button")).to_contain_text("王阿姨")
    assert User.objects.get(username="王阿姨").is_active

    page.locator(".site-nav form button").click()  # sign out
    page.goto(f"{base}/accounts/login/")
    fill_sign_in(page, "王阿姨", PASSWORD)
