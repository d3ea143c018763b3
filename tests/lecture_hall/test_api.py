"""The lecture hall REST API: public reads (never drafts), every write as every role, each rule
of a session answered with the service's message, conflicts, query counts and the schema."""

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts.models import Role, User
from events.models import Event, EventStatus
from lecture_hall.api.sessions import ERROR_UNKNOWN_SESSION
from lecture_hall.models import Lecturer, LecturerStatus, Series, Session, SessionChange
from lecture_hall.serializers import (
    ERROR_DRAFTS_ONLY_MINE,
    ERROR_MOMENT,
    ERROR_RANGE_REVERSED,
    ERROR_STATE_FILTER,
    ERROR_UNKNOWN_LECTURER,
    ERROR_UNKNOWN_SERIES,
)
from lecture_hall.services import (
    series_create,
    session_cancel,
    session_create,
    session_end,
    session_publish,
    session_update,
)
from lecture_hall.services.series import ERROR_LECTURER_REGION
from lecture_hall.services.sessions import (
    ERROR_CLASH,
    ERROR_DURATION,
    ERROR_END_PASSED,
    ERROR_IN_PAST,
    ERROR_NOT_STARTED,
    ERROR_REASON,
    ERROR_STALE,
)
from scheduling.api.base import ERROR_UNKNOWN_REGION
from tests.factories import LecturerFactory, UserFactory

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH)
START = dt.datetime(2027, 3, 10, 19, 0, tzinfo=SH)
AFTER_START = dt.datetime(2027, 3, 10, 20, 35, tzinfo=SH)
SESSION_BODY = {
    "title": "健康老龄化",
    "abstract": "老年人如何科学运动",
    "starts_at": "2027-03-10T19:00:00+08:00",
    "duration_minutes": 90,
    "stream_url": "https://live.example.cn/s/1",
}


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    """Now is 1 March 2027, 09:00 in Beijing; tests move it on when a session must have started."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def en(text: Any, /, **params: Any) -> str:
    """A message as the API answers a client asking for English."""
    with translation.override("en"):
        return str(text % params) if params else str(text)


def local(moment: dt.datetime) -> str:
    with translation.override("en"):
        return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def api(user: User | None = None) -> Client:
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


# --- people ------------------------------------------------------------------------------------


@pytest.fixture
def teacher() -> Lecturer:
    """An approved lecturer of Chongqing (500000)."""
    return LecturerFactory(name="王教授")


@pytest.fixture
def other_teacher() -> Lecturer:
    return LecturerFactory(name="李老师")


@pytest.fixture
def own_lecturer(teacher: Lecturer) -> User:
    return teacher.user


@pytest.fixture
def other_lecturer(other_teacher: Lecturer) -> User:
    return other_teacher.user


@pytest.fixture
def region_coordinator() -> User:
    """The coordinator of the session's region (Chongqing)."""
    return UserFactory(role=Role.COORDINATOR, region_id="500000")


def role(request: pytest.FixtureRequest, name: str | None) -> User | None:
    # `coordinator` (tests/fixtures.py) coordinates Beijing: a region other than the session's.
    return request.getfixturevalue(name) if name else None


ALLOWED = ["own_lecturer", "region_coordinator", "ministry_user"]
REFUSED = [None, "resident", "other_lecturer", "coordinator"]


# --- sessions built through the services -------------------------------------------------------


def make(teacher: Lecturer, **overrides: Any) -> Session:
    values: dict[str, Any] = {
        "title": "健康老龄化",
        "starts_at": START,
        "duration_minutes": 90,
        "lecturer_ids": [teacher.pk],
        "stream_url": "https://live.example.cn/s/1",
    }
    actor = overrides.pop("actor", teacher.user)
    values.update(overrides)
    return session_create(actor=actor, **values)


def published(teacher: Lecturer, **overrides: Any) -> Session:
    session = make(teacher, **overrides)
    return session_publish(actor=teacher.user, session=session, expected_version=1)


@pytest.fixture
def draft(teacher: Lecturer) -> Session:
    return make(teacher)


def stored() -> tuple[Any, ...]:
    """Everything a write could change, to show that a refused one changed nothing."""
    return (
        sorted(Session.objects.values_list("id", "title", "state", "version", "starts_at")),
        SessionChange.objects.count(),
        sorted(Event.objects.values_list("id", "sequence", "status")),
        sorted(Series.objects.values_list("id", "title")),
    )


# --- public reads ------------------------------------------------------------------------------


