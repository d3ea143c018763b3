"""The access matrix: every write the platform accepts (HTML forms, REST API, live room
messages), who may make it, and how to tell that it happened.

Each case names its route (a URL name for forms, "METHOD /api/path" as the OpenAPI schema
spells it, the client message type for the live room) so the completeness guard can find
writes nobody listed. Roles are those of `world.ROLES`; "owner" joins them where the target
has an owner (the lecturer of a session or series, the resident of a reminder).

A refusal is, unless a case says otherwise: for forms, the sign-in page for anonymous visitors
and 403 for everyone else; for the API, 403 (`{"detail": …}`) for everyone, anonymous included
(session authentication, so no 401 challenge); in the live room, close code 4405.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import User
from events.models import (
    CalendarSubscription,
    Event,
    Nomination,
    RegionReopening,
    ReminderRequest,
    StatisticsAdjustment,
    StatisticsSubmission,
    StatisticsTable,
    WorkPlan,
)
from events.spreadsheet import COLUMNS
from lecture_hall.models import Lecturer, LiveAnnouncement, Series, Session
from scheduling.models import (
    AllocationRun,
    CampaignYear,
    DayOverride,
    Pin,
    PublishedVersion,
    Week,
    WeekApplication,
)
from tests.access.world import OTHER_REGION, REGION, YEAR, World, latest_run_id

ANYONE = frozenset({"anonymous", "resident", "lecturer", "other_coordinator", "coordinator",
                    "ministry"})  # fmt: skip
SIGNED_IN = ANYONE - {"anonymous"}
MINISTRY = frozenset({"ministry"})
REGION_MANAGERS = frozenset({"coordinator", "ministry"})
LECTURE_MANAGERS = frozenset({"owner", "coordinator", "ministry"})

LOGIN = "login"  # refusal: a redirect to the sign-in page
FORM_ERROR = "form-error"  # refusal: the form comes back (200) with an error, nothing stored

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

Payload = Callable[[World, User | None], dict[str, Any]]
Probe = Callable[[World, User | None], Any]


@dataclass(frozen=True)
class Case:
    name: str
    transport: str  # "form", "api" or "ws"
    route: str
    method: str
    url: Callable[[World], str]
    allowed: frozenset[str]
    effect: Probe  # what an allowed write changes (compared before and after)
    payload: Payload | None = None
    owner: str | None = None  # the world's user key of the target's owner
    prepare: Callable[[World], None] | None = None  # runs in the test's own transaction
    refused: Mapping[str, str | int] = field(default_factory=dict)  # role -> refusal
    multipart: bool = False
    ok: frozenset[int] = frozenset()  # success statuses; default by transport

    @property
    def success(self) -> frozenset[int]:
        if self.ok:
            return self.ok
        return frozenset({302}) if self.transport == "form" else frozenset({200, 201, 204})

    @property
    def roles(self) -> tuple[str, ...]:
        from tests.access.world import OWNER, ROLES

        return (*ROLES, OWNER) if self.owner else ROLES

    def refusal(self, role: str) -> str | int:
        if role in self.refused:
            return self.refused[role]
        if self.transport == "ws":
            return 4405
        if self.transport == "form" and role == "anonymous":
            return LOGIN
        return 403


# --- Probes: what a write changes -------------------------------------------------------------


def rows(model: type[Model], **where: Any) -> Callable[[World, User | None], list[Any]]:
    def probe(world: World, actor: User | None) -> list[Any]:
        return list(model._default_manager.filter(**where).order_by("pk").values())

    return probe


def rows_of(model: type[Model], where: Callable[[World], dict[str, Any]]) -> Probe:
    def probe(world: World, actor: User | None) -> list[Any]:
        return list(model._default_manager.filter(**where(world)).order_by("pk").values())

    return probe


def own_subscription(world: World, actor: User | None) -> Any:
    if actor is None:
        return None
    sub = CalendarSubscription.objects.filter(user=actor).first()
    if sub is None:
        return None
    return (
        sub.token_hash,
        sub.tags,
        sorted(sub.regions.values_list("code", flat=True)),
        sorted(sub.starred.values_list("pk", flat=True)),
    )


# --- Payloads ------------------------------------------------------------------------------------


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def spreadsheet() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([zh for _cid, zh, _en, _req in COLUMNS])
    sheet.append(["矩阵导入的读书会", "主题阅读活动", "地市级", "海淀区", "2027-04-23 14:00",
                  "2027-04-23 16:00", "图书馆", "", "区教育局", "", ""])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def event_form(**changes: Any) -> dict[str, Any]:
    return {
        "title": "矩阵新活动", "activity_type": "themed_reading", "level": "prefecture",
        "region": REGION, "city": "海淀区", "venue": "海淀图书馆",
        "starts_at": "2027-04-23T14:00", "ends_at": "2027-04-23T16:00", "status": "confirmed",
    } | changes  # fmt: skip


def event_api(**changes: Any) -> dict[str, Any]:
    return {
        "title": "矩阵接口活动", "activity_type": "themed_reading", "level": "prefecture",
        "region": REGION, "city": "海淀区", "venue": "海淀图书馆",
        "starts_at": "2027-04-24T14:00:00+08:00", "ends_at": "2027-04-24T16:00:00+08:00",
    } | changes  # fmt: skip


def _session_form(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "title": "矩阵讲座", "abstract": "", "lecturers": [world.lecturer_a_id],
        "series": "", "region": REGION, "starts_at": "2027-04-07T19:00",
        "duration_minutes": 60, "stream_url": "",
    } | changes  # fmt: skip


# --- The cases -----------------------------------------------------------------------------------


def _form(
    name: str,
    url_name: str,
    url: Callable[[World], str],
    allowed: frozenset[str],
    effect: Probe,
    payload: Payload | None = None,
    **kw: Any,
) -> Case:
    return Case(name, "form", url_name, "POST", url, allowed, effect, payload, **kw)


def _api(
    name: str,
    route: str,
    url: Callable[[World], str],
    allowed: frozenset[str],
    effect: Probe,
    payload: Payload | None = None,
    **kw: Any,
) -> Case:
    method = route.split(" ", 1)[0]
    return Case(name, "api", route, method, url, allowed, effect, payload, **kw)


def _pin(world: World) -> None:
    from scheduling.services import pin_set

    pin_set(
        actor=world.user("ministry"), campaign_year=world.campaign_year,
        region_code=OTHER_REGION, week_number=30,
    )  # fmt: skip


def _stats_ready(world: World) -> None:
    from events.statistics.services import statistics_header_update

    statistics_header_update(
        actor=world.user("coordinator"), campaign_year=world.campaign_year, region_code=REGION,
        contact_name="王老师", office_phone="010-12345678",
    )  # fmt: skip


def _stats_submitted(world: World) -> None:
    from events.statistics.services import statistics_submit

    _stats_ready(world)
    statistics_submit(
        actor=world.user("coordinator"), campaign_year=world.campaign_year, region_code=REGION
    )


def _year_url(name: str, **kw: Any) -> Callable[[World], str]:
    return lambda w: reverse(name, kwargs={"year": YEAR, **kw})


def _region_query(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, kwargs={"year": YEAR}) + f"?region={REGION}"


def _stats_url(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, kwargs={"year": YEAR, "code": REGION})


def _session_url(name: str, attr: str) -> Callable[[World], str]:
    return lambda w: reverse(name, kwargs={"pk": getattr(w, attr)})


def _stats_rows(model: type[Model], via: str = "") -> Probe:
    return rows_of(
        model, lambda w: {f"{via}campaign_year_id": w.campaign_year_id, f"{via}region_id": REGION}
    )


def _session_probe(attr: str) -> Probe:
    return rows_of(Session, lambda w: {"pk": getattr(w, attr)})


def _lecturer_sessions(world: World, actor: User | None) -> int:
    return Session.objects.filter(lecturers=world.lecturer_a_id).count()


def _reminders_of(world: World, actor: User | None) -> list[Any]:
    who = {"email": "matrix@example.cn"} if actor is None else {"user": actor}
    return list(ReminderRequest.objects.filter(**who).values())


SCHEDULING_FORMS = [
    _form(
        "open a campaign year", "scheduling:manage_open",
        lambda w: reverse("scheduling:manage_open"), MINISTRY, rows(CampaignYear),
        lambda w, u: {"year": 2028},
    ),
    _form(
        "apply for the region's week", "scheduling:apply",
        lambda w: reverse("scheduling:apply", kwargs={"year": YEAR}) + f"?region={REGION}",
        REGION_MANAGERS, rows_of(WeekApplication, lambda w: {"region_id": REGION}),
        lambda w, u: {"ranked_weeks": ["16", "17", ""], "avoided_weeks": ["30"],
                      "theme": "矩阵学习周", "contact_name": "王老师"},
    ),
    _form(
        "run the allocation", "scheduling:manage_run", _year_url("scheduling:manage_run"),
        MINISTRY, rows(AllocationRun), lambda w, u: {"expected_latest_run_id": latest_run_id(w)},
    ),
    _form(
        "publish the latest run", "scheduling:manage_publish",
        _year_url("scheduling:manage_publish"), MINISTRY, rows(PublishedVersion),
        lambda w, u: {"publish-run_id": w.run_id, "publish-note": "矩阵"},
    ),
    _form(
        "pin a region to a week", "scheduling:manage_pin", _year_url("scheduling:manage_pin"),
        MINISTRY, rows(Pin), lambda w, u: {"pin-region": REGION, "pin-week_number": 20},
    ),
    _form(
        "remove a pin", "scheduling:manage_unpin", _year_url("scheduling:manage_unpin"),
        MINISTRY, rows(Pin), lambda w, u: {"region": OTHER_REGION}, prepare=_pin,
    ),
    _form(
        "block a week", "scheduling:manage_week", _year_url("scheduling:manage_week"),
        MINISTRY, rows(Week, number=20),
        lambda w, u: {"week-number": 20, "week-capacity": 2, "week-status": "blocked",
                      "week-block_reason": "全国会议"},
    ),
    _form(
        "override a day", "scheduling:manage_day", _year_url("scheduling:manage_day"),
        MINISTRY, rows(DayOverride),
        lambda w, u: {"day-date": "2027-03-08", "day-kind": "holiday", "day-name": "地方节日"},
    ),
]  # fmt: skip

EVENT_FORMS = [
    _form(
        "enter an event", "events:new", lambda w: reverse("events:new"), REGION_MANAGERS,
        rows(Event, title="矩阵新活动"), lambda w, u: event_form(),
    ),
    _form(
        # The region in the body is checked, not trusted: the coordinator of 110000 may not
        # enter an event for 310000 (the other coordinator may).
        "enter an event for the other region",
        "events:new",
        lambda w: reverse("events:new"),
        frozenset({"other_coordinator", "ministry"}),
        rows(Event, title="矩阵上海新活动"),
        lambda w, u: event_form(title="矩阵上海新活动", region=OTHER_REGION, city="浦东新区"),
    ),
    _form(
        "import events for the other region",
        "events:import",
        lambda w: reverse("events:import"),
        frozenset({"other_coordinator", "ministry"}),
        rows(Event, title="矩阵导入的读书会"),
        lambda w, u: {"region": OTHER_REGION, "file": upload("events.xlsx", spreadsheet())},
        ok=frozenset({200}),
    ),
    _form(
        "edit an event", "events:edit",
        lambda w: reverse("events:edit", kwargs={"event_id": w.event_id}), REGION_MANAGERS,
        rows_of(Event, lambda w: {"pk": w.event_id}),
        lambda w, u: event_form(title="改过的读书会", expected_sequence=0,
                                starts_at="2027-03-01T09:00", ends_at="2027-03-01T11:00"),
    ),
    _form(
        # Moving an event needs rights on both regions: the coordinator of its region may not
        # hand it to another region.
        "move an event to another region", "events:edit",
        lambda w: reverse("events:edit", kwargs={"event_id": w.event_id}), MINISTRY,
        rows_of(Event, lambda w: {"pk": w.event_id}),
        lambda w, u: event_form(region=OTHER_REGION, city="浦东新区", expected_sequence=0,
                                starts_at="2027-03-01T09:00", ends_at="2027-03-01T11:00"),
    ),
    _form(
        "cancel an event", "events:cancel",
        lambda w: reverse("events:cancel", kwargs={"event_id": w.event_id}), REGION_MANAGERS,
        rows_of(Event, lambda w: {"pk": w.event_id}), lambda w, u: {"cancel_reason": "暴雨预警"},
    ),
    _form(
        "record participants", "events:participants",
        lambda w: reverse("events:participants", kwargs={"event_id": w.past_event_id}),
        REGION_MANAGERS, rows_of(Event, lambda w: {"pk": w.past_event_id}),
        lambda w, u: {"participants": 120},
    ),
    _form(
        "import events from a spreadsheet", "events:import", lambda w: reverse("events:import"),
        REGION_MANAGERS, rows(Event, title="矩阵导入的读书会"),
        lambda w, u: {"region": REGION, "file": upload("events.xlsx", spreadsheet())},
        ok=frozenset({200}),  # the page shows what was imported
    ),
    _form(
        "submit the work plan", "events:plan", _region_query("events:plan"), REGION_MANAGERS,
        rows(WorkPlan, region_id=REGION),
        lambda w, u: {"title": "北京市活动方案", "document": upload("plan.pdf", PDF)},
    ),
    _form(
        "nominate", "events:nominations", _region_query("events:nominations"),
        REGION_MANAGERS, rows(Nomination, name="社区大学"),
        lambda w, u: {"kind": "brand_project", "name": "社区大学", "summary": "十年"},
    ),
    _form(
        "review a nomination", "events:review_item",
        lambda w: reverse("events:review_item",
                          kwargs={"year": YEAR, "kind": "nomination", "item_id": w.nomination_id}),
        MINISTRY, rows_of(Nomination, lambda w: {"pk": w.nomination_id}),
        lambda w, u: {"status": "accepted", "review_comment": ""},
    ),
    _form(
        "reopen a region's submissions", "events:reopen", _year_url("events:reopen"), MINISTRY,
        rows(RegionReopening),
        lambda w, u: {"region": REGION, "what": "plan", "until": "2027-01-15T12:00"},
    ),
]  # fmt: skip

STATISTICS_FORMS = [
    _form(
        "adjust a statistics cell", "statistics:adjust", _stats_url("statistics:adjust"),
        REGION_MANAGERS, _stats_rows(StatisticsAdjustment, "table__"),
        lambda w, u: {"cell": "themed_reading.county_participants", "value": "1200",
                      "reason": "补报"},
    ),
    _form(
        "fill the table's header", "statistics:header", _stats_url("statistics:header"),
        REGION_MANAGERS, _stats_rows(StatisticsTable),
        lambda w, u: {"contact_name": "王老师", "office_phone": "010-12345678"},
    ),
    _form(
        "submit the statistics table", "statistics:submit", _stats_url("statistics:submit"),
        REGION_MANAGERS, _stats_rows(StatisticsSubmission, "table__"), prepare=_stats_ready,
    ),
    _form(
        "reopen a submitted table", "statistics:reopen", _stats_url("statistics:reopen"),
        MINISTRY, _stats_rows(StatisticsSubmission, "table__"), lambda w, u: {"reason": "数字有误"},
        prepare=_stats_submitted,
    ),
]  # fmt: skip

CALENDAR_FORMS = [
    _form(
        "choose what my calendar follows", "my-calendar", lambda w: reverse("my-calendar"),
        SIGNED_IN, own_subscription,
        lambda w, u: {"regions": [REGION], "activity_types": [], "alarm_minutes": ""},
    ),
    _form(
        "rotate my calendar link", "my-calendar-rotate",
        lambda w: reverse("my-calendar-rotate"), SIGNED_IN, own_subscription,
    ),
    _form(
        # The star goes to the signed-in user's own calendar whatever token the body names:
        # resident A's calendar (checked for every case) never changes.
        "star an event, naming another's feed token", "my-calendar-star",
        lambda w: reverse("my-calendar-star", kwargs={"event_id": w.event_id}), SIGNED_IN,
        own_subscription, lambda w, u: {"star": "1", "token": w.calendar_token},
    ),
    _form(
        "follow a lecturer", "my-calendar-follow", lambda w: reverse("my-calendar-follow"),
        SIGNED_IN, own_subscription,
        lambda w, u: {"tag": f"lecturer:{w.lecturer_a_id}", "follow": "1"},
    ),
]  # fmt: skip

REMINDER_FORMS = [
    _form(
        "ask for a reminder", "reminders:new",
        lambda w: reverse("reminders:new") + f"?event={w.event_id}", ANYONE, _reminders_of,
        lambda w, u: {"offsets": ["60"]} | ({} if u else {"email": "matrix@example.cn"}),
        ok=frozenset({302, 200}),  # anonymous visitors are asked to check their email (200)
    ),
    _form(
        # Another resident's reminder is not found (404): its existence is not revealed.
        "change my reminder's times", "reminders:change",
        lambda w: reverse("reminders:change", kwargs={"pk": w.reminder_id}), frozenset({"owner"}),
        rows_of(ReminderRequest, lambda w: {"pk": w.reminder_id}),
        lambda w, u: {"offsets": ["1440", "10"]}, owner="resident_a",
        refused={r: 404 for r in SIGNED_IN},
    ),
    _form(
        "stop my reminder", "reminders:stop",
        lambda w: reverse("reminders:stop", kwargs={"pk": w.reminder_id}), frozenset({"owner"}),
        rows_of(ReminderRequest, lambda w: {"pk": w.reminder_id}), owner="resident_a",
        refused={r: 404 for r in SIGNED_IN},
    ),
    _form(
        # The emailed link is the key: whoever holds it confirms, signed in or not.
        "confirm an emailed reminder", "reminders:confirm",
        lambda w: reverse("reminders:confirm", kwargs={"token": w.confirm_token}), ANYONE,
        rows(ReminderRequest, email="reader@example.cn"), ok=frozenset({200}),
    ),
    _form(
        "confirm with a made-up token", "reminders:confirm",
        lambda w: reverse("reminders:confirm", kwargs={"token": "x" * 32}), frozenset(),
        rows(ReminderRequest), refused={r: 404 for r in ANYONE},
    ),
    _form(
        "unsubscribe with the emailed link", "reminders:unsubscribe",
        lambda w: reverse("reminders:unsubscribe", kwargs={"token": w.unsubscribe_token}),
        ANYONE, rows(ReminderRequest, email="listener@example.cn"), ok=frozenset({200}),
    ),
    _form(
        "unsubscribe with a made-up token", "reminders:unsubscribe",
        lambda w: reverse("reminders:unsubscribe", kwargs={"token": "y" * 32}), frozenset(),
        rows(ReminderRequest), refused={r: 404 for r in ANYONE},
    ),
]  # fmt: skip

LECTURE_FORMS = [
    _form(
        "create a session", "lecture_hall:session_create",
        lambda w: reverse("lecture_hall:session_create"), LECTURE_MANAGERS, _lecturer_sessions,
        lambda w, u: _session_form(w), owner="lecturer_a",
        refused={"other_coordinator": FORM_ERROR},  # A is not offered to them
    ),
    _form(
        # Lecturer A may not put a session into lecturer B's series.
        "create a session in another lecturer's series", "lecture_hall:session_create",
        lambda w: reverse("lecture_hall:session_create"), REGION_MANAGERS, _lecturer_sessions,
        lambda w, u: _session_form(w, series=w.series_b_id), owner="lecturer_a",
        refused={"owner": FORM_ERROR, "other_coordinator": FORM_ERROR},  # not offered to them
    ),
    _form(
        "edit a draft session", "lecture_hall:session_update",
        _session_url("lecture_hall:session_update", "draft_id"), LECTURE_MANAGERS,
        _session_probe("draft_id"),
        lambda w, u: _session_form(w, title="改过的草稿", series=w.series_a_id,
                                   starts_at="2027-03-24T19:00",
                                   expected_version=w.session(w.draft_id).version),
        owner="lecturer_a",
    ),
    _form(
        "move a draft into another lecturer's series", "lecture_hall:session_update",
        _session_url("lecture_hall:session_update", "draft_id"), REGION_MANAGERS,
        _session_probe("draft_id"),
        lambda w, u: _session_form(w, series=w.series_b_id, starts_at="2027-03-24T19:00",
                                   expected_version=w.session(w.draft_id).version),
        owner="lecturer_a",
        refused={"owner": FORM_ERROR},
    ),
    _form(
        "publish a draft", "lecture_hall:session_publish",
        _session_url("lecture_hall:session_publish", "draft_id"), LECTURE_MANAGERS,
        _session_probe("draft_id"),
        lambda w, u: {"expected_version": w.session(w.draft_id).version}, owner="lecturer_a",
    ),
    _form(
        "reschedule a session", "lecture_hall:session_reschedule",
        _session_url("lecture_hall:session_reschedule", "upcoming_id"), LECTURE_MANAGERS,
        _session_probe("upcoming_id"),
        lambda w, u: {"starts_at": "2027-03-12T19:00", "duration_minutes": 60,
                      "reason": "讲师出差", "expected_version": w.session(w.upcoming_id).version},
        owner="lecturer_a",
    ),
    _form(
        "cancel a session", "lecture_hall:session_cancel",
        _session_url("lecture_hall:session_cancel", "upcoming_id"), LECTURE_MANAGERS,
        _session_probe("upcoming_id"),
        lambda w, u: {"reason": "讲师生病", "expected_version": w.session(w.upcoming_id).version},
        owner="lecturer_a",
    ),
    _form(
        "duplicate a session", "lecture_hall:session_duplicate",
        _session_url("lecture_hall:session_duplicate", "upcoming_id"), LECTURE_MANAGERS,
        _lecturer_sessions, owner="lecturer_a",
    ),
    _form(
        "end a live session", "lecture_hall:session_end",
        _session_url("lecture_hall:session_end", "live_id"), LECTURE_MANAGERS,
        _session_probe("live_id"),
        lambda w, u: {"replay_url": "", "expected_version": w.session(w.live_id).version},
        owner="lecturer_a",
    ),
    _form(
        "create a series", "lecture_hall:series_create",
        lambda w: reverse("lecture_hall:series_create"), LECTURE_MANAGERS,
        rows(Series, title="矩阵系列"),
        lambda w, u: {"title": "矩阵系列", "description": "", "region": REGION,
                      "lecturers": [w.lecturer_a_id]},
        owner="lecturer_a",
        refused={"other_coordinator": FORM_ERROR},  # A is not offered to them
    ),
    _form(
        "edit a series", "lecture_hall:series_update",
        _session_url("lecture_hall:series_update", "series_a_id"), LECTURE_MANAGERS,
        rows_of(Series, lambda w: {"pk": w.series_a_id}),
        lambda w, u: {"title": "改过的系列", "description": "", "lecturers": [w.lecturer_a_id]},
        owner="lecturer_a",
    ),
    _form(
        # A lecturer may not hand their series to someone else (leaving themselves off it).
        "hand a series over to another lecturer", "lecture_hall:series_update",
        _session_url("lecture_hall:series_update", "series_a_id"), REGION_MANAGERS,
        rows_of(Series.lecturers.through, lambda w: {"series_id": w.series_a_id}),
        lambda w, u: {"title": "甲的系列", "description": "", "lecturers": [w.lecturer_b_id]},
        owner="lecturer_a",
    ),
    _form(
        "hand a draft over to another lecturer", "lecture_hall:session_update",
        _session_url("lecture_hall:session_update", "draft_id"), REGION_MANAGERS,
        rows_of(Session.lecturers.through, lambda w: {"session_id": w.draft_id}),
        lambda w, u: _session_form(w, lecturers=[w.lecturer_b_id], series="",
                                   starts_at="2027-03-24T19:00",
                                   expected_version=w.session(w.draft_id).version),
        owner="lecturer_a",
    ),
    _form(
        "create a lecturer account", "lecture_hall:lecturer_create",
        lambda w: reverse("lecture_hall:lecturer_create"), REGION_MANAGERS,
        rows(User, username="m_new_lecturer"),
        lambda w, u: {"username": "m_new_lecturer", "email": "new@example.cn", "name": "新讲师",
                      "region": REGION},
        refused={"other_coordinator": FORM_ERROR},  # only their region is offered
    ),
    _form(
        "ask to become a lecturer", "lecture_hall:lecturer_request",
        lambda w: reverse("lecture_hall:lecturer_request"), frozenset({"resident"}),
        rows(Lecturer, name="想当讲师"),
        lambda w, u: {"name": "想当讲师", "region": REGION},
    ),
    _form(
        "decide a lecturer request", "lecture_hall:lecturer_decide",
        lambda w: reverse("lecture_hall:lecturer_decide"), REGION_MANAGERS,
        rows_of(Lecturer, lambda w: {"pk": w.candidate_id}),
        lambda w, u: {"lecturer": w.candidate_id, "decision": "approve"},
        refused={"other_coordinator": 404},  # not among their requests
    ),
    _form(
        "edit a lecturer's profile", "lecture_hall:lecturer_update",
        _session_url("lecture_hall:lecturer_update", "lecturer_a_id"), LECTURE_MANAGERS,
        rows_of(Lecturer, lambda w: {"pk": w.lecturer_a_id}),
        lambda w, u: {"name": "甲讲师", "title": "研究员", "organisation": "", "biography": ""},
        owner="lecturer_a",
    ),
    _form(
        "announce in the live room (page)", "live:announce",
        _session_url("live:announce", "live_id"), LECTURE_MANAGERS,
        rows_of(LiveAnnouncement, lambda w: {"session_id": w.live_id}),
        lambda w, u: {"text": "下半场开始"}, owner="lecturer_a",
    ),
]  # fmt: skip


def _version(world: World, pk: int) -> int:
    return world.session(pk).version


def _json_year(path: str) -> Callable[[World], str]:
    return lambda w: f"/api/years/{YEAR}/{path}"


API = [
    _api(
        "API: enter an event", "POST /api/events/", lambda w: "/api/events/", REGION_MANAGERS,
        rows(Event, title="矩阵接口活动"), lambda w, u: event_api(),
    ),
    _api(
        "API: enter a national event", "POST /api/events/", lambda w: "/api/events/", MINISTRY,
        rows(Event, title="矩阵全国活动"),
        lambda w, u: event_api(title="矩阵全国活动", region=None, level="national", city=""),
    ),
    _api(
        # A region's code in the body is checked like one in the URL.
        "API: enter an event for the other region", "POST /api/events/",
        lambda w: "/api/events/", frozenset({"other_coordinator", "ministry"}),
        rows(Event, title="矩阵上海活动"),
        lambda w, u: event_api(title="矩阵上海活动", region=OTHER_REGION, city="浦东新区"),
    ),
    _api(
        "API: change an event", "PATCH /api/events/{id}/",
        lambda w: f"/api/events/{w.event_id}/", REGION_MANAGERS,
        rows_of(Event, lambda w: {"pk": w.event_id}), lambda w, u: {"title": "接口改过"},
    ),
    _api(
        "API: move an event to another region", "PATCH /api/events/{id}/",
        lambda w: f"/api/events/{w.event_id}/", MINISTRY,
        rows_of(Event, lambda w: {"pk": w.event_id}),
        lambda w, u: {"region": OTHER_REGION, "city": "浦东新区"},
    ),
    _api(
        "API: cancel an event", "POST /api/events/{id}/cancel/",
        lambda w: f"/api/events/{w.event_id}/cancel/", REGION_MANAGERS,
        rows_of(Event, lambda w: {"pk": w.event_id}), lambda w, u: {"reason": "暴雨"},
    ),
    _api(
        "API: record participants", "POST /api/events/{id}/participants/",
        lambda w: f"/api/events/{w.past_event_id}/participants/", REGION_MANAGERS,
        rows_of(Event, lambda w: {"pk": w.past_event_id}), lambda w, u: {"participants": 88},
    ),
    _api(
        "API: import events", "POST /api/events/import/", lambda w: "/api/events/import/",
        REGION_MANAGERS, rows(Event, title="矩阵导入的读书会"),
        lambda w, u: {"region": REGION, "file": upload("events.xlsx", spreadsheet())},
        multipart=True,
    ),
    _api(
        "API: apply for the region's week", "PUT /api/years/{year}/applications/{region_code}/",
        _json_year(f"applications/{REGION}/"), REGION_MANAGERS,
        rows_of(WeekApplication, lambda w: {"region_id": REGION}),
        lambda w, u: {"ranked_weeks": [16, 17], "avoided_weeks": [30], "theme": "接口学习周",
                      "contact_name": "王老师"},
    ),
    _api(
        "API: submit the work plan", "PUT /api/years/{year}/plans/{region_code}/",
        _json_year(f"plans/{REGION}/"), REGION_MANAGERS, rows(WorkPlan, region_id=REGION),
        lambda w, u: {"title": "接口方案", "document": upload("plan.pdf", PDF)}, multipart=True,
    ),
    _api(
        "API: nominate", "POST /api/years/{year}/nominations/", _json_year("nominations/"),
        REGION_MANAGERS, rows(Nomination, name="接口提名"),
        lambda w, u: {"region": REGION, "kind": "learning_star", "name": "接口提名",
                      "summary": "三十年"},
        multipart=True,
    ),
    _api(
        "API: nominate for the other region", "POST /api/years/{year}/nominations/",
        _json_year("nominations/"), frozenset({"other_coordinator", "ministry"}),
        rows(Nomination, name="上海提名"),
        lambda w, u: {"region": OTHER_REGION, "kind": "learning_star", "name": "上海提名",
                      "summary": "三十年"},
        multipart=True,
    ),
    _api(
        "API: review a nomination", "POST /api/years/{year}/nominations/{id}/review/",
        lambda w: f"/api/years/{YEAR}/nominations/{w.nomination_id}/review/", MINISTRY,
        rows_of(Nomination, lambda w: {"pk": w.nomination_id}),
        lambda w, u: {"status": "accepted", "comment": ""},
    ),
    _api(
        "API: pin a region", "PUT /api/years/{year}/pins/{region_code}/",
        _json_year(f"pins/{REGION}/"), MINISTRY, rows(Pin), lambda w, u: {"week_number": 22},
    ),
    _api(
        "API: remove a pin", "DELETE /api/years/{year}/pins/{region_code}/",
        _json_year(f"pins/{OTHER_REGION}/"), MINISTRY, rows(Pin), prepare=_pin,
    ),
    _api(
        "API: run the allocation", "POST /api/years/{year}/runs/", _json_year("runs/"),
        MINISTRY, rows(AllocationRun),
        lambda w, u: {"expected_latest_run_id": latest_run_id(w)},
    ),
    _api(
        "API: publish a run", "POST /api/years/{year}/versions/", _json_year("versions/"),
        MINISTRY, rows(PublishedVersion), lambda w, u: {"run_id": w.run_id},
    ),
    _api(
        "API: change a week", "PATCH /api/years/{year}/weeks/{number}/",
        _json_year("weeks/20/"), MINISTRY, rows(Week, number=20),
        lambda w, u: {"capacity": 3},
    ),
    _api(
        "API: create a series", "POST /api/series/", lambda w: "/api/series/",
        LECTURE_MANAGERS, rows(Series, title="接口系列"),
        lambda w, u: {"title": "接口系列", "description": "", "region": REGION,
                      "lecturer_ids": [w.lecturer_a_id]},
        owner="lecturer_a",
    ),
    _api(
        "API: change a series", "PATCH /api/series/{id}/",
        lambda w: f"/api/series/{w.series_a_id}/", LECTURE_MANAGERS,
        rows_of(Series, lambda w: {"pk": w.series_a_id}), lambda w, u: {"title": "接口改过"},
        owner="lecturer_a",
    ),
    _api(
        "API: hand a series over to another lecturer", "PATCH /api/series/{id}/",
        lambda w: f"/api/series/{w.series_a_id}/", REGION_MANAGERS,
        rows_of(Series.lecturers.through, lambda w: {"series_id": w.series_a_id}),
        lambda w, u: {"lecturer_ids": [w.lecturer_b_id]}, owner="lecturer_a",
    ),
    _api(
        # Lecturers pick any region for their series and sessions; a coordinator only their own,
        # and only their own region's lecturers: Shanghai's may not put Beijing's lecturer A on a
        # series (400 on lecturer_ids, nothing stored).
        "API: create a series in the other region", "POST /api/series/",
        lambda w: "/api/series/", frozenset({"owner", "ministry"}),
        rows(Series, title="上海系列"),
        lambda w, u: {"title": "上海系列", "description": "", "region": OTHER_REGION,
                      "lecturer_ids": [w.lecturer_a_id]},
        owner="lecturer_a", refused={"other_coordinator": 400},
    ),
    _api(
        # ...but a coordinator books only their own region's lecturers: Shanghai's may not give
        # Beijing's lecturer A a session (400 on lecturer_ids, nothing stored).
        "API: create a session in the other region", "POST /api/sessions/",
        lambda w: "/api/sessions/", frozenset({"owner", "ministry"}),
        _lecturer_sessions,
        lambda w, u: {"title": "上海讲座", "starts_at": "2027-04-09T19:00:00+08:00",
                      "duration_minutes": 60, "lecturer_ids": [w.lecturer_a_id],
                      "region": OTHER_REGION},
        owner="lecturer_a", refused={"other_coordinator": 400},
    ),
    _api(
        "API: create a session", "POST /api/sessions/", lambda w: "/api/sessions/",
        LECTURE_MANAGERS, _lecturer_sessions,
        lambda w, u: {"title": "接口讲座", "starts_at": "2027-04-08T19:00:00+08:00",
                      "duration_minutes": 60, "lecturer_ids": [w.lecturer_a_id],
                      "region": REGION},
        owner="lecturer_a",
    ),
    _api(
        "API: create a session in another lecturer's series", "POST /api/sessions/",
        lambda w: "/api/sessions/", REGION_MANAGERS, _lecturer_sessions,
        lambda w, u: {"title": "接口讲座", "starts_at": "2027-04-08T19:00:00+08:00",
                      "duration_minutes": 60, "lecturer_ids": [w.lecturer_a_id],
                      "series": w.series_b_id, "region": REGION},
        owner="lecturer_a",
    ),
    _api(
        "API: change a draft", "PATCH /api/sessions/{id}/",
        lambda w: f"/api/sessions/{w.draft_id}/", LECTURE_MANAGERS, _session_probe("draft_id"),
        lambda w, u: {"title": "接口改过的草稿", "expected_version": _version(w, w.draft_id)},
        owner="lecturer_a",
    ),
    _api(
        "API: move a draft into another lecturer's series", "PATCH /api/sessions/{id}/",
        lambda w: f"/api/sessions/{w.draft_id}/", REGION_MANAGERS, _session_probe("draft_id"),
        lambda w, u: {"series": w.series_b_id, "expected_version": _version(w, w.draft_id)},
        owner="lecturer_a",
    ),
    _api(
        "API: hand a draft over to another lecturer", "PATCH /api/sessions/{id}/",
        lambda w: f"/api/sessions/{w.draft_id}/", REGION_MANAGERS,
        rows_of(Session.lecturers.through, lambda w: {"session_id": w.draft_id}),
        lambda w, u: {"lecturer_ids": [w.lecturer_b_id],
                      "expected_version": _version(w, w.draft_id)},
        owner="lecturer_a",
    ),
    _api(
        "API: publish a draft", "POST /api/sessions/{id}/publish/",
        lambda w: f"/api/sessions/{w.draft_id}/publish/", LECTURE_MANAGERS,
        _session_probe("draft_id"), lambda w, u: {"expected_version": _version(w, w.draft_id)},
        owner="lecturer_a",
    ),
    _api(
        "API: reschedule a session", "POST /api/sessions/{id}/reschedule/",
        lambda w: f"/api/sessions/{w.upcoming_id}/reschedule/", LECTURE_MANAGERS,
        _session_probe("upcoming_id"),
        lambda w, u: {"starts_at": "2027-03-12T19:00:00+08:00", "reason": "讲师出差",
                      "expected_version": _version(w, w.upcoming_id)},
        owner="lecturer_a",
    ),
    _api(
        "API: cancel a session", "POST /api/sessions/{id}/cancel/",
        lambda w: f"/api/sessions/{w.upcoming_id}/cancel/", LECTURE_MANAGERS,
        _session_probe("upcoming_id"),
        lambda w, u: {"reason": "讲师生病", "expected_version": _version(w, w.upcoming_id)},
        owner="lecturer_a",
    ),
    _api(
        "API: end a live session", "POST /api/sessions/{id}/end/",
        lambda w: f"/api/sessions/{w.live_id}/end/", LECTURE_MANAGERS,
        _session_probe("live_id"), lambda w, u: {}, owner="lecturer_a",
    ),
    _api(
        "API: duplicate a session", "POST /api/sessions/{id}/duplicate/",
        lambda w: f"/api/sessions/{w.upcoming_id}/duplicate/", LECTURE_MANAGERS,
        _lecturer_sessions, lambda w, u: {"weeks": 1}, owner="lecturer_a",
    ),
]  # fmt: skip


WS = [
    Case(
        "live room: announce", "ws", "announce", "WS", _session_url("live:room", "live_id"),
        LECTURE_MANAGERS, rows_of(LiveAnnouncement, lambda w: {"session_id": w.live_id}),
        lambda w, u: {"type": "announce", "text": "下半场五分钟后开始"}, owner="lecturer_a",
    ),
    Case(
        "live room: open the live panel", "ws", "hello", "WS",
        _session_url("live:room", "live_id"), LECTURE_MANAGERS, lambda w, u: None,
        lambda w, u: {"type": "hello", "panel": True}, owner="lecturer_a",
    ),
    Case(
        # Presence only (no stored row): everyone may join a published session's room and
        # keep their place with heartbeats; the count is the effect.
        "live room: join and heartbeat", "ws", "heartbeat", "WS",
        _session_url("live:room", "live_id"), ANYONE, lambda w, u: None,
        lambda w, u: {"type": "heartbeat"},
    ),
    Case(
        # A hello claiming another user's id is forged (4403), whoever sends it.
        "live room: hello as another user", "ws", "hello", "WS",
        _session_url("live:room", "live_id"), frozenset({"owner"}), lambda w, u: None,
        lambda w, u: {"type": "hello", "viewer": f"user:{w.user('resident_a').pk}"},
        owner="resident_a", refused={r: 4403 for r in ANYONE},
    ),
]  # fmt: skip


def _poll_count(world: World, actor: User | None) -> int:
    from lecture_hall.live.selectors import live_stats

    return live_stats(session_id=world.live_id).count


PRESENCE = [
    _form(
        # The polling fallback counts the browser like a heartbeat; nothing is stored.
        "live room: polling heartbeat",
        "live:count",
        _session_url("live:count", "live_id"),
        ANYONE,
        _poll_count,
        ok=frozenset({200}),
    ),
]

CASES: list[Case] = [
    *SCHEDULING_FORMS,
    *EVENT_FORMS,
    *STATISTICS_FORMS,
    *CALENDAR_FORMS,
    *REMINDER_FORMS,
    *LECTURE_FORMS,
    *PRESENCE,
    *API,
    *WS,
]


def resident_a_untouched(world: World) -> Any:
    """Resident A's private calendar and reminders: no case but A's own changes them."""
    actor = world.user("resident_a")
    return own_subscription(world, actor), list(
        ReminderRequest.objects.filter(user=actor).order_by("pk").values()
    )
