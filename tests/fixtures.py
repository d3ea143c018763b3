"""Fixtures shared by every test folder."""

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from accounts.models import Role, User
from tests.factories import UserFactory

if TYPE_CHECKING:
    from scheduling.models import CampaignYear


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
def campaign_2027(ministry_user: User) -> "CampaignYear":
    """Campaign year 2027 opened by the Ministry: 52 weeks, golden weeks 5-6 and 39-40 blocked,
    applications open until 30 November 2026 23:59:59 Asia/Shanghai."""
    from scheduling.services import campaign_year_open

    return campaign_year_open(actor=ministry_user, year=2027)


@pytest.fixture
def applied_2027(campaign_2027: "CampaignYear", ministry_user: User) -> "CampaignYear":
    """2027 with every region applied: region i ranks weeks spread over the open weeks, so a
    run finds everyone a ranked week."""
    from scheduling.models import Region
    from scheduling.services import application_submit

    open_weeks = list(
        campaign_2027.weeks.filter(blocked=False)
        .order_by("number")
        .values_list("number", flat=True)
    )
    for i, code in enumerate(Region.objects.values_list("code", flat=True)):
        application_submit(
            actor=ministry_user,
            campaign_year=campaign_2027,
            region_code=code,
            ranked_weeks=[open_weeks[(i + k) % len(open_weeks)] for k in (0, 1, 2)],
            avoided_weeks=[],
            theme=f"主题{i}",
            contact_name="联系人",
        )
    return campaign_2027


@pytest.fixture(autouse=True)
def _regions_after_flush(request: pytest.FixtureRequest) -> None:
    """A transactional test's teardown truncates every table, the 37 regions the migration
    loaded included; put them back so each test starts from the real reference data."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("_django_db_helper")
    from scheduling.models import Region
    from scheduling.regions import read_regions

    if Region.objects.count() != 37:
        Region.objects.bulk_create(
            [Region(**row.__dict__) for row in read_regions()], ignore_conflicts=True
        )


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Services speak the active language; tests read their messages in English (the msgids).
    Pages are still tested in Chinese: each request activates its own language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: with Redis as the cache (CI), cached feed versions
    and bodies would otherwise outlive the test database they were computed from."""
    from django.core.cache import cache

    cache.clear()
