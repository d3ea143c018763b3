"""The hall home's browse counts and the search's count, as they were made cheap at scale
(docs/benchmarks.md, bench.lecture_hall): regions' upcoming sessions and series' public sessions
equal a direct count; the two blocks are cached for a minute and forgotten by every session
change made through the services; a search counts at most SEARCH_COUNT_CAP matches and says so
in both languages."""

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lecture_hall import selectors
from lecture_hall.models import Lecturer, Series, Session, SessionState
from lecture_hall.selectors import PUBLIC_STATES, regions_with_upcoming, series_overview
from lecture_hall.services import (
    series_create,
    session_cancel,
    session_create,
    session_end,
    session_publish,
    session_reschedule,
    session_update,
)
from lecture_hall.services.sessions import HALL_BROWSE_CACHE_KEY
from scheduling.models import Region
from tests.factories import LecturerFactory

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH)
HOME = "/lectures/"


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def teacher() -> Lecturer:
    return LecturerFactory(name="王教授")  # region 500000


@pytest.fixture
def beijing_teacher() -> Lecturer:
    return LecturerFactory(name="李老师", region_id="110000")


def new_session(
    lecturer: Lecturer,
    *,
    start: dt.datetime,
    title: str = "健康讲座",
    publish: bool = True,
    series: Series | None = None,
) -> Session:
    session = session_create(
        actor=lecturer.user,
        title=title,
        starts_at=start,
        duration_minutes=60,
        lecturer_ids=[lecturer.pk],
        series=series,
    )
    if publish:
        session = session_publish(actor=lecturer.user, session=session, expected_version=1)
    return session


def hours(n: float) -> dt.datetime:
    return NOW + dt.timedelta(hours=n)


def get(client: Client, url: str, language: str = "en") -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return str(response.content.decode())


def region_count(html: str, code: str) -> int:
    """The number the home shows beside a region in "By region"."""
    match = re.search(
        rf'href="\?region={code}&amp;when=upcoming">[^<]*</a> <span class="count">(\d+)</span>',
        html,
    )
    assert match, f"region {code} is not on the page"
    return int(match.group(1))


def upcoming_in(code: str) -> int:
    return Session.objects.filter(
        region_id=code, state=SessionState.PUBLISHED, starts_at__gte=timezone.now()
    ).count()


# --- Counts equal a direct count --------------------------------------------------------------


def test_regions_upcoming_counts_equal_a_direct_count(
    teacher: Lecturer, beijing_teacher: Lecturer, clock: Any
) -> None:
    started = new_session(teacher, start=hours(1))
    for n in (3, 5):
        new_session(teacher, start=hours(n))
    new_session(beijing_teacher, start=hours(4))
    new_session(teacher, start=hours(7), publish=False)  # a draft: not counted
    cancelled = new_session(teacher, start=hours(9))
    session_cancel(actor=teacher.user, session=cancelled, expected_version=2, reason="病了")
    clock.move_to(hours(1.5))  # the first has started: no longer upcoming
    now = hours(1.5)

    regions = regions_with_upcoming(now=now)

    direct = {
        region.code: Session.objects.filter(
            region=region, state=SessionState.PUBLISHED, starts_at__gte=now
        ).count()
        for region in Region.objects.all()
    }
    assert {region.code: region.upcoming for region in regions} == direct  # type: ignore[attr-defined]
    assert [region.code for region in regions] == sorted(direct)
    assert (direct["500000"], direct["110000"], direct["310000"]) == (2, 1, 0)
    # A session starting exactly now is still to come.
    at_start = {r.code: r.upcoming for r in regions_with_upcoming(now=started.starts_at)}  # type: ignore[attr-defined]
    assert at_start["500000"] == 3


