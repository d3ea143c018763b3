"""Fixtures shared by every test folder."""

import os
from collections.abc import Iterator

import pytest

from accounts.models import Role, User
from tests.factories import UserFactory


def _service_url(name: str) -> str:
    url = os.environ.get(name, "")
    if not url:
        # Locally these suites are skipped; in CI a skip fails the run (tests/conftest.py).
        pytest.skip(f"{name} is not set: this test needs the real service")
    return url


@pytest.fixture
def database_url() -> str:
    return _service_url("DATABASE_URL")


@pytest.fixture
def redis_url() -> str:
    return _service_url("REDIS_URL")


@pytest.fixture
def ministry_user(db: None) -> User:
    return UserFactory(role=Role.MINISTRY, is_staff=True)


@pytest.fixture
def coordinator(db: None) -> User:
    return UserFactory(role=Role.COORDINATOR, region_id="110000")


@pytest.fixture
def other_coordinator(db: None) -> User:
    return UserFactory(role=Role.COORDINATOR, region_id="310000")


@pytest.fixture
def lecturer(db: None) -> User:
    return UserFactory(role=Role.LECTURER, region_id="500000")


@pytest.fixture
def resident(db: None) -> User:
    return UserFactory(role=Role.RESIDENT)


@pytest.fixture
def _allow_sync_orm_in_browser_tests() -> Iterator[None]:
    # Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to
    # run beside one unless told it is safe (it is: the loop is Playwright's, not ours).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
