"""The lecture hall with 20,000 sessions: the home page, a search and the busiest lecturer's
page against /healthz, and their query counts at 200 and 20,000 sessions.

Run from the repository root: `python -m bench.lecture_hall` (about 1.5 minutes; 127.0.0.1
only). Needs PostgreSQL on 127.0.0.1:5432 (user postgres, `createdb` allowed), Redis on
127.0.0.1:6379 and wrk (Debian's package).

It creates a fresh PostgreSQL database `bench_lecture_hall_<pid>`, migrates it and bulk-inserts
50 approved lecturers (with their users) over the regions, 40 series of one or two lecturers
each, and 20,000 sessions spread over the year around today (half a year back, half ahead):
ended or (5 %) cancelled behind, published or (5 %) cancelled ahead, two live right now. Each
has its events.Event (activity type and source lecture_hall, tagged lecturer:<id> and
series:<id>, as lecture_event_sync makes them) and its lecturers; series are unevenly popular,
so one lecturer gives far more sessions than the rest. The cache is on Redis database 12. Then:

  queries  in this process, same settings and database, through Django's test client under
           CaptureQueriesContext: the query count of each page below with the first 200
           sessions inserted, then again with all 20,000. They must be equal (exit status 1
           otherwise).
  HTTP     config.wsgi under config.settings.production, served by gunicorn exactly as the web
           service in docker/compose.yaml runs it (bench._http.serve_wsgi), loaded with
           `wrk -t2 -c8 --latency` plus bench.calendar's Lua script for p90/p95, after a 2 s
           warm-up per URL, 10 s per URL in rounds healthz/home/search/lecturer/lecturer/
           search/home/healthz:
             healthz   GET /healthz, the baseline, same server, same run
             home      GET /lectures/ (live now, today, this week, regions, series, lecturers)
             search    GET /lectures/?q=健康 (title, abstract or a lecturer's name; paginated)
             lecturer  GET /lectures/lecturers/<id>/ of the busiest lecturer
           It prints req/s, p50/p90/p95/p99 and each page's p95 beside /healthz's.
  where    each page in-process (median of 5): whole request, SQL time, template render time;
           the slowest query. `--profile` adds cProfile's top functions for one request each.

The exit status is 1 when requests failed or a query count grew. Every process it starts is
stopped, its Redis keys deleted and the database dropped, whatever happens.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import gunicorn

from bench._http import (
    DJANGO_WSGI_APP,
    backends,
    compose_web_args,
    page_bench_arguments,
    production_env,
    serve_wsgi,
)
from bench.calendar import (
    BUSY_LOAD,
    INPROCESS_RUNS,
    RedisKeys,
    fetch_status,
    format_in_process,
    format_measured,
    in_process,
    profile_request,
    query_count,
    run_rounds,
    timed,
    write_percentiles_script,
)
from bench.feeds import fresh_database

LECTURERS = 50
SERIES = 40
SESSIONS = 20_000
FEW_SESSIONS = 200
LIVE_NOW = 2
REDIS_DB = 12
SEARCH = "健康"
ORDER = ("healthz", "home", "search", "lecturer", "lecturer", "search", "home", "healthz")


# --- data ----------------------------------------------------------------------------------
@dataclass
class Drawn:
    """One session as drawn, before it is stored."""

    title: str
    abstract: str
    series: int | None  # index into the series
    lecturers: list[int]  # indexes into the lecturers
    region: str | None
    starts_at: dt.datetime
    duration: int
    state: str
    index: int


@dataclass
class Plan:
    """Everything to insert, drawn up front so the busiest lecturer is known before any of it
    is stored (the page measured at 200 sessions is the same page as at 20,000)."""

    lecturer_regions: list[str | None]
    series_lecturers: list[list[int]]
    sessions: list[Drawn] = field(default_factory=list)

    @property
    def busiest(self) -> int:
        counts = Counter(i for s in self.sessions for i in s.lecturers)
        return counts.most_common(1)[0][0]


def draw_plan(regions: list[str], now: dt.datetime, seed: int = 2027) -> Plan:
    from lecture_hall.demo.year import TOPICS
    from lecture_hall.models import SessionState

    rng = random.Random(seed)
    # One lecturer in ten is national (no region), the rest spread over the regions.
    lecturer_regions = [None if i % 10 == 7 else regions[(i * 3) % len(regions)] for i in range(50)]
    series_lecturers = [
        sorted({i % LECTURERS, *([rng.randrange(LECTURERS)] if rng.random() < 0.3 else [])})
        for i in range(SERIES)
    ]
    weights = [1 / (i + 1) ** 0.8 for i in range(SERIES)]  # a few series are very popular
    plan = Plan(lecturer_regions, series_lecturers)
    held: Counter[int] = Counter()
    for index in range(SESSIONS):
        live = index < LIVE_NOW
        if live:
            starts = now - dt.timedelta(minutes=30 + 10 * index)
        else:
            day = now + dt.timedelta(days=rng.uniform(-183, 182))
            starts = day.replace(hour=rng.choice([1, 2, 6, 7, 11, 12]), minute=rng.choice([0, 30]))
        series = None if rng.random() < 0.08 else rng.choices(range(SERIES), weights)[0]
        if series is None:
            lecturers = [rng.randrange(LECTURERS)]
            topic, abstract = rng.choice(TOPICS)
            title = f"{topic}专题讲座"
        else:
            lecturers = series_lecturers[series]
            topic, abstract = TOPICS[series % len(TOPICS)]
            held[series] += 1
            title = f"{topic}系列讲座（{series // len(TOPICS) + 1}）：第{held[series]}讲"
        duration = rng.choice([60, 90, 90, 120])
        past = starts + dt.timedelta(minutes=duration) <= now
        if live:
            state = SessionState.PUBLISHED
        elif rng.random() < 0.05:
            state = SessionState.CANCELLED
        else:
            state = SessionState.ENDED if past else SessionState.PUBLISHED
        plan.sessions.append(
            Drawn(
                title=title,
                abstract=f"{abstract}本讲由主讲人结合多年实践，面向社区居民讲解，欢迎提问交流。",
                series=series,
                lecturers=lecturers,
                region=lecturer_regions[lecturers[0]],
                starts_at=starts,
                duration=duration,
                state=state,
                index=index,
            )
        )
    return plan


@dataclass
class Stored:
    lecturers: list[Any]
    series: list[Any]


def insert_people(plan: Plan) -> Stored:
    """Users, lecturer profiles and series with their lecturers, in bulk."""
    from accounts.models import Role, User
    from lecture_hall.demo.year import GIVEN, ORGANISATIONS, SURNAMES, TITLES, TOPICS
    from lecture_hall.models import Lecturer, LecturerStatus, Series

    users = User.objects.bulk_create(
        User(
            username=f"lecturer{i:02d}",
            email=f"lecturer{i:02d}@example.cn",
            role=Role.LECTURER,
            region_id=region,
            display_name=f"{SURNAMES[i % len(SURNAMES)]}{GIVEN[(i // 2) % len(GIVEN)]}",
        )
        for i, region in enumerate(plan.lecturer_regions)
    )
    lecturers = Lecturer.objects.bulk_create(
        Lecturer(
            user=user,
            name=user.display_name,
            title=TITLES[i % len(TITLES)],
            organisation=ORGANISATIONS[i % len(ORGANISATIONS)],
            region_id=user.region_id,
            biography="长期从事社区教育与终身学习研究，主讲多门线上公开课。",
            status=LecturerStatus.APPROVED,
        )
        for i, user in enumerate(users)
    )
    series = Series.objects.bulk_create(
        Series(
            title=f"{TOPICS[i % len(TOPICS)][0]}系列讲座（{i // len(TOPICS) + 1}）",
            description=TOPICS[i % len(TOPICS)][1],
            region_id=plan.lecturer_regions[members[0]],
            created_by=users[members[0]],
        )
        for i, members in enumerate(plan.series_lecturers)
    )
    Series.lecturers.through.objects.bulk_create(
        Series.lecturers.through(series_id=series[i].pk, lecturer_id=lecturers[j].pk)
        for i, members in enumerate(plan.series_lecturers)
        for j in members
    )
    return Stored(lecturers, series)


def insert_sessions(drawn: list[Drawn], stored: Stored) -> None:
    """Each session with its calendar event, tags and lecturers, as the services leave them."""
    from events.models import (
        ActivityType,
        Event,
        EventSource,
        EventStatus,
        EventTag,
        Level,
    )
    from lecture_hall.models import Session, SessionState

    events = Event.objects.bulk_create(
        (
            Event(
                title=d.title,
                description=d.abstract,
                activity_type=ActivityType.LECTURE_HALL,
                level=Level.PROVINCIAL if d.region else Level.NATIONAL,
                region_id=d.region,
                online_url=f"https://live.example.cn/lectures/{d.index}",
                starts_at=d.starts_at,
                ends_at=d.starts_at + dt.timedelta(minutes=d.duration),
                status=EventStatus.CANCELLED
                if d.state == SessionState.CANCELLED
                else EventStatus.CONFIRMED,
                cancel_reason="因故取消，敬请谅解" if d.state == SessionState.CANCELLED else "",
                organiser=stored.lecturers[d.lecturers[0]].name,
                source=EventSource.LECTURE_HALL,
            )
            for d in drawn
        ),
        batch_size=2000,
    )
    EventTag.objects.bulk_create(
        (
            EventTag(event=event, key=key)
            for d, event in zip(drawn, events, strict=True)
            for key in [
                *(f"lecturer:{stored.lecturers[i].pk}" for i in d.lecturers),
                *([f"series:{stored.series[d.series].pk}"] if d.series is not None else []),
            ]
        ),
        batch_size=5000,
    )
    sessions = Session.objects.bulk_create(
        (
            Session(
                title=d.title,
                abstract=d.abstract,
                series=stored.series[d.series] if d.series is not None else None,
                region_id=d.region,
                starts_at=d.starts_at,
                duration_minutes=d.duration,
                stream_url=event.online_url,
                replay_url=f"https://replay.example.cn/lectures/{d.index}"
                if d.state == SessionState.ENDED
                else "",
                state=d.state,
                cancel_reason=event.cancel_reason,
                event=event,
                created_by=stored.lecturers[d.lecturers[0]].user,
            )
            for d, event in zip(drawn, events, strict=True)
        ),
        batch_size=2000,
    )
    Session.lecturers.through.objects.bulk_create(
        (
            Session.lecturers.through(session_id=session.pk, lecturer_id=stored.lecturers[i].pk)
            for d, session in zip(drawn, sessions, strict=True)
            for i in d.lecturers
        ),
        batch_size=5000,
    )


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "lecture_hall_session",
            "lecture_hall_session_lecturers",
            "events_event",
            "events_eventtag",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


# --- the run -------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    args = page_bench_arguments(
        __doc__.splitlines()[0], argv, connections_help="wrk connections, the same for every URL"
    )

    started = time.monotonic()
    load_before = os.getloadavg()[0]
    database = f"bench_lecture_hall_{os.getpid()}"
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    with (
        tempfile.TemporaryDirectory(prefix="bench-lecture-hall-") as tmp,
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
        from django.utils import timezone

        from lecture_hall.models import Session
        from scheduling.models import Region

        stack.callback(RedisKeys(redis_url).close)
        migrate_s = timed(call_command, "migrate", verbosity=0, interactive=False)[0]
        # Pages link their CSS through the manifest storage: collect into the run's STATIC_ROOT.
        static_s = timed(call_command, "collectstatic", verbosity=0, interactive=False)[0]
        now = timezone.now()
        plan = draw_plan(list(Region.objects.order_by("code").values_list("code", flat=True)), now)
        seed_s, stored = timed(insert_people, plan)
        busiest = stored.lecturers[plan.busiest]
        pages = {
            "home": "/lectures/",
            "search": f"/lectures/?q={quote(SEARCH)}",
            "lecturer": f"/lectures/lecturers/{busiest.pk}/",
        }
        from lecture_hall.services.sessions import hall_browse_forget

        client = Client(SERVER_NAME="127.0.0.1")

        # The home caches its region and series blocks for a minute; the bulk inserts bypass
        # the services that forget them, so each count starts uncached (the home's most queries).
        class ColdClient(Client):
            def get(self, *args: Any, **kwargs: Any) -> Any:
                hall_browse_forget()
                return super().get(*args, **kwargs)

        cold = ColdClient(SERVER_NAME="127.0.0.1")
        seed_s += timed(insert_sessions, plan.sessions[:FEW_SESSIONS], stored)[0]
        few = {name: query_count(cold, path) for name, path in pages.items()}
        rest = plan.sessions[FEW_SESSIONS:]
        for chunk in itertools.batched(rest, 5000):
            seed_s += timed(insert_sessions, list(chunk), stored)[0]
        vacuum_s = timed(vacuum_analyze)[0]  # what autovacuum does soon after a bulk load
        many = {name: query_count(cold, path) for name, path in pages.items()}
        client.get(pages["home"])  # counts and caches the browse blocks
        cached_home = query_count(client, pages["home"])
        hall_browse_forget()
        states = Counter(Session.objects.values_list("state", flat=True))
        theirs = Session.lecturers.through.objects.filter(lecturer=busiest).count()
        matching = sum(SEARCH in s.title or SEARCH in s.abstract for s in plan.sessions)

        with serve_wsgi(DJANGO_WSGI_APP, env=env, workers=args.workers, log_dir=workdir) as server:
            urls = {"healthz": server.url + "/healthz"} | {
                name: server.url + path for name, path in pages.items()
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

        where = {name: in_process(client, path) for name, path in pages.items()}
        where["home_uncached"] = in_process(cold, pages["home"])
        profiles = (
            "".join(profile_request(client, p) for p in pages.values()) if args.profile else ""
        )

    healthz = results["healthz"]
    labels = {
        "healthz": "GET /healthz",
        "home": "GET /lectures/",
        "search": f"GET /lectures/?q={SEARCH}",
        "lecturer": f"GET /lectures/lecturers/{busiest.pk}/ (busiest)",
        "home_uncached": "GET /lectures/, browse blocks not cached",
    }
    print(
        "Lecture hall: 20,000 sessions, the home page, a search and the busiest lecturer's page"
        " against /healthz, same server, same run"
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
        f"data:    {LECTURERS} lecturers, {SERIES} series, {SESSIONS:,} sessions with their events"
        f" bulk-inserted in {seed_s:.1f} s (migrate {migrate_s:.1f} s, collectstatic"
        f" {static_s:.1f} s, VACUUM ANALYZE {vacuum_s:.1f} s): "
        + ", ".join(f"{n:,} {state}" for state, n in sorted(states.items()))
    )
    print(
        f"         busiest lecturer {busiest.name} (#{busiest.pk}): {theirs:,} sessions;"
        f" {matching:,} sessions have {SEARCH} in the title or abstract"
    )
    print(
        f"load:    wrk -t{args.threads} -c{args.connections} --timeout={args.timeout:g}s --latency"
        f" -s percentiles.lua, {args.warmup:g} s warm-up per URL, then {args.duration:g} s per URL"
        f" in rounds {'/'.join(ORDER)}"
    )
    print()
    print(format_measured([(labels[n], results[n]) for n in labels if n in results], healthz))
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
    for name in pages:
        same = few[name] == many[name]
        if not same:
            grew.append(name)
        print(
            f"  {labels[name]:<44} {FEW_SESSIONS:,} sessions: {few[name]:>2}   {SESSIONS:,}"
            f" sessions: {many[name]:>2}   {'equal' if same else 'GREW'}"
        )
    print(
        f"  {labels['home']} with its browse blocks cached (as most requests find them):"
        f" {cached_home}"
    )
    print()
    print(f"where the time goes, in-process at {SESSIONS:,} sessions, median of {INPROCESS_RUNS}:")
    print(format_in_process([(labels[n], where[n]) for n in [*pages, "home_uncached"]]))
    print(profiles, end="")
    print()
    print("req/s per round: " + ", ".join(f"{n} {rps:.0f}" for n, rps in per_round))
    print(f"took {time.monotonic() - started:.1f} s")
    if grew:
        print(f"QUERY COUNT GREW with the sessions: {', '.join(grew)}")
    if load_before > BUSY_LOAD:
        print(
            f"WARNING: load average {load_before:.2f} before the run: other processes shared the"
            f" {os.cpu_count()} cores, so these figures (and the spread per round) are unreliable"
        )
    return 1 if failed or grew else 0


if __name__ == "__main__":
    sys.exit(main())
