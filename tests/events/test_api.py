"""The events REST API: public reads, every write as every role, bad input, the import, plans,
nominations, coverage and the schema."""

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone, translation
from django.utils.formats import date_format
from openpyxl import Workbook
from pytest_django.fixtures import Settings

from accounts.models import User
from accounts.permissions import (
    ERROR_MINISTRY_ONLY,
    ERROR_NOT_A_COORDINATOR,
    ERROR_OTHER_REGION,
)
from events.api.base import ERROR_REGION_FOR_MINISTRY
from events.api.events import ERROR_UNKNOWN_EVENT
from events.api.years import ERROR_UNKNOWN_NOMINATION
from events.files import ERROR_WRONG_TYPE
from events.models import (
    ActivityType,
    Event,
    EventSource,
    EventStatus,
    Level,
    Nomination,
    NominationKind,
    ReviewStatus,
    WorkPlan,
)
from events.rules import (
    ERROR_END_BEFORE_START,
    ERROR_LEVEL,
    ERROR_NATIONAL_MINISTRY,
    ERROR_PARTICIPANTS_FUTURE,
    ERROR_PARTICIPANTS_NEGATIVE,
    ERROR_TYPE,
)
from events.serializers import ERROR_DATES_REVERSED, ERROR_MONTH, ActivityCountsSerializer
from events.services.events import ERROR_CANCELLED_IS_FINAL, ERROR_LECTURE_EVENTS, ERROR_STALE
from events.services.submissions import (
    ERROR_REVIEW_COMMENT,
    ERROR_REVIEW_STATUS,
    ERROR_TOO_MANY,
)
from events.spreadsheet import COLUMNS
from scheduling.api.base import ERROR_UNKNOWN_REGION, ERROR_UNKNOWN_YEAR
from scheduling.models import CampaignYear
from tests.factories import EventFactory, NominationFactory, published_year

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
Y = "/api/years/2027"
EVENT = {
    "title": "社区读书会",
    "activity_type": "themed_reading",
    "level": "prefecture",
    "region": "110000",
    "city": "海淀区",
    "venue": "海淀图书馆",
    "starts_at": "2027-09-23T14:00:00+08:00",
    "ends_at": "2027-09-23T16:00:00+08:00",
}
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HEADER = [zh for _cid, zh, _en, _req in COLUMNS]
GOOD_ROW = {
    "title": "读书分享会", "activity_type": "主题阅读活动", "level": "地市级", "city": "海淀区",
    "starts_at": "2027-09-23 14:00", "ends_at": "2027-09-23 16:00", "venue": "图书馆",
    "online_url": "", "organiser": "区教育局", "description": "", "participants": "",
}  # fmt: skip
# Signed-in roles refused for a Beijing write (anonymous is tested beside them: DRF answers it).
OUTSIDERS = [None, "resident", "lecturer", "other_coordinator"]
WRITERS = ["coordinator", "ministry_user"]


@pytest.fixture(autouse=True)
def _mid_2027(settings: Settings, tmp_path: Any) -> Iterator[None]:
    """1 July 2027: nominations still open, the spring's events past, autumn's to come."""
    settings.MEDIA_ROOT = str(tmp_path)
    with time_machine.travel(dt.datetime(2027, 7, 1, 10, tzinfo=SH)):
        yield


def en(text: Any, /, **params: Any) -> str:
    """A message as the API answers a client asking for English."""
    with translation.override("en"):
        return str(text % params) if params else str(text)


def local(moment: dt.datetime) -> str:
    with translation.override("en"):
        return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def choices(enum: Any) -> str:
    with translation.override("en"):
        return ", ".join(f"{value} ({label})" for value, label in enum.choices)


def api(user: User | None = None) -> Client:
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


def put_form(client: Client, url: str, form: dict[str, Any]) -> Any:
    return client.put(url, encode_multipart(BOUNDARY, form), content_type=MULTIPART_CONTENT)


def role(request: pytest.FixtureRequest, name: str | None) -> User | None:
    return request.getfixturevalue(name) if name else None


def refused(response: Any, name: str | None, other: str = "110000") -> None:
    """403 (or 401) with the permission check's own message."""
    assert response.status_code in (401, 403)
    if name == "other_coordinator":
        assert response.json() == {"detail": en(ERROR_OTHER_REGION, own="310000", other=other)}
    elif name:
        assert response.json() == {"detail": en(ERROR_NOT_A_COORDINATOR)}


def past_event(**fields: Any) -> Event:
    return EventFactory(
        starts_at=dt.datetime(2027, 5, 4, 9, tzinfo=SH),
        ends_at=dt.datetime(2027, 5, 4, 11, tzinfo=SH),
        **fields,
    )


