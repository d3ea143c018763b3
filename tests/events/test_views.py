"""The events pages through the test client: the public calendar, coordinators' entry and import,
plans and nominations with the Ministry's review, coverage, showcase and file downloads."""

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook
from pytest_django.fixtures import DjangoAssertNumQueries, Settings

from accounts.models import User
from accounts.permissions import ERROR_NOT_A_COORDINATOR, ERROR_OTHER_REGION
from events.forms import ERROR_MONTH
from events.models import (
    ACTIVITY_TYPE_NOTICE_NAMES,
    LEVEL_NOTICE_NAMES,
    ActivityType,
    Event,
    EventSource,
    EventStatus,
    Level,
    Nomination,
    NominationKind,
    RegionReopening,
    ReviewStatus,
    WorkPlan,
)
from events.rules import ERROR_END_BEFORE_START, ERROR_PARTICIPANTS_NEGATIVE, ERROR_TYPE
from events.services.events import ERROR_STALE
from events.services.submissions import ERROR_REVIEW_COMMENT, ERROR_TOO_MANY
from events.spreadsheet import COLUMNS
from scheduling.models import CampaignYear
from tests.factories import EventFactory, NominationFactory, published_year

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "en"]
SH = timezone.get_default_timezone()
BEFORE_2027 = dt.datetime(2026, 12, 1, 10, 0, tzinfo=SH)
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HEADER = [zh for _cid, zh, _en, _req in COLUMNS]


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def december_2026() -> Iterator[None]:
    """Before 2027's plan deadline (31 December 2026) and after the event of `past_event`."""
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=SH), tick=False):
        yield


@pytest.fixture
def past_event(db: None) -> Event:
    start = dt.datetime(2026, 11, 20, 14, 0, tzinfo=SH)
    return EventFactory(title="海淀读书会", starts_at=start, ends_at=start + dt.timedelta(hours=2))


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)  # type: ignore[misc]


def local_input(moment: dt.datetime) -> str:
    return timezone.localtime(moment, SH).strftime("%Y-%m-%dT%H:%M")


def event_post(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "社区读书会",
        "activity_type": ActivityType.THEMED_READING,
        "level": Level.PREFECTURE,
        "region": "110000",
        "city": "海淀区",
        "venue": "海淀图书馆",
        "starts_at": "2027-04-23T14:00",
        "ends_at": "2027-04-23T16:00",
        "status": EventStatus.CONFIRMED,
    }
    data.update(changes)
    return data


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD_ROW = [
    "导入的读书会",
    "主题阅读活动",
    "地市级",
    "海淀区",
    "2027-04-23 14:00",
    "2027-04-23 16:00",
    "图书馆",
    "",
    "区教育局",
    "",
    "",
]


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def field_errors(html: str, field: str) -> str:
    match = re.search(rf'<div class="field-errors" id="id_{field}_error">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


def in_language(language: str, message: Any) -> str:
    """A message as the page shows it in that language (escaped as in HTML)."""
    with translation.override(language):
        return escape(str(message))


def login(client: Client, user: User | None) -> Client:
    if user is not None:
        client.force_login(user)
    return client


# --- Every page renders, in Chinese (the default) and in English ------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_render_in_both_languages(
    client: Client, campaign_2027: CampaignYear, language: str
) -> None:
    event = EventFactory()
    NominationFactory(campaign_year=campaign_2027, status=ReviewStatus.ACCEPTED, name="王老师")
    pages = {
        reverse("events:list"): "Events calendar",
        reverse("events:month"): "Events in %(month)s",
        reverse("events:month", kwargs={"year": 2027, "month": 3}): "Events in %(month)s",
        reverse("events:detail", kwargs={"event_id": event.pk}): "Activity type",
        reverse("events:coverage", kwargs={"year": 2027}): "Activities week by week, %(year)s",
        reverse("events:showcase", kwargs={"year": 2027}): "Learning Stars and Brand Projects "
        "of %(year)s",
    }
    for url, heading in pages.items():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert f'lang="{"zh-Hans" if language == "zh-hans" else "en"}"' in html
        with translation.override(language):
            assert escape(gettext(heading).split("%")[0].strip()) in html, url


@pytest.mark.parametrize("language", LANGUAGES)
def test_coordinator_pages_render_in_both_languages(
    client: Client, coordinator: User, campaign_2027: CampaignYear, language: str
) -> None:
    event = EventFactory()
    login(client, coordinator)
    urls = [
        reverse("events:new"),
        reverse("events:mine"),
        reverse("events:import"),
        reverse("events:edit", kwargs={"event_id": event.pk}),
        reverse("events:cancel", kwargs={"event_id": event.pk}),
        reverse("events:participants", kwargs={"event_id": event.pk}),
        reverse("events:plan", kwargs={"year": 2027}),
        reverse("events:nominations", kwargs={"year": 2027}),
    ]
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
    for url in urls[:4:3]:  # the new and edit forms
        html = client.get(url).content.decode()
        assert '<input type="datetime-local" name="starts_at"' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_ministry_pages_render_in_both_languages(
    client: Client, ministry_user: User, campaign_2027: CampaignYear, language: str
) -> None:
    NominationFactory(campaign_year=campaign_2027)
    login(client, ministry_user)
    urls = [
        reverse("events:review", kwargs={"year": 2027}),
        reverse("events:progress", kwargs={"year": 2027}),
        reverse("events:coverage", kwargs={"year": 2027}),
        reverse("events:new"),
        reverse("events:import"),
        reverse("events:mine"),
        reverse("events:mine") + "?region=110000",
        reverse("events:plan", kwargs={"year": 2027}),
        reverse("events:plan", kwargs={"year": 2027}) + "?region=110000",
        reverse("events:nominations", kwargs={"year": 2027}) + "?region=110000",
    ]
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url


