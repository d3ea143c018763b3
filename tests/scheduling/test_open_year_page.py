"""The Ministry opens a campaign year from its dashboard: the weeks are made, a year already
open or out of range is refused on the field, and nobody else may do it."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from scheduling.models import CampaignYear

pytestmark = pytest.mark.django_db


def test_dashboard_without_a_year_leads_to_the_open_form(
    client: Client, ministry_user: User
) -> None:
    client.force_login(ministry_user)
    response = client.get("/calendar/manage/")
    assert response.status_code == 302
    assert response["Location"] == "/calendar/manage/open/"
    page = client.get("/calendar/manage/open/")
    assert page.status_code == 200
    assert page.context["form"]["year"].value() == timezone.localdate().year + 1


def test_opening_a_year_makes_its_weeks_and_keeps_the_deadline(
    client: Client, ministry_user: User
) -> None:
    client.force_login(ministry_user)
    response = client.post(
        "/calendar/manage/open/", {"year": "2027", "applications_deadline": "2026-12-15"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/calendar/2027/manage/"
    year = CampaignYear.objects.get(year=2027)
    assert year.weeks.count() == 52
    assert year.weeks.filter(number=5, blocked=True).exists()  # the Spring Festival
    shanghai = timezone.get_default_timezone()
    assert year.applications_deadline == dt.datetime(2026, 12, 15, 23, 59, 59, tzinfo=shanghai)
    assert client.get("/calendar/manage/").headers["Location"] == "/calendar/2027/manage/"


@pytest.mark.parametrize(
    ("year", "message"), [("2027", "已经开启"), ("2023", "2024"), ("next", "整数")]
)
def test_a_bad_year_is_explained_on_the_field(
    client: Client, ministry_user: User, year: str, message: str
) -> None:
    client.force_login(ministry_user)
    client.post("/calendar/manage/open/", {"year": "2027"})
    response = client.post("/calendar/manage/open/", {"year": year})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["year"])
    assert CampaignYear.objects.count() == 1


def test_only_the_ministry_may_open_a_year(client: Client, coordinator: User) -> None:
    assert client.post("/calendar/manage/open/", {"year": "2027"}).status_code == 302  # sign in
    client.force_login(coordinator)
    assert client.get("/calendar/manage/open/").status_code == 403
    assert client.post("/calendar/manage/open/", {"year": "2027"}).status_code == 403
    assert not CampaignYear.objects.exists()