def xlsx(rows: list[dict[str, str]]) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append([(GOOD_ROW | row)[cid] for cid, _zh, _en, _req in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("活动.xlsx", buffer.getvalue())


def pdf(name: str = "plan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- events: public reads --------------------------------------------------------------------


def test_event_list_anonymous_shows_the_calendar_fields_in_beijing_time() -> None:
    event = EventFactory(
        title="世界读书日分享会",
        level=Level.PREFECTURE,
        city="海淀区",
        online_url="https://live.example.cn/1",
        starts_at=dt.datetime(2027, 4, 23, 6, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2027, 4, 23, 8, 30, tzinfo=dt.UTC),
        participants=320,
    )
    response = api().get("/api/events/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    shown = body["results"][0]
    assert shown | {"last_modified": None} == {
        "id": event.pk, "uid": str(event.uid), "sequence": 0, "status": "confirmed",
        "title": "世界读书日分享会", "description": "", "activity_type": "themed_reading",
        "level": "prefecture", "region": "110000", "city": "海淀区", "venue": "市图书馆",
        "online_url": "https://live.example.cn/1", "starts_at": "2027-04-23T14:00:00+08:00",
        "ends_at": "2027-04-23T16:30:00+08:00", "organiser": "", "participants": 320,
        "participants_recorded_at": None, "cancel_reason": "", "source": "entered",
        "last_modified": None,
    }  # fmt: skip
    assert shown["last_modified"].endswith("+08:00")
    assert api().get(f"/api/events/{event.pk}/").json() == shown


def test_event_detail_unknown_is_404() -> None:
    response = api().get("/api/events/424242/")
    assert response.status_code == 404
    assert response.json() == {"detail": en(ERROR_UNKNOWN_EVENT, id="424242")}


def test_event_list_keeps_cancelled_and_national_events() -> None:
    EventFactory(title="取消的", status=EventStatus.CANCELLED, cancel_reason="暴雨")
    EventFactory(title="全国的", level=Level.NATIONAL, region_id=None)
    shown = {e["title"]: e for e in api().get("/api/events/").json()["results"]}
    assert shown["取消的"]["status"] == "cancelled"
    assert shown["取消的"]["cancel_reason"] == "暴雨"
    assert shown["全国的"]["region"] is None


@pytest.fixture
def spread() -> None:
    """Four events over two regions, types, levels and months."""
    EventFactory(title="北京四月读书", starts_at=dt.datetime(2027, 4, 10, 9, tzinfo=SH))
    EventFactory(
        title="北京五月数字阅读",
        activity_type=ActivityType.DIGITAL_READING,
        starts_at=dt.datetime(2027, 5, 10, 9, tzinfo=SH),
    )
    EventFactory(
        title="上海四月县级",
        region_id="310000",
        level=Level.COUNTY,
        city="崇明区",
        starts_at=dt.datetime(2027, 4, 30, 23, tzinfo=SH),  # 15:00 UTC: still April in Beijing
    )
    EventFactory(
        title="上海六月",
        region_id="310000",
        organiser="上海图书馆",
        starts_at=dt.datetime(2027, 6, 1, 0, 30, tzinfo=SH),
    )


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("region=110000", ["北京四月读书", "北京五月数字阅读"]),
        ("activity_type=digital_reading", ["北京五月数字阅读"]),
        ("level=county", ["上海四月县级"]),
        ("month=2027-04", ["北京四月读书", "上海四月县级"]),
        ("q=上海图书馆", ["上海六月"]),
        ("q=崇明", ["上海四月县级"]),
        # Still running on 1 May (it ends at 01:00), so it counts.
        ("from=2027-05-01", ["上海四月县级", "北京五月数字阅读", "上海六月"]),
        ("from=2027-05-02", ["北京五月数字阅读", "上海六月"]),
        ("to=2027-04-30", ["北京四月读书", "上海四月县级"]),
        ("from=2027-05-10&to=2027-05-10", ["北京五月数字阅读"]),
        ("region=310000&month=2027-06", ["上海六月"]),
        ("region=&month=", ["北京四月读书", "上海四月县级", "北京五月数字阅读", "上海六月"]),
    ],
)
def test_event_list_filters(spread: None, query: str, titles: list[str]) -> None:
    response = api().get(f"/api/events/?{query}")
    assert response.status_code == 200
    assert [e["title"] for e in response.json()["results"]] == titles


@pytest.mark.parametrize(
    ("query", "parameter", "expected"),
    [
        ("month=2027-13", "month", lambda: en(ERROR_MONTH, value="2027-13")),
        ("month=April", "month", lambda: en(ERROR_MONTH, value="April")),
        ("region=999999", "region", lambda: en(ERROR_UNKNOWN_REGION, code="999999")),
        (
            "activity_type=concert",
            "activity_type",
            lambda: en(ERROR_TYPE, value="concert", choices=choices(ActivityType)),
        ),
        (
            "level=village",
            "level",
            lambda: en(ERROR_LEVEL, value="village", choices=choices(Level)),
        ),
        (
            "from=2027-02-30",
            "from",
            lambda: "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
        ),
        (
            "from=2027-05-02&to=2027-05-01",
            "to",
            lambda: en(ERROR_DATES_REVERSED, to="2027-05-01", **{"from": "2027-05-02"}),
        ),
        ("q=" + "书" * 101, "q", lambda: "Ensure this field has no more than 100 characters."),
    ],
    ids=[
        "month-13",
        "month-words",
        "unknown-region",
        "unknown-type",
        "unknown-level",
        "bad-date",
        "reversed-range",
        "long-search",
    ],
)
def test_event_list_bad_filter_is_400_naming_the_parameter(
    query: str, parameter: str, expected: Any
) -> None:
    response = api().get(f"/api/events/?{query}")
    assert response.status_code == 400
    assert response.json() == {"errors": {parameter: [expected()]}}


def test_event_list_queries_do_not_grow_with_events(
    coordinator: User, django_assert_max_num_queries: Any
) -> None:
    anonymous, signed_in = api(), api(coordinator)
    for count in (1, 30):
        EventFactory.create_batch(count - Event.objects.count())
        with django_assert_max_num_queries(2):  # count, page
            assert len(anonymous.get("/api/events/").json()["results"]) == count
        with django_assert_max_num_queries(5):  # session, user, the region filter, count, page
            listed = signed_in.get("/api/events/?region=110000&activity_type=themed_reading").json()
        assert len(listed["results"]) == count


def test_event_list_is_paged() -> None:
    EventFactory.create_batch(3)
    body = api().get("/api/events/?limit=2").json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"].endswith("limit=2&offset=2")


# --- events: create --------------------------------------------------------------------------


@pytest.mark.parametrize("name", OUTSIDERS)
def test_event_create_refused_for_outsiders_stores_nothing(
    request: pytest.FixtureRequest, name: str | None
) -> None:
    response = send(api(role(request, name)), "post", "/api/events/", EVENT)
    refused(response, name)
    assert not Event.objects.exists()


@pytest.mark.parametrize("name", WRITERS)
def test_event_create_by_own_coordinator_or_ministry(
    request: pytest.FixtureRequest, name: str
) -> None:
    user = role(request, name)
    response = send(api(user), "post", "/api/events/", EVENT | {"status": "tentative"})
    assert response.status_code == 201
    body = response.json()
    assert body["region"] == "110000"
    assert body["status"] == "tentative"
    assert (body["sequence"], body["source"]) == (0, "entered")
    assert body["starts_at"] == "2027-09-23T14:00:00+08:00"
    event = Event.objects.get()
    assert (event.pk, event.created_by, event.city) == (body["id"], user, "海淀区")


def test_event_create_naive_time_is_beijing_time(coordinator: User) -> None:
    body = EVENT | {"starts_at": "2027-09-23T14:00", "ends_at": "2027-09-23 16:00"}
    response = send(api(coordinator), "post", "/api/events/", body)
    assert response.status_code == 201
    assert Event.objects.get().starts_at == dt.datetime(2027, 9, 23, 6, tzinfo=dt.UTC)


def test_event_create_in_another_region_is_403(coordinator: User) -> None:
    response = send(api(coordinator), "post", "/api/events/", EVENT | {"region": "310000"})
    assert response.status_code == 403
    assert response.json() == {"detail": en(ERROR_OTHER_REGION, own="110000", other="310000")}
    assert not Event.objects.exists()


def test_national_event_by_a_coordinator_is_refused(coordinator: User) -> None:
    client = api(coordinator)
    national = EVENT | {"level": "national", "region": None, "city": ""}
    response = send(client, "post", "/api/events/", national)
    assert response.status_code == 403
    assert response.json() == {"detail": en(ERROR_NATIONAL_MINISTRY)}
    with_region = send(client, "post", "/api/events/", national | {"region": "110000"})
    assert with_region.status_code == 400
    assert with_region.json() == {"errors": {"level": [en(ERROR_NATIONAL_MINISTRY)]}}
    assert not Event.objects.exists()


def test_national_event_by_the_ministry(ministry_user: User) -> None:
    national = EVENT | {"level": "national", "region": None, "city": ""}
    response = send(api(ministry_user), "post", "/api/events/", national)
    assert response.status_code == 201
    assert response.json()["region"] is None
    assert Event.objects.get().region is None


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        (
            {"ends_at": "2027-09-23T13:00:00+08:00"},
            "ends_at",
            lambda: en(
                ERROR_END_BEFORE_START,
                end=local(dt.datetime(2027, 9, 23, 13, tzinfo=SH)),
                start=local(dt.datetime(2027, 9, 23, 14, tzinfo=SH)),
            ),
        ),
        (
            {"activity_type": "concert"},
            "activity_type",
            lambda: en(ERROR_TYPE, value="concert", choices=choices(ActivityType)),
        ),
        (
            {"level": "village"},
            "level",
            lambda: en(ERROR_LEVEL, value="village", choices=choices(Level)),
        ),
        (
            {
                "starts_at": "2027-05-01T09:00:00+08:00",
                "ends_at": "2027-05-01T11:00:00+08:00",
                "participants": -3,
            },
            "participants",
            lambda: en(ERROR_PARTICIPANTS_NEGATIVE),
        ),
        ({"participants": 40}, "participants", lambda: en(ERROR_PARTICIPANTS_FUTURE)),
        ({"region": "999999"}, "region", lambda: en(ERROR_UNKNOWN_REGION, code="999999")),
        ({"title": "  "}, "title", lambda: "This field is required."),
        (
            {"title": "书" * 201},
            "title",
            lambda: "Ensure this field has no more than 200 characters.",
        ),
        (
            {"starts_at": "next Tuesday"},
            "starts_at",
            lambda: (
                "Datetime has wrong format. Use one of these formats instead: "
                "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
            ),
        ),
        (
            {"status": "cancelled"},
            "status",
            lambda: '"cancelled" is not a valid choice.',
        ),
        ({"participants": "many"}, "participants", lambda: "A valid integer is required."),
    ],
    ids=[
        "end-before-start",
        "unknown-type",
        "unknown-level",
        "negative-participants",
        "participants-before-the-event",
        "unknown-region",
        "blank-title",
        "long-title",
        "bad-time",
        "created-cancelled",
        "participants-not-a-number",
    ],
)
def test_event_create_bad_input_is_400_and_stores_nothing(
    coordinator: User, change: dict[str, Any], field: str, expected: Any
) -> None:
    response = send(api(coordinator), "post", "/api/events/", EVENT | change)
    assert response.status_code == 400
    assert response.json()["errors"][field] == [expected()]
    assert not Event.objects.exists()


