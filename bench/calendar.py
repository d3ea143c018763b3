"""The public calendar with 50,000 events in the campaign year: the list and the month view
against /healthz, query counts at 500 and 50,000 events, and a 10,000-row spreadsheet import.

Run from the repository root: `python -m bench.calendar` (2-3 minutes; 127.0.0.1 only).
Needs PostgreSQL on 127.0.0.1:5432 (user postgres, `createdb` allowed), Redis on
127.0.0.1:6379 and wrk (Debian's package).

It creates a fresh PostgreSQL database `bench_calendar_<pid>`, migrates it and bulk-inserts
realistic events of campaign year 2027 (37 regions, five activity types, provincial, prefecture
and county levels, Chinese titles, venues and descriptions; reading activities cluster in the
June-November reading season as in events.demo, each region's Learning Week events fall in
its own week; 5 % tentative, 3 % cancelled), with the cache on Redis database 11. Then:

  queries  in this process, same settings and database, through Django's test client under
           CaptureQueriesContext: the query count of each page below with the first 500 events
           inserted, then again with all 50,000. They must be equal (exit status 1 otherwise).
  HTTP     config.wsgi under config.settings.production, served by gunicorn exactly as the web
           service in docker/compose.yaml runs it (bench._http.serve_wsgi: its arguments read
           from that file, 127.0.0.1 and a free port, one worker per core), loaded with
           `wrk -t2 -c8 --latency` plus a small Lua script reporting p90/p95 (wrk itself prints
           50/75/90/99), after a 2 s warm-up per URL, 10 s per URL in rounds
           healthz/list/filtered/month/month/filtered/list/healthz, the server left to finish
           what wrk left queued after each. The same 8 connections for every URL: at the
           other benches' 32, the month view's requests would queue past gunicorn's 30 s.
             healthz   GET /healthz, the baseline, same server, same run
             list      GET /events/ (first page of 50 of all 50,000)
             filtered  GET /events/?region=110000&activity_type=themed_reading
             month     GET /events/month/2027/06/ (7,671 events; 4 a day shown, "+N more")
           It prints req/s, p50/p90/p95/p99 and each page's p95 beside /healthz's.
  where    each page in-process (median of 5; of 3 for the month view): whole request, SQL
           time, template render time, the slowest query; and what the month view's rows cost
           to fetch as it does it, with only the columns the grid shows and no join, and capped
           at 6 a day (what-ifs measured here; nothing in the app is changed). `--profile` adds
           cProfile's top functions for one request of each page.
  import   a 10,000-row XLSX in the template's format (openpyxl: Chinese headers, notice names
           for types and levels, "YYYY-MM-DD HH:MM" times; a fifth of the rows are Learning Week
           events inside the region's published week), imported in-process with
           events.services.events_import as the coordinator of 330000: the first import (all
           created) and the same file again (all unchanged), each timed untraced, with its
           queries counted and the most repeated ones shown; tracemalloc's peak over one more
           first import, traced and rolled back (tracing slows it down).

The exit status is 1 when requests failed, a query count grew or the import counted wrong.
Every process it starts is stopped, its Redis keys deleted and the database dropped, whatever
happens.
"""

from __future__ import annotations

import contextlib
import cProfile
import datetime as dt
import io
import itertools
import os
import platform
import pstats
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import gunicorn

from bench._http import (
    DJANGO_WSGI_APP,
    WRK,
    LoadResult,
    backends,
    compose_web_args,
    page_bench_arguments,
    parse_wrk,
    production_env,
    serve_wsgi,
)
from bench.feeds import fresh_database

if TYPE_CHECKING:
    from django.test import Client

    from events.models import Event
    from scheduling.models import Region

YEAR = 2027
EVENTS = 50_000
FEW_EVENTS = 500
IMPORT_ROWS = 10_000
IMPORT_REGION = "330000"
IMPORT_WEEK = 20  # the Learning Week the published calendar gives IMPORT_REGION
REDIS_DB = 11
PAGES = {
    "list": "/events/",
    "filtered": "/events/?region=110000&activity_type=themed_reading",
    "month": f"/events/month/{YEAR}/06/",
}
ORDER = ("healthz", "list", "filtered", "month", "month", "filtered", "list", "healthz")
INPROCESS_RUNS = 5
SLOW_PAGE_RUNS = 3  # the month view takes about a second a request
BUSY_LOAD = 0.5


