"""The statistics table at national scale: 100,000 events and 1,000,000 attendance records over
the 37 regions, one region's table and the national workbook.

Run from the repository root: `python -m bench.statistics` (about a minute; at most 3). Needs
PostgreSQL on 127.0.0.1:5432 (user postgres, `createdb` allowed). Seeded and reproducible.

It creates a fresh database `bench_statistics_<pid>`, migrates it and inserts 100,000 events
(five activity types, provincial / prefecture / county levels, ~15 prefecture-level cities and
~40 counties per region, 2% cancelled, a few starting just outside the ISO year).

Attendance: the platform has no attendance model yet (the live room will store each session's
person-times on its event through `events.services.lecture_event_participants`). So the
benchmark makes the rows itself, in a TEMPORARY table that lives only in its own connection:
`bench_attendance(event_id, person_id)`, 1,000,000 rows drawn with PostgreSQL's random() (seeded)
from 150,000 people, so people attend many events. Each event's participants become its row
count (`UPDATE … SET participants = count(*)`): person-times, not distinct people — the figure
the statistics table sums. The table is never read by the code under test: it reads only
`events_event`, as it will in production.

Then, as the Ministry, half the regions' tables get a header and are submitted (through the
services), and 500 events change afterwards, so the national view has submitted tables,
drafts and "differs" marks. Measured (median of the runs; peak memory by tracemalloc; queries
by Django's query capture):

  region   `region_statistics` for 广东 (440000) and all its cells
  region.xlsx   that table as the attachment's workbook
  national      `national_statistics` (all 37) with totals
  national.xlsx the national workbook: summary + 37 sheets, target <= 5 s
  national.csv  the national CSV

The figures are checked against a direct SQL sum over the events. The database is dropped
whatever happens.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

PG_ARGS = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
EVENTS = 100_000
ATTENDANCE = 1_000_000
PEOPLE = 150_000
YEAR = 2027
TARGET_NATIONAL_XLSX_S = 5.0
TIME_BUDGET_S = 180
TYPES = ("themed_reading", "publisher_recommends", "lecture_hall", "digital_reading",
         "learning_week")  # fmt: skip
TYPE_WEIGHTS = (35, 15, 25, 15, 10)
LEVELS = ("provincial", "prefecture", "county")
LEVEL_WEIGHTS = (15, 50, 35)


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


def seed_events(count: int, seed: int = YEAR) -> tuple[int, int]:
    """`count` events over the 37 regions; returns the first and last id."""
    from django.utils import timezone

    from events.models import Event
    from scheduling.models import Region

    rng = random.Random(seed)
    tz = timezone.get_default_timezone()
    codes = list(Region.objects.values_list("code", flat=True))
    # Bigger provinces hold more events: weights from 1 to 4.
    weights = [1 + (i * 7) % 4 for i in range(len(codes))]
    start0 = dt.datetime(YEAR, 1, 1, tzinfo=tz)  # a few days before the ISO year: not counted
    span_minutes = 368 * 24 * 60
    events = []
    for i in range(count):
        code = rng.choices(codes, weights)[0]
        level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
        activity_type = rng.choices(TYPES, TYPE_WEIGHTS)[0]
        if level == "prefecture":
            city = f"{code}-市{rng.randint(1, 15):02d}"
        elif level == "county":
            city = f"{code}-县{rng.randint(1, 40):02d}"
        else:
            city = ""
        starts = start0 + dt.timedelta(minutes=rng.randrange(span_minutes))
        events.append(
            Event(
                title=f"活动{i}",
                activity_type=activity_type,
                level=level,
                region_id=code,
                city=city,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
                status="cancelled" if rng.random() < 0.02 else "confirmed",
            )
        )
    created = Event.objects.bulk_create(events, batch_size=5000)
    ids = [e.pk for e in created]
    return min(ids), max(ids)


def seed_attendance(first_id: int, last_id: int, rows: int) -> dict[str, int]:
    """The temporary attendance rows and the events' person-times from them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2027)")
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_attendance (event_id bigint NOT NULL, "
            "person_id integer NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO bench_attendance (event_id, person_id) "
            "SELECT %s + floor(random() * %s)::bigint, floor(random() * %s)::int "
            "FROM generate_series(1, %s)",
            [first_id, last_id - first_id + 1, PEOPLE, rows],
        )
        cursor.execute(
            "UPDATE events_event e SET participants = a.n, participants_recorded_at = now() "
            "FROM (SELECT event_id, count(*) AS n FROM bench_attendance GROUP BY event_id) a "
            "WHERE e.id = a.event_id"
        )
        cursor.execute("SELECT count(*), count(DISTINCT person_id) FROM bench_attendance")
        records, people = cursor.fetchone()
        cursor.execute("ANALYZE events_event")
    return {"records": records, "people": people}


def submit_half(campaign_year: Any, ministry: Any) -> int:
    from events.statistics.services import statistics_header_update, statistics_submit
    from scheduling.models import Region

    codes = list(Region.objects.order_by("code").values_list("code", flat=True))
    for code in codes[::2]:
        statistics_header_update(actor=ministry, campaign_year=campaign_year, region_code=code,
                                 contact_name="联络员", office_phone="010-66096253")  # fmt: skip
        statistics_submit(actor=ministry, campaign_year=campaign_year, region_code=code)
    return len(codes[::2])


def change_some_events(first_id: int, count: int) -> None:
    from django.db.models import F

    from events.models import Event

    Event.objects.filter(pk__gte=first_id, pk__lt=first_id + count).update(
        participants=F("participants") + 1
    )


