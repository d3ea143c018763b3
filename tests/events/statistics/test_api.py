"""The statistics API: a region's table (computed, current, submitted) for its coordinators and
the Ministry, the national roll-up for the Ministry, both in the OpenAPI schema."""

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from events.statistics.services import (
    statistics_adjust,
    statistics_header_update,
    statistics_submit,
)
from scheduling.models import CampaignYear
from tests.events.statistics.conftest import EXPECTED_BEIJING

pytestmark = pytest.mark.django_db
REGION = "/api/years/2027/statistics/110000/"
NATIONAL = "/api/years/2027/statistics/"


def _api(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_a_coordinator_reads_their_table_computed_current_and_submitted(
    beijing_events: CampaignYear, coordinator: User
) -> None:
    statistics_header_update(actor=coordinator, campaign_year=beijing_events, region_code="110000",
                             contact_name="王老师", office_phone="010-1")  # fmt: skip
    statistics_adjust(
        actor=coordinator, campaign_year=beijing_events, region_code="110000",
        cell_key="learning_week.county_activities", value=7, reason="补报",
    )  # fmt: skip
    statistics_submit(actor=coordinator, campaign_year=beijing_events, region_code="110000")
    response = _api(coordinator).get(REGION)
    assert response.status_code == 200
    data = response.json()
    assert (data["year"], data["region"], data["status"]) == (2027, "110000", "submitted")
    assert data["header"]["contact_name"] == "王老师"
    cells = {c["cell"]: c for c in data["cells"]}
    assert len(cells) == 37
    participants = cells["lecture_hall.prefecture_participants"]
    assert participants["computed"] == participants["value"] == participants["submitted"] == 815
    assert participants["label"] == "线上社会大讲堂 · 地市级及以上城市开展情况 · 参加人次"
    adjusted = cells["learning_week.county_activities"]
    assert (adjusted["computed"], adjusted["value"], adjusted["adjusted"]) == (0, 7, True)
    assert adjusted["reason"] == "补报"
    assert adjusted["adjusted_by"] == str(coordinator)
    assert cells["header.county_cities"]["activity_type"] is None
    assert data["submission"]["number"] == 1
    assert data["submission"]["reopened_at"] is None
    assert data["differs"] == []
    for key, value in EXPECTED_BEIJING.items():
        assert cells[key]["computed"] == value


@pytest.mark.parametrize("who", ["other_coordinator", "lecturer", "resident", None])
def test_nobody_else_reads_a_regions_table(
    campaign_2027: CampaignYear, who: str | None, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who) if who else None
    response = _api(user).get(REGION)
    assert response.status_code == 403
    assert response.json()["detail"]


def test_unknown_year_and_region_are_404(campaign_2027: CampaignYear, ministry_user: User) -> None:
    client = _api(ministry_user)
    response = client.get("/api/years/2031/statistics/110000/")
    assert response.status_code == 404
    assert "2031" in response.json()["detail"]
    response = client.get("/api/years/2027/statistics/999999/")
    assert response.status_code == 404
    assert "999999" in response.json()["detail"]
    assert client.get("/api/years/2031/statistics/").status_code == 404


def test_the_national_roll_up_is_the_ministrys(
    beijing_events: CampaignYear, ministry_user: User, coordinator: User
) -> None:
    assert _api(coordinator).get(NATIONAL).status_code == 403
    response = _api(ministry_user).get(NATIONAL)
    assert response.status_code == 200
    data = response.json()
    assert data["year"] == 2027
    assert data["submitted"] == 0
    assert len(data["regions"]) == 37
    beijing = next(r for r in data["regions"] if r["region"] == "110000")
    assert beijing["status"] == "open"
    assert beijing["submitted_at"] is None
    assert beijing["figures"]["themed_reading.prefecture_participants"] == 5170
    assert data["totals"]["themed_reading.prefecture_participants"] == 5670


def test_the_endpoints_are_in_the_openapi_schema(client: object, db: None) -> None:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/years/{year}/statistics/" in paths
    assert "/api/years/{year}/statistics/{region_code}/" in paths
    schemas = response.json()["components"]["schemas"]
    assert "RegionTable" in schemas
    assert "National" in schemas