def test_event_create_missing_fields_and_bad_json(coordinator: User) -> None:
    client = api(coordinator)
    response = send(client, "post", "/api/events/", {"region": "110000"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "title", "activity_type", "level", "starts_at", "ends_at",
    }  # fmt: skip
    broken = client.post("/api/events/", "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert "JSON parse error" in broken.json()["detail"]
    assert not Event.objects.exists()


# --- events: change, cancel, participants ----------------------------------------------------


@pytest.mark.parametrize("name", OUTSIDERS)
def test_event_writes_refused_for_outsiders_change_nothing(
    request: pytest.FixtureRequest, name: str | None
) -> None:
    event = past_event()
    client = api(role(request, name))
    url = f"/api/events/{event.pk}/"
    refused(send(client, "patch", url, {"venue": "别处"}), name)
    refused(send(client, "post", f"{url}cancel/", {"reason": "不办了"}), name)
    refused(send(client, "post", f"{url}participants/", {"participants": 99}), name)
    event.refresh_from_db()
    assert (event.venue, event.status, event.participants, event.sequence) == (
        "市图书馆", EventStatus.CONFIRMED, None, 0,
    )  # fmt: skip


@pytest.mark.parametrize("name", WRITERS)
def test_event_patch_of_time_bumps_the_sequence_seen_through_the_api(
    request: pytest.FixtureRequest, name: str
) -> None:
    event = EventFactory()
    client = api(role(request, name))
    url = f"/api/events/{event.pk}/"
    renamed = send(client, "patch", url, {"title": "新标题", "expected_sequence": 0})
    assert renamed.status_code == 200
    assert (renamed.json()["title"], renamed.json()["sequence"]) == ("新标题", 0)
    moved = send(
        client,
        "patch",
        url,
        {"starts_at": "2027-09-24T09:00:00+08:00", "ends_at": "2027-09-24T11:00:00+08:00"},
    )
    assert moved.status_code == 200
    assert moved.json()["sequence"] == 1
    shown = client.get(url).json()
    assert (shown["sequence"], shown["starts_at"]) == (1, "2027-09-24T09:00:00+08:00")
    assert shown["last_modified"] >= renamed.json()["last_modified"]


def test_event_patch_on_a_stale_sequence_is_refused(coordinator: User) -> None:
    event = EventFactory()
    client = api(coordinator)
    url = f"/api/events/{event.pk}/"
    assert (
        send(client, "patch", url, {"venue": "文化馆", "expected_sequence": 0}).json()["sequence"]
        == 1
    )
    stale = send(client, "patch", url, {"venue": "体育馆", "expected_sequence": 0})
    assert stale.status_code == 400
    assert stale.json() == {"detail": en(ERROR_STALE, now=1, yours=0)}
    assert Event.objects.get().venue == "文化馆"


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        (
            {"ends_at": "2027-01-01T00:00:00+08:00"},
            "ends_at",
            lambda e: en(
                ERROR_END_BEFORE_START,
                end=local(dt.datetime(2027, 1, 1, tzinfo=SH)),
                start=local(e.starts_at),
            ),
        ),
        (
            {"level": "village"},
            "level",
            lambda e: en(ERROR_LEVEL, value="village", choices=choices(Level)),
        ),
        ({"level": "national"}, "level", lambda e: en(ERROR_NATIONAL_MINISTRY)),
        ({"region": "12"}, "region", lambda e: en(ERROR_UNKNOWN_REGION, code="12")),
        (
            {"expected_sequence": -1},
            "expected_sequence",
            lambda e: "Ensure this value is greater than or equal to 0.",
        ),
    ],
    ids=["end-before-start", "unknown-level", "national", "unknown-region", "negative-sequence"],
)
def test_event_patch_bad_input_is_400_and_changes_nothing(
    coordinator: User, change: dict[str, Any], field: str, expected: Any
) -> None:
    event = EventFactory()
    response = send(api(coordinator), "patch", f"/api/events/{event.pk}/", change)
    assert response.status_code == 400
    assert response.json()["errors"][field] == [expected(event)]
    assert Event.objects.get().last_modified == event.last_modified