def test_session_representation_in_beijing_time(teacher: Lecturer) -> None:
    series = series_create(
        actor=teacher.user, title="健康讲堂", region_code="500000", lecturer_ids=[teacher.pk]
    )
    session = published(teacher, series=series, abstract="老年人如何科学运动")
    event = Event.objects.get(pk=session.event_id)
    body = api().get(f"/api/sessions/{session.pk}/").json()
    assert body == {
        "id": session.pk,
        "title": "健康老龄化",
        "abstract": "老年人如何科学运动",
        "series": series.pk,
        "lecturers": [{"id": teacher.pk, "name": "王教授"}],
        "region": "500000",
        "starts_at": "2027-03-10T19:00:00+08:00",
        "ends_at": "2027-03-10T20:30:00+08:00",
        "duration_minutes": 90,
        "stream_url": "https://live.example.cn/s/1",
        "replay_url": "",
        "state": "published",
        "version": 2,
        "reschedule_count": 0,
        "cancel_reason": "",
        "event": {"id": event.pk, "uid": str(event.uid), "sequence": 0},
        "history": None,
    }
    listing = api().get("/api/sessions/").json()
    assert listing["count"] == 1
    assert listing["results"] == [body]  # one shape; history is null for the public


def test_anonymous_list_shows_published_ended_cancelled_never_drafts(
    teacher: Lecturer, clock: Any
) -> None:
    make(teacher, title="草稿", starts_at=START + dt.timedelta(days=3))
    never_announced = make(teacher, title="撤回的草稿", starts_at=START + dt.timedelta(days=4))
    session_cancel(actor=teacher.user, session=never_announced, expected_version=1, reason="不讲了")
    live = published(teacher, title="已发布")
    cancelled = published(teacher, title="已取消", starts_at=START + dt.timedelta(days=1))
    session_cancel(actor=teacher.user, session=cancelled, expected_version=2, reason="讲师生病")
    ended = published(teacher, title="已结束", starts_at=START - dt.timedelta(days=1))
    clock.move_to(AFTER_START)
    session_end(actor=teacher.user, session=ended)

    body = api().get("/api/sessions/").json()
    assert [(s["title"], s["state"]) for s in body["results"]] == [
        ("已结束", "ended"),
        ("已发布", "published"),
        ("已取消", "cancelled"),
    ]
    assert body["results"][2]["cancel_reason"] == "讲师生病"
    assert api().get(f"/api/sessions/{live.pk}/").status_code == 200


def test_draft_detail_is_404_for_the_public_and_shown_with_history_to_managers(
    draft: Session, request: pytest.FixtureRequest
) -> None:
    for name in REFUSED:
        response = api(role(request, name)).get(f"/api/sessions/{draft.pk}/")
        assert response.status_code == 404, name
        assert response.json() == {"detail": en(ERROR_UNKNOWN_SESSION, id=draft.pk)}
    for name in ALLOWED:
        body = api(role(request, name)).get(f"/api/sessions/{draft.pk}/").json()
        assert body["state"] == "draft", name
        assert [h["action"] for h in body["history"]] == ["created"]
        assert body["history"][0]["changed_by"] == str(draft.created_by)


def test_published_detail_history_only_for_managers(
    teacher: Lecturer, request: pytest.FixtureRequest
) -> None:
    session = published(teacher)
    for name in REFUSED:
        assert (
            api(role(request, name)).get(f"/api/sessions/{session.pk}/").json()["history"] is None
        )
    history = api(teacher.user).get(f"/api/sessions/{session.pk}/").json()["history"]
    assert [h["action"] for h in history] == ["published", "created"]
    assert history[0]["changes"] == {"state": ["draft", "published"]}


def test_mine_lists_the_drafts_one_may_manage(
    teacher: Lecturer,
    other_teacher: Lecturer,
    region_coordinator: User,
    coordinator: User,
    ministry_user: User,
    resident: User,
) -> None:
    mine = make(teacher, title="我的草稿")
    theirs = make(other_teacher, title="别人的草稿", starts_at=START + dt.timedelta(hours=3))
    beijing = make(
        other_teacher,
        actor=ministry_user,
        title="北京的草稿",
        region_code="110000",
        starts_at=START + dt.timedelta(days=1),
    )

    def titles(user: User) -> list[str]:
        response = api(user).get("/api/sessions/?mine=1")
        assert response.status_code == 200
        return [s["title"] for s in response.json()["results"]]

    assert titles(teacher.user) == [mine.title]
    assert titles(other_teacher.user) == [theirs.title, beijing.title]
    assert titles(region_coordinator) == [mine.title, theirs.title]
    assert titles(coordinator) == [beijing.title]
    assert titles(ministry_user) == [mine.title, theirs.title, beijing.title]
    assert titles(resident) == []
    assert api().get("/api/sessions/?mine=1").status_code == 403
    assert api(teacher.user).get("/api/sessions/").json()["count"] == 0  # drafts: mine=1 only
    assert api(teacher.user).get("/api/sessions/?mine=1&state=draft").json()["count"] == 1


