"""Once the year's calendar is published the application page says so, rather than naming a
deadline that is still to come as the moment applications closed."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from scheduling.services import (
    allocation_run,
    application_submit,
    campaign_year_open,
    version_publish,
)

pytestmark = pytest.mark.django_db


def test_a_published_year_before_its_deadline_says_it_is_published(
    client: Client, ministry_user: User, coordinator: User
) -> None:
    year = campaign_year_open(
        actor=ministry_user, year=2027, applications_deadline=timezone.now() + dt.timedelta(days=30)
    )
    application_submit(
        actor=coordinator, campaign_year=year, region_code="110000", ranked_weeks=[12, 15],
        theme="书香京城", contact_name="王老师",
    )  # fmt: skip
    before = client.get("/calendar/2027/apply/")  # not signed in: the sign-in page
    assert before.status_code == 302
    client.force_login(coordinator)
    assert "deadline-closed" not in client.get("/calendar/2027/apply/").content.decode()

    run = allocation_run(actor=ministry_user, campaign_year=year, expected_latest_run_id=None)
    version_publish(actor=ministry_user, campaign_year=year, run=run)
    page = client.get("/calendar/2027/apply/").content.decode()
    assert "deadline-closed" in page
    assert "本年度活动日历已发布" in page or "calendar is published" in page
    assert "申请已于" not in page