def test_event_moved_to_another_region_is_403(coordinator: User) -> None:
    event = EventFactory()
    response = send(api(coordinator), "patch", f"/api/events/{event.pk}/", {"region": "310000"})
    assert response.status_code == 403
    assert response.json() == {"detail": en(ERROR_OTHER_REGION, own="110000", other="310000")}
    assert Event.objects.get().region_id == "110000"


def test_national_and_lecture_hall_events_are_not_the_coordinators(coordinator: User) -> None:
    national = EventFactory(level=Level.NATIONAL, region_id=None)
    response = send(api(coordinator), "patch", f"/api/events/{national.pk}/", {"venue": "x"})
    assert response.status_code == 403
    assert response.json() == {"detail": en(ERROR_MINISTRY_ONLY)}
    session = EventFactory(source=EventSource.LECTURE_HALL)
    response = send(api(coordinator), "patch", f"/api/events/{session.pk}/", {"venue": "x"})
    assert response.status_code == 403
    assert response.json() == {"detail": en(ERROR_LECTURE_EVENTS)}


@pytest.mark.parametrize("name", WRITERS)
def test_event_cancel_keeps_it_and_bumps_the_sequence(
    request: pytest.FixtureRequest, name: str
) -> None:
    event = EventFactory()
    client = api(role(request, name))
    url = f"/api/events/{event.pk}/"
    blank = send(client, "post", f"{url}cancel/", {"reason": "  "})
    assert blank.status_code == 400
    assert blank.json() == {"errors": {"reason": ["Say why the event is cancelled."]}}
    response = send(client, "post", f"{url}cancel/", {"reason": "场地维修"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["sequence"], body["cancel_reason"]) == ("cancelled", 1, "场地维修")
    assert client.get(url).json()["status"] == "cancelled"
    edit = send(client, "patch", url, {"title": "复活"})
    assert edit.status_code == 400
    assert edit.json() == {"detail": en(ERROR_CANCELLED_IS_FINAL)}


@pytest.mark.parametrize("name", [None, "coordinator", "ministry_user"])
def test_events_are_never_deleted_or_replaced(
    request: pytest.FixtureRequest, name: str | None
) -> None:
    event = EventFactory()
    client = api(role(request, name))
    if name:
        assert client.delete(f"/api/events/{event.pk}/").status_code == 405
        assert send(client, "put", f"/api/events/{event.pk}/", EVENT).status_code == 405
    else:
        assert client.delete(f"/api/events/{event.pk}/").status_code in (403, 405)
    assert Event.objects.get().title == event.title


@pytest.mark.parametrize("name", WRITERS)
def test_event_participants_recorded_after_the_event(
    request: pytest.FixtureRequest, name: str
) -> None:
    event = past_event()
    client = api(role(request, name))
    url = f"/api/events/{event.pk}/participants/"
    response = send(client, "post", url, {"participants": 812})
    assert response.status_code == 200
    assert response.json()["participants"] == 812
    assert response.json()["participants_recorded_at"].endswith("+08:00")
    negative = send(client, "post", url, {"participants": -1})
    assert negative.status_code == 400
    assert negative.json() == {"errors": {"participants": [en(ERROR_PARTICIPANTS_NEGATIVE)]}}
    assert Event.objects.get().participants == 812


def test_event_participants_before_the_event_is_refused(coordinator: User) -> None:
    event = EventFactory(starts_at=dt.datetime(2027, 9, 1, 9, tzinfo=SH))
    response = send(
        api(coordinator), "post", f"/api/events/{event.pk}/participants/", {"participants": 5}
    )
    assert response.status_code == 400
    assert response.json() == {"errors": {"participants": [en(ERROR_PARTICIPANTS_FUTURE)]}}
    missing = send(api(coordinator), "post", f"/api/events/{event.pk}/participants/", {})
    assert missing.json() == {"errors": {"participants": ["This field is required."]}}
    assert Event.objects.get().participants is None


# --- import ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", OUTSIDERS)
def test_import_refused_for_outsiders_stores_nothing(
    request: pytest.FixtureRequest, name: str | None
) -> None:
    client = api(role(request, name))
    response = client.post("/api/events/import/", {"file": xlsx([{}]), "region": "110000"})
    refused(response, name)
    assert not Event.objects.exists()


def test_import_by_coordinator_into_own_region_then_again(coordinator: User) -> None:
    client = api(coordinator)
    rows = [{}, {"title": "数字阅读沙龙", "activity_type": "数字阅读分享活动"}]
    response = client.post("/api/events/import/", {"file": xlsx(rows)})
    assert response.status_code == 200
    assert response.json() == {
        "region": "110000", "created": 2, "updated": 0, "unchanged": 0, "cancelled": 0,
    }  # fmt: skip
    again = client.post("/api/events/import/", {"file": xlsx(rows)})
    assert again.json() == {
        "region": "110000", "created": 0, "updated": 0, "unchanged": 2, "cancelled": 0,
    }  # fmt: skip
    assert set(Event.objects.values_list("region_id", "source")) == {("110000", "imported")}


def test_import_by_ministry_needs_a_known_region(ministry_user: User) -> None:
    client = api(ministry_user)
    missing = client.post("/api/events/import/", {"file": xlsx([{}])})
    assert missing.status_code == 400
    assert missing.json() == {"errors": {"region": [en(ERROR_REGION_FOR_MINISTRY)]}}
    unknown = client.post("/api/events/import/", {"file": xlsx([{}]), "region": "999999"})
    assert unknown.status_code == 400
    assert unknown.json() == {"errors": {"region": [en(ERROR_UNKNOWN_REGION, code="999999")]}}
    assert not Event.objects.exists()
    response = client.post("/api/events/import/", {"file": xlsx([{}]), "region": "310000"})
    assert response.status_code == 200
    assert Event.objects.get().region_id == "310000"


def test_import_into_another_region_is_403(coordinator: User) -> None:
    response = api(coordinator).post(
        "/api/events/import/", {"file": xlsx([{}]), "region": "310000"}
    )
    assert response.status_code == 403
    assert response.json() == {"detail": en(ERROR_OTHER_REGION, own="110000", other="310000")}


def test_import_with_bad_rows_names_each_line_and_stores_nothing(coordinator: User) -> None:
    rows = [
        {},
        {"title": "结束早于开始", "ends_at": "2027-09-23 13:00"},
        {"title": "坏类型", "activity_type": "音乐会"},
        {"title": "负人次", "starts_at": "2027-05-01 09:00", "ends_at": "2027-05-01 10:00",
         "participants": "-3"},
    ]  # fmt: skip
    response = api(coordinator).post("/api/events/import/", {"file": xlsx(rows)})
    assert response.status_code == 400
    body = response.json()
    assert body["imported"] == 0
    assert {(e["line"], e["column"]) for e in body["errors"]} == {
        (3, "结束时间"), (4, "活动类型"), (5, "参加人次"),
    }  # fmt: skip
    negative = next(e for e in body["errors"] if e["line"] == 5)
    assert negative["message"] == en(ERROR_PARTICIPANTS_NEGATIVE)
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (PDF + b"\x00\x00", "neither an Excel workbook"),
        (b"PK\x03\x04broken zip", "cannot be opened"),
        (b"", "empty"),
    ],
    ids=["pdf", "broken-xlsx", "empty"],
)
def test_import_of_a_file_that_is_not_a_spreadsheet(
    coordinator: User, content: bytes, words: str
) -> None:
    upload = SimpleUploadedFile("活动.xlsx", content)
    response = api(coordinator).post("/api/events/import/", {"file": upload})
    assert response.status_code == 400
    body = response.json()
    assert body["imported"] == 0
    assert [(e["line"], e["column"]) for e in body["errors"]] == [(1, "")]
    assert words in body["errors"][0]["message"]
    assert not Event.objects.exists()