def test_list_filters(teacher: Lecturer, other_teacher: Lecturer, ministry_user: User) -> None:
    series = series_create(
        actor=teacher.user, title="健康讲堂", region_code="500000", lecturer_ids=[teacher.pk]
    )
    first = published(teacher, title="第一讲", series=series)
    second = published(teacher, title="第二讲", starts_at=START + dt.timedelta(days=7))
    beijing = published(
        other_teacher,
        title="北京讲座",
        region_code="110000",
        starts_at=START + dt.timedelta(days=1, hours=2),
    )
    session_cancel(actor=teacher.user, session=second, expected_version=2, reason="调整")

    def titles(query: str) -> list[str]:
        response = api().get(f"/api/sessions/?{query}")
        assert response.status_code == 200, response.json()
        return [s["title"] for s in response.json()["results"]]

    assert titles("region=110000") == [beijing.title]
    assert titles(f"lecturer={teacher.pk}") == [first.title, second.title]
    assert titles(f"series={series.pk}") == [first.title]
    assert titles("state=cancelled") == [second.title]
    assert titles("from=2027-03-11") == [beijing.title, second.title]
    assert titles("to=2027-03-10") == [first.title]  # the whole day is included
    assert titles("from=2027-03-10&to=2027-03-11") == [first.title, beijing.title]
    # A datetime bound is exact; an unencoded "+" arrives as a space and is read as an offset.
    assert titles("from=2027-03-10T19:00:01+08:00".replace("+", "%2B")) == [
        beijing.title,
        second.title,
    ]
    assert titles("from=2027-03-10T19:00:01+08:00") == [beijing.title, second.title]
    assert titles("to=2027-03-10T19:00") == [first.title]  # Beijing time without an offset
    assert titles("from=2027-03-10T11:00:00Z&to=2027-03-10T11:00:00Z") == [first.title]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2027-13-01", "from", lambda: en(ERROR_MOMENT, value="2027-13-01")),
        ("to=next+week", "to", lambda: en(ERROR_MOMENT, value="next week")),
        (
            "from=2027-03-12&to=2027-03-11",
            "to",
            lambda: en(ERROR_RANGE_REVERSED, **{"from": "2027-03-12", "to": "2027-03-11"}),
        ),
        (
            "from=2027-03-10T20:00&to=2027-03-10T19:00",
            "to",
            lambda: en(
                ERROR_RANGE_REVERSED, **{"from": "2027-03-10T20:00", "to": "2027-03-10T19:00"}
            ),
        ),
        ("region=999999", "region", lambda: en(ERROR_UNKNOWN_REGION, code="999999")),
        ("lecturer=99999", "lecturer", lambda: en(ERROR_UNKNOWN_LECTURER, id=99999)),
        ("series=99999", "series", lambda: en(ERROR_UNKNOWN_SERIES, id=99999)),
        (
            "state=live",
            "state",
            lambda: en(
                ERROR_STATE_FILTER, value="live", choices="draft, published, ended, cancelled"
            ),
        ),
        ("state=draft", "state", lambda: en(ERROR_DRAFTS_ONLY_MINE)),
    ],
)
def test_bad_filter_is_400_naming_the_parameter(
    query: str, field: str, message: Callable[[], str]
) -> None:
    response = api().get(f"/api/sessions/?{query}")
    assert response.status_code == 400
    assert response.json() == {"errors": {field: [message()]}}


def test_list_queries_do_not_grow_with_sessions(
    teacher: Lecturer, other_teacher: Lecturer, django_assert_max_num_queries: Any
) -> None:
    series = series_create(
        actor=teacher.user, title="健康讲堂", region_code="500000", lecturer_ids=[teacher.pk]
    )
    both = [teacher.pk, other_teacher.pk]
    published(teacher, lecturer_ids=both, series=series)
    client, lecturer_client = api(), api(teacher.user)
    # anonymous: count, sessions with their events, lecturers; signed in: + session, user
    with django_assert_max_num_queries(3):
        assert client.get("/api/sessions/").json()["count"] == 1
    with django_assert_max_num_queries(5):
        assert lecturer_client.get("/api/sessions/?mine=1").json()["count"] == 1
    for day in range(1, 25):
        published(
            teacher, lecturer_ids=both, series=series, starts_at=START + dt.timedelta(days=day)
        )
    with django_assert_max_num_queries(3):
        assert client.get("/api/sessions/").json()["count"] == 25
    with django_assert_max_num_queries(5):
        assert lecturer_client.get("/api/sessions/?mine=1").json()["count"] == 25


def test_unknown_ids_are_404(ministry_user: User) -> None:
    client = api(ministry_user)
    for method, path in [
        ("get", "/api/sessions/99999/"),
        ("patch", "/api/sessions/99999/"),
        ("post", "/api/sessions/99999/publish/"),
        ("post", "/api/sessions/99999/reschedule/"),
        ("post", "/api/sessions/99999/cancel/"),
        ("post", "/api/sessions/99999/end/"),
        ("post", "/api/sessions/99999/duplicate/"),
    ]:
        response = send(client, method, path, {"expected_version": 1})
        assert response.status_code == 404, path
        assert response.json() == {"detail": en(ERROR_UNKNOWN_SESSION, id=99999)}
    assert client.get("/api/lecturers/99999/").json() == {
        "detail": en(ERROR_UNKNOWN_LECTURER, id=99999)
    }
    assert send(client, "patch", "/api/series/99999/", {"title": "x"}).json() == {
        "detail": en(ERROR_UNKNOWN_SERIES, id=99999)
    }


