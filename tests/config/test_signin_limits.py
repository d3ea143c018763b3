"""Sign-in attempt limiting (django-axes, accounts/lockout.py): five wrong passwords lock one name
at one address for 15 minutes, the lockout page says until when, and nobody else is affected."""

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from axes.exceptions import AxesBackendRequestParameterRequired
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH)
HOME = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def fast_hashing(settings: object) -> None:
    # Every wrong password is hashed in full; dozens of PBKDF2 rounds would take a minute here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


def _person(username: str) -> User:
    user: User = UserFactory(username=username)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def alice(db: None, fast_hashing: None) -> User:
    return _person("alice")


def _sign_in(
    client: Client, username: str, password: str, *, ip: str = HOME, **extra: str
) -> HttpResponse:
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE="en",
        **extra,
    )


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client: Client, username: str, times: int, **kwargs: str) -> list[int]:
    return [
        _sign_in(client, username, "wrong-password", **kwargs).status_code for _ in range(times)
    ]


def test_the_fifth_wrong_password_locks_the_name_at_that_address(
    client: Client, alice: User, clock: time_machine.Traveller
) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = _fail(client, "alice", 5)
    assert statuses == [200, 200, 200, 200, 429]
    response = _sign_in(client, "alice", "wrong-password")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many sign-in attempts" in html
    # Locked at 09:00 Beijing time for 15 minutes: the page names the time and the header agrees.
    assert '<time datetime="2027-03-01T09:15:00+08:00">09:15</time>' in html
    assert response["Retry-After"] == "900"


def test_the_right_password_is_refused_while_locked_out(
    client: Client, alice: User, clock: time_machine.Traveller
) -> None:
    _fail(client, "alice", 5)
    clock.shift(dt.timedelta(minutes=14, seconds=59))
    response = _sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert not _signed_in(client)


def test_after_the_cool_off_the_right_password_works_again(
    client: Client, alice: User, clock: time_machine.Traveller
) -> None:
    _fail(client, "alice", 5)
    clock.shift(dt.timedelta(minutes=15, seconds=1))
    response = _sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)


def test_tries_while_locked_out_do_not_move_the_end_of_the_lockout(
    client: Client, alice: User, clock: time_machine.Traveller
) -> None:
    _fail(client, "alice", 5)
    clock.shift(dt.timedelta(minutes=10))
    assert _fail(client, "alice", 3) == [429, 429, 429]
    response = _sign_in(client, "alice", "wrong-password")
    assert '<time datetime="2027-03-01T09:15:00+08:00">' in response.content.decode()
    clock.shift(dt.timedelta(minutes=5, seconds=1))
    assert _sign_in(client, "alice", PASSWORD).status_code == 302


def test_other_names_and_the_same_name_elsewhere_are_not_affected(
    alice: User, clock: time_machine.Traveller
) -> None:
    bob = _person("bob")
    _fail(Client(), "alice", 5)
    # Someone else at the same address (an office, a library) signs in as usual ...
    neighbour = Client()
    assert _sign_in(neighbour, bob.username, PASSWORD).status_code == 302
    assert _signed_in(neighbour)
    # ... and so does Alice from another address: a stranger cannot lock her out.
    travelling = Client()
    assert _sign_in(travelling, "alice", PASSWORD, ip=ELSEWHERE).status_code == 302
    assert _signed_in(travelling)


def test_a_successful_sign_in_resets_the_count(
    client: Client, alice: User, clock: time_machine.Traveller
) -> None:
    _fail(client, "alice", 4)
    assert _sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    assert _fail(client, "alice", 4) == [200] * 4
    assert _sign_in(client, "alice", PASSWORD).status_code == 302


def test_the_lockout_page_is_in_chinese_by_default(
    client: Client, alice: User, clock: time_machine.Traveller
) -> None:
    for _ in range(5):
        response = client.post(
            reverse("login"), {"username": "alice", "password": "x"}, REMOTE_ADDR=HOME
        )
    assert response.status_code == 429
    html = response.content.decode()
    assert 'lang="zh-Hans"' in html
    assert "09:15" in html


def test_forwarded_for_is_ignored_unless_behind_the_proxy(
    client: Client, alice: User, clock: time_machine.Traveller
) -> None:
    # Without the proxy, a client cannot dodge the limit by inventing X-Forwarded-For values.
    statuses = [
        _sign_in(client, "alice", "x", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
        for i in range(5)
    ]
    assert statuses[-1] == 429


def test_behind_the_proxy_the_address_nginx_appended_counts(
    client: Client, alice: User, clock: time_machine.Traveller, settings: object
) -> None:
    settings.AXES_BEHIND_PROXY = True  # type: ignore[attr-defined]
    proxy = "172.18.0.5"
    # The client forges the left part; nginx appends the address it saw (the right-most).
    statuses = [
        _sign_in(
            client, "alice", "x", ip=proxy, HTTP_X_FORWARDED_FOR=f"10.9.9.{i}, {HOME}"
        ).status_code
        for i in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    # Another client behind the same proxy is someone else.
    other = _sign_in(Client(), "alice", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert other.status_code == 302


def test_the_test_client_signs_in_through_axes_when_given_a_request(alice: User) -> None:
    # How tests sign in with a password while axes stays on (its documented way): the backend
    # refuses to judge a sign-in it cannot place, and force_login needs no password at all.
    client = Client()
    assert client.login(request=HttpRequest(), username="alice", password=PASSWORD)
    assert _signed_in(client)
    with pytest.raises(AxesBackendRequestParameterRequired):
        Client().login(username="alice", password=PASSWORD)
