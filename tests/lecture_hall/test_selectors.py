"""Read queries of the lecture hall: live now, today and this week at their Asia/Shanghai
boundaries, search, drafts kept private, who may write what, the dashboard and the history."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from accounts.models import Role, User
from lecture_hall.models import Lecturer, Session
from lecture_hall.selectors import (
    SessionFilters,
    authoring_scope,
    dashboard,
    day_bounds,
    hall_overview,
    lecturer_page,
    lecturer_requests,
    managed_lecturer,
    managed_session,
    session_history,
    session_page,
    session_search,
    sessions_live_now,
    sessions_this_week,
    sessions_today,
    week_bounds,
)
from lecture_hall.services import (
    lecturer_request,
    series_create,
    session_cancel,
    session_create,
    session_publish,
    session_reschedule,
)
from tests.factories import LecturerFactory, UserFactory

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
UTC = dt.UTC
SETUP = dt.datetime(2027, 2, 1, 9, 0, tzinfo=SH)  # sessions are created before their time


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(SETUP, tick=False) as traveller:
        yield traveller


@pytest.fixture
def teacher(clock: Any) -> Lecturer:
    return LecturerFactory(name="王教授")


def published(
    teacher: Lecturer, start: dt.datetime, minutes: int = 90, title: str = "讲座", **extra: Any
) -> Session:
    session = session_create(
        actor=teacher.user,
        title=title,
        starts_at=start,
        duration_minutes=minutes,
        lecturer_ids=[teacher.pk],
        **extra,
    )
    return session_publish(actor=teacher.user, session=session, expected_version=1)


def draft(teacher: Lecturer, start: dt.datetime, title: str = "草稿", minutes: int = 30) -> Session:
    return session_create(
        actor=teacher.user,
        title=title,
        starts_at=start,
        duration_minutes=minutes,
        lecturer_ids=[teacher.pk],
    )


def titles(sessions: Any) -> list[str]:
    return [session.title for session in sessions]


# --- Day and week boundaries in Asia/Shanghai ---------------------------------------------


def test_day_bounds_follow_beijing_midnight_not_utc() -> None:
    # 00:30 on 2 March in Beijing is still 1 March in UTC.
    start, end = day_bounds(dt.datetime(2027, 3, 1, 16, 30, tzinfo=UTC))
    assert start == dt.datetime(2027, 3, 2, 0, 0, tzinfo=SH)
    assert end == dt.datetime(2027, 3, 3, 0, 0, tzinfo=SH)


def test_week_bounds_are_monday_to_monday_in_beijing() -> None:
    # Sunday 7 March 23:30 in Beijing; Monday 1 March starts the ISO week.
    start, end = week_bounds(dt.datetime(2027, 3, 7, 15, 30, tzinfo=UTC))
    assert (start, end) == (
        dt.datetime(2027, 3, 1, 0, 0, tzinfo=SH),
        dt.datetime(2027, 3, 8, 0, 0, tzinfo=SH),
    )
    # Monday 00:10 in Beijing is still Sunday in UTC, but already the next week.
    start, _end = week_bounds(dt.datetime(2027, 3, 7, 16, 10, tzinfo=UTC))
    assert start == dt.datetime(2027, 3, 8, 0, 0, tzinfo=SH)


def test_today_is_the_beijing_day(teacher: Lecturer) -> None:
    published(teacher, dt.datetime(2027, 3, 1, 23, 0, tzinfo=SH), minutes=30, title="昨晚")
    published(teacher, dt.datetime(2027, 3, 2, 0, 0, tzinfo=SH), minutes=30, title="零点")
    published(teacher, dt.datetime(2027, 3, 2, 23, 30, tzinfo=SH), minutes=30, title="深夜")
    published(teacher, dt.datetime(2027, 3, 3, 0, 0, tzinfo=SH), minutes=30, title="明天")
    now = dt.datetime(2027, 3, 2, 0, 30, tzinfo=SH)  # 1 March 16:30 UTC
    assert titles(sessions_today(now=now)) == ["零点", "深夜"]


def test_this_week_runs_from_monday_to_sunday_in_beijing(teacher: Lecturer) -> None:
    published(teacher, dt.datetime(2027, 2, 28, 23, 0, tzinfo=SH), minutes=30, title="上周日")
    published(teacher, dt.datetime(2027, 3, 1, 0, 0, tzinfo=SH), minutes=30, title="周一零点")
    published(teacher, dt.datetime(2027, 3, 7, 23, 30, tzinfo=SH), minutes=30, title="周日深夜")
    published(teacher, dt.datetime(2027, 3, 8, 0, 0, tzinfo=SH), minutes=30, title="下周一")
    for now in (
        dt.datetime(2027, 3, 1, 0, 0, tzinfo=SH),
        dt.datetime(2027, 3, 4, 12, 0, tzinfo=SH),
        dt.datetime(2027, 3, 7, 23, 59, tzinfo=SH),
    ):
        assert titles(sessions_this_week(now=now)) == ["周一零点", "周日深夜"], now


def test_live_now_covers_start_to_end_of_published_sessions_only(teacher: Lecturer) -> None:
    start = dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH)
    session = published(teacher, start, minutes=90, title="直播")
    other = LecturerFactory()
    draft(other, start, title="草稿")
    cancelled = session_create(
        actor=other.user,
        title="取消了",
        starts_at=start + dt.timedelta(hours=3),
        duration_minutes=240,
        lecturer_ids=[other.pk],
    )
    session_cancel(actor=other.user, session=cancelled, expected_version=1, reason="讲师生病")
    assert sessions_live_now(now=start - dt.timedelta(seconds=1)) == []
    assert sessions_live_now(now=start) == [session]
    assert sessions_live_now(now=start + dt.timedelta(minutes=89, seconds=59)) == [session]
    assert sessions_live_now(now=start + dt.timedelta(minutes=90)) == []
    assert sessions_live_now(now=start + dt.timedelta(hours=4)) == []


def test_a_four_hour_session_is_live_until_its_end(teacher: Lecturer) -> None:
    start = dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH)
    session = published(teacher, start, minutes=240)
    assert sessions_live_now(now=start + dt.timedelta(minutes=239)) == [session]
    assert sessions_live_now(now=start + dt.timedelta(minutes=240)) == []


# --- Public lists and search ---------------------------------------------------------------


def test_drafts_are_never_in_public_lists_or_search(teacher: Lecturer) -> None:
    now = dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH)
    published(teacher, now + dt.timedelta(hours=1), title="公开讲座")
    draft(teacher, now + dt.timedelta(hours=3), title="草稿讲座")
    overview = hall_overview(now=now)
    assert titles(overview.today) == ["公开讲座"]
    assert titles(overview.week) == ["公开讲座"]
    for filters in (SessionFilters(q="讲座"), SessionFilters(when="upcoming"), SessionFilters()):
        assert titles(session_search(filters, now=now)) == ["公开讲座"]
    assert titles(lecturer_page(pk=teacher.pk, viewer=teacher.user, now=now).upcoming) == [
        "公开讲座"
    ]


def test_cancelled_sessions_stay_public_as_cancelled(teacher: Lecturer) -> None:
    now = dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH)
    session = published(teacher, now + dt.timedelta(hours=1))
    session_cancel(actor=teacher.user, session=session, expected_version=2, reason="讲师出差")
    found = list(session_search(SessionFilters(q="讲座"), now=now))
    assert [(s.title, s.state) for s in found] == [("讲座", "cancelled")]


def test_search_matches_title_abstract_or_lecturer_once_each(teacher: Lecturer) -> None:
    partner = LecturerFactory(name="李明")
    session = session_create(
        actor=teacher.user,
        title="数字生活",
        abstract="防范电信诈骗",
        starts_at=dt.datetime(2027, 3, 1, 19, 0, tzinfo=SH),
        duration_minutes=60,
        lecturer_ids=[teacher.pk, partner.pk],
    )
    session_publish(actor=teacher.user, session=session, expected_version=1)
    published(teacher, dt.datetime(2027, 3, 2, 19, 0, tzinfo=SH), title="家庭教育")
    now = dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH)
    assert titles(session_search(SessionFilters(q="数字"), now=now)) == ["数字生活"]
    assert titles(session_search(SessionFilters(q="诈骗"), now=now)) == ["数字生活"]
    assert titles(session_search(SessionFilters(q="李明"), now=now)) == ["数字生活"]
    assert titles(session_search(SessionFilters(q="天文"), now=now)) == []
    # Matching in the title and through a lecturer does not make a session appear twice.
    assert titles(session_search(SessionFilters(q="教"), now=now)) == ["家庭教育", "数字生活"]
    assert titles(session_search(SessionFilters(region="110000"), now=now)) == []
    assert titles(session_search(SessionFilters(region="500000", when="upcoming"), now=now)) == [
        "数字生活",
        "家庭教育",
    ]


def test_when_filters_today_week_upcoming_and_past(teacher: Lecturer, clock: Any) -> None:
    published(teacher, dt.datetime(2027, 3, 1, 8, 0, tzinfo=SH), minutes=30, title="今早")
    published(teacher, dt.datetime(2027, 3, 1, 19, 0, tzinfo=SH), minutes=30, title="今晚")
    published(teacher, dt.datetime(2027, 3, 5, 19, 0, tzinfo=SH), minutes=30, title="周五")
    published(teacher, dt.datetime(2027, 3, 9, 19, 0, tzinfo=SH), minutes=30, title="下周")
    now = dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH)

    def found(when: str) -> list[str]:
        return titles(session_search(SessionFilters(when=when), now=now))

    assert found("today") == ["今早", "今晚"]
    assert found("week") == ["今早", "今晚", "周五"]
    assert found("upcoming") == ["今晚", "周五", "下周"]
    assert found("past") == ["今早"]
    assert found("") == ["下周", "周五", "今晚", "今早"]


def test_home_overview_caps_its_lists_and_says_there_is_more(teacher: Lecturer) -> None:
    start = dt.datetime(2027, 3, 1, 10, 0, tzinfo=SH)
    for i in range(13):
        published(teacher, start + dt.timedelta(minutes=30 * i), minutes=30, title=f"讲座{i:02d}")
    overview = hall_overview(now=start - dt.timedelta(hours=1))
    assert len(overview.today) == 12
    assert overview.more_today
    assert overview.live == []
    regions = {region.code: region.upcoming for region in overview.regions}
    assert (len(regions), regions["500000"], regions["110000"]) == (37, 13, 0)


# --- One session: private drafts, reschedule reason, managers -------------------------------


def test_a_draft_page_exists_only_for_those_who_may_manage_it(
    teacher: Lecturer, resident: User, coordinator: User, ministry_user: User
) -> None:
    session = draft(teacher, dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH))
    chongqing = UserFactory(role=Role.COORDINATOR, region_id="500000")
    for viewer in (teacher.user, chongqing, ministry_user):
        assert session_page(pk=session.pk, viewer=viewer).may_manage
    for viewer in (resident, coordinator, LecturerFactory().user):
        with pytest.raises(Session.DoesNotExist):
            session_page(pk=session.pk, viewer=viewer)


def test_session_page_gives_the_last_reschedule_reason(teacher: Lecturer) -> None:
    session = published(teacher, dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH))
    assert session_page(pk=session.pk, viewer=None).reschedule_reason is None
    for version, reason in ((2, "第一次"), (3, "第二次")):
        session_reschedule(
            actor=teacher.user,
            session=session,
            expected_version=version,
            starts_at=dt.datetime(2027, 3, version, 9, 0, tzinfo=SH),
            reason=reason,
        )
    assert session_page(pk=session.pk, viewer=None).reschedule_reason == "第二次"


def test_managed_session_refuses_others(teacher: Lecturer, resident: User) -> None:
    session = draft(teacher, dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH))
    assert managed_session(actor=teacher.user, pk=session.pk) == session
    with pytest.raises(PermissionDenied):
        managed_session(actor=resident, pk=session.pk)


def test_history_rows_say_who_what_and_why_in_readable_terms(teacher: Lecturer) -> None:
    series = series_create(actor=teacher.user, title="健康系列", lecturer_ids=[teacher.pk])
    session = published(teacher, dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH), series=series)
    session_reschedule(
        actor=teacher.user,
        session=session,
        expected_version=2,
        starts_at=dt.datetime(2027, 3, 2, 10, 0, tzinfo=SH),
        reason="场地调整",
    )
    _session, rows = session_history(actor=teacher.user, pk=session.pk)
    assert [row.action for row in rows] == ["rescheduled", "published", "created"]
    assert rows[0].who == str(teacher.user)
    assert rows[0].reason == "场地调整"
    assert rows[0].fields == [("starts at", "March 1, 2027, 9 a.m.", "March 2, 2027, 10 a.m.")]
    assert rows[1].fields == [("state", "Draft", "Published")]


# --- Who may write what ------------------------------------------------------------------


def test_authoring_scope_per_role(
    teacher: Lecturer, resident: User, lecturer: User, coordinator: User, ministry_user: User
) -> None:
    neighbour = LecturerFactory(name="同城讲师")
    beijing = LecturerFactory(name="北京讲师", region_id="110000", user__region_id="110000")
    mine = series_create(actor=teacher.user, title="我的系列", lecturer_ids=[teacher.pk])
    series_create(actor=neighbour.user, title="别人的系列", lecturer_ids=[neighbour.pk])

    own = authoring_scope(actor=teacher.user)
    assert own.own_lecturer == teacher
    assert set(own.lecturers) == {teacher, neighbour}
    assert list(own.series) == [mine]
    assert own.regions.count() == 37

    region = authoring_scope(actor=coordinator)
    assert list(region.lecturers) == [beijing]
    assert [r.code for r in region.regions] == ["110000"]

    assert set(authoring_scope(actor=ministry_user).lecturers) == {teacher, neighbour, beijing}
    for refused in (resident, lecturer):  # `lecturer` has the role but no approved profile
        with pytest.raises(PermissionDenied):
            authoring_scope(actor=refused)


def test_dashboard_per_role(
    teacher: Lecturer, coordinator: User, ministry_user: User, resident: User
) -> None:
    now = dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH)
    beijing = LecturerFactory(name="北京讲师", region_id="110000", user__region_id="110000")
    published(teacher, now + dt.timedelta(days=1), title="重庆讲座")
    draft(teacher, now + dt.timedelta(days=2), title="重庆草稿")
    published(beijing, now - dt.timedelta(days=1), title="北京旧讲座")

    mine = dashboard(actor=teacher.user, now=now)
    assert (titles(mine.upcoming), titles(mine.drafts), titles(mine.past)) == (
        ["重庆讲座"],
        ["重庆草稿"],
        [],
    )
    theirs = dashboard(actor=coordinator, now=now)
    assert (titles(theirs.upcoming), titles(theirs.past)) == ([], ["北京旧讲座"])
    everything = dashboard(actor=ministry_user, now=now)
    assert len(everything.upcoming) + len(everything.drafts) + len(everything.past) == 3
    with pytest.raises(PermissionDenied):
        dashboard(actor=resident, now=now)


def test_lecturer_requests_go_to_their_regions_coordinators(
    resident: User, coordinator: User, other_coordinator: User, ministry_user: User
) -> None:
    request = lecturer_request(actor=resident, region_code="110000", name="张居民")
    assert list(lecturer_requests(actor=coordinator)) == [request]
    assert list(lecturer_requests(actor=other_coordinator)) == []
    assert list(lecturer_requests(actor=ministry_user)) == [request]
    with pytest.raises(PermissionDenied):
        lecturer_requests(actor=resident)


def test_a_lecturer_profile_is_edited_by_its_owner_or_its_regions_managers(
    teacher: Lecturer, coordinator: User
) -> None:
    chongqing = UserFactory(role=Role.COORDINATOR, region_id="500000")
    for actor in (teacher.user, chongqing):
        assert managed_lecturer(actor=actor, pk=teacher.pk) == teacher
    for actor in (coordinator, LecturerFactory().user):
        with pytest.raises(PermissionDenied):
            managed_lecturer(actor=actor, pk=teacher.pk)