# --- measuring with wrk: p95 as well -------------------------------------------------------
PERCENTILES_LUA = """\
done = function(summary, latency, requests)
  io.write(string.format("BENCH-PERCENTILES %.0f %.0f %.0f %.0f\\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99)))
end
"""
_PERCENTILES = re.compile(r"^BENCH-PERCENTILES (\d+) (\d+) (\d+) (\d+)$", re.M)


@dataclass
class Measured:
    """wrk's figures (bench._http.LoadResult) with p90 and p95 from the Lua script."""

    load: LoadResult
    p90_ms: float
    p95_ms: float

    @property
    def rps(self) -> float:
        return self.load.rps


def wrk_percentiles(
    url: str,
    script: Path,
    *,
    threads: int,
    connections: int,
    seconds: float,
    timeout: float,
) -> Measured:
    """`wrk --latency -s script` against a loopback URL: bench._http.parse_wrk's figures, plus
    p90/p95 (microseconds from wrk's own histogram, printed by the script's done())."""
    if WRK is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    if urlsplit(url).hostname != "127.0.0.1":
        raise ValueError(f"benchmarks load 127.0.0.1 only, not {url}")
    seconds = max(1, round(seconds))  # wrk takes whole seconds
    argv = [
        WRK, f"-t{threads}", f"-c{connections}", f"--timeout={timeout:g}s", f"-d{seconds}s",
        "--latency", "-s", str(script), url,
    ]  # fmt: skip
    done = subprocess.run(argv, check=True, capture_output=True, text=True, timeout=seconds + 60)
    found = _PERCENTILES.search(done.stdout)
    if found is None:
        raise RuntimeError(f"no percentiles from the wrk script:\n{done.stdout}")
    _p50, p90, p95, _p99 = (int(v) / 1000 for v in found.groups())
    return Measured(parse_wrk(done.stdout, url), p90, p95)


def write_percentiles_script(directory: Path) -> Path:
    path = directory / "percentiles.lua"
    path.write_text(PERCENTILES_LUA)
    return path


def combine_measured(results: Sequence[Measured]) -> Measured:
    """Rounds of one URL: req/s over all of them, percentiles averaged per round."""
    seconds = sum(r.load.seconds for r in results)
    requests = sum(r.load.requests for r in results)
    load = LoadResult(
        url=results[0].load.url,
        tool=results[0].load.tool,
        requests=requests,
        seconds=seconds,
        rps=requests / seconds,
        p50_ms=statistics.fmean(r.load.p50_ms for r in results),
        p99_ms=statistics.fmean(r.load.p99_ms for r in results),
        errors=sum(r.load.errors for r in results),
    )
    return Measured(
        load,
        statistics.fmean(r.p90_ms for r in results),
        statistics.fmean(r.p95_ms for r in results),
    )


def format_measured(rows: Sequence[tuple[str, Measured]], baseline: Measured) -> str:
    header = (
        f"{'':<44} {'req/s':>7} {'p50 ms':>8} {'p90 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        f" {'requests':>8} {'errors':>6}  {'p95 / healthz p95':>17}"
    )
    lines = [header, "-" * len(header)]
    for label, m in rows:
        r = m.load
        lines.append(
            f"{label:<44} {r.rps:>7.0f} {r.p50_ms:>8.1f} {m.p90_ms:>8.1f} {m.p95_ms:>8.1f}"
            f" {r.p99_ms:>8.1f} {r.requests:>8} {r.errors:>6}  {m.p95_ms / baseline.p95_ms:>16.1f}x"
        )
    return "\n".join(lines)


def run_rounds(
    urls: Mapping[str, str],
    order: Sequence[str],
    script: Path,
    *,
    threads: int,
    connections: int,
    duration: float,
    warmup: float,
    timeout: float,
    workers: int,
) -> tuple[dict[str, Measured], list[tuple[str, float]]]:
    """A warm-up per URL (dropped), then `duration` seconds per URL split over its rounds.
    After each, the server works off what wrk left queued before the next one starts."""

    def run(name: str, seconds: float) -> Measured:
        result = wrk_percentiles(
            urls[name],
            script,
            threads=threads,
            connections=connections,
            seconds=seconds,
            timeout=timeout,
        )
        drain(urls["healthz"], workers)
        return result

    if warmup > 0:
        for name in urls:
            run(name, warmup)
    rounds: dict[str, list[Measured]] = {name: [] for name in urls}
    per_round = []
    for name in order:
        result = run(name, duration / order.count(name))
        rounds[name].append(result)
        per_round.append((name, result.rps))
    return {name: combine_measured(results) for name, results in rounds.items()}, per_round