def test_the_ministry_chooses_the_region_of_an_event_and_of_an_import(
    client: Client, ministry_user: User, coordinator: User
) -> None:
    login(client, ministry_user)
    for url in (reverse("events:new"), reverse("events:import")):
        html = client.get(url).content.decode()
        assert '<select name="region"' in html
    login(client, coordinator)
    for url in (reverse("events:new"), reverse("events:import")):
        html = client.get(url).content.decode()
        assert '<input type="hidden" name="region" value="110000"' in html


# --- Permissions on every write page ----------------------------------------------------------


@dataclass
class WriteCase:
    url: Callable[[], str]
    data: Callable[[], dict[str, object]]
    stored: Callable[[], bool]


def _write_cases(event: Event, campaign_year: CampaignYear) -> dict[str, WriteCase]:
    nomination = NominationFactory(campaign_year=campaign_year, name="李阿姨")
    return {
        "new": WriteCase(
            lambda: reverse("events:new"),
            lambda: event_post(title="新的读书会"),
            lambda: Event.objects.filter(title="新的读书会").exists(),
        ),
        "edit": WriteCase(
            lambda: reverse("events:edit", kwargs={"event_id": event.pk}),
            lambda: event_post(
                title="改过的读书会",
                expected_sequence=0,
                starts_at=local_input(event.starts_at),
                ends_at=local_input(event.ends_at),
            ),
            lambda: Event.objects.get(pk=event.pk).title == "改过的读书会",
        ),
        "cancel": WriteCase(
            lambda: reverse("events:cancel", kwargs={"event_id": event.pk}),
            lambda: {"cancel_reason": "暴雨预警"},
            lambda: Event.objects.get(pk=event.pk).status == EventStatus.CANCELLED,
        ),
        "participants": WriteCase(
            lambda: reverse("events:participants", kwargs={"event_id": event.pk}),
            lambda: {"participants": 120},
            lambda: Event.objects.get(pk=event.pk).participants == 120,
        ),
        "import": WriteCase(
            lambda: reverse("events:import"),
            lambda: {"region": "110000", "file": upload("events.xlsx", xlsx([HEADER, GOOD_ROW]))},
            lambda: Event.objects.filter(title="导入的读书会").exists(),
        ),
        "plan": WriteCase(
            lambda: reverse("events:plan", kwargs={"year": 2027}) + "?region=110000",
            lambda: {"title": "北京市2027年活动方案", "document": upload("plan.pdf", PDF)},
            lambda: WorkPlan.objects.filter(region_id="110000").exists(),
        ),
        "nominations": WriteCase(
            lambda: reverse("events:nominations", kwargs={"year": 2027}) + "?region=110000",
            lambda: {"kind": NominationKind.BRAND_PROJECT, "name": "社区大学", "summary": "十年"},
            lambda: Nomination.objects.filter(name="社区大学").exists(),
        ),
        "review": WriteCase(
            lambda: reverse(
                "events:review_item",
                kwargs={"year": 2027, "kind": "nomination", "item_id": nomination.pk},
            ),
            lambda: {"status": ReviewStatus.ACCEPTED, "review_comment": ""},
            lambda: Nomination.objects.get(pk=nomination.pk).status == ReviewStatus.ACCEPTED,
        ),
        "reopen": WriteCase(
            lambda: reverse("events:reopen", kwargs={"year": 2027}),
            lambda: {"region": "110000", "what": "plan", "until": "2027-01-15T12:00"},
            lambda: RegionReopening.objects.exists(),
        ),
    }


REGION_PAGES = ["new", "edit", "cancel", "participants", "import", "plan", "nominations"]
MINISTRY_PAGES = ["review", "reopen"]


@pytest.mark.parametrize("page", REGION_PAGES + MINISTRY_PAGES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("resident", 403),
        ("lecturer", 403),
        ("other_coordinator", 403),
        ("coordinator", "ok"),
        ("ministry_user", "ok"),
    ],
)
def test_who_may_write_on_each_page(
    client: Client,
    request: pytest.FixtureRequest,
    campaign_2027: CampaignYear,
    past_event: Event,
    december_2026: None,
    page: str,
    role: str,
    expected: str | int,
) -> None:
    case = _write_cases(past_event, campaign_2027)[page]
    user = None if role == "anonymous" else request.getfixturevalue(role)
    if page in MINISTRY_PAGES and role == "coordinator":
        expected = 403
    login(client, user)
    url = case.url()
    # The form itself is refused to the same people, before anything is typed (a coordinator
    # of another region may open the new-event and import forms: they are for their region).
    if page not in MINISTRY_PAGES:
        shown = client.get(url)
        own_form = role == "other_coordinator" and page in ("new", "import")
        assert shown.status_code == (
            200 if own_form else {"login": 302, 403: 403, "ok": 200}[expected]
        )
    response = client.post(url, case.data())
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert not case.stored()
    elif expected == 403:
        assert response.status_code == 403
        html = response.content.decode()
        assert "field-errors" not in html
        if role == "other_coordinator" and page in REGION_PAGES:
            message = ERROR_OTHER_REGION % {"own": "310000", "other": "110000"}
            assert in_language("zh-hans", message) in html
        elif role in ("resident", "lecturer"):
            assert in_language("zh-hans", ERROR_NOT_A_COORDINATOR) in html or page in (
                MINISTRY_PAGES
            )
        assert not case.stored()
    else:
        assert response.status_code in (200, 302), response.content.decode()[:2000]
        assert "field-errors" not in response.content.decode()
        assert case.stored()