@dataclass
class Measure:
    name: str
    median_s: float
    runs: int
    queries: int
    peak_kib: float
    note: str = ""


def measure(name: str, fn: Callable[[], Any], runs: int, note: Callable[[Any], str]) -> Measure:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as captured:
        fn()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Measure(name, statistics.median(times), runs, len(captured), peak / 1024,
                   note(result))  # fmt: skip


def cross_check(campaign_year: Any) -> tuple[int, int]:
    """Prefecture + county person-times over all regions: the selectors' sum and plain SQL's."""
    from django.db import connection

    from events.statistics.compute import figure_value
    from events.statistics.selectors import national_statistics, year_window

    national = national_statistics(campaign_year)
    ours = sum(figure_value(r.computed, "participants", None) for r in national.regions)
    start, end = year_window(campaign_year)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(participants), 0) FROM events_event WHERE region_id IS NOT NULL "
            "AND status <> 'cancelled' AND level IN ('prefecture', 'county') "
            "AND starts_at >= %s AND starts_at < %s",
            [start, end],
        )
        (plain,) = cursor.fetchone()
    return ours, int(plain)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--attendance", type=int, default=ATTENDANCE)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per measure (1..10)")
    args = parser.parse_args(argv)
    if not (1 <= args.runs <= 10 and 1 <= args.events <= 200_000
            and 0 <= args.attendance <= 2_000_000):  # fmt: skip
        parser.error("runs 1..10, events 1..200,000, attendance 0..2,000,000")
    began = time.monotonic()
    database = f"bench_statistics_{os.getpid()}"
    with fresh_database(database) as url:
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
        import django

        django.setup()
        from django.core.management import call_command

        from accounts.models import Role, User
        from events.statistics.csvexport import national_csv
        from events.statistics.selectors import national_statistics, region_statistics
        from events.statistics.xlsx import national_xlsx, region_xlsx
        from scheduling.models import Region
        from scheduling.services import campaign_year_open

        t = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        migrate_s = time.perf_counter() - t
        ministry = User.objects.create(username="bench-ministry", role=Role.MINISTRY)
        campaign_year = campaign_year_open(actor=ministry, year=YEAR)
        t = time.perf_counter()
        first_id, last_id = seed_events(args.events)
        events_s = time.perf_counter() - t
        t = time.perf_counter()
        attendance = seed_attendance(first_id, last_id, args.attendance)
        attendance_s = time.perf_counter() - t
        t = time.perf_counter()
        submitted = submit_half(campaign_year, ministry)
        submit_s = time.perf_counter() - t
        change_some_events(first_id, 500)

        guangdong = Region.objects.get(code="440000")
        measures = [
            measure("region table (440000)",
                    lambda: region_statistics(campaign_year, guangdong).cells(), args.runs,
                    lambda cells: f"{len(cells)} cells"),
            measure("region .xlsx",
                    lambda: region_xlsx(region_statistics(campaign_year, guangdong)), args.runs,
                    lambda body: f"{len(body):,} bytes"),
            measure("national view (37 + totals)",
                    lambda: national_statistics(campaign_year).totals, args.runs,
                    lambda totals: f"{sum(totals.values()):,} summed"),
            measure("national .xlsx",
                    lambda: national_xlsx(national_statistics(campaign_year)), args.runs,
                    lambda body: f"{len(body):,} bytes, 38 sheets"),
            measure("national .csv",
                    lambda: national_csv(national_statistics(campaign_year)), args.runs,
                    lambda body: f"{len(body):,} bytes"),
        ]  # fmt: skip
        ours, plain = cross_check(campaign_year)
        national = national_statistics(campaign_year)
        differing = sum(1 for r in national.regions if r.differs)
        elapsed = time.monotonic() - began

    print(f"bench.statistics — {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, PostgreSQL (fresh database, dropped)")  # fmt: skip
    print(f"setup: migrate {migrate_s:.1f} s; {args.events:,} events {events_s:.1f} s; "
          f"{attendance['records']:,} attendance records from {attendance['people']:,} distinct "
          f"people -> events' person-times {attendance_s:.1f} s; {submitted} tables submitted "
          f"through the services {submit_s:.1f} s; 500 events changed afterwards "
          f"({differing} submitted tables now differ)")  # fmt: skip
    print(f"{'measure':<30}{'median':>10}{'runs':>6}{'queries':>9}{'peak KiB':>10}  note")
    for m in measures:
        print(f"{m.name:<30}{m.median_s * 1000:>8.0f}ms{m.runs:>6}{m.queries:>9}"
              f"{m.peak_kib:>10.0f}  {m.note}")  # fmt: skip
    workbook = measures[3]
    verdict = "ok" if workbook.median_s <= TARGET_NATIONAL_XLSX_S else "MISSED"
    print(f"national .xlsx target <= {TARGET_NATIONAL_XLSX_S:.0f} s: {workbook.median_s:.2f} s "
          f"{verdict}")  # fmt: skip
    check = "ok" if ours == plain else "MISMATCH"
    print(f"cross-check, prefecture+county person-times: selectors {ours:,} = SQL {plain:,} "
          f"{check}")  # fmt: skip
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"total {elapsed:.0f} s (budget {TIME_BUDGET_S} s); process peak RSS {max_rss:.0f} MiB")
    return 0 if ours == plain and elapsed < TIME_BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
