"""The main menu: "My reminders" beside "My calendar" for anyone signed in, and the API
documentation in the footer rather than the menu (residents do not need it there)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def _part(html: str, tag: str) -> str:
    match = re.search(rf"<{tag}\b.*?</{tag}>", html, re.S)
    assert match is not None, tag
    return match.group(0)


def test_signed_in_menu_has_my_calendar_and_my_reminders(client: Client, resident: User) -> None:
    client.force_login(resident)
    nav = _part(client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode(), "nav")
    assert f'<a href="{reverse("my-calendar")}">My calendar</a>' in nav
    assert f'<a href="{reverse("reminders:mine")}">My reminders</a>' in nav


def test_my_reminders_is_marked_current_on_its_page(client: Client, resident: User) -> None:
    client.force_login(resident)
    nav = _part(client.get(reverse("reminders:mine")).content.decode(), "nav")
    assert f'<a href="{reverse("reminders:mine")}" aria-current="page">' in nav


def test_signed_out_menu_has_no_my_reminders(client: Client) -> None:
    nav = _part(client.get("/").content.decode(), "nav")
    assert reverse("reminders:mine") not in nav


def test_open_data_is_in_the_footer_not_the_menu(client: Client) -> None:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("api-docs") not in _part(html, "nav")
    footer = _part(html, "footer")
    assert f'<a href="{reverse("api-docs")}">Open data (API)</a>' in footer
