"""Calendar feeds under load: the national feed with 5,000 events against /healthz, and the
cold build against a hand-written iCalendar writer.

Run from the repository root: `python -m bench.feeds` (about 2 minutes; 127.0.0.1 only). Needs
PostgreSQL on 127.0.0.1:5432 (user postgres, `createdb` allowed), Redis on 127.0.0.1:6379 and
wrk (Debian's package).

It creates a fresh PostgreSQL database `bench_feeds_<pid>`, migrates it and inserts 5,000
realistic events (Chinese titles, venues and descriptions, all five activity types, 37 regions
and national ones, a few tentative or cancelled, spread over the feed's default window), with
the cache on Redis database 7. Then:

  HTTP   config.wsgi under config.settings.production, served by gunicorn exactly as the web
         service in docker/compose.yaml runs it (bench._http.serve_wsgi: its arguments read from
         that file, 127.0.0.1 and a free port, one worker per core), loaded with
         `wrk -t2 -c32 --latency` after one warm-up request and a 2 s warm-up per URL, 10 s per
         URL in rounds healthz/feed/304/ceiling/ceiling/304/feed/healthz (a drift in the
         machine's background load falls on all alike):
           healthz  GET /healthz: the cheapest Django request, the baseline
           feed     GET /calendar/all.ics, the whole body from the cache (warm)
           304      the same with If-None-Match: <its ETag>: the conditional-GET path
           ceiling  a second gunicorn, same arguments, serving `ceiling_app` below: the feed's
                    bytes as a constant, no Django: what a body that size allows at all
         It prints req/s, p50/p99 and the ratios feed/healthz (target >= 0.90) and
         304/healthz (target >= 0.95).
  cold   in this process, same settings: `feed_body` for a 1,000-event feed with its fragments
         and body deleted from the cache first (median of 5), against a minimal hand-written
         writer (f-strings, CRLF, TEXT escaping and 75-octet folding by hand) doing the same work
         from the same query and the same `ical_item` mapping, with no cache: ratio, target
         <= 3. The hand writer's VEVENTs are checked byte-for-byte against icalendar's. Also
         serialization alone, over the same items.
  memory tracemalloc peak of one cold build of the 5,000-event national feed body, and the
         time of a rebuild from cached fragments (what an edit to one event costs).
  where  the phases of a warm request and of a 304, timed in-process (median of 10): the row
         query, the version (hash of every row + FeedState), the body from Redis, and whole
         requests through Django's handler. `--profile` adds cProfile's top functions.

Missed targets are printed as MISSED; the exit status is 1 only when requests failed. Every
process it starts is stopped, its Redis keys deleted and the database dropped, whatever happens.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import functools
import gc
import http.client
import io
import os
import platform
import pstats
import random
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
    DEFAULT_WORKERS,
    DJANGO_WSGI_APP,
    WRK,
    LoadResult,
    backends,
    combine,
    compose_web_args,
    format_table,
    parse_wrk,
    production_env,
    run_wrk,
    serve_wsgi,
)

if TYPE_CHECKING:
    from events.feeds import FeedSpec
    from events.ical import IcalEvent

PG_ARGS = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
REDIS_URL = "redis://127.0.0.1:6379/7"
FEED_PATH = "/calendar/all.ics"
CEILING_APP = "bench.feeds:ceiling_app"
NATIONAL_NAME = "全民终身学习 · 全部活动"  # as events.feed_views.national_feed names it
EVENTS = 5000
COLD_EVENTS = 1000
PHASE_RUNS = 10
ORDER = ("healthz", "feed", "304", "ceiling", "ceiling", "304", "feed", "healthz")
TARGET_FEED = 0.90  # warm feed req/s over /healthz req/s, at least
TARGET_304 = 0.95
TARGET_COLD = 3.0  # feed_body over the hand-written writer, at most
BUSY_LOAD = 0.5
CRLF = b"\r\n"


# --- data ----------------------------------------------------------------------------------
SENTENCES = (
    "本次活动面向全体市民免费开放，欢迎携家人朋友一同参加。",
    "活动由{organiser}主办，{place}各级图书馆、社区学院协办。",
    "请提前十五分钟到场签到；座位有限，额满即止。",
    "线上观看请点击活动链接，活动结束后提供回放，可在“学习强国”同步收看。",
    "主讲嘉宾将结合自身经历，分享终身学习的方法与体会，并现场解答听众提问。",
    "现场设有互动问答环节，参与者可获赠精选图书一册（每人限领一本）。",
    "咨询电话：010-6523 8899，工作日 9:00—17:00。",
)
VENUES = ("图书馆报告厅", "社区学院多功能厅", "文化馆二楼展厅", "老年大学礼堂", "新华书店阅读空间")
CANCEL_REASONS = (
    "因天气原因取消，改期另行通知。",
    "场馆检修，活动暂停，敬请谅解。",
    "主讲人临时有事，活动取消；已报名者将收到短信通知。",
)


def seed_events(count: int, seed: int = 2027) -> None:
    """`count` events spread over the feed's default window, inserted in one bulk_create."""
    from django.utils import timezone

    from events.demo import PLACES, TITLES
    from events.feeds import default_window
    from events.models import ActivityType, Event, EventStatus, Level
    from scheduling.models import Region

    rng = random.Random(seed)
    regions = list(Region.objects.all())
    tz = timezone.get_default_timezone()
    start, end = default_window()
    first_day = timezone.localtime(start, tz).date() + dt.timedelta(days=1)
    days = (timezone.localtime(end, tz).date() - first_day).days - 1
    types = list(ActivityType)
    events = []
    for index in range(count):
        activity_type = types[index % len(types)]
        national = rng.random() < 0.04
        region = None if national else rng.choice(regions)
        if national:
            level, city, place, organiser = Level.NATIONAL, "", "全国", "教育部职业教育与成人教育司"
        else:
            assert region is not None
            cities, counties = PLACES.get(region.code, (("市区",), ("县城",)))
            level = rng.choices([Level.PROVINCIAL, Level.PREFECTURE, Level.COUNTY], [2, 5, 3])[0]
            city = {
                Level.PROVINCIAL: "",
                Level.PREFECTURE: rng.choice(cities),
                Level.COUNTY: rng.choice(counties),
            }[level]
            place, organiser = region.short_name_zh, f"{region.short_name_zh}教育厅"
        title = rng.choice(TITLES[activity_type]).format(place=place)
        online = activity_type in (ActivityType.LECTURE_HALL, ActivityType.DIGITAL_READING)
        day = first_day + dt.timedelta(days=rng.randrange(days))
        starts = dt.datetime.combine(
            day, dt.time(rng.choice([9, 10, 14, 15, 19]), rng.choice([0, 30])), tzinfo=tz
        )
        sentences = rng.sample(SENTENCES, rng.randint(2, 5))
        description = ("\n\n" if rng.random() < 0.3 else "").join(sentences)
        status = rng.choices(
            [EventStatus.CONFIRMED, EventStatus.TENTATIVE, EventStatus.CANCELLED], [92, 5, 3]
        )[0]
        events.append(
            Event(
                title=f"{city or place}{title}（第{index % 7 + 1}场）",
                description=description.format(organiser=organiser, place=place),
                activity_type=activity_type,
                level=level,
                region=region,
                city=city,
                venue="" if online and rng.random() < 0.7 else rng.choice(VENUES),
                online_url=f"https://live.example.cn/{place}/{index}?from=calendar"
                if online
                else "",
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=rng.choice([1, 1.5, 2, 3])),
                status=status,
                sequence=rng.choice([0, 0, 0, 1, 2]),
                organiser=organiser,
                cancel_reason=rng.choice(CANCEL_REASONS) if status == EventStatus.CANCELLED else "",
            )
        )
    Event.objects.bulk_create(events, batch_size=1000)


