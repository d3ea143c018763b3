"""Fixtures shared by every test folder."""

import os

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
