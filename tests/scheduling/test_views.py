"""The year calendar, the application form and the Ministry's dashboard, through the test client."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext

from accounts.models import User
from accounts.permissions import ERROR_MINISTRY_ONLY, ERROR_NOT_A_COORDINATOR, ERROR_OTHER_REGION
from scheduling.models import (
    AllocationRun,
    CampaignYear,
    DayOverride,
    Pin,
    PublishedVersion,
    Region,
    Week,
    WeekApplication,
)
from scheduling.selectors import latest_run
from scheduling.services import (
    allocation_run,
    application_submit,
    campaign_year_open,
    pin_set,
    version_publish,
)
from scheduling.services.allocation import ERROR_PIN_WEEK, ERROR_STALE_RUN
from scheduling.services.applications import (
    ERROR_DEADLINE_PASSED,
    ERROR_RANKED_TWICE,
    ERROR_TOO_MANY_RANKS,
    ERROR_WANTED_AND_AVOIDED,
    ERROR_WEEK_BLOCKED,
    ERROR_WEEK_OUTSIDE_YEAR,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "en"]


@pytest.fixture
def before_deadline() -> Iterator[None]:
    """Three weeks before 2027's applications close (30 November 2026, Beijing time)."""
    with time_machine.travel("2026-11-09 10:00 +0800", tick=False):
        yield


def _apply_all(campaign_year: CampaignYear, actor: User, codes: list[str]) -> None:
    open_weeks = list(
        campaign_year.weeks.filter(blocked=False)
        .order_by("number")
        .values_list("number", flat=True)
    )
    for i, code in enumerate(codes):
        application_submit(
            actor=actor, campaign_year=campaign_year, region_code=code,
            ranked_weeks=[open_weeks[(i + k) % len(open_weeks)] for k in (0, 1, 2)],
            theme=f"主题{code}", contact_name="联系人",
        )  # fmt: skip


def _run_and_publish(campaign_year: CampaignYear, actor: User) -> PublishedVersion:
    previous = latest_run(campaign_year)
    run = allocation_run(
        actor=actor,
        campaign_year=campaign_year,
        expected_latest_run_id=previous.pk if previous else None,
    )
    return version_publish(actor=actor, campaign_year=campaign_year, run=run)


@pytest.fixture
def published_2027(applied_2027: CampaignYear, ministry_user: User) -> PublishedVersion:
    return _run_and_publish(applied_2027, ministry_user)