def test_delete_is_not_allowed_cancel_instead(draft: Session, ministry_user: User) -> None:
    client = api(ministry_user)
    assert client.delete(f"/api/sessions/{draft.pk}/").status_code == 405
    assert send(client, "put", f"/api/sessions/{draft.pk}/", SESSION_BODY).status_code == 405
    assert client.delete("/api/series/1/").status_code == 405
    assert Session.objects.filter(pk=draft.pk).exists()


# --- lecturers and series: reads ---------------------------------------------------------------


def test_lecturers_public_only_approved_without_account_details(teacher: Lecturer) -> None:
    requested = LecturerFactory(name="申请中", status=LecturerStatus.REQUESTED)
    teacher.biography = "从事老年健康研究三十年。"
    teacher.save()
    body = api().get("/api/lecturers/").json()
    assert body["results"] == [
        {
            "id": teacher.pk,
            "name": "王教授",
            "title": "教授",
            "organisation": "重庆开放大学",
            "region": "500000",
            "biography": "从事老年健康研究三十年。",
            "photo_url": None,
        }
    ]
    text = api().get(f"/api/lecturers/{teacher.pk}/").content.decode()
    assert teacher.user.email not in text
    assert teacher.user.username not in text
    assert api().get(f"/api/lecturers/{requested.pk}/").status_code == 404
    assert api().get("/api/lecturers/?region=110000").json()["count"] == 0


def test_series_list_filters_and_detail(teacher: Lecturer, other_teacher: Lecturer) -> None:
    ours = series_create(
        actor=teacher.user, title="健康讲堂", region_code="500000", lecturer_ids=[teacher.pk]
    )
    theirs = series_create(
        actor=other_teacher.user, title="国学讲堂", lecturer_ids=[other_teacher.pk]
    )
    # Ordered by title; the collation decides how Chinese titles sort, so compare as a set.
    assert {s["title"] for s in api().get("/api/series/").json()["results"]} == {
        theirs.title,
        ours.title,
    }
    assert [s["id"] for s in api().get("/api/series/?region=500000").json()["results"]] == [ours.pk]
    assert [
        s["id"] for s in api().get(f"/api/series/?lecturer={other_teacher.pk}").json()["results"]
    ] == [theirs.pk]
    detail = api().get(f"/api/series/{ours.pk}/").json()
    assert detail | {"created_at": None, "updated_at": None} == {
        "id": ours.pk,
        "title": "健康讲堂",
        "description": "",
        "region": "500000",
        "lecturers": [{"id": teacher.pk, "name": "王教授"}],
        "cover_url": None,
        "created_at": None,
        "updated_at": None,
    }
    assert api().get("/api/series/?region=1").json() == {
        "errors": {"region": [en(ERROR_UNKNOWN_REGION, code="1")]}
    }


# --- every write as every role -----------------------------------------------------------------

# name: (method, path after /api/sessions/<id>/, body, the session must be published first)
SESSION_WRITES: dict[str, tuple[str, str, dict[str, Any], bool]] = {
    "update": ("patch", "", {"expected_version": 1, "title": "新标题"}, False),
    "publish": ("post", "publish/", {"expected_version": 1}, False),
    "reschedule": (
        "post",
        "reschedule/",
        {"expected_version": 2, "starts_at": "2027-03-11T19:00:00+08:00", "reason": "场地调整"},
        True,
    ),
    "cancel": ("post", "cancel/", {"expected_version": 2, "reason": "讲师生病"}, True),
    "end": ("post", "end/", {"replay_url": "https://replay.example.cn/1"}, True),
    "duplicate": ("post", "duplicate/", {}, False),
}


def prepared(teacher: Lecturer, write: str, traveller: Any) -> tuple[Session, str, str, dict]:
    method, suffix, body, publish = SESSION_WRITES[write]
    session = published(teacher) if publish else make(teacher)
    if write == "end":
        traveller.move_to(AFTER_START)
    return session, method, f"/api/sessions/{session.pk}/{suffix}", body


def check_written(write: str, session: Session, body: dict[str, Any]) -> None:
    session.refresh_from_db()
    if write == "update":
        assert (session.title, session.version, body["title"]) == ("新标题", 2, "新标题")
    elif write == "publish":
        assert session.state == body["state"] == "published"
        assert body["event"]["sequence"] == 0
    elif write == "reschedule":
        assert body["starts_at"] == "2027-03-11T19:00:00+08:00"
        assert (session.reschedule_count, body["reschedule_count"]) == (1, 1)
    elif write == "cancel":
        assert (session.state, session.cancel_reason) == ("cancelled", "讲师生病")
        assert body["cancel_reason"] == "讲师生病"
    elif write == "end":
        assert (session.state, session.replay_url) == ("ended", "https://replay.example.cn/1")
    elif write == "duplicate":
        assert body["id"] != session.pk
        assert body["state"] == "draft"
        assert body["starts_at"] == "2027-03-17T19:00:00+08:00"
    assert body["history"], "the writer manages the session and sees its history"