def test_import_without_a_file_is_400(coordinator: User) -> None:
    response = api(coordinator).post("/api/events/import/", {})
    assert response.status_code == 400
    assert response.json() == {"errors": {"file": ["No file was submitted."]}}


# --- work plans ------------------------------------------------------------------------------


@pytest.fixture
def before_plans() -> Iterator[None]:
    """1 December 2026: plans for 2027 are due by 31 December."""
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=SH)):
        yield


@pytest.mark.parametrize("name", [None, "resident", "lecturer"])
def test_plans_list_refused_without_a_coordinator_or_ministry_role(
    request: pytest.FixtureRequest, name: str | None, campaign_2027: CampaignYear
) -> None:
    response = api(role(request, name)).get(f"{Y}/plans/")
    assert response.status_code == 403
    if name:
        assert response.json() == {"detail": en(ERROR_NOT_A_COORDINATOR)}


@pytest.mark.parametrize("name", OUTSIDERS)
def test_plan_put_refused_for_outsiders_stores_nothing(
    request: pytest.FixtureRequest,
    name: str | None,
    campaign_2027: CampaignYear,
    before_plans: None,
) -> None:
    response = put_form(
        api(role(request, name)), f"{Y}/plans/110000/", {"title": "方案", "document": pdf()}
    )
    refused(response, name)
    assert not WorkPlan.objects.exists()


