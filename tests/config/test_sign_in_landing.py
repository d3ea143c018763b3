"""Where signing in lands: a resident on My calendar, everyone else on the home page, and a
`next` always wins (config.views_auth.SignInView, mounted at the login address)."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, user: User, **extra: str) -> str:
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD, **extra}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return str(response["Location"])


def test_a_resident_lands_on_my_calendar(client: Client, resident: User) -> None:
    assert _sign_in(client, resident) == reverse("my-calendar")


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.LECTURER, Role.MINISTRY])
def test_everyone_else_keeps_the_home_page(client: Client, role: Role) -> None:
    region = "110000" if role in (Role.COORDINATOR, Role.LECTURER) else None
    user: User = UserFactory(role=role, region_id=region)
    assert _sign_in(client, user) == reverse("home")


def test_staff_with_the_default_role_keep_the_home_page(client: Client) -> None:
    user: User = UserFactory(is_staff=True)
    assert _sign_in(client, user) == reverse("home")


def test_next_wins_for_a_resident(client: Client, resident: User) -> None:
    assert _sign_in(client, resident, next="/reminders/") == "/reminders/"


def test_the_sign_in_page_still_uses_the_sign_in_form(client: Client) -> None:
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign-in name" in html