@pytest.mark.parametrize("write", SESSION_WRITES)
@pytest.mark.parametrize("name", ALLOWED)
def test_session_write_allowed(
    request: pytest.FixtureRequest, teacher: Lecturer, clock: Any, write: str, name: str
) -> None:
    session, method, url, body = prepared(teacher, write, clock)
    response = send(api(role(request, name)), method, url, body)
    assert response.status_code == (201 if write == "duplicate" else 200), response.json()
    check_written(write, session, response.json())


@pytest.mark.parametrize("write", SESSION_WRITES)
@pytest.mark.parametrize("name", REFUSED)
def test_session_write_refused_stores_nothing(
    request: pytest.FixtureRequest, teacher: Lecturer, clock: Any, write: str, name: str
) -> None:
    _session, method, url, body = prepared(teacher, write, clock)
    before = stored()
    response = send(api(role(request, name)), method, url, body)
    assert response.status_code == 403
    assert stored() == before


@pytest.mark.parametrize("name", ALLOWED)
def test_session_create_allowed(
    request: pytest.FixtureRequest, teacher: Lecturer, name: str
) -> None:
    response = send(
        api(role(request, name)),
        "post",
        "/api/sessions/",
        SESSION_BODY | {"lecturer_ids": [teacher.pk]},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    session = Session.objects.get()
    assert (body["id"], body["state"], body["version"], body["region"]) == (
        session.pk,
        "draft",
        1,
        "500000",
    )
    assert body["lecturers"] == [{"id": teacher.pk, "name": "王教授"}]
    assert body["starts_at"] == "2027-03-10T19:00:00+08:00"
    assert body["event"] is None


@pytest.mark.parametrize("name", REFUSED)
def test_session_create_refused_stores_nothing(
    request: pytest.FixtureRequest, teacher: Lecturer, name: str
) -> None:
    before = stored()
    response = send(
        api(role(request, name)),
        "post",
        "/api/sessions/",
        SESSION_BODY | {"lecturer_ids": [teacher.pk]},
    )
    assert response.status_code == 403
    assert stored() == before


def test_refusal_comes_before_the_body_is_read(draft: Session, other_lecturer: User) -> None:
    response = send(api(other_lecturer), "patch", f"/api/sessions/{draft.pk}/", {"title": 5})
    assert response.status_code == 403
    response = send(api(UserFactory()), "post", "/api/sessions/", {})
    assert response.status_code == 403


SERIES_BODY = {"title": "健康讲堂", "description": "十讲", "region": "500000"}


@pytest.mark.parametrize("name", ALLOWED)
def test_series_writes_allowed(
    request: pytest.FixtureRequest, teacher: Lecturer, name: str
) -> None:
    client = api(role(request, name))
    response = send(client, "post", "/api/series/", SERIES_BODY | {"lecturer_ids": [teacher.pk]})
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["title"], created["region"], created["lecturers"]) == (
        "健康讲堂",
        "500000",
        [{"id": teacher.pk, "name": "王教授"}],
    )
    response = send(client, "patch", f"/api/series/{created['id']}/", {"title": "健康大讲堂"})
    assert response.status_code == 200, response.json()
    assert Series.objects.get().title == response.json()["title"] == "健康大讲堂"


@pytest.mark.parametrize("name", REFUSED)
def test_series_writes_refused_store_nothing(
    request: pytest.FixtureRequest, teacher: Lecturer, name: str
) -> None:
    client = api(role(request, name))
    before = stored()
    response = send(client, "post", "/api/series/", SERIES_BODY | {"lecturer_ids": [teacher.pk]})
    assert response.status_code == 403
    assert stored() == before
    series = series_create(
        actor=teacher.user, title="健康讲堂", region_code="500000", lecturer_ids=[teacher.pk]
    )
    before = stored()
    response = send(client, "patch", f"/api/series/{series.pk}/", {"title": "改名"})
    assert response.status_code == 403
    assert stored() == before


def test_series_unknown_lecturer_is_400(ministry_user: User) -> None:
    response = send(
        api(ministry_user), "post", "/api/series/", SERIES_BODY | {"lecturer_ids": [99999]}
    )
    assert response.status_code == 400
    assert response.json() == {"errors": {"lecturer_ids": ["Unknown lecturer(s): [99999]."]}}
    assert not Series.objects.exists()


# --- the rules of a session, with the services' messages ----------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"starts_at": "2027-02-28T09:00:00+08:00"},
            "starts_at",
            lambda: en(ERROR_IN_PAST, start=local(dt.datetime(2027, 2, 28, 9, tzinfo=SH))),
        ),
        (
            {"duration_minutes": 10},
            "duration_minutes",
            lambda: en(ERROR_DURATION, min=15, max=4, value=10),
        ),
        (
            {"duration_minutes": 241},
            "duration_minutes",
            lambda: en(ERROR_DURATION, min=15, max=4, value=241),
        ),
    ],
)
def test_create_breaking_a_rule_is_400_naming_the_field(
    teacher: Lecturer, change: dict[str, Any], field: str, message: Callable[[], str]
) -> None:
    body = SESSION_BODY | {"lecturer_ids": [teacher.pk]} | change
    response = send(api(teacher.user), "post", "/api/sessions/", body)
    assert response.status_code == 400
    assert response.json() == {"errors": {field: [message()]}}
    assert not Session.objects.exists()


