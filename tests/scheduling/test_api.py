"""The scheduling REST API: public reads, every write as every role, bad input, conflicts."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts.models import User
from accounts.permissions import ERROR_MINISTRY_ONLY, ERROR_NOT_A_COORDINATOR, ERROR_OTHER_REGION
from scheduling.api.allocation import ERROR_UNKNOWN_RUN, ERROR_UNKNOWN_VERSION
from scheduling.api.applications import ERROR_NOT_APPLIED
from scheduling.api.base import ERROR_LIST_ENTRY, ERROR_UNKNOWN_REGION, ERROR_UNKNOWN_YEAR
from scheduling.api.years import ERROR_UNKNOWN_WEEK
from scheduling.models import (
    AllocationRun,
    CampaignYear,
    Pin,
    PublishedVersion,
    Week,
    WeekApplication,
)
from scheduling.services import (
    allocation_run,
    application_submit,
    day_override_set,
    pin_set,
    version_publish,
)
from scheduling.services.allocation import (
    ERROR_ALREADY_PUBLISHED,
    ERROR_NO_APPLICATIONS,
    ERROR_PIN_WEEK,
    ERROR_PUBLISH_NOT_LATEST,
    ERROR_STALE_RUN,
)
from scheduling.services.applications import (
    ERROR_DEADLINE_PASSED,
    ERROR_RANKED_TWICE,
    ERROR_TOO_MANY_RANKS,
    ERROR_WANTED_AND_AVOIDED,
    ERROR_WEEK_BLOCKED,
    ERROR_WEEK_OUTSIDE_YEAR,
)
from scheduling.services.years import ERROR_CAPACITY_RANGE

pytestmark = pytest.mark.django_db

Y = "/api/years/2027"
APPLICATION = {
    "ranked_weeks": [12, 20, 36],
    "avoided_weeks": [30],
    "theme": "书香京城",
    "description": "全市读书月",
    "contact_name": "王老师",
    "contact_phone": "010-12345678",
    "contact_email": "wang@example.cn",
}
# Roles refused for Ministry-only writes (anonymous is tested on its own: DRF answers it).
NOT_MINISTRY = ["resident", "lecturer", "coordinator"]


@pytest.fixture(autouse=True)
def _before_the_deadline() -> Iterator[None]:
    """Applications for 2027 close on 30 November 2026; tests run as if on 2 November."""
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)):
        yield


def en(text: Any, /, **params: Any) -> str:
    """A message as the API answers a client asking for English."""
    with translation.override("en"):
        return str(text % params) if params else str(text)


def api(user: User | None = None) -> Client:
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


def role(request: pytest.FixtureRequest, name: str | None) -> User | None:
    return request.getfixturevalue(name) if name else None


def stored(region: str = "110000") -> tuple[Any, ...]:
    application = WeekApplication.objects.get(region_id=region)
    weeks = sorted(application.weeks.values_list("week_number", "rank"))
    return application.theme, application.contact_name, application.contact_email, weeks


@pytest.fixture
def beijing_applied(campaign_2027: CampaignYear, coordinator: User) -> CampaignYear:
    application_submit(
        actor=coordinator,
        campaign_year=campaign_2027,
        region_code="110000",
        ranked_weeks=[10, 11],
        avoided_weeks=[],
        theme="首都学习周",
        contact_name="李老师",
        contact_email="li@example.cn",
    )
    return campaign_2027


@pytest.fixture
def published_2027(applied_2027: CampaignYear, ministry_user: User) -> PublishedVersion:
    run = allocation_run(actor=ministry_user, campaign_year=applied_2027)
    return version_publish(actor=ministry_user, campaign_year=applied_2027, run=run)


# --- public reads ----------------------------------------------------------------------------


def test_years_list_anonymous_shows_deadlines_weeks_and_version(
    published_2027: PublishedVersion,
) -> None:
    response = api().get("/api/years/")
    assert response.status_code == 200
    assert response.json() == [
        {
            "year": 2027,
            "state": "published",
            "theme": "让学习成为一种生活方式",
            "applications_deadline": "2026-11-30T23:59:59+08:00",
            "plan_deadline": "2026-12-31T23:59:59+08:00",
            "nomination_deadline": "2027-07-20T23:59:59+08:00",
            "statistics_deadline": "2027-11-28T23:59:59+08:00",
            "week_count": 52,
            "latest_version": 1,
        }
    ]
    assert api().get(f"{Y}/").json()["latest_version"] == 1


def test_year_unknown_is_404_everywhere(ministry_user: User) -> None:
    client = api(ministry_user)
    detail = en(ERROR_UNKNOWN_YEAR, year=2031)
    for path in ("", "weeks/", "weeks/3/", "allocation/", "applications/", "versions/", "runs/"):
        response = client.get(f"/api/years/2031/{path}")
        assert response.status_code == 404, path
        assert response.json() == {"detail": detail}
    assert (
        send(client, "post", "/api/years/2031/runs/", {"expected_latest_run_id": None}).json()[
            "detail"
        ]
        == detail
    )


def test_weeks_list_anonymous_shows_dates_blocks_holidays_and_makeup_days(
    campaign_2027: CampaignYear, ministry_user: User
) -> None:
    day_override_set(
        actor=ministry_user,
        campaign_year=campaign_2027,
        date=dt.date(2027, 2, 20),
        kind="workday",
        name="春节调休",
    )
    response = api().get(f"{Y}/weeks/")
    assert response.status_code == 200
    weeks = {w["number"]: w for w in response.json()}
    assert sorted(weeks) == list(range(1, 53))
    assert weeks[1]["starts_on"] == "2027-01-04"
    assert weeks[1]["ends_on"] == "2027-01-10"
    assert weeks[5]["blocked"] is True
    assert weeks[5]["block_reason"] == "春节黄金周"
    assert weeks[12] | {"holidays": [], "makeup_workdays": []} == {
        "number": 12, "starts_on": "2027-03-22", "ends_on": "2027-03-28", "capacity": 1,
        "blocked": False, "block_reason": "", "manual": False, "holidays": [],
        "makeup_workdays": [],
    }  # fmt: skip
    assert {
        "date": "2027-10-01",
        "name_zh": "国庆节",
        "name_en": "National Day",
        "manual": False,
    } in (weeks[39]["holidays"])
    assert weeks[7]["makeup_workdays"] == [
        {"date": "2027-02-20", "name_zh": "春节调休", "name_en": "春节调休", "manual": True}
    ]


def test_week_detail_and_unknown_week(campaign_2027: CampaignYear) -> None:
    assert api().get(f"{Y}/weeks/5/").json()["block_reason"] == "春节黄金周"
    response = api().get(f"{Y}/weeks/53/")
    assert response.status_code == 404
    assert response.json() == {"detail": en(ERROR_UNKNOWN_WEEK, year=2027, week=53, last=52)}


def test_allocation_before_publishing_is_empty(campaign_2027: CampaignYear) -> None:
    response = api().get(f"{Y}/allocation/")
    assert response.status_code == 200
    assert response.json() == {
        "year": 2027,
        "version": None,
        "published_at": None,
        "assignments": [],
    }


def test_allocation_anonymous_lists_every_region_with_its_week(
    published_2027: PublishedVersion,
) -> None:
    body = api().get(f"{Y}/allocation/").json()
    assert body["version"] == 1
    assignments = body["assignments"]
    assert len(assignments) == 37
    assert [a["week_number"] for a in assignments] == sorted(a["week_number"] for a in assignments)
    beijing = next(a for a in assignments if a["region_code"] == "110000")
    week = Week.objects.get(campaign_year__year=2027, number=beijing["week_number"])
    assert beijing == {
        "region_code": "110000",
        "short_name_zh": "北京",
        "name_en": "Beijing",
        "week_number": week.number,
        "starts_on": week.starts_on.isoformat(),
        "ends_on": week.ends_on.isoformat(),
        "theme": "主题0",
    }


def test_versions_list_and_detail_show_who_moved(
    published_2027: PublishedVersion, ministry_user: User
) -> None:
    year = published_2027.campaign_year
    first = published_2027.assignments.get(region_id="110000").week_number
    target = next(w.number for w in year.weeks.filter(blocked=False) if w.number not in (first,))
    pin_set(actor=ministry_user, campaign_year=year, region_code="110000", week_number=target)
    run = allocation_run(
        actor=ministry_user, campaign_year=year, expected_latest_run_id=published_2027.run_id
    )
    version_publish(actor=ministry_user, campaign_year=year, run=run, note="北京调整")

    listing = api().get(f"{Y}/versions/").json()
    assert [v["number"] for v in listing["results"]] == [2, 1]
    assert listing["results"][0]["note"] == "北京调整"
    detail = api().get(f"{Y}/versions/2/").json()
    beijing = next(c for c in detail["changes"] if c["region_code"] == "110000")
    assert beijing == {
        "region_code": "110000",
        "region_name": "北京",
        "old_week": first,
        "new_week": target,
        "moved": True,
    }
    v1 = api().get(f"{Y}/versions/1/").json()
    assert len(v1["changes"]) == 37
    assert all(c["old_week"] is None and c["moved"] for c in v1["changes"])
    missing = api().get(f"{Y}/versions/3/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": en(ERROR_UNKNOWN_VERSION, year=2027, number=3)}


def test_reads_do_not_grow_with_weeks_or_regions(
    published_2027: PublishedVersion, django_assert_max_num_queries: Any
) -> None:
    # 52 weeks and 37 placed regions: a query per row would be far above these.
    client = api()
    with django_assert_max_num_queries(6):
        assert len(client.get(f"{Y}/weeks/").json()) == 52
    with django_assert_max_num_queries(3):
        assert len(client.get(f"{Y}/allocation/").json()["assignments"]) == 37


def test_applications_list_does_not_grow_with_regions(
    applied_2027: CampaignYear, ministry_user: User, django_assert_max_num_queries: Any
) -> None:
    client = api(ministry_user)
    with django_assert_max_num_queries(6):  # session, user, year, applications, weeks, regions
        assert len(client.get(f"{Y}/applications/").json()) == 37


def test_openapi_schema_lists_every_scheduling_path() -> None:
    response = api().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/years/",
        "/api/years/{year}/",
        "/api/years/{year}/weeks/",
        "/api/years/{year}/weeks/{number}/",
        "/api/years/{year}/allocation/",
        "/api/years/{year}/versions/",
        "/api/years/{year}/versions/{number}/",
        "/api/years/{year}/applications/",
        "/api/years/{year}/applications/{region_code}/",
        "/api/years/{year}/runs/",
        "/api/years/{year}/runs/{id}/",
        "/api/years/{year}/pins/",
        "/api/years/{year}/pins/{region_code}/",
    ):
        assert path in paths, path
    put = paths["/api/years/{year}/applications/{region_code}/"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApplicationInput"
    }
    assert set(put["responses"]) == {"200", "201", "400", "403", "404"}
    assert "409" in paths["/api/years/{year}/runs/"]["post"]["responses"]


# --- applications: who may ------------------------------------------------------------------


@pytest.mark.parametrize("name", [None, "resident", "lecturer"])
def test_applications_list_refused_without_a_coordinator_or_ministry_role(
    request: pytest.FixtureRequest, name: str | None, beijing_applied: CampaignYear
) -> None:
    response = api(role(request, name)).get(f"{Y}/applications/")
    assert response.status_code == 403
    if name:
        assert response.json() == {"detail": en(ERROR_NOT_A_COORDINATOR)}


def test_applications_list_coordinator_sees_only_their_region(
    applied_2027: CampaignYear, coordinator: User, other_coordinator: User
) -> None:
    body = api(coordinator).get(f"{Y}/applications/").json()
    assert [a["region_code"] for a in body] == ["110000"]
    assert api(other_coordinator).get(f"{Y}/applications/").json()[0]["region_code"] == "310000"


def test_applications_list_ministry_sees_all_with_contacts(
    beijing_applied: CampaignYear, ministry_user: User
) -> None:
    body = api(ministry_user).get(f"{Y}/applications/").json()
    assert len(body) == 1
    assert body[0] | {"updated_at": None} == {
        "region_code": "110000", "short_name_zh": "北京", "name_en": "Beijing",
        "ranked_weeks": [10, 11], "avoided_weeks": [], "theme": "首都学习周", "description": "",
        "contact_name": "李老师", "contact_phone": "", "contact_email": "li@example.cn",
        "updated_at": None,
    }  # fmt: skip


def test_application_detail_of_another_region_is_403(
    beijing_applied: CampaignYear, other_coordinator: User, coordinator: User
) -> None:
    assert api(other_coordinator).get(f"{Y}/applications/110000/").status_code == 403
    assert api(coordinator).get(f"{Y}/applications/110000/").json()["theme"] == "首都学习周"
    not_applied = api(other_coordinator).get(f"{Y}/applications/310000/")
    assert not_applied.status_code == 404
    assert not_applied.json() == {"detail": en(ERROR_NOT_APPLIED, code="310000", year=2027)}


@pytest.mark.parametrize("name", [None, "resident", "lecturer", "other_coordinator"])
def test_application_put_refused_for_others_stores_nothing(
    request: pytest.FixtureRequest, name: str | None, beijing_applied: CampaignYear
) -> None:
    before = stored()
    response = send(api(role(request, name)), "put", f"{Y}/applications/110000/", APPLICATION)
    assert response.status_code in (401, 403)
    if name == "other_coordinator":
        assert response.json() == {"detail": en(ERROR_OTHER_REGION, own="310000", other="110000")}
    elif name:
        assert response.json() == {"detail": en(ERROR_NOT_A_COORDINATOR)}
    assert stored() == before
    assert WeekApplication.objects.count() == 1


def test_application_put_by_own_coordinator_creates_then_replaces(
    campaign_2027: CampaignYear, coordinator: User
) -> None:
    client = api(coordinator)
    response = send(client, "put", f"{Y}/applications/110000/", APPLICATION)
    assert response.status_code == 201
    body = response.json()
    assert body["ranked_weeks"] == [12, 20, 36]
    assert body["avoided_weeks"] == [30]
    assert body["contact_email"] == "wang@example.cn"
    replaced = send(
        client, "put", f"{Y}/applications/110000/", APPLICATION | {"ranked_weeks": [44, 8]}
    )
    assert replaced.status_code == 200
    assert replaced.json()["ranked_weeks"] == [44, 8]
    assert stored()[3] == [(8, 2), (30, None), (44, 1)]


def test_application_put_by_ministry_for_any_region(
    campaign_2027: CampaignYear, ministry_user: User
) -> None:
    response = send(api(ministry_user), "put", f"{Y}/applications/650000/", APPLICATION)
    assert response.status_code == 201
    assert WeekApplication.objects.get().region_id == "650000"


def test_application_put_unknown_region_is_404(
    campaign_2027: CampaignYear, ministry_user: User
) -> None:
    response = send(api(ministry_user), "put", f"{Y}/applications/999999/", APPLICATION)
    assert response.status_code == 404
    assert response.json() == {"detail": en(ERROR_UNKNOWN_REGION, code="999999")}
    assert not WeekApplication.objects.exists()


# --- applications: bad input ----------------------------------------------------------------


def _blocked_week_5() -> str:
    week = Week.objects.get(campaign_year__year=2027, number=5)
    with translation.override("en"):
        dates = (
            f"{date_format(week.starts_on, 'SHORT_DATE_FORMAT')}–"
            f"{date_format(week.ends_on, 'SHORT_DATE_FORMAT')}"
        )
    return en(ERROR_WEEK_BLOCKED, week=5, dates=dates, reason="春节黄金周")


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        (
            {"ranked_weeks": [12, 60]},
            "ranked_weeks",
            lambda: [en(ERROR_WEEK_OUTSIDE_YEAR, week=60, year=2027, last=52)],
        ),
        ({"ranked_weeks": [5]}, "ranked_weeks", lambda: [_blocked_week_5()]),
        ({"ranked_weeks": [12, 12]}, "ranked_weeks", lambda: [en(ERROR_RANKED_TWICE, week=12)]),
        (
            {"ranked_weeks": [12], "avoided_weeks": [12]},
            "avoided_weeks",
            lambda: [en(ERROR_WANTED_AND_AVOIDED, week=12)],
        ),
        (
            {"ranked_weeks": [8, 9, 10, 11, 12, 13]},
            "ranked_weeks",
            lambda: [en(ERROR_TOO_MANY_RANKS, max=5, count=6)],
        ),
        (
            {"ranked_weeks": [12, "soon"]},
            "ranked_weeks",
            lambda: [en(ERROR_LIST_ENTRY, position=2, message="A valid integer is required.")],
        ),
        (
            {"avoided_weeks": [1.5]},
            "avoided_weeks",
            lambda: [en(ERROR_LIST_ENTRY, position=1, message="A valid integer is required.")],
        ),
        (
            {"ranked_weeks": "12"},
            "ranked_weeks",
            lambda: ['Expected a list of items but got type "str".'],
        ),
        (
            {"ranked_weeks": list(range(1, 60))},
            "ranked_weeks",
            lambda: ["Ensure this field has no more than 53 elements."],
        ),
        ({"theme": "  "}, "theme", lambda: ["This field cannot be blank."]),
        (
            {"contact_email": "not-an-email"},
            "contact_email",
            lambda: ["Enter a valid email address."],
        ),
    ],
    ids=[
        "week-outside-year",
        "blocked-week",
        "duplicate-rank",
        "ranked-and-avoided",
        "six-ranks",
        "non-integer-week",
        "fractional-week",
        "not-a-list",
        "list-too-long",
        "blank-theme",
        "bad-email",
    ],
)
def test_application_put_bad_input_is_400_and_keeps_the_stored_one(
    beijing_applied: CampaignYear,
    coordinator: User,
    change: dict[str, Any],
    field: str,
    expected: Any,
) -> None:
    before = stored()
    response = send(api(coordinator), "put", f"{Y}/applications/110000/", APPLICATION | change)
    assert response.status_code == 400
    assert response.json()["errors"][field] == expected()
    assert stored() == before


def test_application_put_missing_fields_and_bad_json_are_400(
    beijing_applied: CampaignYear, coordinator: User
) -> None:
    before = stored()
    client = api(coordinator)
    response = send(client, "put", f"{Y}/applications/110000/", {"theme": "x"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"ranked_weeks", "contact_name"}
    response = client.put(f"{Y}/applications/110000/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert stored() == before


def test_application_put_after_the_deadline_is_403_for_coordinators(
    beijing_applied: CampaignYear, coordinator: User, ministry_user: User
) -> None:
    before = stored()
    with time_machine.travel("2026-12-01 12:00 +0800"):
        response = send(api(coordinator), "put", f"{Y}/applications/110000/", APPLICATION)
        deadline = beijing_applied.applications_deadline
        with translation.override("en"):
            shown = date_format(timezone.localtime(deadline), "DATETIME_FORMAT")
        assert response.status_code == 403
        assert response.json() == {"detail": en(ERROR_DEADLINE_PASSED, year=2027, deadline=shown)}
        assert stored() == before
        late = send(api(ministry_user), "put", f"{Y}/applications/110000/", APPLICATION)
        assert late.status_code == 200
    assert stored()[0] == "书香京城"


# --- weeks -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [None, *NOT_MINISTRY])
def test_week_patch_refused_for_non_ministry(
    request: pytest.FixtureRequest, name: str | None, campaign_2027: CampaignYear
) -> None:
    response = send(api(role(request, name)), "patch", f"{Y}/weeks/10/", {"capacity": 3})
    assert response.status_code in (401, 403)
    if name:
        assert response.json() == {"detail": en(ERROR_MINISTRY_ONLY)}
    assert Week.objects.get(campaign_year=campaign_2027, number=10).capacity == 1


def test_week_patch_by_ministry_sets_capacity_and_block(
    campaign_2027: CampaignYear, ministry_user: User
) -> None:
    client = api(ministry_user)
    response = send(client, "patch", f"{Y}/weeks/10/", {"capacity": 3})
    assert response.status_code == 200
    assert response.json()["capacity"] == 3
    assert response.json()["manual"] is True
    blocked = send(client, "patch", f"{Y}/weeks/11/", {"blocked": True, "block_reason": "两会"})
    assert blocked.json()["blocked"] is True
    assert blocked.json()["block_reason"] == "两会"


@pytest.mark.parametrize(
    ("body", "field", "expected"),
    [
        ({"capacity": 40}, "capacity", lambda: [en(ERROR_CAPACITY_RANGE, max=37, capacity=40)]),
        ({"capacity": "many"}, "capacity", lambda: ["A valid integer is required."]),
        ({"blocked": True}, "block_reason", lambda: ["Say why the week is blocked."]),
        ({"blocked": "maybe"}, "blocked", lambda: ["Must be a valid boolean."]),
    ],
    ids=["capacity-too-large", "capacity-not-integer", "blocked-without-reason", "not-boolean"],
)
def test_week_patch_bad_input_is_400_and_changes_nothing(
    campaign_2027: CampaignYear,
    ministry_user: User,
    body: dict[str, Any],
    field: str,
    expected: Any,
) -> None:
    response = send(api(ministry_user), "patch", f"{Y}/weeks/10/", body)
    assert response.status_code == 400
    assert response.json()["errors"][field] == expected()
    week = Week.objects.get(campaign_year=campaign_2027, number=10)
    assert (week.capacity, week.blocked, week.manual) == (1, False, False)


# --- runs and versions -----------------------------------------------------------------------


@pytest.mark.parametrize("name", [None, *NOT_MINISTRY])
def test_runs_refused_for_non_ministry(
    request: pytest.FixtureRequest, name: str | None, applied_2027: CampaignYear
) -> None:
    client = api(role(request, name))
    response = send(client, "post", f"{Y}/runs/", {"expected_latest_run_id": None})
    assert response.status_code in (401, 403)
    assert client.get(f"{Y}/runs/").status_code == 403
    assert not AllocationRun.objects.exists()


@pytest.mark.parametrize("name", [None, *NOT_MINISTRY])
def test_publish_refused_for_non_ministry(
    request: pytest.FixtureRequest,
    name: str | None,
    applied_2027: CampaignYear,
    ministry_user: User,
) -> None:
    run = allocation_run(actor=ministry_user, campaign_year=applied_2027)
    response = send(api(role(request, name)), "post", f"{Y}/versions/", {"run_id": run.pk})
    assert response.status_code in (401, 403)
    assert not PublishedVersion.objects.exists()


def test_run_then_publish_then_publish_again_is_409(
    applied_2027: CampaignYear, ministry_user: User
) -> None:
    client = api(ministry_user)
    response = send(client, "post", f"{Y}/runs/", {"expected_latest_run_id": None})
    assert response.status_code == 201
    run = response.json()
    assert run["status"] == "solved"
    assert len(run["result"]) == 37
    assert run["worst_cost"] is not None
    assert run["problems"] == []
    assert run["run_by"] == str(ministry_user)
    assert client.get(f"{Y}/runs/{run['id']}/").json() == run
    assert client.get(f"{Y}/runs/").json()["results"] == [run]

    published = send(client, "post", f"{Y}/versions/", {"run_id": run["id"], "note": "第一版"})
    assert published.status_code == 201
    assert published.json()["number"] == 1
    assert published.json()["run"] == run["id"]
    assert len(published.json()["changes"]) == 37

    again = send(client, "post", f"{Y}/versions/", {"run_id": run["id"]})
    assert again.status_code == 409
    assert again.json() == {"detail": en(ERROR_ALREADY_PUBLISHED, run=run["id"], version=1)}
    assert PublishedVersion.objects.count() == 1


def test_run_with_stale_expected_latest_run_id_is_409(
    applied_2027: CampaignYear, ministry_user: User
) -> None:
    client = api(ministry_user)
    first = send(client, "post", f"{Y}/runs/", {"expected_latest_run_id": None}).json()
    stale = send(client, "post", f"{Y}/runs/", {"expected_latest_run_id": None})
    assert stale.status_code == 409
    assert stale.json() == {"detail": en(ERROR_STALE_RUN, run=first["id"], user=ministry_user)}
    assert AllocationRun.objects.count() == 1
    fresh = send(client, "post", f"{Y}/runs/", {"expected_latest_run_id": first["id"]})
    assert fresh.status_code == 201


def test_publishing_an_older_run_is_409(applied_2027: CampaignYear, ministry_user: User) -> None:
    client = api(ministry_user)
    first = send(client, "post", f"{Y}/runs/", {"expected_latest_run_id": None}).json()
    second = send(client, "post", f"{Y}/runs/", {"expected_latest_run_id": first["id"]}).json()
    response = send(client, "post", f"{Y}/versions/", {"run_id": first["id"]})
    assert response.status_code == 409
    assert response.json() == {
        "detail": en(ERROR_PUBLISH_NOT_LATEST, latest=second["id"], run=first["id"])
    }
    assert not PublishedVersion.objects.exists()


def test_run_bad_input_is_400(campaign_2027: CampaignYear, ministry_user: User) -> None:
    client = api(ministry_user)
    missing = send(client, "post", f"{Y}/runs/", {})
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"expected_latest_run_id": ["This field is required."]}
    nothing_to_allocate = send(client, "post", f"{Y}/runs/", {"expected_latest_run_id": None})
    assert nothing_to_allocate.status_code == 400
    assert nothing_to_allocate.json() == {"detail": en(ERROR_NO_APPLICATIONS, year=2027)}
    unknown = send(client, "post", f"{Y}/versions/", {"run_id": 424242})
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"run_id": [en(ERROR_UNKNOWN_RUN, year=2027, run=424242)]}
    assert not AllocationRun.objects.exists()


# --- pins ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [None, *NOT_MINISTRY])
def test_pins_refused_for_non_ministry(
    request: pytest.FixtureRequest,
    name: str | None,
    campaign_2027: CampaignYear,
    ministry_user: User,
) -> None:
    pin_set(actor=ministry_user, campaign_year=campaign_2027, region_code="310000", week_number=9)
    client = api(role(request, name))
    put = send(client, "put", f"{Y}/pins/110000/", {"week_number": 20})
    assert put.status_code in (401, 403)
    assert client.delete(f"{Y}/pins/310000/").status_code in (401, 403)
    assert client.get(f"{Y}/pins/").status_code == 403
    assert list(Pin.objects.values_list("region_id", "week_number")) == [("310000", 9)]


def test_pin_set_move_and_clear_by_ministry(
    applied_2027: CampaignYear, ministry_user: User
) -> None:
    client = api(ministry_user)
    response = send(client, "put", f"{Y}/pins/110000/", {"week_number": 20})
    assert response.status_code == 200
    assert response.json()["region_code"] == "110000"
    assert response.json()["week_number"] == 20
    assert send(client, "put", f"{Y}/pins/110000/", {"week_number": 21}).status_code == 200
    assert [p["week_number"] for p in client.get(f"{Y}/pins/").json()] == [21]
    run = send(client, "post", f"{Y}/runs/", {"expected_latest_run_id": None}).json()
    assert run["result"]["110000"] == 21
    assert client.delete(f"{Y}/pins/110000/").status_code == 204
    assert not Pin.objects.exists()


def test_pin_bad_week_or_region(campaign_2027: CampaignYear, ministry_user: User) -> None:
    client = api(ministry_user)
    blocked = send(client, "put", f"{Y}/pins/110000/", {"week_number": 5})
    assert blocked.status_code == 400
    assert blocked.json()["errors"] == {"week_number": [en(ERROR_PIN_WEEK, week=5, year=2027)]}
    not_int = send(client, "put", f"{Y}/pins/110000/", {"week_number": "next"})
    assert not_int.json()["errors"] == {"week_number": ["A valid integer is required."]}
    unknown = send(client, "put", f"{Y}/pins/999999/", {"week_number": 20})
    assert unknown.status_code == 404
    assert client.delete(f"{Y}/pins/999999/").status_code == 404
    assert not Pin.objects.exists()