def test_plan_put_by_coordinator_then_replaced_and_listed_by_region(
    campaign_2027: CampaignYear,
    coordinator: User,
    other_coordinator: User,
    ministry_user: User,
    before_plans: None,
) -> None:
    client = api(coordinator)
    created = put_form(client, f"{Y}/plans/110000/", {"title": "北京方案", "document": pdf()})
    assert created.status_code == 201
    body = created.json()
    assert (body["region"], body["title"], body["status"]) == ("110000", "北京方案", "submitted")
    assert body["document"].startswith("http://testserver/media/plans/")
    replaced = put_form(client, f"{Y}/plans/110000/", {"title": "北京方案二", "document": pdf()})
    assert replaced.status_code == 200
    shanghai = put_form(
        api(ministry_user), f"{Y}/plans/310000/", {"title": "上海方案", "document": pdf()}
    )
    assert shanghai.status_code == 201
    assert [p["title"] for p in client.get(f"{Y}/plans/").json()] == ["北京方案二"]
    assert [p["title"] for p in api(other_coordinator).get(f"{Y}/plans/").json()] == ["上海方案"]
    assert [p["region"] for p in api(ministry_user).get(f"{Y}/plans/").json()] == [
        "110000",
        "310000",
    ]


def test_plan_that_is_not_a_pdf_is_400(
    campaign_2027: CampaignYear, coordinator: User, before_plans: None
) -> None:
    exe = pdf("plan.pdf", b"MZ\x90\x00 an exe")
    response = put_form(api(coordinator), f"{Y}/plans/110000/", {"title": "方案", "document": exe})
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"document": [en(ERROR_WRONG_TYPE, name="plan.pdf", allowed="PDF")]}
    }
    assert not WorkPlan.objects.exists()


def test_plan_after_the_deadline_is_403_for_coordinators(
    campaign_2027: CampaignYear, coordinator: User
) -> None:
    response = put_form(api(coordinator), f"{Y}/plans/110000/", {"title": "迟", "document": pdf()})
    assert response.status_code == 403
    assert "deadline" in response.json()["detail"]
    assert not WorkPlan.objects.exists()