def test_overlap_is_400_naming_the_clash(teacher: Lecturer) -> None:
    first = make(teacher, title="第一讲")
    body = SESSION_BODY | {
        "title": "第二讲",
        "starts_at": "2027-03-10T20:00:00+08:00",
        "lecturer_ids": [teacher.pk],
    }
    response = send(api(teacher.user), "post", "/api/sessions/", body)
    assert response.status_code == 400
    clash = en(
        ERROR_CLASH,
        lecturer="王教授",
        title="第一讲",
        start=local(first.starts_at),
        end=local(first.ends_at),
    )
    assert response.json() == {"errors": {"starts_at": [clash]}}
    assert list(Session.objects.all()) == [first]


def test_reschedule_onto_another_session_is_400_naming_the_clash(teacher: Lecturer) -> None:
    first = published(teacher, title="第一讲")
    second = published(teacher, title="第二讲", starts_at=START + dt.timedelta(days=1))
    response = send(
        api(teacher.user),
        "post",
        f"/api/sessions/{second.pk}/reschedule/",
        {"expected_version": 2, "starts_at": "2027-03-10T19:30:00+08:00", "reason": "提前"},
    )
    assert response.status_code == 400
    assert "第一讲" in response.json()["errors"]["starts_at"][0]
    second.refresh_from_db()
    assert (second.starts_at, second.version) == (START + dt.timedelta(days=1), 2)
    assert first.pk != second.pk


def test_unknown_lecturer_id_is_400(teacher: Lecturer, ministry_user: User) -> None:
    body = SESSION_BODY | {"lecturer_ids": [teacher.pk, 99999]}
    response = send(api(ministry_user), "post", "/api/sessions/", body)
    assert response.status_code == 400
    assert response.json() == {"errors": {"lecturer_ids": ["Unknown lecturer(s): [99999]."]}}
    assert not Session.objects.exists()


def test_unknown_series_or_region_is_400(teacher: Lecturer) -> None:
    body = SESSION_BODY | {"lecturer_ids": [teacher.pk], "series": 99999, "region": "999999"}
    response = send(api(teacher.user), "post", "/api/sessions/", body)
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "series": [en(ERROR_UNKNOWN_SERIES, id=99999)],
            "region": [en(ERROR_UNKNOWN_REGION, code="999999")],
        }
    }


def test_stale_version_is_409_and_nothing_is_overwritten(teacher: Lecturer) -> None:
    session = make(teacher)
    session_update(actor=teacher.user, session=session, expected_version=1, title="新标题")
    client = api(teacher.user)
    for method, suffix, body in [
        ("patch", "", {"expected_version": 1, "abstract": "覆盖？"}),
        ("post", "publish/", {"expected_version": 1}),
        ("post", "cancel/", {"expected_version": 1, "reason": "x"}),
        (
            "post",
            "reschedule/",
            {"expected_version": 1, "starts_at": "2027-03-12T19:00", "reason": "x"},
        ),
    ]:
        before = stored()
        response = send(client, method, f"/api/sessions/{session.pk}/{suffix}", body)
        assert response.status_code == 409, suffix
        assert response.json() == {"detail": en(ERROR_STALE, now=2, yours=1)}
        assert stored() == before


def test_patch_needs_expected_version(draft: Session) -> None:
    response = send(api(draft.created_by), "patch", f"/api/sessions/{draft.pk}/", {"title": "x"})
    assert response.status_code == 400
    assert response.json() == {"errors": {"expected_version": ["This field is required."]}}


@pytest.mark.parametrize(
    ("suffix", "body"),
    [
        ("reschedule/", {"expected_version": 2, "starts_at": "2027-03-11T19:00:00+08:00"}),
        ("reschedule/", {"expected_version": 2, "starts_at": "2027-03-11T19:00", "reason": " "}),
        ("cancel/", {"expected_version": 2}),
        ("cancel/", {"expected_version": 2, "reason": ""}),
    ],
)
def test_reschedule_and_cancel_need_a_reason(
    teacher: Lecturer, suffix: str, body: dict[str, Any]
) -> None:
    session = published(teacher)
    before = stored()
    response = send(api(teacher.user), "post", f"/api/sessions/{session.pk}/{suffix}", body)
    assert response.status_code == 400
    assert response.json() == {"errors": {"reason": [en(ERROR_REASON)]}}
    assert stored() == before


def test_end_before_start_is_400(teacher: Lecturer) -> None:
    session = published(teacher)
    response = send(api(teacher.user), "post", f"/api/sessions/{session.pk}/end/", {})
    assert response.status_code == 400
    assert response.json() == {"detail": en(ERROR_NOT_STARTED)}