@pytest.mark.parametrize("with_lecturers", [True, False])
def test_series_public_counts_equal_a_direct_count(
    teacher: Lecturer, clock: Any, with_lecturers: bool
) -> None:
    busy = series_create(actor=teacher.user, title="甲系列", lecturer_ids=[teacher.pk])
    empty = series_create(actor=teacher.user, title="乙系列", lecturer_ids=[teacher.pk])
    drafts_only = series_create(actor=teacher.user, title="丙系列", lecturer_ids=[teacher.pk])
    ended = new_session(teacher, start=hours(1), series=busy)
    new_session(teacher, start=hours(3), series=busy)
    cancelled = new_session(teacher, start=hours(5), series=busy)
    session_cancel(actor=teacher.user, session=cancelled, expected_version=2, reason="改期")
    new_session(teacher, start=hours(7), series=busy, publish=False)
    new_session(teacher, start=hours(9), series=drafts_only, publish=False)
    new_session(teacher, start=hours(11))  # in no series
    clock.move_to(hours(2))
    session_end(actor=teacher.user, session=ended)

    counts = {s.pk: s.public_count for s in series_overview(with_lecturers=with_lecturers)}

    direct = {
        s.pk: Session.objects.filter(series=s, state__in=PUBLIC_STATES).count()
        for s in Series.objects.all()
    }
    assert counts == direct
    assert (direct[busy.pk], direct[empty.pk], direct[drafts_only.pk]) == (3, 0, 0)


# --- The browse blocks are cached, and forgotten by every change ------------------------------


def _publish(teacher: Lecturer, sessions: dict[str, Session]) -> None:
    session_publish(actor=teacher.user, session=sessions["draft"], expected_version=1)


def _reschedule(teacher: Lecturer, sessions: dict[str, Session]) -> None:
    session = sessions["later"]
    session_reschedule(
        actor=teacher.user,
        session=session,
        expected_version=session.version,
        starts_at=hours(30),
        reason="会场调整",
    )


def _cancel(teacher: Lecturer, sessions: dict[str, Session]) -> None:
    session = sessions["later"]
    session_cancel(
        actor=teacher.user, session=session, expected_version=session.version, reason="病了"
    )


def _end(teacher: Lecturer, sessions: dict[str, Session]) -> None:
    session_end(actor=teacher.user, session=sessions["started"])


def _move_to_another_series(teacher: Lecturer, sessions: dict[str, Session]) -> None:
    session = sessions["later"]
    other = series_create(actor=teacher.user, title="另一个系列", lecturer_ids=[teacher.pk])
    session_update(
        actor=teacher.user, session=session, expected_version=session.version, series=other
    )