def _field_errors(html: str, field: str) -> str:
    match = re.search(rf'<div class="field-errors" id="id_{field}_error">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


def _in(language: str, message: Any) -> str:
    """A service message as the page shows it in that language. A (template, params) pair is
    formatted here, in that language: `lazy % params` would freeze it at collection time."""
    with translation.override(language):
        if isinstance(message, tuple):
            template, params = message
            return escape(str(template % params))
        return escape(str(message))


# --- The year page -----------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_year_page_shows_every_allocated_region_in_the_active_language(
    client: Client, published_2027: PublishedVersion, language: str
) -> None:
    response = client.get(reverse("scheduling:year", args=[2027]), HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200
    with translation.override(language):
        assert f"<h1>{gettext('Year calendar')} 2027</h1>" in html
        names = [r.name for r in Region.objects.all()]
    assert len(names) == 37
    for name in names:
        assert escape(name) in html
    assert "主题0" in html
    assert "Beijing" in html if language == "en" else "北京" in html


def test_year_page_svg_has_a_hatch_pattern_and_one_cell_per_allocated_region(
    client: Client, published_2027: PublishedVersion
) -> None:
    html = client.get(reverse("scheduling:year", args=[2027])).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="yearcal-title yearcal-desc"' in svg
    assert '<pattern id="yc-hatch-closed"' in svg
    assert 'fill="url(#yc-hatch-closed)"' in svg  # golden weeks 5-6 and 39-40
    assert 'fill="url(#yc-hatch-holiday)"' in svg  # e.g. Tomb-Sweeping Day, 5 April
    cells = re.findall(r'class="yc-cell" data-region="(\d{6})"', svg)
    assert sorted(cells) == sorted(published_2027.assignments.values_list("region_id", flat=True))
    assert len(cells) == 37


def test_year_page_table_lists_every_week_with_holidays(
    client: Client, published_2027: PublishedVersion
) -> None:
    html = client.get(reverse("scheduling:year", args=[2027])).content.decode()
    assert len(re.findall(r'<tr id="week-\d+"', html)) == 52
    assert "清明节" in html
    assert "春节黄金周" in html


def test_year_page_before_publication_shows_weeks_and_says_not_published(
    client: Client, campaign_2027: CampaignYear
) -> None:
    response = client.get(reverse("scheduling:year", args=[2027]), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "The allocation of 2027 is not published yet." in html
    assert 'class="yc-cell"' not in html
    assert len(re.findall(r'<tr id="week-\d+"', html)) == 52
    assert "Tomb-Sweeping Day" in html


def test_year_page_of_an_unknown_year_is_404(client: Client, campaign_2027: CampaignYear) -> None:
    assert client.get(reverse("scheduling:year", args=[2031])).status_code == 404


def test_calendar_redirects_to_the_latest_published_year(
    client: Client, published_2027: PublishedVersion, ministry_user: User
) -> None:
    campaign_year_open(actor=ministry_user, year=2028)  # open, not published
    response = client.get(reverse("scheduling:year_latest"))
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:year", args=[2027])


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture
def small_and_large_years(ministry_user: User, campaign_2027: CampaignYear) -> None:
    """2027: one region applied; 2028: all 37. Each year run and published once."""
    codes = list(Region.objects.values_list("code", flat=True))
    _apply_all(campaign_2027, ministry_user, codes[:1])
    _run_and_publish(campaign_2027, ministry_user)
    year_2028 = campaign_year_open(actor=ministry_user, year=2028)
    _apply_all(year_2028, ministry_user, codes)
    _run_and_publish(year_2028, ministry_user)


def test_year_page_query_count_does_not_grow_with_regions(
    client: Client, small_and_large_years: None, django_assert_num_queries: Any
) -> None:
    small = _count_queries(client, reverse("scheduling:year", args=[2027]))
    with django_assert_num_queries(small):
        client.get(reverse("scheduling:year", args=[2028]))


def test_dashboard_query_count_does_not_grow_with_applications(
    client: Client, small_and_large_years: None, ministry_user: User, django_assert_num_queries: Any
) -> None:
    client.force_login(ministry_user)
    small = _count_queries(client, reverse("scheduling:manage", args=[2027]))
    with django_assert_num_queries(small):
        client.get(reverse("scheduling:manage", args=[2028]))


# --- The application form ----------------------------------------------------------------


def _apply_url(year: int = 2027, region: str | None = None) -> str:
    url = reverse("scheduling:apply", args=[year])
    return f"{url}?region={region}" if region else url


def _post_data(**overrides: Any) -> dict[str, Any]:
    return {
        "ranked_weeks": ["12", "15", ""], "avoided_weeks": ["30"], "theme": "书香京城",
        "description": "全市联动", "contact_name": "王老师", "contact_phone": "010-12345678",
        "contact_email": "llw@example.cn",
    } | overrides  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_apply_page_renders_for_the_coordinator_prefilled(
    client: Client, coordinator: User, applied_2027: CampaignYear, language: str,
    before_deadline: None,
) -> None:  # fmt: skip
    client.force_login(coordinator)
    response = client.get(_apply_url(), HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200
    with translation.override(language):
        assert escape(Region.objects.get(code="110000").name) in html
    assert 'value="主题0"' in html  # the stored theme
    assert html.count('name="ranked_weeks"') == 5
    assert 'type="checkbox" name="avoided_weeks"' in html
    assert re.search(r'<option value="5"[^>]*disabled>', html)  # golden week, closed
    assert '<button type="submit">' in html


def test_apply_submit_stores_the_application_and_redirects_with_a_message(
    client: Client, coordinator: User, campaign_2027: CampaignYear, before_deadline: None
) -> None:
    client.force_login(coordinator)
    response = client.post(_apply_url(), _post_data(), follow=True)
    assert response.redirect_chain == [(_apply_url(), 302)]
    application = WeekApplication.objects.get(campaign_year=campaign_2027, region_id="110000")
    assert application.theme == "书香京城"
    weeks = {w.week_number: w.rank for w in application.weeks.all()}
    assert weeks == {12: 1, 15: 2, 30: None}
    assert 'class="message message-success"' in response.content.decode()


def _blocked_message(campaign_year: CampaignYear, number: int, language: str) -> str:
    week = Week.objects.get(campaign_year=campaign_year, number=number)
    with translation.override(language):
        dates = (
            f"{date_format(week.starts_on, 'SHORT_DATE_FORMAT')}–"
            f"{date_format(week.ends_on, 'SHORT_DATE_FORMAT')}"
        )
        return escape(
            str(ERROR_WEEK_BLOCKED % {"week": number, "dates": dates, "reason": week.block_reason})
        )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"ranked_weeks": ["60"]}, "ranked_weeks",
         (ERROR_WEEK_OUTSIDE_YEAR, {"week": 60, "year": 2027, "last": 52})),
        ({"ranked_weeks": ["12", "12"]}, "ranked_weeks", (ERROR_RANKED_TWICE, {"week": 12})),
        ({"ranked_weeks": ["12"], "avoided_weeks": ["12"]}, "avoided_weeks",
         (ERROR_WANTED_AND_AVOIDED, {"week": 12})),
        ({"ranked_weeks": ["10", "11", "12", "13", "14", "15"]}, "ranked_weeks",
         (ERROR_TOO_MANY_RANKS, {"max": 5, "count": 6})),
        ({"avoided_weeks": ["99"]}, "avoided_weeks",
         (ERROR_WEEK_OUTSIDE_YEAR, {"week": 99, "year": 2027, "last": 52})),
    ],
    ids=["outside-year", "ranked-twice", "ranked-and-avoided", "six-ranks", "avoid-outside"],
)  # fmt: skip
def test_apply_bad_weeks_show_the_service_message_on_the_field_and_store_nothing(
    client: Client, coordinator: User, campaign_2027: CampaignYear, before_deadline: None,
    data: dict[str, Any], field: str, message: Any, language: str,
) -> None:  # fmt: skip
    client.force_login(coordinator)
    response = client.post(_apply_url(), _post_data(**data), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert _in(language, message) in _field_errors(response.content.decode(), field)
    assert not WeekApplication.objects.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_apply_blocked_week_shows_why_it_is_closed(
    client: Client, coordinator: User, campaign_2027: CampaignYear, before_deadline: None,
    language: str,
) -> None:  # fmt: skip
    client.force_login(coordinator)
    response = client.post(
        _apply_url(), _post_data(ranked_weeks=["5"]), HTTP_ACCEPT_LANGUAGE=language
    )
    errors = _field_errors(response.content.decode(), "ranked_weeks")
    assert _blocked_message(campaign_2027, 5, language) in errors
    assert not WeekApplication.objects.exists()


def test_apply_missing_theme_shows_the_message_on_the_theme_field(
    client: Client, coordinator: User, campaign_2027: CampaignYear, before_deadline: None
) -> None:
    client.force_login(coordinator)
    response = client.post(_apply_url(), _post_data(theme="  ", contact_name=""))
    html = response.content.decode()
    assert _field_errors(html, "theme")
    assert _field_errors(html, "contact_name")
    assert not _field_errors(html, "ranked_weeks")
    assert not WeekApplication.objects.exists()


def test_apply_not_a_week_number_is_refused_by_the_form(
    client: Client, coordinator: User, campaign_2027: CampaignYear, before_deadline: None
) -> None:
    client.force_login(coordinator)
    response = client.post(_apply_url(), _post_data(ranked_weeks=["twelve"]))
    assert "twelve" in _field_errors(response.content.decode(), "ranked_weeks")
    assert not WeekApplication.objects.exists()


def test_apply_after_the_deadline_is_read_only_and_a_post_is_403(
    client: Client, coordinator: User, applied_2027: CampaignYear
) -> None:
    client.force_login(coordinator)
    with time_machine.travel("2026-12-01 09:00 +0800", tick=False):
        page = client.get(_apply_url()).content.decode()
        response = client.post(_apply_url(), _post_data())
    assert '<button type="submit">' not in page.split('class="form apply-form"')[1]
    assert re.search(r'<input type="text" name="theme"[^>]* disabled', page)
    assert response.status_code == 403
    deadline = "2026年11月30日 23:59"
    assert escape(str(ERROR_DEADLINE_PASSED % {"year": 2027, "deadline": deadline})) in (
        response.content.decode()
    )
    assert WeekApplication.objects.get(region_id="110000").theme == "主题0"


def test_apply_for_another_region_is_403_for_a_coordinator(
    client: Client, coordinator: User, campaign_2027: CampaignYear
) -> None:
    client.force_login(coordinator)
    response = client.get(_apply_url(region="310000"))
    assert response.status_code == 403
    message = ERROR_OTHER_REGION % {"own": "110000", "other": "310000"}
    assert _in("zh-hans", message) in response.content.decode()
    assert client.post(_apply_url(region="310000"), _post_data()).status_code == 403
    assert not WeekApplication.objects.exists()


@pytest.mark.parametrize("who", ["resident", "lecturer"])
def test_apply_is_403_for_residents_and_lecturers(
    client: Client, campaign_2027: CampaignYear, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.get(_apply_url())
    assert response.status_code == 403
    assert _in("zh-hans", ERROR_NOT_A_COORDINATOR) in response.content.decode()


def test_apply_anonymous_is_sent_to_sign_in(client: Client, campaign_2027: CampaignYear) -> None:
    response = client.get(_apply_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_apply_ministry_edits_any_region_after_the_deadline(
    client: Client, ministry_user: User, applied_2027: CampaignYear
) -> None:
    client.force_login(ministry_user)
    assert client.get(_apply_url()).status_code == 200  # the region picker
    with time_machine.travel("2026-12-01 09:00 +0800", tick=False):
        response = client.post(_apply_url(region="310000"), _post_data(theme="海派学习"))
    assert response.status_code == 302
    assert response["Location"] == _apply_url(region="310000")
    assert WeekApplication.objects.get(region_id="310000").theme == "海派学习"


# --- The Ministry's dashboard ------------------------------------------------------------


def _manage(name: str = "manage") -> str:
    return reverse(f"scheduling:{name}", args=[2027])


@pytest.mark.parametrize("language", LANGUAGES)
def test_dashboard_renders_applications_run_and_versions(
    client: Client, ministry_user: User, published_2027: PublishedVersion, language: str
) -> None:
    client.force_login(ministry_user)
    response = client.get(_manage(), HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200
    run = published_2027.run
    assert f'name="expected_latest_run_id" value="{run.pk}"' in html
    assert html.count('class="histogram-svg"') == 1
    assert "主题36" in html
    if language == "en":
        assert "37 of 37 regions applied." in html
        assert "Version 1" in html


@pytest.mark.parametrize("who", ["resident", "lecturer", "coordinator"])
def test_dashboard_is_403_for_everyone_but_the_ministry(
    client: Client, campaign_2027: CampaignYear, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.get(_manage())
    assert response.status_code == 403
    assert _in("zh-hans", ERROR_MINISTRY_ONLY) in response.content.decode()
    assert client.post(_manage("manage_run"), {}).status_code == 403
    assert not AllocationRun.objects.exists()


def test_dashboard_anonymous_is_sent_to_sign_in(
    client: Client, campaign_2027: CampaignYear
) -> None:
    for url in (_manage(), _manage("manage_run")):
        response = client.get(url) if url == _manage() else client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_dashboard_run_then_publish_changes_the_stored_state(
    client: Client, ministry_user: User, applied_2027: CampaignYear
) -> None:
    client.force_login(ministry_user)
    response = client.post(_manage("manage_run"), {"expected_latest_run_id": ""})
    assert response.status_code == 302
    run = AllocationRun.objects.get()
    assert run.status == "solved"
    html = client.get(_manage()).content.decode()
    assert f"#{run.pk}" in html
    response = client.post(_manage("manage_publish"), {"publish-run_id": run.pk}, follow=True)
    version = PublishedVersion.objects.get()
    assert (version.number, version.run_id) == (1, run.pk)
    assert 'class="message message-success"' in response.content.decode()
    applied_2027.refresh_from_db()
    assert applied_2027.state == "published"


def test_dashboard_stale_run_shows_the_conflict_and_changes_nothing(
    client: Client, ministry_user: User, applied_2027: CampaignYear
) -> None:
    client.force_login(ministry_user)
    first = allocation_run(actor=ministry_user, campaign_year=applied_2027)
    response = client.post(_manage("manage_run"), {"expected_latest_run_id": ""}, follow=True)
    message = ERROR_STALE_RUN % {"run": first.pk, "user": ministry_user}
    assert _in("zh-hans", message) in response.content.decode()
    assert list(AllocationRun.objects.all()) == [first]


def test_dashboard_pin_and_unpin_change_the_stored_pins(
    client: Client, ministry_user: User, applied_2027: CampaignYear
) -> None:
    client.force_login(ministry_user)
    response = client.post(_manage("manage_pin"), {"pin-region": "110000", "pin-week_number": 20})
    assert response.status_code == 302
    assert Pin.objects.get().week_number == 20
    html = client.get(_manage()).content.decode()
    assert 'name="region" value="110000"' in html
    client.post(_manage("manage_unpin"), {"region": "110000"})
    assert not Pin.objects.exists()


def test_dashboard_pin_to_a_closed_week_shows_the_service_message(
    client: Client, ministry_user: User, applied_2027: CampaignYear
) -> None:
    client.force_login(ministry_user)
    response = client.post(_manage("manage_pin"), {"pin-region": "110000", "pin-week_number": 5})
    assert response.status_code == 200
    message = _in("zh-hans", ERROR_PIN_WEEK % {"week": 5, "year": 2027})
    assert message in _field_errors(response.content.decode(), "pin-week_number")
    assert not Pin.objects.exists()


def test_dashboard_version_history_lists_moved_regions(
    client: Client, ministry_user: User, published_2027: PublishedVersion
) -> None:
    old_week = published_2027.assignments.get(region_id="110000").week_number
    new_week = next(
        w for w in range(1, 53) if w != old_week and Week.objects.get(
            campaign_year=published_2027.campaign_year, number=w).is_open
    )  # fmt: skip
    pin_set(actor=ministry_user, campaign_year=published_2027.campaign_year,
            region_code="110000", week_number=new_week)  # fmt: skip
    _run_and_publish(published_2027.campaign_year, ministry_user)
    client.force_login(ministry_user)
    html = client.get(_manage(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Beijing: week {old_week} → week {new_week}" in html
    assert "First version: every region was placed." in html


def test_dashboard_week_and_day_forms_change_the_year(
    client: Client, ministry_user: User, campaign_2027: CampaignYear
) -> None:
    client.force_login(ministry_user)
    response = client.post(
        _manage("manage_week"),
        {"week-number": 20, "week-capacity": 2, "week-status": "blocked",
         "week-block_reason": "全国会议"},
    )  # fmt: skip
    assert response.status_code == 302
    week = Week.objects.get(campaign_year=campaign_2027, number=20)
    assert (week.capacity, week.blocked, week.block_reason) == (2, True, "全国会议")
    response = client.post(
        _manage("manage_day"),
        {"day-date": "2027-03-08", "day-kind": "holiday", "day-name": "地方节日"},
    )
    assert response.status_code == 302
    assert DayOverride.objects.get().name == "地方节日"


def test_dashboard_block_without_reason_shows_the_message_on_the_field(
    client: Client, ministry_user: User, campaign_2027: CampaignYear
) -> None:
    client.force_login(ministry_user)
    response = client.post(_manage("manage_week"), {"week-number": 20, "week-status": "blocked"})
    assert response.status_code == 200
    assert _field_errors(response.content.decode(), "week-block_reason")
    assert not Week.objects.get(campaign_year=campaign_2027, number=20).blocked


def test_year_table_leaves_out_the_theme_column_when_no_week_has_one(
    client: Client, published_2027: PublishedVersion
) -> None:
    url = reverse("scheduling:year", args=[2027])
    with translation.override("en"):
        theme = f'role="columnheader">{gettext("Theme")}</th>'
    assert theme in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    published_2027.assignments.update(theme="")
    assert theme not in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