def test_a_coordinator_cannot_slip_an_event_into_another_region(
    client: Client, other_coordinator: User
) -> None:
    login(client, other_coordinator)
    response = client.post(reverse("events:new"), event_post(region="110000"))
    assert response.status_code == 403
    assert not Event.objects.exists()
    response = client.post(reverse("events:new"), event_post(region="310000", city="浦东新区"))
    assert response.status_code == 302
    assert Event.objects.get().region_id == "310000"


def test_lecture_hall_events_are_not_changed_here(client: Client, coordinator: User) -> None:
    event = EventFactory(source=EventSource.LECTURE_HALL, activity_type=ActivityType.LECTURE_HALL)
    login(client, coordinator)
    response = client.post(
        reverse("events:edit", kwargs={"event_id": event.pk}), event_post(expected_sequence=0)
    )
    assert response.status_code == 403
    assert Event.objects.get(pk=event.pk).title == event.title


# --- Bad input: the service's message on the right field, nothing stored ----------------------


def test_end_before_start_is_shown_on_the_end_field(client: Client, coordinator: User) -> None:
    login(client, coordinator)
    response = client.post(
        reverse("events:new"),
        event_post(starts_at="2027-04-23T16:00", ends_at="2027-04-23T14:00"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert response.status_code == 200
    with translation.override("en"):
        expected = ERROR_END_BEFORE_START % {
            "end": date_format(at(2027, 4, 23, 14, 0), "DATETIME_FORMAT"),
            "start": date_format(at(2027, 4, 23, 16, 0), "DATETIME_FORMAT"),
        }
    assert escape(str(expected)) in field_errors(html, "ends_at")
    assert field_errors(html, "starts_at") == ""
    assert not Event.objects.exists()
    # What was typed is kept, in Beijing time.
    assert 'value="2027-04-23T16:00"' in html


def test_datetime_local_input_is_read_in_beijing_time(client: Client, coordinator: User) -> None:
    login(client, coordinator)
    with timezone.override("UTC"):
        response = client.post(reverse("events:new"), event_post())
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.starts_at == at(2027, 4, 23, 14, 0)
    assert event.starts_at == dt.datetime(2027, 4, 23, 6, 0, tzinfo=dt.UTC)
    edit = client.get(reverse("events:edit", kwargs={"event_id": event.pk})).content.decode()
    assert 'value="2027-04-23T14:00"' in edit


def test_an_unknown_activity_type_from_a_crafted_post_gets_the_rules_message(
    client: Client, coordinator: User
) -> None:
    login(client, coordinator)
    response = client.post(
        reverse("events:new"), event_post(activity_type="rocket_launch"), HTTP_ACCEPT_LANGUAGE="en"
    )
    errors = field_errors(response.content.decode(), "activity_type")
    with translation.override("en"):
        start = str(ERROR_TYPE).split("%(choices)s")[0] % {"value": "rocket_launch", "choices": ""}
    assert escape(start.split(";")[0]) in errors
    assert not Event.objects.exists()


def test_a_crafted_cancelled_status_is_refused_on_the_edit_form(
    client: Client, coordinator: User
) -> None:
    event = EventFactory()
    login(client, coordinator)
    response = client.post(
        reverse("events:edit", kwargs={"event_id": event.pk}),
        event_post(status="cancelled", expected_sequence=0),
    )
    assert field_errors(response.content.decode(), "status")
    assert Event.objects.get(pk=event.pk).status == EventStatus.CONFIRMED


def test_a_stale_edit_shows_the_conflict_and_changes_nothing(
    client: Client, coordinator: User
) -> None:
    event = EventFactory(sequence=3)
    login(client, coordinator)
    response = client.post(
        reverse("events:edit", kwargs={"event_id": event.pk}),
        event_post(title="我的改动", expected_sequence=2),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert in_language("en", ERROR_STALE % {"now": 3, "yours": 2}) in response.content.decode()
    assert Event.objects.get(pk=event.pk).title == event.title


def test_editing_keeps_the_sequence_hidden_and_bumps_it_on_a_new_time(
    client: Client, coordinator: User
) -> None:
    event = EventFactory(sequence=0)
    login(client, coordinator)
    form = client.get(reverse("events:edit", kwargs={"event_id": event.pk})).content.decode()
    assert '<input type="hidden" name="expected_sequence" value="0"' in form
    response = client.post(
        reverse("events:edit", kwargs={"event_id": event.pk}),
        event_post(expected_sequence=0, starts_at="2027-05-01T09:00", ends_at="2027-05-01T11:00"),
    )
    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).sequence == 1


def test_cancel_needs_a_reason(client: Client, coordinator: User) -> None:
    event = EventFactory()
    login(client, coordinator)
    response = client.post(
        reverse("events:cancel", kwargs={"event_id": event.pk}), {"cancel_reason": "  "}
    )
    assert field_errors(response.content.decode(), "cancel_reason")
    assert Event.objects.get(pk=event.pk).status == EventStatus.CONFIRMED


def test_negative_participants_are_refused_on_the_field(
    client: Client, coordinator: User, past_event: Event, december_2026: None
) -> None:
    login(client, coordinator)
    response = client.post(
        reverse("events:participants", kwargs={"event_id": past_event.pk}),
        {"participants": -5},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    errors = field_errors(response.content.decode(), "participants")
    assert in_language("en", ERROR_PARTICIPANTS_NEGATIVE) in errors
    assert Event.objects.get(pk=past_event.pk).participants is None


def test_import_with_bad_rows_lists_every_error_and_imports_nothing(
    client: Client, coordinator: User
) -> None:
    bad_type = [*GOOD_ROW]
    bad_type[1] = "火箭发射"
    bad_time = [*GOOD_ROW]
    bad_time[0], bad_time[4] = "另一场", "明天下午"
    content = xlsx([HEADER, GOOD_ROW, bad_type, bad_time])
    login(client, coordinator)
    response = client.post(
        reverse("events:import"),
        {"region": "110000", "file": upload("events.xlsx", content)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported." in html
    table = html[html.index('<table class="import-errors">') :]
    rows = re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td></tr>", table, re.S)
    assert [(line, column) for line, column, _message in rows] == [
        ("3", "活动类型"),
        ("4", "开始时间"),
    ]
    assert "火箭发射" in rows[0][2]
    assert not Event.objects.exists()


def test_import_that_is_not_a_spreadsheet_says_so(client: Client, coordinator: User) -> None:
    login(client, coordinator)
    response = client.post(
        reverse("events:import"),
        {"region": "110000", "file": upload("events.xlsx", b"\x00\x01 binary junk")},
    )
    assert b"import-errors" in response.content
    assert not Event.objects.exists()


def test_import_reports_created_updated_and_unchanged(client: Client, coordinator: User) -> None:
    login(client, coordinator)
    url = reverse("events:import")
    first = client.post(
        url, {"region": "110000", "file": upload("a.xlsx", xlsx([HEADER, GOOD_ROW]))}
    )
    assert re.search(r"<dd>1</dd>", first.content.decode())
    changed = [*GOOD_ROW]
    changed[6] = "新馆"
    second_row = [*GOOD_ROW]
    second_row[0] = "第二场"
    again = client.post(
        url, {"region": "110000", "file": upload("a.xlsx", xlsx([HEADER, changed, second_row]))}
    )
    html = again.content.decode()
    counts = dict(re.findall(r"<dt>(.*?)</dt><dd>(\d+)</dd>", html))
    assert sorted(counts.values()) == ["0", "1", "1"]
    assert Event.objects.count() == 2
    assert Event.objects.get(title="导入的读书会").venue == "新馆"


def test_a_plan_that_is_not_a_pdf_is_refused_on_the_document_field(
    client: Client, coordinator: User, campaign_2027: CampaignYear, december_2026: None
) -> None:
    login(client, coordinator)
    response = client.post(
        reverse("events:plan", kwargs={"year": 2027}),
        {"title": "方案", "document": upload("plan.pdf", b"MZ\x90\x00 an exe")},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    errors = field_errors(response.content.decode(), "document")
    assert "plan.pdf is not a PDF file" in errors
    assert not WorkPlan.objects.exists()


def test_a_sixth_nomination_is_refused_on_the_kind_field(
    client: Client, coordinator: User, campaign_2027: CampaignYear, december_2026: None
) -> None:
    for i in range(5):
        NominationFactory(campaign_year=campaign_2027, name=f"之星{i}")
    login(client, coordinator)
    response = client.post(
        reverse("events:nominations", kwargs={"year": 2027}),
        {"kind": NominationKind.LEARNING_STAR, "name": "第六位", "summary": "三十年"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    errors = field_errors(response.content.decode(), "kind")
    assert in_language("en", ERROR_TOO_MANY % {"max": 5, "region": "110000", "count": 5}) in errors
    assert Nomination.objects.count() == 5


def test_nominations_page_shows_counts_against_the_three_to_five_rule(
    client: Client, coordinator: User, campaign_2027: CampaignYear
) -> None:
    NominationFactory(
        campaign_year=campaign_2027,
        name="甲",
        review_comment="请补充材料",
        status=ReviewStatus.RETURNED,
    )
    login(client, coordinator)
    html = client.get(
        reverse("events:nominations", kwargs={"year": 2027}), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "1 of 3–5" in html
    assert "0 of 3–5" in html
    assert "请补充材料" in html
    assert "count-short" in html


def test_a_nomination_with_material_is_stored_and_downloadable_by_its_region(
    client: Client, coordinator: User, campaign_2027: CampaignYear, december_2026: None
) -> None:
    login(client, coordinator)
    response = client.post(
        reverse("events:nominations", kwargs={"year": 2027}),
        {
            "kind": NominationKind.LEARNING_STAR,
            "name": "张老师",
            "summary": "社区学习三十年",
            "material": upload("photo.png", PNG),
        },
    )
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    download = client.get(
        reverse("events:material", kwargs={"kind": "nomination", "item_id": nomination.pk})
    )
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")


def test_returning_without_a_comment_is_refused_on_the_comment(
    client: Client, ministry_user: User, campaign_2027: CampaignYear
) -> None:
    nomination = NominationFactory(campaign_year=campaign_2027)
    login(client, ministry_user)
    response = client.post(
        reverse(
            "events:review_item",
            kwargs={"year": 2027, "kind": "nomination", "item_id": nomination.pk},
        ),
        {"status": ReviewStatus.RETURNED, "review_comment": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    errors = field_errors(html, f"nomination{nomination.pk}_review_comment")
    assert in_language("en", ERROR_REVIEW_COMMENT) in errors
    assert Nomination.objects.get(pk=nomination.pk).status == ReviewStatus.SUBMITTED


def test_review_accepts_a_plan_with_a_comment_and_keeps_the_filters(
    client: Client, ministry_user: User, campaign_2027: CampaignYear
) -> None:
    plan = WorkPlan.objects.create(
        campaign_year=campaign_2027,
        region_id="110000",
        title="方案",
        document=ContentFile(PDF, name="plan.pdf"),
    )
    login(client, ministry_user)
    response = client.post(
        reverse("events:review_item", kwargs={"year": 2027, "kind": "plan", "item_id": plan.pk})
        + "?kind=plan",
        {"status": ReviewStatus.ACCEPTED, "review_comment": "很好"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?kind=plan#plan-{plan.pk}")
    plan.refresh_from_db()
    assert (plan.status, plan.review_comment) == (ReviewStatus.ACCEPTED, "很好")
    coordinator_view = client.get(reverse("events:plan", kwargs={"year": 2027}) + "?region=110000")
    assert "很好" in coordinator_view.content.decode()


def test_review_filters_by_region_kind_and_status(
    client: Client, ministry_user: User, campaign_2027: CampaignYear
) -> None:
    NominationFactory(campaign_year=campaign_2027, name="北京之星")
    NominationFactory(
        campaign_year=campaign_2027,
        name="上海项目",
        region_id="310000",
        kind=NominationKind.BRAND_PROJECT,
        status=ReviewStatus.ACCEPTED,
    )
    WorkPlan.objects.create(
        campaign_year=campaign_2027,
        region_id="110000",
        title="北京方案",
        document=ContentFile(PDF, name="p.pdf"),
    )
    login(client, ministry_user)
    url = reverse("events:review", kwargs={"year": 2027})

    def names(query: str) -> set[str]:
        html = client.get(url + query).content.decode()
        return {n for n in ("北京之星", "上海项目", "北京方案") if f"<h3>{n}</h3>" in html}

    assert names("") == {"北京之星", "上海项目", "北京方案"}
    assert names("?region=310000") == {"上海项目"}
    assert names("?kind=plan") == {"北京方案"}
    assert names("?kind=learning_star") == {"北京之星"}
    assert names("?status=accepted") == {"上海项目"}


def test_reopen_in_the_past_is_refused_on_the_until_field(
    client: Client, ministry_user: User, campaign_2027: CampaignYear, december_2026: None
) -> None:
    login(client, ministry_user)
    response = client.post(
        reverse("events:reopen", kwargs={"year": 2027}),
        {"region": "110000", "what": "plan", "until": "2026-01-01T00:00"},
    )
    assert field_errors(response.content.decode(), "reopen_until")
    assert not RegionReopening.objects.exists()


def test_review_csv_has_every_plan_and_nomination_and_defuses_formulas(
    client: Client, ministry_user: User, coordinator: User, campaign_2027: CampaignYear
) -> None:
    NominationFactory(campaign_year=campaign_2027, name='=HYPERLINK("http://x")')
    NominationFactory(campaign_year=campaign_2027, name="上海项目", region_id="310000")
    WorkPlan.objects.create(
        campaign_year=campaign_2027,
        region_id="110000",
        title="北京方案",
        document=ContentFile(PDF, name="p.pdf"),
    )
    url = reverse("events:review_csv", kwargs={"year": 2027})
    login(client, coordinator)
    assert client.get(url).status_code == 403
    login(client, ministry_user)
    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 4
    names = [row[3] for row in rows[1:]]
    assert "北京方案" in names
    assert "上海项目" in names
    assert '\'=HYPERLINK("http://x")' in names
    plan = WorkPlan.objects.get()
    assert rows[1][8] == "http://testserver" + _material_url(plan)


# --- Escaping --------------------------------------------------------------------------------


def test_a_script_in_a_title_is_shown_as_text_everywhere(client: Client, coordinator: User) -> None:
    event = EventFactory(
        title="<script>alert(1)</script>",
        description="<b>粗体</b>",
        starts_at=at(2027, 3, 10, 9, 0),
        ends_at=at(2027, 3, 10, 11, 0),
    )
    urls = [
        reverse("events:list"),
        reverse("events:month", kwargs={"year": 2027, "month": 3}),
        reverse("events:detail", kwargs={"event_id": event.pk}),
    ]
    login(client, coordinator)
    urls.append(reverse("events:mine"))
    for url in urls:
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
    detail = client.get(urls[2]).content.decode()
    assert "&lt;b&gt;粗体&lt;/b&gt;" in detail


# --- The public calendar ---------------------------------------------------------------------


@time_machine.travel(BEFORE_2027, tick=False)  # the lists open at today: their events are upcoming
def test_list_shows_times_in_beijing_and_cancelled_events_clearly(
    client: Client,
) -> None:
    EventFactory(title="照常举行", starts_at=at(2027, 3, 10, 9, 0), ends_at=at(2027, 3, 10, 11, 30))
    EventFactory(
        title="已取消的讲座",
        status=EventStatus.CANCELLED,
        cancel_reason="场馆维修",
        starts_at=at(2027, 3, 11, 9, 0),
        ends_at=at(2027, 3, 11, 10, 0),
    )
    html = client.get(reverse("events:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "09:00–11:30" in html
    assert 'datetime="2027-03-10T09:00+08:00"' in html
    assert "<s>已取消的讲座</s>" in html
    with translation.override("en"):
        assert f'badge-cancelled">{gettext("Cancelled")}</span>' in html
    cancelled = Event.objects.get(title="已取消的讲座")
    detail = client.get(reverse("events:detail", kwargs={"event_id": cancelled.pk})).content
    assert "场馆维修" in detail.decode()
    assert b"cancelled-banner" in detail


def test_detail_shows_every_field_and_participants_when_recorded(client: Client) -> None:
    event = EventFactory(
        title="数字阅读分享",
        activity_type=ActivityType.DIGITAL_READING,
        level=Level.COUNTY,
        city="延庆区",
        venue="文化馆",
        online_url="https://example.cn/live",
        organiser="区图书馆",
        description="第一段\n\n第二段",
        participants=345,
    )
    html = client.get(
        reverse("events:detail", kwargs={"event_id": event.pk}), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    for text in ("数字阅读分享", "延庆区", "文化馆", "区图书馆", "345", "<p>第一段</p>"):
        assert text in html
    assert '<a href="https://example.cn/live" rel="nofollow noopener noreferrer">' in html
    with translation.override("en"):
        assert str(ActivityType.DIGITAL_READING.label) in html
        assert str(Level.COUNTY.label) in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"北京读书会", "上海讲座", "四月活动"}),
        ("?region=310000", {"上海讲座"}),
        ("?activity_type=lecture_hall", {"上海讲座"}),
        ("?level=county", {"四月活动"}),
        ("?month=2027-04", {"四月活动"}),
        ("?q=读书", {"北京读书会"}),
        ("?month=April", {"北京读书会", "上海讲座", "四月活动"}),  # a wrong filter is ignored
    ],
)
@time_machine.travel(BEFORE_2027, tick=False)  # the lists open at today: their events are upcoming
def test_list_filters(client: Client, query: str, expected: set[str]) -> None:
    EventFactory(title="北京读书会", starts_at=at(2027, 3, 2, 9, 0), ends_at=at(2027, 3, 2, 10, 0))
    EventFactory(
        title="上海讲座",
        region_id="310000",
        activity_type=ActivityType.LECTURE_HALL,
        starts_at=at(2027, 3, 3, 9, 0),
        ends_at=at(2027, 3, 3, 10, 0),
    )
    EventFactory(
        title="四月活动",
        level=Level.COUNTY,
        city="延庆区",
        starts_at=at(2027, 4, 3, 9, 0),
        ends_at=at(2027, 4, 3, 10, 0),
    )
    html = client.get(reverse("events:list") + query, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shown = {t for t in ("北京读书会", "上海讲座", "四月活动") if f">{t}</a>" in html}
    assert shown == expected
    if "April" in query:
        assert in_language("en", ERROR_MONTH) in field_errors(html, "month")


@time_machine.travel(BEFORE_2027, tick=False)  # the lists open at today: their events are upcoming
def test_list_is_paginated_by_fifty_and_pages_keep_the_filters(client: Client) -> None:
    for i in range(51):
        EventFactory(
            title=f"活动{i:02d}",
            starts_at=at(2027, 3, 1, 8, 0) + dt.timedelta(hours=i),
            ends_at=at(2027, 3, 1, 9, 0) + dt.timedelta(hours=i),
        )
    html = client.get(reverse("events:list") + "?region=110000").content.decode()
    assert html.count('class="event-item') == 50
    assert "?region=110000&amp;page=2" in html
    second = client.get(reverse("events:list") + "?region=110000&page=2").content.decode()
    assert second.count('class="event-item') == 1
    assert ">活动50</a>" in second


def test_month_view_is_a_monday_first_grid_with_links_to_other_months(client: Client) -> None:
    EventFactory(
        title="三月十日的活动",
        region_id="310000",
        starts_at=at(2027, 3, 10, 19, 0),
        ends_at=at(2027, 3, 10, 21, 0),
    )
    EventFactory(
        title="北京的活动", starts_at=at(2027, 3, 10, 9, 0), ends_at=at(2027, 3, 10, 10, 0)
    )
    url = reverse("events:month", kwargs={"year": 2027, "month": 3})
    assert url == "/events/month/2027/03/"
    html = client.get(url + "?region=310000").content.decode()
    # March 2027 starts on a Monday and needs five weeks.
    assert html.count('<li class="month-day') == 35
    day = html[html.index('datetime="2027-03-10"') :]
    day = day[: day.index("</ul>")]
    assert "三月十日的活动" in day
    assert "19:00" in day
    assert "北京的活动" not in html
    assert 'href="/events/month/2027/02/?region=310000"' in html
    assert 'href="/events/month/2027/04/?region=310000"' in html
    assert client.get("/events/month/2027/13/").status_code == 404


def test_month_view_without_a_month_shows_the_current_one(client: Client) -> None:
    with time_machine.travel(dt.datetime(2027, 5, 20, 12, 0, tzinfo=SH), tick=False):
        html = client.get(reverse("events:month"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'datetime="2027-05-20"' in html
    assert 'href="/events/month/2027/06/"' in html


def _many_events(n: int) -> None:
    codes = ["110000", "310000", "440000", "500000", "650000"]
    for i in range(n):
        start = at(2027, 3, 1, 9, 0) + dt.timedelta(days=i % 28, hours=i % 5)
        EventFactory(
            region_id=codes[i % len(codes)],
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            activity_type=ActivityType.values[i % 4],
        )


@pytest.mark.parametrize("count", [1, 40])
@time_machine.travel(BEFORE_2027, tick=False)  # the lists open at today: their events are upcoming
def test_list_and_month_queries_do_not_grow_with_the_events(
    client: Client, django_assert_max_num_queries: DjangoAssertNumQueries, count: int
) -> None:
    _many_events(count)
    with django_assert_max_num_queries(3):
        assert client.get(reverse("events:list")).status_code == 200
    with django_assert_max_num_queries(2):
        url = reverse("events:month", kwargs={"year": 2027, "month": 3})
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(3):
        assert (
            client.get(reverse("events:list") + "?region=110000&month=2027-03").status_code == 200
        )


@pytest.mark.parametrize("count", [1, 40])
def test_coverage_queries_do_not_grow_with_the_events(
    client: Client,
    ministry_user: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    published_year(ministry_user, weeks={"110000": 12, "310000": 20})
    _many_events(count)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("events:coverage", kwargs={"year": 2027})).status_code == 200


# --- Coverage, progress and the showcase ------------------------------------------------------


def test_coverage_draws_the_weeks_and_tables_the_same_numbers(
    client: Client, ministry_user: User
) -> None:
    campaign_year, version = published_year(ministry_user, weeks={"110000": 12})
    held = set(version.assignments.values_list("week_number", flat=True))
    quiet = min(set(range(1, 53)) - held - {10})
    for _i in range(2):
        EventFactory(starts_at=at(2027, 3, 9, 9, 0), ends_at=at(2027, 3, 9, 10, 0))  # week 10
    EventFactory(
        activity_type=ActivityType.LECTURE_HALL,
        region_id="310000",
        starts_at=at(2027, 3, 10, 9, 0),
        ends_at=at(2027, 3, 10, 10, 0),
    )
    # A cancelled event does not make a week active.
    quiet_start = campaign_year.weeks.get(number=quiet).starts_on
    start = dt.datetime.combine(quiet_start, dt.time(9, 0), tzinfo=SH)
    EventFactory(
        status=EventStatus.CANCELLED, starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    html = client.get(
        reverse("events:coverage", kwargs={"year": 2027}), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    active = len(held | {10})
    assert f"{active} of 52 weeks have an activity." in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="coverage-svg"' in html
    assert 'role="img" aria-labelledby="coverage-title coverage-desc"' in html
    assert html.count('class="cov-empty"') == 52 - active
    assert "Week 10 (8 Mar–14 Mar) · Themed reading activities: 2 events" in html
    assert "Week 12 (22 Mar–28 Mar): Learning Week of Beijing" in html
    row = re.search(r'<th scope="row">10</th>(.*?)</tr>', html, re.S)
    assert row is not None
    numbers = re.findall(r'<td class="num">(\d+)</td>', row.group(1))
    assert numbers == ["2", "0", "1", "0", "0", "3"]
    empty = re.search(rf'<tr class="week-empty">\s*<th scope="row">{quiet}</th>', html)
    assert empty is not None


def test_progress_is_for_the_ministry_and_names_what_is_missing(
    client: Client, ministry_user: User, coordinator: User, campaign_2027: CampaignYear
) -> None:
    for i in range(3):
        NominationFactory(campaign_year=campaign_2027, name=f"星{i}")
    url = reverse("events:progress", kwargs={"year": 2027})
    login(client, coordinator)
    assert client.get(url).status_code == 403
    login(client, ministry_user)
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "0 of 37 regions" in html
    beijing = re.search(r"Beijing</a></th>(.*?)</tr>", html, re.S)
    assert beijing is not None
    assert '<td class="num">3</td>' in beijing.group(1)
    assert "Brand Projects" in beijing.group(1)
    coverage_page = client.get(reverse("events:coverage", kwargs={"year": 2027})).content.decode()
    assert url in coverage_page


def test_progress_shows_a_region_whose_only_event_is_in_next_years_week_1_as_without_events(
    client: Client, ministry_user: User, campaign_2027: CampaignYear
) -> None:
    # 2027 has 52 ISO weeks: Sunday 2 January 2028 is its last day, Monday 3 January is 2028-W01.
    EventFactory(starts_at=at(2028, 1, 2, 23, 30), ends_at=at(2028, 1, 2, 23, 50))
    EventFactory(region_id="310000", starts_at=at(2028, 1, 3, 9, 0), ends_at=at(2028, 1, 3, 11, 0))
    login(client, ministry_user)
    html = client.get(
        reverse("events:progress", kwargs={"year": 2027}), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Without any event: 36" in html

    def cells(region: str) -> list[str]:
        row = re.search(rf"{region}</a></th>(.*?)</tr>", html, re.S)
        assert row is not None
        return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)

    assert cells("Beijing")[3] == "1"
    assert "events" not in cells("Beijing")[4]
    assert cells("Shanghai")[3] == "0"
    assert "events" in cells("Shanghai")[4]


def test_showcase_shows_accepted_nominations_by_region(
    client: Client, campaign_2027: CampaignYear
) -> None:
    NominationFactory(campaign_year=campaign_2027, name="已通过之星", status=ReviewStatus.ACCEPTED)
    NominationFactory(
        campaign_year=campaign_2027,
        name="上海品牌",
        region_id="310000",
        kind=NominationKind.BRAND_PROJECT,
        status=ReviewStatus.ACCEPTED,
    )
    NominationFactory(campaign_year=campaign_2027, name="待审之星")
    html = client.get(reverse("events:showcase", kwargs={"year": 2027})).content.decode()
    assert "已通过之星" in html
    assert "上海品牌" in html
    assert "待审之星" not in html
    assert (
        html.index("北京") < html.index("已通过之星") < html.index("上海") < html.index("上海品牌")
    )


@time_machine.travel(BEFORE_2027, tick=False)  # the lists open at today: their events are upcoming
def test_coordinator_sees_only_their_regions_events_with_actions(
    client: Client, coordinator: User
) -> None:
    mine = EventFactory(title="北京的")
    EventFactory(title="上海的", region_id="310000")
    cancelled = EventFactory(title="取消了的", status=EventStatus.CANCELLED)
    login(client, coordinator)
    html = client.get(reverse("events:mine")).content.decode()
    assert ">北京的</a>" in html
    assert "上海的" not in html
    assert reverse("events:edit", kwargs={"event_id": mine.pk}) in html
    assert reverse("events:cancel", kwargs={"event_id": mine.pk}) in html
    assert reverse("events:participants", kwargs={"event_id": mine.pk}) in html
    assert reverse("events:edit", kwargs={"event_id": cancelled.pk}) not in html
    assert client.get(reverse("events:mine") + "?region=310000").status_code == 403


# --- Templates and files ---------------------------------------------------------------------


def test_xlsx_template_is_a_workbook_with_the_headers_and_the_notice_names(
    client: Client,
) -> None:
    response = client.get(reverse("events:template_xlsx"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    help_values = {c.value for row in workbook.worksheets[1].iter_rows() for c in row}
    assert set(ACTIVITY_TYPE_NOTICE_NAMES.values()) <= help_values
    assert set(LEVEL_NOTICE_NAMES.values()) <= help_values
    assert set(ActivityType.values) <= help_values


def test_csv_template_has_the_headers_and_a_bom(client: Client) -> None:
    response = client.get(reverse("events:template_csv"))
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [HEADER]


@pytest.fixture
def files(campaign_2027: CampaignYear) -> dict[str, Any]:
    plan = WorkPlan.objects.create(
        campaign_year=campaign_2027,
        region_id="110000",
        title="方案",
        document=ContentFile(PDF, name="plan.pdf"),
        status=ReviewStatus.ACCEPTED,
    )
    accepted = NominationFactory(
        campaign_year=campaign_2027,
        status=ReviewStatus.ACCEPTED,
        material=ContentFile(PDF, name="a.pdf"),
    )
    submitted = NominationFactory(
        campaign_year=campaign_2027, material=ContentFile(PNG, name="b.png")
    )
    bare = NominationFactory(campaign_year=campaign_2027)
    return {"plan": plan, "accepted": accepted, "submitted": submitted, "bare": bare}


def _material_url(item: WorkPlan | Nomination) -> str:
    kind = "plan" if isinstance(item, WorkPlan) else "nomination"
    return reverse("events:material", kwargs={"kind": kind, "item_id": item.pk})


@pytest.mark.parametrize(
    ("role", "plan", "submitted"),
    [
        ("anonymous", "login", "login"),
        ("resident", 403, 403),
        ("lecturer", 403, 403),
        ("other_coordinator", 403, 403),
        ("coordinator", 200, 200),
        ("ministry_user", 200, 200),
    ],
)
def test_material_downloads_follow_the_rules(
    client: Client,
    request: pytest.FixtureRequest,
    files: dict[str, Any],
    role: str,
    plan: str | int,
    submitted: str | int,
) -> None:
    login(client, None if role == "anonymous" else request.getfixturevalue(role))
    # An accepted nomination's material is public.
    public = client.get(_material_url(files["accepted"]))
    assert public.status_code == 200
    assert public["Content-Type"] == "application/pdf"
    assert "attachment" in public["Content-Disposition"]
    assert b"".join(public.streaming_content) == PDF
    for item, expected in ((files["plan"], plan), (files["submitted"], submitted)):
        response = client.get(_material_url(item))
        if expected == "login":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))
        else:
            assert response.status_code == expected
    assert client.get(_material_url(files["bare"])).status_code == 404
    assert client.get("/events/materials/other/1/").status_code == 404


def test_media_is_not_served_publicly(client: Client, files: dict[str, Any]) -> None:
    assert client.get("/media/" + files["plan"].document.name).status_code == 404


def test_import_says_rows_of_cancelled_events_stay_cancelled(
    client: Client, coordinator: User
) -> None:
    login(client, coordinator)
    url = reverse("events:import")
    content = xlsx([HEADER, GOOD_ROW])
    client.post(url, {"region": "110000", "file": upload("a.xlsx", content)})
    event = Event.objects.get()
    client.post(reverse("events:cancel", kwargs={"event_id": event.pk}), {"cancel_reason": "停电"})
    again = client.post(
        url,
        {"region": "110000", "file": upload("a.xlsx", content)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = " ".join(again.content.decode().split())
    assert "1 row matches an event that was cancelled on the site; it stays cancelled." in html
    assert Event.objects.get().status == EventStatus.CANCELLED
