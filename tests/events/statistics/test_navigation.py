"""The statistics table, the work plan, the nominations and the Ministry's review are reached by
links from the main navigation, not only by typing their addresses."""

import re

import pytest
from django.test import Client

from accounts.models import User
from scheduling.models import CampaignYear

pytestmark = pytest.mark.django_db


def links(html: str) -> set[str]:
    return {href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', html)}


def test_a_coordinator_goes_from_the_nav_to_the_table_then_to_plan_and_nominations(
    client: Client, coordinator: User, campaign_2027: CampaignYear
) -> None:
    client.force_login(coordinator)
    assert "/reports/" in links(client.get("/").content.decode())
    table = client.get("/reports/", follow=True)
    assert table.redirect_chain[-1][0] == "/reports/2027/110000/"
    found = links(table.content.decode())
    assert {"/events/2027/plan/", "/events/2027/nominations/"} <= found
    assert table.content.decode().count('href="/reports/"') == 1  # one nav entry, not two
    for url in ("/events/2027/plan/", "/events/2027/nominations/"):
        assert client.get(url).status_code == 200


def test_the_ministry_goes_from_the_national_table_to_the_review_and_a_regions_plan(
    client: Client, ministry_user: User, campaign_2027: CampaignYear
) -> None:
    client.force_login(ministry_user)
    national = client.get("/reports/", follow=True)
    assert national.redirect_chain[-1][0] == "/reports/2027/"
    found = links(national.content.decode())
    assert {"/events/2027/review/", "/events/2027/progress/", "/events/2027/coverage/"} <= found
    region = client.get("/reports/2027/310000/").content.decode()
    assert "/events/2027/plan/?region=310000" in links(region)
    assert client.get("/events/2027/plan/?region=310000").status_code == 200


def test_residents_and_lecturers_see_no_statistics_link(
    client: Client, resident: User, lecturer: User
) -> None:
    for user in (resident, lecturer):
        client.force_login(user)
        assert "/reports/" not in links(client.get("/").content.decode())