# --- in-process: queries, time, profile ----------------------------------------------------
@dataclass
class InProcess:
    path: str
    queries: int
    total_ms: float
    sql_ms: float  # every query's execute, wherever it ran
    template_ms: float  # the template render, without the queries it ran (lazy querysets)
    other_ms: float  # middleware, the view's own Python, model instances built outside it
    html_kib: float
    slowest_sql: str
    slowest_ms: float


@dataclass
class Instruments:
    queries: list[tuple[str, float, bool]]  # SQL, seconds, run from inside the template
    renders: list[float]
    depth: int = 0


@contextlib.contextmanager
def instrumented() -> Iterator[Instruments]:
    """In this process only: every query's execute time (connection.execute_wrapper) and each
    top-level template render (django's backend Template.render, wrapped), with which queries
    the template ran itself (lazy querysets, paginators)."""
    from django.db import connection
    from django.template.backends.django import Template

    seen = Instruments([], [])
    original = Template.render

    def render(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.depth += 1
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            seen.depth -= 1
            if seen.depth == 0:  # form widgets render templates inside the page's: once
                seen.renders.append(time.perf_counter() - started)

    def execute(run: Callable[..., Any], sql: str, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return run(sql, *args)
        finally:
            seen.queries.append((sql, time.perf_counter() - started, seen.depth > 0))

    Template.render = render  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(execute):
            yield seen
    finally:
        Template.render = original  # type: ignore[method-assign]


def query_count(client: Client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code} in-process")
    return len(captured.captured_queries)


def in_process(client: Client, path: str, runs: int = INPROCESS_RUNS) -> InProcess:
    """Whole requests through Django's handler (median of `runs`), with their SQL and render."""
    totals, sqls, templates, others = [], [], [], []
    queries, body, slowest = 0, b"", ("", 0.0)
    client.get(path)  # warm: templates compiled, connection open
    for _ in range(runs):
        with instrumented() as seen:
            started = time.perf_counter()
            response = client.get(path)
            totals.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code} in-process")
        sqls.append(sum(t for _sql, t, _inside in seen.queries))
        inside = sum(t for _sql, t, run_inside in seen.queries if run_inside)
        templates.append(sum(seen.renders) - inside)
        others.append(totals[-1] - sqls[-1] - templates[-1])
        queries, body = len(seen.queries), response.content
        sql, seconds, _inside = max(seen.queries, key=lambda q: q[1])
        if seconds > slowest[1]:
            slowest = (sql, seconds)
    return InProcess(
        path,
        queries,
        statistics.median(totals) * 1000,
        statistics.median(sqls) * 1000,
        statistics.median(templates) * 1000,
        statistics.median(others) * 1000,
        len(body) / 1024,
        slowest[0],
        slowest[1] * 1000,
    )


def profile_request(client: Client, path: str, top: int = 12) -> str:
    profiler = cProfile.Profile()
    profiler.runcall(client.get, path)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return f"\n--- cProfile, one GET {path}, by own time ---\n" + out.getvalue()


def format_in_process(rows: Sequence[tuple[str, InProcess]]) -> str:
    lines = [
        f"{'':<44} {'request':>9} {'SQL':>8} {'template':>9} {'other':>8} {'HTML':>9}"
        "   (template: its render without the SQL it ran; other: middleware, view, models)"
    ]
    for label, r in rows:
        lines.append(
            f"{label:<44} {r.total_ms:>6.1f} ms {r.sql_ms:>5.1f} ms {r.template_ms:>6.1f} ms"
            f" {r.other_ms:>5.1f} ms {r.html_kib:>5.0f} KiB"
        )
    lines.append("  slowest query of each:")
    for label, r in rows:
        lines.append(f"    {label:<42} {r.slowest_ms:>6.1f} ms  {short_sql(r.slowest_sql)}")
    return "\n".join(lines)


@dataclass
class MonthFetch:
    label: str
    rows: int
    ms: float


def month_fetch_costs(month: dt.date, per_day: int = 6, runs: int = 3) -> list[MonthFetch]:
    """What the month view's rows cost to fetch (query + model instances), as it does it and two
    ways it could: without the columns and join the grid never shows, and at most `per_day` a day
    (a window function) plus one count per day. Nothing in the app is changed: what-ifs only."""
    from django.db.models import Count, F, Window
    from django.db.models.functions import RowNumber, TruncDate
    from django.utils import timezone

    from events.selectors import EventFilters, event_list

    tz = timezone.get_default_timezone()
    as_is = event_list(EventFilters(month=month))
    slim = as_is.select_related(None).only("id", "title", "starts_at", "ends_at", "status")
    capped = slim.annotate(
        rank=Window(
            RowNumber(),
            partition_by=TruncDate("starts_at", tzinfo=tz),
            order_by=[F("starts_at").asc(), F("id").asc()],
        )
    ).filter(rank__lte=per_day)
    per_day_counts = (
        as_is.select_related(None)
        .order_by()
        .annotate(day=TruncDate("starts_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
    )

    def fetch_capped() -> list[Any]:
        return [*capped.all(), *per_day_counts.all()]  # .all(): a fresh queryset, no cache

    measured = []
    for label, fetch in (
        ("all columns, region joined (the view before the cap)", lambda: list(as_is.all())),
        ("only id, title, times, status; no join", lambda: list(slim.all())),
        (f"at most {per_day} a day (window function) + day counts", fetch_capped),
    ):
        samples, rows = [], 0
        for _ in range(runs):
            seconds, got = timed(fetch)
            samples.append(seconds)
            rows = len(got)
        measured.append(MonthFetch(label, rows, statistics.median(samples) * 1000))
    return measured


def short_sql(sql: str, width: int = 90) -> str:
    sql = re.sub(r'"[a-z_]+"\."([a-z_]+)"', r"\1", sql)  # "events_event"."title" -> title
    sql = re.sub(r"SELECT .*? FROM", "SELECT … FROM", sql, count=1, flags=re.S)
    return sql if len(sql) <= width else sql[: width - 1] + "…"


# --- the Redis database of the run ---------------------------------------------------------
class RedisKeys:
    """Deletes, at the end, the keys of the run's Redis database that were not there before."""

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.before = set(self.client.scan_iter(count=1000))

    def close(self) -> None:
        mine = [k for k in self.client.scan_iter(count=1000) if k not in self.before]
        for chunk in range(0, len(mine), 1000):
            self.client.delete(*mine[chunk : chunk + 1000])
        self.client.close()


# --- data ----------------------------------------------------------------------------------
SENTENCES = (
    "本次活动面向全体市民免费开放，欢迎携家人朋友一同参加。",
    "活动由{organiser}主办，{place}各级图书馆、社区学院协办。",
    "请提前十五分钟到场签到；座位有限，额满即止。",
    "线上观看请点击活动链接，活动结束后提供回放。",
    "主讲嘉宾将结合自身经历，分享终身学习的方法与体会，并现场解答听众提问。",
    "现场设有互动问答环节，参与者可获赠精选图书一册（每人限领一本）。",
    "咨询电话：0571-8765 4321，工作日 9:00—17:00。",
)
VENUES = ("图书馆报告厅", "社区学院多功能厅", "文化馆二楼展厅", "老年大学礼堂", "新华书店阅读空间")
# Themed reading is the commonest; the Learning Week a dense week per region.
TYPE_WEIGHTS = {
    "themed_reading": 35,
    "publisher_recommends": 15,
    "lecture_hall": 15,
    "digital_reading": 15,
    "learning_week": 20,
}
READING_SEASON = ("themed_reading", "publisher_recommends", "digital_reading")


def learning_week_of(index: int) -> int:
    """The ISO week of 2027 the bench gives the index-th region for its Learning Week."""
    return 18 + (index * 7) % 28  # weeks 18-45, spread


@dataclass(frozen=True)
class Drawn:
    """One event's fields, drawn at random; `as_event` and the XLSX rows both use them."""

    activity_type: str
    level: str
    city: str
    title: str
    place: str
    organiser: str
    description: str
    venue: str
    online_url: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str


def draw(rng: random.Random, region: Region, week: int, index: int) -> Drawn:
    from django.utils import timezone

    from events.demo import PLACES, TITLES
    from events.models import ActivityType, EventStatus, Level

    tz = timezone.get_default_timezone()
    activity_type = rng.choices(list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values()))[0]
    cities, counties = PLACES.get(region.code, (("市区",), ("县城",)))
    level = rng.choices([Level.PROVINCIAL, Level.PREFECTURE, Level.COUNTY], [2, 5, 3])[0]
    city = {
        Level.PROVINCIAL: "",
        Level.PREFECTURE: rng.choice(cities),
        Level.COUNTY: rng.choice(counties),
    }[level]
    place, organiser = region.short_name_zh, f"{region.short_name_zh}教育厅"
    if activity_type == ActivityType.LEARNING_WEEK:
        day = dt.date.fromisocalendar(YEAR, week, rng.randint(1, 7))
    else:
        reading = activity_type in READING_SEASON and rng.random() < 0.7
        month = rng.randint(6, 11) if reading else rng.randint(1, 12)
        day = dt.date(YEAR, month, rng.randint(1, 28))
    starts = dt.datetime.combine(
        day, dt.time(rng.choice([9, 10, 14, 15, 19]), rng.choice([0, 30])), tzinfo=tz
    )
    online = activity_type in (ActivityType.LECTURE_HALL, ActivityType.DIGITAL_READING)
    sentences = rng.sample(SENTENCES, rng.randint(2, 4))
    title = rng.choice(TITLES[ActivityType(activity_type)]).format(place=place)
    return Drawn(
        activity_type=activity_type,
        level=level,
        city=city,
        title=f"{city or place}{title}（第{index % 9 + 1}场）",
        place=place,
        organiser=organiser,
        description="".join(sentences).format(organiser=organiser, place=place),
        venue="" if online and rng.random() < 0.7 else rng.choice(VENUES),
        online_url=f"https://live.example.cn/{region.code}/{index}" if online else "",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=rng.choice([1, 1.5, 2, 3])),
        status=rng.choices(
            [EventStatus.CONFIRMED, EventStatus.TENTATIVE, EventStatus.CANCELLED], [92, 5, 3]
        )[0],
    )


def event_stream(seed: int = YEAR) -> Iterator[Event]:
    """Events of campaign year 2027 over the 37 regions, endlessly, the same for a seed."""
    from events.models import Event, EventSource, EventStatus
    from scheduling.models import Region

    rng = random.Random(seed)
    regions = list(Region.objects.order_by("code"))
    weeks = {r.code: learning_week_of(i) for i, r in enumerate(regions)}
    for index in itertools.count():
        region = rng.choice(regions)
        d = draw(rng, region, weeks[region.code], index)
        yield Event(
            title=d.title,
            description=d.description,
            activity_type=d.activity_type,
            level=d.level,
            region=region,
            city=d.city,
            venue=d.venue,
            online_url=d.online_url,
            starts_at=d.starts_at,
            ends_at=d.ends_at,
            status=d.status,
            sequence=rng.choice([0, 0, 0, 1, 2]),
            organiser=d.organiser,
            cancel_reason="因天气原因取消，改期另行通知。"
            if d.status == EventStatus.CANCELLED
            else "",
            source=rng.choice([EventSource.ENTERED, EventSource.IMPORTED]),
        )


def insert(stream: Iterator[Event], count: int) -> None:
    from events.models import Event

    Event.objects.bulk_create(itertools.islice(stream, count), batch_size=2000)


# --- the import ----------------------------------------------------------------------------
def import_workbook(rows: int, seed: int = 330) -> bytes:
    """A filled-in copy of the import template: its Chinese headers, the notice's names for
    types and levels, times as the template writes them."""
    from openpyxl import Workbook

    from events.models import ACTIVITY_TYPE_NOTICE_NAMES, LEVEL_NOTICE_NAMES, ActivityType, Level
    from events.spreadsheet import COLUMNS
    from scheduling.models import Region

    rng = random.Random(seed)
    region = Region.objects.get(code=IMPORT_REGION)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("活动 Events")
    sheet.append([zh for _cid, zh, _en, _req in COLUMNS])
    for index in range(rows):
        d = draw(rng, region, IMPORT_WEEK, index)
        sheet.append([
            f"{d.title}·{index + 1}", ACTIVITY_TYPE_NOTICE_NAMES[ActivityType(d.activity_type)],
            LEVEL_NOTICE_NAMES[Level(d.level)], d.city, f"{d.starts_at:%Y-%m-%d %H:%M}",
            f"{d.ends_at:%Y-%m-%d %H:%M}", d.venue, d.online_url, d.organiser, d.description,
            None,  # participants: recorded after the event, and these are all still to come
        ])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def publish_learning_weeks(ministry: Any) -> None:
    """Campaign year 2027 published with IMPORT_REGION in IMPORT_WEEK, through the services
    (as tests/factories/scheduling.published_year does)."""
    from scheduling.services import (
        allocation_run,
        application_submit,
        campaign_year_open,
        version_publish,
    )

    campaign_year = campaign_year_open(actor=ministry, year=YEAR)
    application_submit(
        actor=ministry, campaign_year=campaign_year, region_code=IMPORT_REGION,
        ranked_weeks=[IMPORT_WEEK], avoided_weeks=[], theme="浙江学习周", contact_name="联系人",
    )  # fmt: skip
    run = allocation_run(actor=ministry, campaign_year=campaign_year, check_stale=False)
    version_publish(actor=ministry, campaign_year=campaign_year, run=run)


@dataclass
class ImportRun:
    counts: dict[str, int]
    seconds: float
    queries: int
    sql_seconds: float
    repeated: list[tuple[str, int]]  # the commonest statements, literals blanked, and how often


@contextlib.contextmanager
def counted_queries() -> Iterator[list[tuple[str, float]]]:
    """Every query's SQL and execute time on the default connection (CaptureQueriesContext
    keeps only the last 9,000, and the import makes more)."""
    from django.db import connection

    spent: list[tuple[str, float]] = []

    def wrapper(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, *args)
        finally:
            spent.append((sql, time.perf_counter() - started))

    with connection.execute_wrapper(wrapper):
        yield spent


def repeated_statements(
    queries: Sequence[tuple[str, float]], top: int = 2
) -> list[tuple[str, int]]:
    """The `top` commonest statement shapes (parameters are %s already; literals blanked)."""
    from collections import Counter

    shapes = Counter(re.sub(r"'[^']*'|\b\d+\b", "?", sql) for sql, _seconds in queries)
    return shapes.most_common(top)


def run_import(coordinator: Any, content: bytes) -> ImportRun:
    """One events_import of the file as IMPORT_REGION's coordinator, timed, queries counted."""
    import gc

    from events.services import events_import

    gc.collect()
    with counted_queries() as spent:
        started = time.perf_counter()
        counts = events_import(
            actor=coordinator, region_code=IMPORT_REGION, content=content, filename="活动.xlsx"
        )
        seconds = time.perf_counter() - started
    return ImportRun(
        counts, seconds, len(spent), sum(t for _sql, t in spent), repeated_statements(spent)
    )


class _RollBack(Exception):  # noqa: N818 - control flow, never escapes
    pass


def import_peak(coordinator: Any, content: bytes) -> tuple[int, dict[str, int]]:
    """tracemalloc's peak over one first import of the file, rolled back afterwards (tracing
    slows it down, so the timings come from untraced runs)."""
    import gc

    from django.db import transaction

    from events.services import events_import

    counts: dict[str, int] = {}
    gc.collect()
    tracemalloc.start()
    try:
        with contextlib.suppress(_RollBack), transaction.atomic():
            counts = events_import(
                actor=coordinator, region_code=IMPORT_REGION, content=content, filename="活动.xlsx"
            )
            raise _RollBack
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, counts


# --- the run -------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    args = page_bench_arguments(
        __doc__.splitlines()[0],
        argv,
        connections_help=(
            "wrk connections, the same for every URL (at 32 the month view queues past 30 s)"
        ),
    )

    started = time.monotonic()
    load_before = os.getloadavg()[0]
    database = f"bench_calendar_{os.getpid()}"
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    with (
        tempfile.TemporaryDirectory(prefix="bench-calendar-") as tmp,
        fresh_database(database) as database_url,
        contextlib.ExitStack() as stack,
    ):
        workdir = Path(tmp)
        env = production_env(
            workdir, DATABASE_URL=database_url, REDIS_URL=redis_url, CELERY_BROKER_URL=redis_url
        )
        os.environ.update(env)  # this process: the very settings the server runs with
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        from accounts.models import Role, User
        from events.models import Event
        from events.spreadsheet import read_rows

        stack.callback(RedisKeys(redis_url).close)
        migrate_s = timed(call_command, "migrate", verbosity=0, interactive=False)[0]
        # Pages link their CSS through the manifest storage: collect into the run's STATIC_ROOT.
        static_s = timed(call_command, "collectstatic", verbosity=0, interactive=False)[0]
        client = Client(SERVER_NAME="127.0.0.1")
        stream = event_stream()
        seed_s = timed(insert, stream, FEW_EVENTS)[0]
        few = {name: query_count(client, path) for name, path in PAGES.items()}
        seed_s += timed(insert, stream, EVENTS - FEW_EVENTS)[0]
        vacuum_s = timed(vacuum_analyze)[0]  # what autovacuum does soon after a bulk load
        many = {name: query_count(client, path) for name, path in PAGES.items()}
        june = Event.objects.filter(
            starts_at__lt=dt.datetime(YEAR, 7, 1, tzinfo=dt.UTC),
            ends_at__gt=dt.datetime(YEAR, 5, 31, 16, tzinfo=dt.UTC),
        ).count()
        filtered = Event.objects.filter(region_id="110000", activity_type="themed_reading").count()

        setup_done = time.monotonic()
        with serve_wsgi(DJANGO_WSGI_APP, env=env, workers=args.workers, log_dir=workdir) as server:
            urls = {"healthz": server.url + "/healthz"} | {
                name: server.url + path for name, path in PAGES.items()
            }
            first_ms = {}
            for name, url in urls.items():  # each page once: 200, and its cold time
                seconds, status = timed(fetch_status, url)
                if status != 200:
                    raise RuntimeError(f"{url} answered {status}:\n{server.log_tail()}")
                first_ms[name] = seconds * 1000
            results, per_round = run_rounds(
                urls,
                ORDER,
                write_percentiles_script(workdir),
                threads=args.threads,
                connections=args.connections,
                duration=args.duration,
                warmup=args.warmup,
                timeout=args.timeout,
                workers=args.workers,
            )
        load_after_http = os.getloadavg()[0]
        serve_done = time.monotonic()

        where = {
            name: in_process(
                client, path, runs=SLOW_PAGE_RUNS if name == "month" else INPROCESS_RUNS
            )
            for name, path in PAGES.items()
        }
        fetches = month_fetch_costs(dt.date(YEAR, 6, 1))
        inproc_done = time.monotonic()
        profiles = (
            "".join(profile_request(client, p) for p in PAGES.values()) if args.profile else ""
        )

        ministry = User.objects.create(username="bench-ministry", role=Role.MINISTRY)
        coordinator = User.objects.create(
            username="bench-coordinator", role=Role.COORDINATOR, region_id=IMPORT_REGION
        )
        publish_learning_weeks(ministry)
        build_s, content = timed(import_workbook, IMPORT_ROWS)
        read_s = timed(read_rows, content, "活动.xlsx")[0]
        peak, traced = import_peak(coordinator, content)
        first = run_import(coordinator, content)
        again = run_import(coordinator, content)
        imported = Event.objects.filter(region_id=IMPORT_REGION, source="imported").exclude(
            import_key=""
        )
        in_week = imported.filter(activity_type="learning_week").count()
        stored = imported.count()

    healthz = results["healthz"]
    labels = {
        "healthz": "GET /healthz",
        "list": f"GET {PAGES['list']}",
        "filtered": "GET /events/?region=110000&activity_type=…",
        "month": f"GET {PAGES['month']}",
    }
    print(
        "Public calendar: 50,000 events in 2027, the list and the month view against /healthz,"
        " same server, same run"
    )
    print(
        f"machine: {os.cpu_count()} cores, load average {load_before:.2f} before the run,"
        f" {load_after_http:.2f} after the HTTP part, Python {platform.python_version()},"
        f" gunicorn {gunicorn.__version__}"
    )
    print(
        f"server:  gunicorn, {args.workers} sync workers, compose web args: "
        + " ".join(compose_web_args())
    )
    print(
        f"django:  config.settings.production, plain HTTP on 127.0.0.1, {backends(env)}"
        f" (fresh database {database}, Redis db {REDIS_DB})"
    )
    print(
        f"data:    {EVENTS:,} events bulk-inserted in {seed_s:.1f} s (migrate {migrate_s:.1f} s,"
        f" collectstatic {static_s:.1f} s, VACUUM ANALYZE {vacuum_s:.1f} s): {june:,} in June"
        f" {YEAR}, {filtered:,} themed-reading events of 110000"
    )
    print(
        f"load:    wrk -t{args.threads} -c{args.connections} --timeout={args.timeout:g}s --latency"
        f" -s percentiles.lua, {args.warmup:g} s warm-up per URL, then {args.duration:g} s per URL"
        f" in rounds {'/'.join(ORDER)}"
    )
    print()
    print(format_measured([(labels[n], results[n]) for n in labels], healthz))
    failed = [f"{n} {r.load.errors}" for n, r in results.items() if r.load.errors]
    if failed:
        print(f"ERRORS (failed, non-2xx or past wrk's timeout): {', '.join(failed)}")
    print(
        "first request of each (cold worker): "
        + ", ".join(f"{n} {ms:.0f} ms" for n, ms in first_ms.items())
    )
    print()
    print("queries per page (in-process, CaptureQueriesContext, same database):")
    grew = []
    for name, path in PAGES.items():
        same = few[name] == many[name]
        if not same:
            grew.append(name)
        print(
            f"  {path:<52} {FEW_EVENTS:,} events: {few[name]:>2}   {EVENTS:,} events:"
            f" {many[name]:>2}   {'equal' if same else 'GREW'}"
        )
    print()
    print(
        f"where the time goes, in-process at {EVENTS:,} events, median of {INPROCESS_RUNS}"
        f" (month view: {SLOW_PAGE_RUNS}):"
    )
    print(format_in_process([(labels[n], where[n]) for n in PAGES]))
    print(f"  the month view's rows for June {YEAR}, fetched in-process (query + model instances):")
    for fetch in fetches:
        print(f"    {fetch.label:<56} {fetch.rows:>6,} rows {fetch.ms:>7.1f} ms")
    print(profiles, end="")
    print()
    print(
        f"import: {IMPORT_ROWS:,}-row XLSX for {IMPORT_REGION} ({len(content) / 2**20:.2f} MiB,"
        f" built in {build_s:.1f} s; {in_week:,} rows are Learning Week events, checked against"
        f" the published week), events_import in-process as its coordinator:"
    )
    for label, run in (("first import", first), ("same file again", again)):
        counts = ", ".join(f"{k} {v:,}" for k, v in run.counts.items())
        print(
            f"  {label:<16} {run.seconds:>6.2f} s ({run.seconds / IMPORT_ROWS * 1e6:>5.0f} µs/row),"
            f" {run.queries:>6,} queries taking {run.sql_seconds:>5.2f} s -> {counts}"
        )
        for sql, times in run.repeated:
            print(f"      {times:>6,} x {short_sql(sql, 100)}")
    print(
        f"  tracemalloc peak of a first import (traced run, rolled back): {peak / 2**20:.1f} MiB"
        f" ({peak / IMPORT_ROWS / 1024:.1f} KiB per row); reading the XLSX alone"
        f" (spreadsheet.read_rows) {read_s:.2f} s"
    )
    print(f"  events of {IMPORT_REGION} with an import key afterwards: {stored:,}")
    print()
    print("req/s per round: " + ", ".join(f"{n} {rps:.0f}" for n, rps in per_round))
    print(
        f"took {time.monotonic() - started:.1f} s: setup {setup_done - started:.0f} s, HTTP"
        f" {serve_done - setup_done:.0f} s, in-process {inproc_done - serve_done:.0f} s, import"
        f" {time.monotonic() - inproc_done:.0f} s"
    )
    import_ok = (
        first.counts == {"created": IMPORT_ROWS, "updated": 0, "unchanged": 0}
        and again.counts == {"created": 0, "updated": 0, "unchanged": IMPORT_ROWS}
        and traced == first.counts
        and stored == IMPORT_ROWS
    )
    if grew:
        print(f"QUERY COUNT GREW with the events: {', '.join(grew)}")
    if not import_ok:
        print("IMPORT COUNTS WRONG: expected 10,000 created, then 10,000 unchanged")
    if load_before > BUSY_LOAD:
        print(
            f"WARNING: load average {load_before:.2f} before the run: other processes shared the"
            f" {os.cpu_count()} cores, so these figures (and the spread per round) are unreliable"
        )
    return 1 if failed or grew or not import_ok else 0


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - started, value


def drain(url: str, workers: int) -> None:
    """Return once the server has answered what was queued before: `workers` requests at once,
    queued behind everything wrk left (a closed connection's request is still served)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(fetch_status, [url] * workers))


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) events_event")


def fetch_status(url: str) -> int:
    import http.client

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