def test_plan_unknown_region_or_year_is_404(
    campaign_2027: CampaignYear, ministry_user: User, before_plans: None
) -> None:
    client = api(ministry_user)
    response = put_form(client, f"{Y}/plans/999999/", {"title": "方案", "document": pdf()})
    assert response.status_code == 404
    assert response.json() == {"detail": en(ERROR_UNKNOWN_REGION, code="999999")}
    assert client.get("/api/years/2031/plans/").json() == {
        "detail": en(ERROR_UNKNOWN_YEAR, year=2031)
    }


# --- nominations -----------------------------------------------------------------------------


def nominate(**fields: Any) -> dict[str, Any]:
    return {"kind": "learning_star", "name": "张老师", "summary": "社区学习三十年"} | fields


@pytest.fixture
def nominations(campaign_2027: CampaignYear) -> dict[str, Nomination]:
    return {
        "beijing_submitted": NominationFactory(campaign_year=campaign_2027, name="北京待审"),
        "beijing_accepted": NominationFactory(
            campaign_year=campaign_2027, name="北京入选", status=ReviewStatus.ACCEPTED
        ),
        "shanghai_submitted": NominationFactory(
            campaign_year=campaign_2027, region_id="310000", name="上海待审"
        ),
        "shanghai_accepted": NominationFactory(
            campaign_year=campaign_2027,
            region_id="310000",
            kind=NominationKind.BRAND_PROJECT,
            name="上海品牌",
            status=ReviewStatus.ACCEPTED,
        ),
    }


@pytest.mark.parametrize(
    ("name", "visible"),
    [
        (None, ["北京入选", "上海品牌"]),
        ("resident", ["北京入选", "上海品牌"]),
        ("coordinator", ["北京入选", "北京待审", "上海品牌"]),
        ("other_coordinator", ["北京入选", "上海品牌", "上海待审"]),
        ("ministry_user", ["北京入选", "北京待审", "上海品牌", "上海待审"]),
    ],
)
def test_nominations_list_by_role(
    request: pytest.FixtureRequest,
    nominations: dict[str, Nomination],
    name: str | None,
    visible: list[str],
) -> None:
    response = api(role(request, name)).get(f"{Y}/nominations/")
    assert response.status_code == 200
    assert [n["name"] for n in response.json()] == visible


@pytest.mark.parametrize("name", OUTSIDERS)
def test_nomination_post_refused_for_outsiders_stores_nothing(
    request: pytest.FixtureRequest, name: str | None, campaign_2027: CampaignYear
) -> None:
    response = api(role(request, name)).post(
        f"{Y}/nominations/", nominate(region="110000", material=pdf())
    )
    refused(response, name)
    assert not Nomination.objects.exists()


@pytest.mark.parametrize("name", WRITERS)
def test_nomination_post_by_coordinator_or_ministry(
    request: pytest.FixtureRequest, name: str, campaign_2027: CampaignYear
) -> None:
    response = api(role(request, name)).post(
        f"{Y}/nominations/", nominate(region="110000", material=pdf("事迹.pdf"))
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["region"], body["kind"], body["name"], body["status"]) == (
        "110000", "learning_star", "张老师", "submitted",
    )  # fmt: skip
    assert body["material"].startswith("http://testserver/media/nominations/")
    assert Nomination.objects.get().region_id == "110000"


def test_nomination_post_coordinator_defaults_to_own_region(
    campaign_2027: CampaignYear, other_coordinator: User, ministry_user: User
) -> None:
    response = api(other_coordinator).post(f"{Y}/nominations/", nominate())
    assert response.json()["region"] == "310000"
    assert response.json()["material"] is None
    missing = api(ministry_user).post(f"{Y}/nominations/", nominate(name="王老师"))
    assert missing.status_code == 400
    assert missing.json() == {"errors": {"region": [en(ERROR_REGION_FOR_MINISTRY)]}}


def test_sixth_nomination_of_a_kind_is_400(campaign_2027: CampaignYear, coordinator: User) -> None:
    NominationFactory.create_batch(5, campaign_year=campaign_2027)
    response = api(coordinator).post(f"{Y}/nominations/", nominate(name="第六位"))
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"kind": [en(ERROR_TOO_MANY, max=5, region="110000", count=5)]}
    }
    assert Nomination.objects.count() == 5
    brand = api(coordinator).post(f"{Y}/nominations/", nominate(kind="brand_project"))
    assert brand.status_code == 201


@pytest.mark.parametrize(
    ("fields", "field", "expected"),
    [
        ({"kind": "hero"}, "kind", "Choose learning_star or brand_project."),
        ({"name": " "}, "name", "This field is required."),
        (
            {"material": SimpleUploadedFile("photo.png", b"GIF89a not allowed")},
            "material",
            "The file photo.png is not a PDF/PNG/JPEG/WEBP file (its content says otherwise, "
            "whatever its name).",
        ),
    ],
    ids=["unknown-kind", "blank-name", "material-not-pdf-or-image"],
)
def test_nomination_bad_input_is_400(
    campaign_2027: CampaignYear,
    coordinator: User,
    fields: dict[str, Any],
    field: str,
    expected: str,
) -> None:
    response = api(coordinator).post(f"{Y}/nominations/", nominate(**fields))
    assert response.status_code == 400
    assert response.json()["errors"][field] == [expected]
    assert not Nomination.objects.exists()