def test_reschedule_through_the_api_raises_the_event_sequence(teacher: Lecturer) -> None:
    client = api(teacher.user)
    created = send(
        client, "post", "/api/sessions/", SESSION_BODY | {"lecturer_ids": [teacher.pk]}
    ).json()
    url = f"/api/sessions/{created['id']}/"
    publish = send(client, "post", f"{url}publish/", {"expected_version": created["version"]})
    event = publish.json()["event"]
    assert event["sequence"] == 0
    moved = send(
        client,
        "post",
        f"{url}reschedule/",
        {
            "expected_version": publish.json()["version"],
            "starts_at": "2027-03-12T19:00",
            "duration_minutes": 120,
            "reason": "场地调整",
        },
    ).json()
    assert moved["event"] == {"id": event["id"], "uid": event["uid"], "sequence": 1}
    assert (moved["starts_at"], moved["ends_at"]) == (
        "2027-03-12T19:00:00+08:00",
        "2027-03-12T21:00:00+08:00",
    )
    assert moved["history"][0]["action"] == "rescheduled"
    assert moved["history"][0]["reason"] == "场地调整"
    stored_event = Event.objects.get(pk=event["id"])
    assert (stored_event.sequence, stored_event.starts_at, stored_event.status) == (
        1,
        dt.datetime(2027, 3, 12, 19, tzinfo=SH),
        EventStatus.CONFIRMED,
    )
    # A public reader sees the new sequence too (calendar clients compare it).
    assert api().get(url).json()["event"]["sequence"] == 1


# --- the schema --------------------------------------------------------------------------------


