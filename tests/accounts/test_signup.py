"""Residents sign up on the site: an inactive account until the emailed link is opened, the
same answer whether or not an address is registered, bad input named field by field, and a
per-address budget for requests that send email."""

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import pending_signups_purge, resident_sign_up
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

GOOD = {
    "username": "王阿姨",
    "email": "wang.ayi@example.cn",
    "display_name": "王阿姨",
    "language": "zh-hans",
    "password1": "xuexi-2027-lifelong",
    "password2": "xuexi-2027-lifelong",
}


@pytest.fixture(autouse=True)
def _eager_celery_and_fresh_budget() -> Iterator[None]:
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    cache.clear()
    yield
    app.conf.task_always_eager = previous


def _post(client: Client, capture: Any, url: str, data: dict[str, str], **extra: Any) -> Any:
    with capture(execute=True):  # the email task is queued on commit
        return client.post(url, data, **extra)


def _link(message: Any) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/activate/[\w-]+/[\w-]+/)", message.body)
    assert match is not None, message.body
    return match.group(1)


def test_sign_up_activate_and_land_signed_in(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    response = _post(client, django_capture_on_commit_callbacks, reverse("accounts:signup"), GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_sent")
    user = User.objects.get(username="王阿姨")
    assert (user.is_active, user.role, user.region_id) == (False, Role.RESIDENT, None)
    assert user.check_password(GOOD["password1"])
    sent = client.get(response["Location"]).content.decode()
    assert "wang.ayi@example.cn" in sent

    (message,) = mail.outbox
    assert message.to == ["wang.ayi@example.cn"]
    assert message.subject == "激活您的账号"
    assert "王阿姨" in message.body
    link = _link(message)

    # Opening the link shows a button; it does not activate by itself (mail scanners open links).
    page = client.get(link)
    assert page.status_code == 200
    assert b"<form" in page.content
    assert not User.objects.get(pk=user.pk).is_active

    done = client.post(link)
    assert done.status_code == 302
    assert done["Location"] == reverse("my-calendar")
    user.refresh_from_db()
    assert (user.is_active, user.signup_pending_since) == (True, None)
    assert client.get(reverse("my-calendar")).context["user"] == user

    # The link works once.
    client.post(reverse("logout"))
    again = client.post(link, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400
    assert "already been used" in again.content.decode()
    # And the password chosen at sign-up signs in.
    signed_in = client.post(reverse("login"), {"username": "王阿姨", "password": GOOD["password1"]})
    assert signed_in.status_code == 302


def test_signing_in_before_opening_the_link_says_what_to_do(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _post(client, django_capture_on_commit_callbacks, reverse("accounts:signup"), GOOD)
    response = client.post(
        reverse("login"),
        {"username": GOOD["username"], "password": GOOD["password1"]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "This account is not active yet" in response.content.decode()
    wrong = client.post(
        reverse("login"),
        {"username": GOOD["username"], "password": "not-the-password"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "not active yet" not in wrong.content.decode()  # only the owner learns it is pending


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": ""}, "username", "This field is required."),
        ({"username": "王 阿姨"}, "username", "cannot contain spaces; use _ or - instead."),
        ({"username": "王阿姨 1956"}, "username", "cannot contain spaces; use _ or - instead."),
        ({"username": "王阿姨\u30001956"}, "username", "cannot contain spaces"),  # full-width
        (
            {"username": "王阿姨#1956!"},
            "username",
            "cannot contain “!” “#”: use letters (Chinese too), digits and @ . + - _ only.",
        ),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "This field is required."),
        ({"password2": "something-else-2027"}, "password2", "fields didn’t match"),
        ({"password1": "12345678", "password2": "12345678"}, "password2", "too common"),
        (
            {"password1": "wang.ayi@example.cn", "password2": "wang.ayi@example.cn"},
            "password2",
            "too similar",
        ),
        ({"language": "fr"}, "language", "Select a valid choice."),
        ({"display_name": "名" * 101}, "display_name", "at most 100 characters"),
    ],
)
def test_bad_input_is_named_on_its_field_and_nothing_is_stored(
    client: Client,
    django_capture_on_commit_callbacks: Any,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = _post(
        client,
        django_capture_on_commit_callbacks,
        reverse("accounts:signup"),
        GOOD | changes,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in str(e) for e in errors[field]), errors[field]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not User.objects.filter(email=GOOD["email"]).exists()
    assert mail.outbox == []


def test_a_taken_name_is_refused_but_an_expired_pending_one_is_free(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    UserFactory(username="老李")
    response = client.post(
        reverse("accounts:signup"), GOOD | {"username": "老李"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "The sign-in name 老李 is taken" in str(response.context["form"].errors["username"])

    with time_machine.travel(timezone.now() - dt.timedelta(days=4)):
        resident_sign_up(
            username="张三", email="other@example.cn", password="x-long-pass-2027", language="en"
        )
    _post(
        client, django_capture_on_commit_callbacks, reverse("accounts:signup"),
        GOOD | {"username": "张三"},
    )  # fmt: skip
    (user,) = User.objects.filter(username="张三")
    assert user.email == GOOD["email"]


def test_a_registered_address_gets_an_email_not_a_second_account(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    owner = UserFactory(email="Wang.Ayi@example.cn", language="en")
    response = _post(client, django_capture_on_commit_callbacks, reverse("accounts:signup"), GOOD)
    assert response["Location"] == reverse("accounts:signup_sent")  # the same page as ever
    assert not User.objects.filter(username=GOOD["username"]).exists()
    (message,) = mail.outbox
    assert message.to == [owner.email]
    assert message.subject == "You already have an account"
    assert f"Your sign-in name is {owner.username}" in message.body
    assert "/accounts/password_reset/" in message.body
    assert "/accounts/activate/" not in message.body


def test_signing_up_again_replaces_the_pending_account_and_its_link(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("accounts:signup")
    _post(client, django_capture_on_commit_callbacks, url, GOOD)
    _post(client, django_capture_on_commit_callbacks, url, GOOD | {"username": "王阿姨2"})
    first, second = mail.outbox
    assert list(User.objects.filter(email=GOOD["email"]).values_list("username", flat=True)) == [
        "王阿姨2"
    ]
    assert client.get(_link(first)).context["validlink"] is False
    assert client.post(_link(second)).status_code == 302


def test_the_link_expires_after_three_days(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    # Both moments under time_machine: its naive datetime.now() (the token's clock) is UTC.
    signed_up = timezone.now()
    with time_machine.travel(signed_up):
        _post(client, django_capture_on_commit_callbacks, reverse("accounts:signup"), GOOD)
    link = _link(mail.outbox[0])
    with time_machine.travel(signed_up + dt.timedelta(days=2, hours=23)):
        assert client.get(link).context["validlink"] is True
    with time_machine.travel(signed_up + dt.timedelta(days=3, hours=1)):
        assert client.post(link).status_code == 400
        assert pending_signups_purge() == 1
    assert not User.objects.filter(username=GOOD["username"]).exists()


@pytest.mark.parametrize(
    "link",
    [
        "/accounts/activate/MTIz/abc-def/",
        "/accounts/activate/!!!/abc-def/",
        "/accounts/activate/99999999999999999999999999/x-y/",
    ],
)
def test_a_bad_link_says_so_and_activates_nothing(client: Client, link: str) -> None:
    pending = UserFactory(is_active=False, signup_pending_since=timezone.now())
    assert client.get(link).context["validlink"] is False
    response = client.post(link)
    assert response.status_code == 400
    assert not User.objects.get(pk=pending.pk).is_active


def test_an_account_deactivated_by_staff_is_not_reactivated_by_a_link(client: Client) -> None:
    from accounts.services import activation_url

    user = UserFactory(is_active=False)  # switched off in the admin: no pending stamp
    path = activation_url(user).split("://", 1)[1].split("/", 1)[1]
    assert client.post(f"/{path}").status_code == 400
    assert not User.objects.get(pk=user.pk).is_active


def test_resend_sends_a_new_link_only_to_a_pending_address(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _post(client, django_capture_on_commit_callbacks, reverse("accounts:signup"), GOOD)
    url = reverse("accounts:signup_resend")
    for email in (GOOD["email"].upper(), "nobody@example.cn"):
        response = client.post(url, {"email": email})
        assert response["Location"] == reverse("accounts:signup_sent")
    assert [m.to for m in mail.outbox] == [[GOOD["email"]], [GOOD["email"]]]
    bad = client.post(url, {"email": "nonsense"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Enter a valid email address." in str(bad.context["form"].errors["email"])


def test_an_address_gets_a_limited_number_of_sign_ups_an_hour(
    client: Client, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.ACCOUNTS_EMAILS_PER_ADDRESS_PER_HOUR = 3
    url = reverse("accounts:signup")
    for n in range(3):
        data = GOOD | {"username": f"居民{n}", "email": f"r{n}@example.cn"}
        assert _post(client, django_capture_on_commit_callbacks, url, data).status_code == 302
    blocked = _post(
        client, django_capture_on_commit_callbacks, url,
        GOOD | {"username": "居民9", "email": "r9@example.cn"}, HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert blocked.status_code == 429
    assert "Too many sign-ups from your address" in blocked.content.decode()
    assert not User.objects.filter(username="居民9").exists()
    other = Client(REMOTE_ADDR="192.0.2.8")
    data = GOOD | {"username": "居民8", "email": "r8@example.cn"}
    assert _post(other, django_capture_on_commit_callbacks, url, data).status_code == 302


def test_signed_in_people_are_sent_home_from_sign_up(client: Client, resident: User) -> None:
    client.force_login(resident)
    assert client.get(reverse("accounts:signup"))["Location"] == reverse("home")


def test_sign_up_needs_the_csrf_token(django_capture_on_commit_callbacks: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("accounts:signup"), GOOD).status_code == 403
    assert not User.objects.exists()


def test_the_password_is_never_shown_back(client: Client) -> None:
    response = client.post(reverse("accounts:signup"), GOOD | {"password2": "different-2027x"})
    assert GOOD["password1"] not in response.content.decode()
    assert PASSWORD not in response.content.decode()
