"""Sign-in, sign-out and password reset as a person uses them."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.forms import SignUpForm
from accounts.models import User
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_with_right_password_signs_in(client: Client, resident: User) -> None:
    response = client.post(reverse("login"), {"username": resident.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == resident


def test_login_with_wrong_password_says_so_and_stays_out(client: Client, resident: User) -> None:
    response = client.post(
        reverse("login"),
        {"username": resident.username, "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "correct sign-in name and password" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_logout_needs_post_and_signs_out(client: Client, resident: User) -> None:
    client.force_login(resident)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_password_reset_email_link_sets_a_new_password(client: Client, resident: User) -> None:
    response = client.post(reverse("password_reset"), {"email": resident.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body)
    assert link is not None
    confirm = client.get(link.group(1), follow=True)
    assert confirm.context["validlink"]
    new_password = "a-much-better-password-2027"
    done = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password(new_password)


def test_password_reset_for_unknown_email_sends_nothing(client: Client) -> None:
    client.post(reverse("password_reset"), {"email": "nobody@example.cn"})
    assert mail.outbox == []


def test_sign_in_asks_for_the_sign_in_name_as_sign_up_does(client: Client) -> None:
    english = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<label for="id_username">Sign-in name:</label>' in english
    chinese = client.get(reverse("login")).content.decode()
    assert '<label for="id_username">登录名:</label>' in chinese
    assert "用户名" not in chinese


def test_a_chinese_name_without_spaces_signs_up() -> None:
    form = SignUpForm(
        {
            "username": "王阿姨_1956",
            "email": "wang@example.cn",
            "language": "zh-hans",
            "password1": "xuexi-2027-lifelong",
            "password2": "xuexi-2027-lifelong",
        }
    )
    assert form.is_valid(), form.errors