def test_openapi_schema_lists_every_lecture_hall_path() -> None:
    response = api().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        "/api/lecturers/": {"get"},
        "/api/lecturers/{id}/": {"get"},
        "/api/series/": {"get", "post"},
        "/api/series/{id}/": {"get", "patch"},
        "/api/sessions/": {"get", "post"},
        "/api/sessions/{id}/": {"get", "patch"},
        "/api/sessions/{id}/publish/": {"post"},
        "/api/sessions/{id}/reschedule/": {"post"},
        "/api/sessions/{id}/cancel/": {"post"},
        "/api/sessions/{id}/end/": {"post"},
        "/api/sessions/{id}/duplicate/": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert set(paths[path]) - {"parameters"} == methods, path
    patch = paths["/api/sessions/{id}/"]["patch"]
    assert patch["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PatchedSessionUpdate"
    }
    assert set(patch["responses"]) == {"200", "400", "403", "404", "409"}
    assert paths["/api/sessions/{id}/reschedule/"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"] == {"$ref": "#/components/schemas/SessionReschedule"}
    listed = {p["name"] for p in paths["/api/sessions/"]["get"]["parameters"]}
    assert {"from", "to", "region", "lecturer", "series", "state", "mine"} <= listed
    session = response.json()["components"]["schemas"]["Session"]["properties"]
    assert {"starts_at", "ends_at", "version", "event", "lecturers"} <= set(session)


# --- a session under way: a new length ---------------------------------------------------------

LIVE_NOW = START + dt.timedelta(minutes=80)  # the session (90 minutes) has 10 minutes left


def test_a_live_session_is_extended_through_the_api(teacher: Lecturer, clock: Any) -> None:
    session = published(teacher)
    clock.move_to(LIVE_NOW)
    url = f"/api/sessions/{session.pk}/"
    response = send(
        api(teacher.user), "patch", url, {"expected_version": 2, "duration_minutes": 120}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["starts_at"], body["ends_at"], body["duration_minutes"]) == (
        "2027-03-10T19:00:00+08:00",
        "2027-03-10T21:00:00+08:00",
        120,
    )
    assert body["event"]["sequence"] == 1  # calendar apps see the new end
    assert body["history"][0]["action"] == "rescheduled"
    session.refresh_from_db()
    assert session.ends_at == dt.datetime(2027, 3, 10, 21, 0, tzinfo=SH)
    assert Event.objects.get(pk=session.event_id).ends_at == session.ends_at


def test_the_start_of_a_live_session_cannot_move_into_the_past(
    teacher: Lecturer, clock: Any
) -> None:
    session = published(teacher)
    clock.move_to(LIVE_NOW)
    before = stored()
    response = send(
        api(teacher.user),
        "patch",
        f"/api/sessions/{session.pk}/",
        {"expected_version": 2, "starts_at": "2027-03-10T18:30:00+08:00", "duration_minutes": 150},
    )
    assert response.status_code == 400
    earlier = dt.datetime(2027, 3, 10, 18, 30, tzinfo=SH)
    assert response.json() == {"errors": {"starts_at": [en(ERROR_IN_PAST, start=local(earlier))]}}
    assert stored() == before


def test_a_live_session_cannot_be_cut_to_an_end_already_passed(
    teacher: Lecturer, clock: Any
) -> None:
    session = published(teacher)
    clock.move_to(LIVE_NOW)
    before = stored()
    response = send(
        api(teacher.user),
        "patch",
        f"/api/sessions/{session.pk}/",
        {"expected_version": 2, "duration_minutes": 60},
    )
    assert response.status_code == 400
    message = en(ERROR_END_PASSED, now=local(LIVE_NOW), end=local(START + dt.timedelta(minutes=60)))
    assert response.json() == {"errors": {"duration_minutes": [message]}}
    assert stored() == before


# --- whom a coordinator may book ---------------------------------------------------------------


@pytest.fixture
def beijing_teacher() -> Lecturer:
    return LecturerFactory(name="赵研究员", region_id="110000", user__region_id="110000")


def test_coordinator_cannot_book_another_regions_lecturer_through_the_api(
    teacher: Lecturer, beijing_teacher: Lecturer, region_coordinator: User
) -> None:
    client = api(region_coordinator)
    refusal = {"errors": {"lecturer_ids": [en(ERROR_LECTURER_REGION, name="赵研究员")]}}
    before = stored()
    body = SESSION_BODY | {"region": "500000", "lecturer_ids": [beijing_teacher.pk]}
    response = send(client, "post", "/api/sessions/", body)
    assert (response.status_code, response.json()) == (400, refusal)
    assert stored() == before

    session = make(teacher, actor=region_coordinator)
    before = stored()
    response = send(
        client,
        "patch",
        f"/api/sessions/{session.pk}/",
        {"expected_version": 1, "lecturer_ids": [teacher.pk, beijing_teacher.pk]},
    )
    assert (response.status_code, response.json()) == (400, refusal)
    assert stored() == before
    assert list(session.lecturers.all()) == [teacher]


def test_coordinator_books_own_lecturers_and_keeps_assigned_ones_through_the_api(
    teacher: Lecturer, beijing_teacher: Lecturer, region_coordinator: User, ministry_user: User
) -> None:
    client = api(region_coordinator)
    body = SESSION_BODY | {"region": "500000", "lecturer_ids": [teacher.pk]}
    response = send(client, "post", "/api/sessions/", body)
    assert response.status_code == 201, response.json()
    assert response.json()["lecturers"] == [{"id": teacher.pk, "name": "王教授"}]
    # A Chongqing session the Ministry gave to Beijing's lecturer: the coordinator keeps them.
    shared = make(
        teacher,
        actor=ministry_user,
        region_code="500000",
        lecturer_ids=[beijing_teacher.pk],
        starts_at=START + dt.timedelta(days=1),
    )
    response = send(
        client,
        "patch",
        f"/api/sessions/{shared.pk}/",
        {
            "expected_version": 1,
            "title": "京渝对谈",
            "lecturer_ids": [beijing_teacher.pk, teacher.pk],
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "京渝对谈"
    assert {item["id"] for item in response.json()["lecturers"]} == {
        beijing_teacher.pk,
        teacher.pk,
    }


def test_coordinator_cannot_put_another_regions_lecturer_on_a_series_through_the_api(
    teacher: Lecturer, beijing_teacher: Lecturer, region_coordinator: User
) -> None:
    client = api(region_coordinator)
    refusal = {"errors": {"lecturer_ids": [en(ERROR_LECTURER_REGION, name="赵研究员")]}}
    before = stored()
    body = SERIES_BODY | {"lecturer_ids": [beijing_teacher.pk]}
    response = send(client, "post", "/api/series/", body)
    assert (response.status_code, response.json()) == (400, refusal)
    assert stored() == before

    series = series_create(
        actor=region_coordinator, title="健康讲堂", region_code="500000", lecturer_ids=[teacher.pk]
    )
    before = stored()
    response = send(
        client,
        "patch",
        f"/api/series/{series.pk}/",
        {"title": "京渝讲堂", "lecturer_ids": [teacher.pk, beijing_teacher.pk]},
    )
    assert (response.status_code, response.json()) == (400, refusal)
    assert stored() == before
    assert list(series.lecturers.all()) == [teacher]


def test_coordinator_keeps_a_series_lecturer_of_another_region_through_the_api(
    teacher: Lecturer, beijing_teacher: Lecturer, region_coordinator: User, ministry_user: User
) -> None:
    # The Ministry may name anyone: a Chongqing series with Beijing's lecturer on it.
    response = send(
        api(ministry_user),
        "post",
        "/api/series/",
        SERIES_BODY | {"lecturer_ids": [beijing_teacher.pk]},
    )
    assert response.status_code == 201, response.json()
    series_id = response.json()["id"]
    response = send(
        api(region_coordinator),
        "patch",
        f"/api/series/{series_id}/",
        {"title": "京渝讲堂", "lecturer_ids": [beijing_teacher.pk, teacher.pk]},
    )
    assert response.status_code == 200, response.json()
    assert {item["id"] for item in response.json()["lecturers"]} == {
        beijing_teacher.pk,
        teacher.pk,
    }
