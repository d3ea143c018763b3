"""The 37 participating regions: loaded by migration from the project's own copy, served by API."""

import csv
from pathlib import Path

import pytest
from django.test import Client

from scheduling.models import Region
from scheduling.regions import REGIONS_CSV

pytestmark = pytest.mark.django_db


def test_all_37_regions_are_loaded_with_their_codes() -> None:
    with Path(REGIONS_CSV).open(encoding="utf-8") as fh:
        expected = {row["code"]: row for row in csv.DictReader(fh)}
    assert len(expected) == 37
    stored = {r.code: r for r in Region.objects.all()}
    assert set(stored) == set(expected)
    assert stored["660000"].short_name_zh == "新疆生产建设兵团"
    assert stored["440300"].kind == "separately_planned_city"
    assert {r.kind for r in stored.values()} == {
        "province", "municipality", "autonomous_region", "separately_planned_city", "corps",
    }  # fmt: skip


def test_regions_api_lists_all_37(client: Client) -> None:
    response = client.get("/api/regions/")
    assert response.status_code == 200
    assert len(response.json()) == 37
    assert response.json()[0] == {
        "code": "110000", "short_name_zh": "北京", "name_en": "Beijing",
        "kind": "municipality", "region_group": "north",
    }  # fmt: skip


def test_regions_api_unknown_code_is_404(client: Client) -> None:
    assert client.get("/api/regions/999999/").status_code == 404
    assert client.get("/api/regions/abc/").status_code == 404


def test_regions_api_is_read_only(client: Client, ministry_user: object) -> None:
    client.force_login(ministry_user)  # type: ignore[arg-type]
    assert client.post("/api/regions/", {"code": "123456"}).status_code == 405
    assert client.delete("/api/regions/110000/").status_code == 405


def test_openapi_schema_lists_regions(client: Client) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/regions/" in response.json()["paths"]