CHANGES: dict[str, Callable[[Lecturer, dict[str, Session]], None]] = {
    "publish": _publish,
    "reschedule": _reschedule,
    "cancel": _cancel,
    "end": _end,
    "edit": _move_to_another_series,
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_session_change_forgets_the_cached_browse_blocks(
    client: Client,
    teacher: Lecturer,
    clock: Any,
    django_capture_on_commit_callbacks: Any,
    change: str,
) -> None:
    series = series_create(actor=teacher.user, title="系列", lecturer_ids=[teacher.pk])
    sessions = {
        "started": new_session(teacher, start=hours(1), series=series),
        "later": new_session(teacher, start=hours(5), series=series),
        "bypassed": new_session(teacher, start=hours(8), series=series),
        "bypassed too": new_session(teacher, start=hours(9), series=series),
        "draft": new_session(teacher, start=hours(10), series=series, publish=False),
    }
    clock.move_to(hours(1.25))  # before the page is cached: the cache's clock moves too
    before = upcoming_in("500000")
    assert region_count(get(client, HOME), "500000") == before == 3

    # Changes that bypass the services are not seen: the blocks come from the cache.
    bypassed = [sessions["bypassed"].pk, sessions["bypassed too"].pk]
    Session.objects.filter(pk__in=bypassed).update(state=SessionState.CANCELLED)
    assert region_count(get(client, HOME), "500000") == before

    with django_capture_on_commit_callbacks(execute=True):
        CHANGES[change](teacher, sessions)
    html = get(client, HOME)

    assert region_count(html, "500000") == upcoming_in("500000") != before
    for shown in series_overview():
        count = rf'>{shown.title}</a>\s*<span class="count">{shown.public_count} sessions?<'
        assert re.search(count, html), (shown.title, shown.public_count)


def test_the_cache_is_forgotten_again_when_the_change_commits(
    teacher: Lecturer, django_capture_on_commit_callbacks: Any
) -> None:
    """A home page counting while the change's transaction was open read the old rows and may
    have cached them after the service's first delete: the commit deletes them again."""
    session = new_session(teacher, start=hours(5))
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(actor=teacher.user, session=session, expected_version=2, reason="病了")
        cache.set(HALL_BROWSE_CACHE_KEY, "counted before the commit", 60)
    assert cache.get(HALL_BROWSE_CACHE_KEY) is None


def test_the_cached_blocks_serve_both_languages(client: Client, teacher: Lecturer) -> None:
    new_session(teacher, start=hours(5))
    zh = get(client, HOME, "zh-hans")
    assert cache.get(HALL_BROWSE_CACHE_KEY) is not None
    en = get(client, HOME, "en")
    assert ">重庆</a>" in zh
    assert ">Chongqing</a>" in en
    assert region_count(zh, "500000") == region_count(en, "500000") == 1


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_cached_home_costs_three_queries_fewer(
    client: Client, teacher: Lecturer, language: str
) -> None:
    """Uncached, the region list, its upcoming counts and the series with their counts are
    read (test_views checks the home's largest count); cached, none of them."""
    series = series_create(actor=teacher.user, title="系列", lecturer_ids=[teacher.pk])
    new_session(teacher, start=hours(0.5), series=series)
    with CaptureQueriesContext(connection) as uncached:
        get(client, HOME, language)
    with CaptureQueriesContext(connection) as cached:
        html = get(client, HOME, language)
    assert len(cached) == len(uncached) - 3
    assert region_count(html, "500000") == 1
    assert re.search(r'>系列</a>\s*<span class="count">1 ', html)


def test_a_given_moment_is_counted_not_read_from_the_cache(teacher: Lecturer) -> None:
    new_session(teacher, start=hours(5))
    cache.set(HALL_BROWSE_CACHE_KEY, ([], [], False), 60)
    overview = selectors.hall_overview(now=hours(1))
    assert {r.code: r.upcoming for r in overview.regions}["500000"] == 1  # type: ignore[attr-defined]


# --- The search's count stops at a cap --------------------------------------------------------


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 3)
    return 3


@pytest.mark.parametrize(
    ("language", "capped", "hint"),
    [
        ("en", "3+ sessions found", "Only the first 3 are listed"),
        ("zh-hans", "找到超过 3 场讲座", "只列出前 3 场"),
    ],
)
def test_more_matches_than_the_cap_say_so_and_list_the_first(
    client: Client, teacher: Lecturer, small_cap: int, language: str, capped: str, hint: str
) -> None:
    for i in range(5):
        new_session(teacher, start=hours(2 + 2 * i), title=f"健康讲座{i}")
    new_session(teacher, start=hours(20), title="天文")

    html = get(client, HOME + "?q=健康&when=upcoming", language)

    assert capped in html
    assert hint in html
    listed = re.findall(r"健康讲座(\d)", html)
    assert sorted(set(listed)) == ["0", "1", "2"]  # the first three, soonest first


@pytest.mark.parametrize(
    ("language", "exact"), [("en", "3 sessions found"), ("zh-hans", "找到 3 场讲座")]
)
def test_as_many_matches_as_the_cap_are_counted_exactly(
    client: Client, teacher: Lecturer, small_cap: int, language: str, exact: str
) -> None:
    for i in range(3):
        new_session(teacher, start=hours(2 + 2 * i), title=f"健康讲座{i}")

    html = get(client, HOME + "?q=健康", language)

    assert exact in html
    assert "+" not in re.search(r'id="results-heading">([^<]*)<', html).group(1)  # type: ignore[union-attr]


def test_the_cap_is_written_with_the_languages_digit_grouping(
    client: Client, teacher: Lecturer, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_session(teacher, start=hours(2))
    # Making 1,001 sessions is slow here: the count says there are more than the cap.
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 1000)
    monkeypatch.setattr("lecture_hall.views.common.CappedPaginator._counted", 1001)
    assert "1,000+ sessions found" in get(client, HOME + "?q=健康", "en")
    assert "找到超过 1000 场讲座" in get(client, HOME + "?q=健康", "zh-hans")
