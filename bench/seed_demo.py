"""The demo: `manage.py seed_demo` must give a complete year in under a minute.

Run from the repository root: `python -m bench.seed_demo` (about two minutes). Each run uses a
fresh temporary PLATFORM_VAR_DIR, so the embedded SQLite database of the README's first
command (`python3 dev.py run`) is what gets measured; `--database-url postgres://…/name`
measures PostgreSQL instead (the database is created and dropped).

Measured, each in its own process as a user would run it:

  migrate     `manage.py migrate` on an empty database (the floor every start pays)
  seed_demo   the first `seed_demo`: target < 60 s; its per-stage lines are kept
  again       a second `seed_demo` on the seeded database (idempotent: it should do little)
  loaddata    the peer: the seeded rows dumped with `dumpdata` and written back with
              `loaddata` into a fresh migrated database. That is Django writing the same rows
              with no decisions to make, so seed_demo / loaddata says what the services cost
              on top of storing their result.

Row counts of the main tables are printed so two runs can be compared.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 60.0
COUNTED = (
    ("regions", "scheduling.Region"),
    ("applications", "scheduling.WeekApplication"),
    ("events", "events.Event"),
    ("lecture sessions", "lecture_hall.Session"),
    ("attendance spans", "lecture_hall.AttendanceSpan"),
    ("reminders", "events.ReminderRequest"),
    ("statistics tables", "events.StatisticsTable"),
    ("users", "accounts.User"),
)


def manage(env: dict[str, str], *args: str, stdout: int | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.STDOUT,
        check=False,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stdout}")
    return elapsed, done.stdout or ""


def environment(var_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(PLATFORM_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="config.settings.base")
    env.pop("CELERY_BROKER_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def psql(*args: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", *args],
        check=True,
        capture_output=True,
    )


def counts(env: dict[str, str]) -> list[tuple[str, int]]:
    code = "; ".join(
        [
            "from django.apps import apps",
            *[
                f"print({label!r}, apps.get_model({model!r}).objects.count(), sep='\\t')"
                for label, model in COUNTED
            ],
        ]
    )
    _, out = manage(env, "shell", "-c", code)
    rows = []
    for line in out.splitlines():
        if "\t" in line:
            label, value = line.rsplit("\t", 1)
            rows.append((label, int(value)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="postgres://postgres@127.0.0.1:5432/<new name>")
    options = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {load:.2f}")
    print(f"python {platform.python_version()}; database: {options.database_url or 'SQLite'}")

    work = Path(tempfile.mkdtemp(prefix="bench-seed-"))
    peer_url = None
    try:
        url = options.database_url
        if url:
            name = url.rsplit("/", 1)[1]
            peer_url = url.rsplit("/", 1)[0] + f"/{name}_peer"
            for db in (name, f"{name}_peer"):
                psql(f"DROP DATABASE IF EXISTS {db}")
                psql(f"CREATE DATABASE {db}")
        env = environment(work / "seed", url)
        migrate_s, _ = manage(env, "migrate", "--noinput", "-v", "0")
        seed_s, seed_out = manage(env, "seed_demo")
        again_s, _ = manage(env, "seed_demo")
        rows = counts(env)

        dump = work / "demo.json"
        started = time.perf_counter()
        manage(
            env,
            "dumpdata",
            "--natural-foreign",
            "--exclude",
            "contenttypes",
            "--exclude",
            "auth.permission",
            "--exclude",
            "admin.logentry",
            "--exclude",
            "sessions",
            "-o",
            str(dump),
        )
        dump_s = time.perf_counter() - started
        peer_env = environment(work / "peer", peer_url)
        manage(peer_env, "migrate", "--noinput", "-v", "0")
        # The migration loads the 37 regions; loaddata writes them again (same keys).
        load_s, _ = manage(peer_env, "loaddata", str(dump))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if options.database_url:
            name = options.database_url.rsplit("/", 1)[1]
            for db in (name, f"{name}_peer"):
                psql(f"DROP DATABASE IF EXISTS {db}")

    stages = [
        line.strip()
        for line in seed_out.splitlines()
        if re.search(r"\d+(\.\d+)?\s*s\b", line) and "%" in line
    ]
    print("\nseed_demo's own stage lines:")
    for line in stages:
        print(f"  {line}")
    print("\nrows after seeding:")
    for label, value in rows:
        print(f"  {label:<24}{value:>10,}")
    print(f"\n{'step':<34}{'seconds':>10}")
    print(f"{'migrate (empty database)':<34}{migrate_s:>10.1f}")
    print(f"{'seed_demo, first run':<34}{seed_s:>10.1f}   target < {TARGET_S:.0f}")
    print(f"{'seed_demo, second run (no-op)':<34}{again_s:>10.1f}")
    print(f"{'dumpdata (not compared)':<34}{dump_s:>10.1f}")
    print(f"{'peer: loaddata of the same rows':<34}{load_s:>10.1f}")
    print(f"\nseed_demo / loaddata: {seed_s / load_s:.2f}x")
    verdict = "met" if seed_s < TARGET_S else "MISSED"
    print(f"target (< {TARGET_S:.0f} s for the first seed_demo): {verdict}")


if __name__ == "__main__":
    main()