def national_spec() -> FeedSpec:
    """The spec events.feed_views.national_feed builds for /calendar/all.ics."""
    from django.db.models import Q

    from events.feeds import FeedSpec

    return FeedSpec("all:zh-hans", NATIONAL_NAME, Q(), "zh-hans")


# --- the hand-written writer ---------------------------------------------------------------
def _text(value: str) -> str:
    """RFC 5545 TEXT escaping (backslash first), newlines as \\n."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> bytes:
    """One content line, CRLF-terminated, folded so no line passes 75 octets (74 + the space of
    a continuation), never inside a UTF-8 character nor right after a backslash."""
    raw = line.encode()
    if len(raw) < 75:
        return raw + CRLF
    parts = []
    start = 0
    while len(raw) - start > 74:
        cut = start + 74
        while raw[cut] & 0xC0 == 0x80:  # a continuation byte: back to the character's start
            cut -= 1
        if cut - start > 1 and raw[cut - 1] in b"\\^":  # keep an escape with what it escapes
            cut -= 1
        parts.append(raw[start:cut])
        start = cut
    parts.append(raw[start:])
    return b"\r\n ".join(parts) + CRLF


def _utc_stamp(moment: dt.datetime) -> str:
    return f"{moment.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"


def hand_vevent(item: IcalEvent, zone: dt.tzinfo) -> bytes:
    """The same properties, in the same order, as events.ical.vevent_bytes (no alarm)."""
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY:{_text(item.summary)}",
        f"DTSTART;TZID=Asia/Shanghai:{item.start.astimezone(zone):%Y%m%dT%H%M%S}",
        f"DTEND;TZID=Asia/Shanghai:{item.end.astimezone(zone):%Y%m%dT%H%M%S}",
        f"DTSTAMP:{_utc_stamp(item.last_modified)}",
        f"UID:{_text(item.uid)}",
        f"SEQUENCE:{item.sequence}",
    ]
    if item.categories:
        lines.append("CATEGORIES:" + ",".join(_text(c) for c in item.categories))
    lines.append(f"CREATED:{_utc_stamp(item.created)}")
    if item.description:
        lines.append(f"DESCRIPTION:{_text(item.description)}")
    lines.append(f"LAST-MODIFIED:{_utc_stamp(item.last_modified)}")
    if item.location:
        lines.append(f"LOCATION:{_text(item.location)}")
    lines.append(f"STATUS:{item.status}")
    lines.append(f"TRANSP:{'TRANSPARENT' if item.status == 'CANCELLED' else 'OPAQUE'}")
    if item.url:
        lines.append(f"URL:{item.url}")
    lines.append("END:VEVENT")
    return b"".join(_fold(line) for line in lines)


def hand_header(name: str) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Lifelong Learning Platform//Lecture Hall and Learning Week//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{_text(name)}",
        f"X-WR-CALNAME:{_text(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    return b"".join(_fold(line) for line in lines)


def hand_body(spec: FeedSpec, ids: Sequence[int]) -> bytes:
    """What feed_body does from the same query, with the hand writer and no cache."""
    from django.utils import timezone, translation

    from events.feeds import ical_item
    from events.ical import END_CALENDAR, vtimezone_bytes
    from events.models import Event

    zone = timezone.get_default_timezone()
    with translation.override(spec.language):
        events = {e.pk: e for e in Event.objects.filter(pk__in=ids).select_related("region")}
        vevents = [hand_vevent(ical_item(events[i]), zone) for i in ids if i in events]
        return b"".join([hand_header(spec.name), vtimezone_bytes(), *vevents, END_CALENDAR])


def vevents_of(body: bytes) -> list[bytes]:
    return [
        b"BEGIN:VEVENT" + part.split(b"END:VEVENT")[0] for part in body.split(b"BEGIN:VEVENT")[1:]
    ]


# --- database, cache, process --------------------------------------------------------------
@contextlib.contextmanager
def fresh_database(name: str) -> Iterator[str]:
    subprocess.run(["createdb", *PG_ARGS, name], check=True, capture_output=True, timeout=60)
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        subprocess.run(
            ["dropdb", "--force", "--if-exists", *PG_ARGS, name],
            check=False,
            capture_output=True,
            timeout=60,
        )


class FeedCache:
    """The feed keys on Redis db 7: deletes only those that were not there before the run."""

    def __init__(self) -> None:
        import redis
        from django.core.cache import cache

        from events.feeds import CACHE_PREFIX

        self.client = redis.Redis.from_url(REDIS_URL)
        self.pattern = cache.make_key(f"{CACHE_PREFIX}:") + "*"
        self.before = set(self.client.scan_iter(match=self.pattern, count=1000))

    def forget(self) -> int:
        """Delete every feed key (fragments and bodies) this run created."""
        mine = [
            k for k in self.client.scan_iter(match=self.pattern, count=1000) if k not in self.before
        ]
        for chunk in range(0, len(mine), 1000):
            self.client.delete(*mine[chunk : chunk + 1000])
        return len(mine)

    def close(self) -> None:
        self.forget()
        self.client.close()


# --- HTTP ----------------------------------------------------------------------------------
def ceiling_app(
    environ: dict[str, Any], start_response: Callable[[str, list[tuple[str, str]]], Any]
) -> list[bytes]:
    """WSGI: the feed's own bytes as a constant, whatever the path: the most the server can do
    for a response that size, with no Django, query or cache at all."""
    body = _ceiling_body()
    start_response(
        "200 OK",
        [("Content-Type", "text/calendar; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


@functools.cache
def _ceiling_body() -> bytes:
    return Path(os.environ["BENCH_FEEDS_CEILING_BODY"]).read_bytes()


@dataclass
class Fetched:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


def fetch(url: str, headers: Mapping[str, str] | None = None) -> Fetched:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)
    try:
        started = time.perf_counter()
        conn.request("GET", parts.path, headers=dict(headers or {}))
        response = conn.getresponse()
        body = response.read()
        seconds = time.perf_counter() - started
        return Fetched(response.status, dict(response.getheaders()), body, seconds)
    finally:
        conn.close()


def wrk(
    url: str, headers: Mapping[str, str], *, threads: int, connections: int, seconds: float
) -> LoadResult:
    """bench._http.run_wrk, plus request headers (the 304 path needs If-None-Match)."""
    if not headers:
        return run_wrk(url, threads=threads, connections=connections, duration=seconds, warmup=0)
    if WRK is None or urlsplit(url).hostname != "127.0.0.1":
        raise RuntimeError("wrk against 127.0.0.1 only")
    argv = [WRK, f"-t{threads}", f"-c{connections}", "--timeout=5s", f"-d{seconds:g}s", "--latency"]
    for key, value in headers.items():
        argv += ["-H", f"{key}: {value}"]
    done = subprocess.run(
        [*argv, url], check=True, capture_output=True, text=True, timeout=seconds + 30
    )
    return parse_wrk(done.stdout, url)


# --- in-process measurements ---------------------------------------------------------------
def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - started, value


def median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000


@dataclass
class Cold:
    events: int
    library_ms: float
    hand_ms: float
    serialize_library_ms: float
    serialize_hand_ms: float
    identical: int
    compared: int


def cold_build(feed_cache: FeedCache, runs: int) -> Cold:
    """feed_body with an empty cache against hand_body, alternating, medians over `runs`."""
    from django.db.models import Q
    from django.utils import timezone, translation

    from events.feeds import FeedSpec, default_window, feed_body, feed_rows, feed_version, ical_item
    from events.ical import vevent_bytes
    from events.models import Event

    window = default_window()
    every = list(Event.objects.order_by("starts_at", "id").values_list("id", flat=True))
    chosen = every[:: max(1, len(every) // COLD_EVENTS)][:COLD_EVENTS]
    spec = FeedSpec("bench:cold", "冷构建 1000", Q(pk__in=chosen), "zh-hans")
    rows = feed_rows(spec, window)
    version = feed_version(spec, rows, window)
    ids = [row[0] for row in rows]
    library, hand = [], []
    body = mine = b""
    for _ in range(runs):
        feed_cache.forget()
        gc.collect()
        seconds, body = timed(feed_body, spec, rows, version)
        library.append(seconds)
        seconds, mine = timed(hand_body, spec, ids)
        hand.append(seconds)
    theirs, ours = vevents_of(body), vevents_of(mine)
    identical = sum(a == b for a, b in zip(theirs, ours, strict=False))

    zone = timezone.get_default_timezone()
    with translation.override(spec.language):
        events = list(Event.objects.filter(pk__in=ids).select_related("region"))
        items = [ical_item(e) for e in events]
        ser_library, ser_hand = [], []
        for _ in range(runs):
            gc.collect()
            ser_library.append(timed(lambda: [vevent_bytes(i) for i in items])[0])
            ser_hand.append(timed(lambda: [hand_vevent(i, zone) for i in items])[0])
    return Cold(
        len(rows),
        median_ms(library),
        median_ms(hand),
        median_ms(ser_library),
        median_ms(ser_hand),
        identical,
        max(len(theirs), len(ours)),
    )


@dataclass
class Memory:
    events: int
    peak_bytes: int
    body_bytes: int
    cold_ms: float
    from_fragments_ms: float


def memory_per_build(feed_cache: FeedCache) -> Memory:
    """One cold build of the national body under tracemalloc, one untraced, one from fragments."""
    from django.core.cache import cache

    from events.feeds import CACHE_PREFIX, default_window, feed_body, feed_rows, feed_version

    spec, window = national_spec(), default_window()
    rows = feed_rows(spec, window)
    version = feed_version(spec, rows, window)
    feed_cache.forget()
    cold_seconds, body = timed(feed_body, spec, rows, version)
    feed_cache.forget()
    gc.collect()
    tracemalloc.start()
    try:
        feed_body(spec, rows, version)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    cache.delete(f"{CACHE_PREFIX}:feed:{version.etag}")  # the body only: fragments stay
    rebuild_seconds, _body = timed(feed_body, spec, rows, version)
    return Memory(len(rows), peak, len(body), cold_seconds * 1000, rebuild_seconds * 1000)


@dataclass
class Phases:
    rows_ms: float
    version_ms: float
    body_ms: float
    request_ms: float
    not_modified_ms: float
    healthz_ms: float


def request_phases(etag: str, profile: bool) -> tuple[Phases, str]:
    """Each step of the feed view on a warm cache, then whole requests through the handler."""
    from django.test import Client

    from events.feeds import default_window, feed_body, feed_rows, feed_version

    spec = national_spec()
    window = default_window()
    client = Client(SERVER_NAME="127.0.0.1")
    if_none_match = {"If-None-Match": etag}
    samples: dict[str, list[float]] = {k: [] for k in Phases.__dataclass_fields__}
    for _ in range(PHASE_RUNS):
        seconds, rows = timed(feed_rows, spec, window)
        samples["rows_ms"].append(seconds)
        seconds, version = timed(feed_version, spec, rows, window)
        samples["version_ms"].append(seconds)
        samples["body_ms"].append(timed(feed_body, spec, rows, version)[0])
        seconds, response = timed(client.get, FEED_PATH)
        assert response.status_code == 200, response.status_code
        samples["request_ms"].append(seconds)
        seconds, response = timed(client.get, FEED_PATH, headers=if_none_match)
        assert response.status_code == 304, response.status_code
        samples["not_modified_ms"].append(seconds)
        samples["healthz_ms"].append(timed(client.get, "/healthz")[0])
    report = ""
    if profile:
        for label, headers in (("warm 200", {}), ("304", if_none_match)):
            profiler = cProfile.Profile()
            profiler.runcall(client.get, FEED_PATH, headers=headers)
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
            report += f"\n--- cProfile, one {label} request, by own time ---\n" + out.getvalue()
    return Phases(**{k: median_ms(v) for k, v in samples.items()}), report


# --- the run -------------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per URL")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds dropped per URL")
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile a warm and a 304 request")
    args = parser.parse_args(argv)
    if args.duration + args.warmup > 20 or not 1 <= args.cold_runs <= 15:
        parser.error("duration + warmup must stay within 20 s and cold-runs within 1..15")
    if WRK is None:
        parser.error("wrk is not installed (Debian: apt-get install wrk)")

    started = time.monotonic()
    load_before = os.getloadavg()[0]
    rounds: dict[str, list[LoadResult]] = {name: [] for name in dict.fromkeys(ORDER)}
    database = f"bench_feeds_{os.getpid()}"
    with (
        tempfile.TemporaryDirectory(prefix="bench-feeds-") as tmp,
        fresh_database(database) as database_url,
        contextlib.ExitStack() as stack,
    ):
        workdir = Path(tmp)
        env = production_env(
            workdir, DATABASE_URL=database_url, REDIS_URL=REDIS_URL, CELERY_BROKER_URL=REDIS_URL
        )
        os.environ.update(env)  # this process: the very settings the server runs with
        import django

        django.setup()
        from django.core.management import call_command

        from events.feeds import default_window, feed_rows

        feed_cache = FeedCache()
        stack.callback(feed_cache.close)
        setup_s, _ = timed(call_command, "migrate", verbosity=0, interactive=False)
        seed_s, _ = timed(seed_events, EVENTS)
        in_feed = len(feed_rows(national_spec(), default_window()))

        with contextlib.ExitStack() as servers:
            server = servers.enter_context(
                serve_wsgi(DJANGO_WSGI_APP, env=env, workers=args.workers, log_dir=workdir)
            )
            feed_url = server.url + FEED_PATH
            first = fetch(feed_url)  # the warm-up request: builds the body cold in a worker
            etag = first.headers.get("ETag", "")
            second = fetch(feed_url)
            conditional = fetch(feed_url, {"If-None-Match": etag})
            if (first.status, second.status, conditional.status) != (200, 200, 304):
                raise RuntimeError(
                    f"feed answered {first.status}, {second.status}, then {conditional.status}"
                    f" to If-None-Match (expected 200, 200, 304):\n{server.log_tail()}"
                )
            body_path = workdir / "all.ics"
            body_path.write_bytes(first.body)
            ceiling = servers.enter_context(
                serve_wsgi(
                    CEILING_APP,
                    env={**env, "BENCH_FEEDS_CEILING_BODY": str(body_path)},
                    workers=args.workers,
                    log_dir=workdir,
                )
            )
            targets = {
                "healthz": (server.url + "/healthz", {}),
                "feed": (feed_url, {}),
                "304": (feed_url, {"If-None-Match": etag}),
                "ceiling": (ceiling.url + FEED_PATH, {}),
            }

            def run(name: str, seconds: float) -> LoadResult:
                url, headers = targets[name]
                return wrk(
                    url,
                    headers,
                    threads=args.threads,
                    connections=args.connections,
                    seconds=seconds,
                )

            if args.warmup > 0:
                for name in targets:
                    run(name, args.warmup)
            for name in ORDER:
                rounds[name].append(run(name, args.duration / ORDER.count(name)))
        load_after_http = os.getloadavg()[0]

        cold = cold_build(feed_cache, args.cold_runs)
        memory = memory_per_build(feed_cache)
        phases, profile_report = request_phases(etag, args.profile)

    healthz, feed, not_modified, ceiling_load = (
        combine(rounds[n]) for n in ("healthz", "feed", "304", "ceiling")
    )
    size = len(first.body)
    feed_ratio, nm_ratio = feed.rps / healthz.rps, not_modified.rps / healthz.rps
    cold_ratio = cold.library_ms / cold.hand_ms

    print(
        "Calendar feeds: the national feed (5,000 events) against /healthz, same server, same run"
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
        f" (fresh database {database}, Redis db 7)"
    )
    print(
        f"data:    {EVENTS:,} events inserted in {seed_s:.1f} s (migrate {setup_s:.1f} s),"
        f" {in_feed:,} in the national feed; body {size / 2**20:.2f} MiB; first request"
        f" (cold, in a worker) {first.seconds * 1000:.0f} ms"
    )
    print(
        f"load:    wrk -t{args.threads} -c{args.connections} --latency, {args.warmup:g} s"
        f" warm-up per URL, then {args.duration:g} s per URL in rounds {'/'.join(ORDER)}"
    )
    print()
    print(
        format_table(
            [
                ("GET /healthz", healthz),
                ("GET /calendar/all.ics (200)", feed),
                ("same, If-None-Match (304)", not_modified),
                ("raw WSGI, same bytes", ceiling_load),
            ]
        )
    )
    print(
        f"{'warm feed / healthz':<28} {feed_ratio:>9.2f}   target >= {TARGET_FEED:.2f}:"
        f" {verdict(feed_ratio >= TARGET_FEED)}"
    )
    print(
        f"{'304 / healthz':<28} {nm_ratio:>9.2f}   target >= {TARGET_304:.2f}:"
        f" {verdict(nm_ratio >= TARGET_304)}"
    )
    ceiling_ratio = ceiling_load.rps / healthz.rps
    print(
        f"ceiling: a raw WSGI app answering the same {size / 2**20:.2f} MiB does"
        f" {ceiling_ratio:.2f} of /healthz's req/s here"
        + (
            f", so no implementation sending this body through the server reaches {TARGET_FEED:.2f}"
            if ceiling_ratio < TARGET_FEED
            else ""
        )
        + f"; the feed does {feed.rps / ceiling_load.rps:.2f} of that ceiling"
    )
    failed = [
        f"{label} {r.errors}"
        for label, r in (
            ("healthz", healthz),
            ("feed", feed),
            ("304", not_modified),
            ("raw", ceiling_load),
        )
        if r.errors
    ]
    if failed:
        print(f"ERRORS (failed or past wrk's 5 s timeout): {', '.join(failed)}")
    print()
    print(
        f"cold build, in-process, {cold.events:,} events, median of {args.cold_runs}"
        " (fragments and body deleted from Redis before each):"
    )
    print(f"  feed_body (icalendar, Redis get_many/set_many)  {cold.library_ms:>8.1f} ms")
    print(f"  hand-written writer (same query, no cache)      {cold.hand_ms:>8.1f} ms")
    print(
        f"  ratio                                           {cold_ratio:>8.2f}   target <= "
        f"{TARGET_COLD:g}: {verdict(cold_ratio <= TARGET_COLD)}"
    )
    print(
        f"  serialization alone, same {cold.events:,} items: icalendar"
        f" {cold.serialize_library_ms:.1f} ms, hand {cold.serialize_hand_ms:.1f} ms"
        f" ({cold.serialize_library_ms / cold.serialize_hand_ms:.1f}x)"
    )
    print(
        f"  hand writer's VEVENTs byte-identical to icalendar's: {cold.identical}/{cold.compared}"
    )
    print()
    print(
        f"memory per build: tracemalloc peak {memory.peak_bytes / 2**20:.1f} MiB for the cold"
        f" {memory.events:,}-event body ({memory.peak_bytes / memory.events / 1024:.1f} KiB per"
        f" event; body {memory.body_bytes / 2**20:.2f} MiB)"
    )
    print(
        f"  cold build of it {memory.cold_ms:,.0f} ms untraced; rebuild from cached fragments"
        f" (body key gone, as after an edit) {memory.from_fragments_ms:,.0f} ms"
    )
    print()
    print(f"where the time goes, in-process, warm cache, median of {PHASE_RUNS}:")
    print(
        f"  feed_rows {phases.rows_ms:.1f} ms + feed_version {phases.version_ms:.1f} ms"
        f" + feed_body (Redis GET) {phases.body_ms:.1f} ms"
    )
    print(
        f"  whole request: 200 {phases.request_ms:.1f} ms, 304 {phases.not_modified_ms:.1f} ms,"
        f" /healthz {phases.healthz_ms:.1f} ms"
    )
    print(profile_report, end="")
    per_round = ", ".join(
        f"{name} {r.rps:.0f}" for name, r in zip(ORDER, _in_order(rounds), strict=True)
    )
    print(f"\nreq/s per round: {per_round}")
    print(f"took {time.monotonic() - started:.1f} s")
    missed = [
        name
        for name, ok in (
            ("warm feed", feed_ratio >= TARGET_FEED),
            ("304", nm_ratio >= TARGET_304),
            ("cold build", cold_ratio <= TARGET_COLD),
        )
        if not ok
    ]
    if missed:
        print(f"TARGETS MISSED: {', '.join(missed)}")
    if load_before > BUSY_LOAD:
        print(
            f"WARNING: load average {load_before:.2f} before the run: other processes shared the"
            f" {os.cpu_count()} cores, so these figures (and the spread per round) are unreliable"
        )
    return 1 if any(r.errors for r in (healthz, feed, not_modified, ceiling_load)) else 0


def _in_order(rounds: dict[str, list[LoadResult]]) -> list[LoadResult]:
    taken = {name: iter(results) for name, results in rounds.items()}
    return [next(taken[name]) for name in ORDER]


if __name__ == "__main__":
    sys.exit(main())