@pytest.mark.parametrize("name", [None, "resident", "lecturer", "coordinator"])
def test_nomination_review_refused_for_non_ministry(
    request: pytest.FixtureRequest, name: str | None, nominations: dict[str, Nomination]
) -> None:
    nomination = nominations["beijing_submitted"]
    response = send(
        api(role(request, name)),
        "post",
        f"{Y}/nominations/{nomination.pk}/review/",
        {"status": "accepted"},
    )
    assert response.status_code in (401, 403)
    if name:
        assert response.json() == {"detail": en(ERROR_MINISTRY_ONLY)}
    nomination.refresh_from_db()
    assert nomination.status == ReviewStatus.SUBMITTED


def test_nomination_review_by_ministry(
    nominations: dict[str, Nomination], ministry_user: User
) -> None:
    client = api(ministry_user)
    url = f"{Y}/nominations/{nominations['beijing_submitted'].pk}/review/"
    no_comment = send(client, "post", url, {"status": "returned"})
    assert no_comment.status_code == 400
    assert no_comment.json() == {"errors": {"review_comment": [en(ERROR_REVIEW_COMMENT)]}}
    bad_status = send(client, "post", url, {"status": "maybe"})
    assert bad_status.json() == {"errors": {"status": [en(ERROR_REVIEW_STATUS)]}}
    accepted = send(client, "post", url, {"status": "accepted"})
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert "北京待审" in [n["name"] for n in api().get(f"{Y}/nominations/").json()]
    returned = client.post(url, {"status": "returned", "comment": "补充材料"})  # a form works too
    assert (returned.json()["status"], returned.json()["review_comment"]) == (
        "returned",
        "补充材料",
    )
    missing = send(client, "post", f"{Y}/nominations/424242/review/", {"status": "accepted"})
    assert missing.status_code == 404
    assert missing.json() == {"detail": en(ERROR_UNKNOWN_NOMINATION, year=2027, id="424242")}


# --- coverage --------------------------------------------------------------------------------


def test_coverage_anonymous_shows_every_week(
    ministry_user: User, django_assert_max_num_queries: Any
) -> None:
    published_year(ministry_user, 2027, {"110000": 12})
    EventFactory(starts_at=dt.datetime(2027, 3, 23, 9, tzinfo=SH))  # week 12
    EventFactory(
        activity_type=ActivityType.LECTURE_HALL, starts_at=dt.datetime(2027, 3, 24, 9, tzinfo=SH)
    )
    EventFactory(starts_at=dt.datetime(2027, 4, 5, 9, tzinfo=SH))  # week 14
    EventFactory(starts_at=dt.datetime(2027, 4, 6, 9, tzinfo=SH), status=EventStatus.CANCELLED)
    with django_assert_max_num_queries(6):
        response = api().get(f"{Y}/coverage/")
    assert response.status_code == 200
    weeks = {w["number"]: w for w in response.json()}
    assert sorted(weeks) == list(range(1, 53))
    zero = dict.fromkeys(ActivityType.values, 0)
    assert weeks[12] == {
        "number": 12, "starts_on": "2027-03-22", "ends_on": "2027-03-28",
        "learning_week_regions": ["110000"],
        "counts": zero | {"themed_reading": 1, "lecture_hall": 1},
        "total": 2, "has_activity": True,
    }  # fmt: skip
    assert weeks[14]["counts"] == zero | {"themed_reading": 1}  # the cancelled one not counted
    assert (weeks[13]["total"], weeks[13]["has_activity"]) == (0, True)  # Jiangsu's week
    assert weeks[13]["learning_week_regions"] != []
    assert (weeks[50]["learning_week_regions"], weeks[50]["has_activity"]) == ([], False)


def test_coverage_unknown_year_is_404() -> None:
    response = api().get("/api/years/2031/coverage/")
    assert response.status_code == 404
    assert response.json() == {"detail": en(ERROR_UNKNOWN_YEAR, year=2031)}


def test_coverage_counts_every_activity_type() -> None:
    assert list(ActivityCountsSerializer().fields) == ActivityType.values


# --- schema ----------------------------------------------------------------------------------


def test_openapi_schema_lists_every_events_path() -> None:
    response = api().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        "/api/events/": {"get", "post"},
        "/api/events/{id}/": {"get", "patch"},
        "/api/events/{id}/cancel/": {"post"},
        "/api/events/{id}/participants/": {"post"},
        "/api/events/import/": {"post"},
        "/api/years/{year}/plans/": {"get"},
        "/api/years/{year}/plans/{region_code}/": {"put"},
        "/api/years/{year}/nominations/": {"get", "post"},
        "/api/years/{year}/nominations/{id}/review/": {"post"},
        "/api/years/{year}/coverage/": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert set(paths[path]) - {"parameters"} == methods, path
    create = paths["/api/events/"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EventCreate"
    }
    assert set(create["responses"]) == {"201", "400", "403"}
    upload = paths["/api/events/import/"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"] == {"$ref": "#/components/schemas/EventImport"}
    plan = paths["/api/years/{year}/plans/{region_code}/"]["put"]["requestBody"]["content"]
    assert "multipart/form-data" in plan
    listed = paths["/api/events/"]["get"]
    assert {"region", "activity_type", "level", "month", "q", "from", "to"} <= {
        p["name"] for p in listed["parameters"]
    }
    # Scheduling's year routes are still there beside these.
    assert "/api/years/{year}/weeks/" in paths
