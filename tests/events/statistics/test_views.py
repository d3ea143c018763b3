"""The statistics pages through the test client: a region's table per role, the adjust form's
errors, submit and reopen, the national view, the downloads' permissions."""

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from accounts.models import User
from events.models import StatisticsAdjustment, StatisticsSubmission
from events.statistics.services import (
    ERROR_NOT_A_NUMBER,
    statistics_header_update,
    statistics_submit,
)
from scheduling.models import CampaignYear
from tests.events.statistics.conftest import event

pytestmark = pytest.mark.django_db
REGION = "/reports/2027/110000/"
NATIONAL = "/reports/2027/"


def _login(client: Client, user: User | None) -> Client:
    """Signed in, reading English pages (the Chinese ones are checked where labels matter)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    if user is not None:
        client.force_login(user)
    return client


def _in_language(language: str, message: Any, **params: Any) -> str:
    """A message as the page shows it in that language (escaped as in HTML)."""
    with translation.override(language):
        return escape(str(message) % params)


def _header(actor: User, year: CampaignYear) -> None:
    statistics_header_update(actor=actor, campaign_year=year, region_code="110000",
                             contact_name="王老师", office_phone="010-66096253")  # fmt: skip


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_coordinator_sees_the_table_with_the_attachments_labels(
    client: Client, beijing_events: CampaignYear, coordinator: User, language: str
) -> None:
    _login(client, coordinator)
    response = client.get(REGION, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("省级层面是否开展", "地市级及以上城市开展情况", "县级城市开展情况", "全民阅读",
                  "“社长（总编）荐书”活动", "全民终身学习活动周", "参加人次"):  # fmt: skip
        assert label in html
    assert '<th colspan="4" scope="colgroup">' in html
    assert html.count('scope="rowgroup"') == 2
    assert "<caption" in html
    # drawn on the server: no script but the site-wide phone menu's
    assert [t for t in re.findall(r"<script\b[^>]*>", html) if "js/menu.js" not in t] == []
    assert 'href="/reports/2027/110000/adjust/?cell=themed_reading.provincial"' in html
    assert "person-times" in html or "人次" in html
    if language == "en":
        assert "Themed reading activities" in html  # the English gloss beside the Chinese


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_coordinator", 403), ("lecturer", 403), ("resident", 403), ("ministry_user", 200)],
)
def test_who_may_open_a_regions_table(
    client: Client, campaign_2027: CampaignYear, who: str, status: int,
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    _login(client, request.getfixturevalue(who))
    assert client.get(REGION).status_code == status
    assert client.get("/reports/2027/110000.xlsx").status_code == status
    assert client.get("/reports/2027/110000.csv").status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, campaign_2027: Any) -> None:
    for url in (REGION, NATIONAL, "/reports/2027/national.xlsx", "/reports/2027/110000.xlsx"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_a_year_without_a_campaign_is_404(client: Client, coordinator: User) -> None:
    _login(client, coordinator)
    assert client.get("/reports/2031/110000/").status_code == 404
    assert client.get("/reports/2031/110000.xlsx").status_code == 404


def test_adjust_form_shows_the_services_message_and_stores_nothing(
    client: Client, campaign_2027: CampaignYear, coordinator: User
) -> None:
    _login(client, coordinator)
    url = f"{REGION}adjust/?cell=themed_reading.county_participants"
    assert client.get(url).status_code == 200
    data = {"cell": "themed_reading.county_participants", "value": "1.5", "reason": "补报"}
    response = client.post(url, data)
    assert response.status_code == 200
    label = "主题阅读活动 · 县级城市开展情况 · 参加人次"
    params = {"cell": label, "value": "1.5"}
    assert _in_language("en", ERROR_NOT_A_NUMBER, **params) in response.content.decode()
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert _in_language("zh-hans", ERROR_NOT_A_NUMBER, **params) in response.content.decode()
    response = client.post(url, {**data, "value": "1200", "reason": ""})
    assert "say why the figure differs" in response.content.decode()
    assert StatisticsAdjustment.objects.count() == 0

    response = client.post(url, {**data, "value": "1200"})
    assert response.status_code == 302
    assert response["Location"].endswith("#cell-themed_reading.county_participants")
    assert StatisticsAdjustment.objects.get().value == 1200
    html = client.get(REGION).content.decode()
    assert "adjusted; computed 0" in html
    assert "补报" in html

    client.post(url, {"cell": data["cell"], "action": "clear"})
    assert StatisticsAdjustment.objects.count() == 0


def test_adjust_page_for_an_unknown_cell_is_404(
    client: Client, campaign_2027: CampaignYear, coordinator: User
) -> None:
    _login(client, coordinator)
    assert client.get(f"{REGION}adjust/?cell=nonsense").status_code == 404


def test_submit_locks_the_page_and_the_ministry_reopens_it(
    client: Client, campaign_2027: CampaignYear, coordinator: User, ministry_user: User
) -> None:
    _login(client, coordinator)
    response = client.post(f"{REGION}submit/")
    assert response.status_code == 302
    assert StatisticsSubmission.objects.count() == 0  # the header is missing: said, not stored
    assert "联系人" in client.get(REGION).content.decode()
    client.post(f"{REGION}header/", {"contact_name": "王老师", "office_phone": "010-66096253",
                                     "contact_department": "", "mobile": ""})  # fmt: skip
    client.post(f"{REGION}submit/")
    assert StatisticsSubmission.objects.count() == 1
    html = client.get(REGION).content.decode()
    assert "the table is locked" in html
    assert "/adjust/?cell=" not in html
    assert client.post(f"{REGION}reopen/", {"reason": "请核实"}).status_code == 403

    _login(client, ministry_user)
    client.post(f"{REGION}reopen/", {"reason": "请核实县级人次"})
    assert StatisticsSubmission.objects.get().reopen_reason == "请核实县级人次"
    _login(client, coordinator)
    html = client.get(REGION).content.decode()
    assert "请核实县级人次" in html
    assert "/adjust/?cell=" in html


def test_differs_marks_after_events_change(
    client: Client, campaign_2027: CampaignYear, coordinator: User
) -> None:
    _header(coordinator, campaign_2027)
    statistics_submit(actor=coordinator, campaign_year=campaign_2027, region_code="110000")
    event(level="county", city="延庆区", participants=30)
    _login(client, coordinator)
    html = client.get(REGION).content.decode()
    assert "cells differ from the submitted table" in html
    assert "differs from the submitted table: computed 0 then, 30 now" in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_national_view(
    client: Client, beijing_events: CampaignYear, ministry_user: User, coordinator: User,
    language: str,
) -> None:  # fmt: skip
    _header(coordinator, beijing_events)
    statistics_submit(actor=coordinator, campaign_year=beijing_events, region_code="110000")
    _login(client, ministry_user)
    response = client.get(NATIONAL, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<progress id="submission-progress" max="37" value="1">', html)
    assert html.count('role="img"') == 6  # the map and five bar charts
    assert html.count('<g class="tile') == 37
    # drawn on the server: no script but the site-wide phone menu's
    assert [t for t in re.findall(r"<script\b[^>]*>", html) if "js/menu.js" not in t] == []
    assert 'class="deadline' in html  # with its countdown
    response = client.get(NATIONAL, {"figure": "participants", "type": "lecture_hall"},
                          HTTP_ACCEPT_LANGUAGE=language)  # fmt: skip
    assert response.status_code == 200
    assert client.get(NATIONAL, {"figure": "nonsense"}).status_code == 200


def test_only_the_ministry_opens_the_national_view_and_downloads(
    client: Client, campaign_2027: CampaignYear, coordinator: User, ministry_user: User
) -> None:
    _login(client, coordinator)
    for url in (NATIONAL, "/reports/2027/national.xlsx", "/reports/2027/national.csv"):
        assert client.get(url).status_code == 403
    _login(client, ministry_user)
    response = client.get("/reports/2027/national.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "statistics-2027-national.xlsx" in response["Content-Disposition"]
    assert client.get("/reports/2027/national.csv").status_code == 200
    assert client.get("/reports/2027/440300.xlsx").status_code == 200


def test_reports_index_sends_each_role_to_their_table(
    client: Client, campaign_2027: CampaignYear, coordinator: User, ministry_user: User,
    resident: User,
) -> None:  # fmt: skip
    _login(client, coordinator)
    assert client.get("/reports/")["Location"] == REGION
    _login(client, ministry_user)
    assert client.get("/reports/")["Location"] == NATIONAL
    _login(client, resident)
    assert client.get("/reports/").status_code == 403
