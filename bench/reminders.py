"""Reminders under load: 100,000 reminders due in the same minute, sent by two Celery worker
processes over Redis to a real SMTP server, beside Celery's own no-op task throughput; then
the same with one worker killed (SIGKILL) halfway and Redis restarted.

Run from the repository root: `python -m bench.reminders` (127.0.0.1 only). Needs PostgreSQL on
127.0.0.1:5432 (user postgres, `createdb` allowed) and `redis-server`. `--count N` changes the
number of reminders, `--no-kill` skips the second run, `--budget S` (default 290) bounds the
whole benchmark: a run still going then is cut off and reported as such.

What it does:
  setup   its own redis-server on port 6390 (AOF on, data in a temporary folder: restarting it
          disturbs nobody), a fresh PostgreSQL database `bench_reminders_<pid>` (migrated,
          dropped at the end), an aiosmtpd sink in its own process (uvloop) that counts every
          message by Message-ID, and two `celery -A config worker -P prefork --concurrency 1`
          processes, each in its own session. Settings are the platform's, with the mail going
          to the sink (EMAIL_URL), the broker's visibility timeout at 20 s instead of 3,600 s
          and the dispatcher's reclaim at 15 s after a batch began (600 s by default), so that
          recovery fits in the run; see docs/benchmarks-reminders.md.
  noop    Celery's floor: 10,000 tasks that only INCR a Redis key, queued first, then the two
          workers start consuming: tasks per second from then to the last one.
  run 1   40 events starting in 60 minutes; N email-only confirmed requests (a quarter each
          for the event itself, its lecturer tag, its series tag, its region; zh-hans and en),
          each covering exactly one event, so N reminders are due now. The timer starts, the
          dispatcher runs (`reminders_dispatch`: N rows inserted, claimed, handed out in
          batches of 200), and it stops when the sink has N distinct Message-IDs.
  run 2   the same with fresh data; when half have arrived, worker 1's process group gets
          SIGKILL and Redis is shut down and started again (its AOF keeps the queue); a
          replacement worker starts 2 s later, as a supervisor would, and the dispatcher runs
          every 5 s, as beat would (every 60 s). It reports distinct messages, duplicates
          (a Message-ID seen twice) and lost ones, and the rows' final states.

Every process it starts is stopped and the database dropped, whatever happens. Exit status 1
when a run did not deliver exactly N distinct messages.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent
PG_ARGS = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
REDIS_PORT = 6390
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
NOOP_QUEUE = "bench-noop"
NOOP_TASKS = 10_000
EVENTS = 40
BUDGET_S = 290.0  # the whole benchmark, setup and clean-up included
CLEANUP_S = 15.0
TARGET_S = 60.0

_redis_client: Any = None


@app.task(name="bench.noop", ignore_result=True)
def noop() -> None:
    """Celery's floor: as little work as a task can do and still be counted."""
    global _redis_client  # one client per worker process
    if _redis_client is None:
        import redis

        _redis_client = redis.Redis.from_url(os.environ["BENCH_REDIS_URL"])
    _redis_client.incr("bench:noop")


# --- the SMTP sink (a child process) ---------------------------------------------------------
def _sink_main(port: int, pipe: Any) -> None:
    import uvloop
    from aiosmtpd.controller import Controller

    counts: Counter[bytes] = Counter()
    times: list[float] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            content: bytes = envelope.content
            head = content[: content.find(b"\r\n\r\n")]
            start = head.find(b"Message-ID: ")
            message_id = head[start + 12 : head.find(b"\r\n", start)] if start >= 0 else b""
            counts[message_id] += 1
            times.append(time.monotonic())
            return "250 OK"

    controller = Controller(
        Handler(), hostname="127.0.0.1", port=port, loop=uvloop.new_event_loop()
    )
    controller.start()
    pipe.send("ready")
    while True:
        command = pipe.recv()
        if command == "stats":
            total = sum(counts.values())
            pipe.send((total, len(counts), times[-1] if times else None))
        elif command == "reset":
            counts.clear()
            times.clear()
            pipe.send("ok")
        else:
            controller.stop()
            pipe.send("stopped")
            return


@dataclass
class Sink:
    port: int
    process: multiprocessing.process.BaseProcess
    pipe: Any

    def stats(self) -> tuple[int, int, float | None]:
        self.pipe.send("stats")
        return self.pipe.recv()

    def reset(self) -> None:
        self.pipe.send("reset")
        self.pipe.recv()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def sink() -> Iterator[Sink]:
    port = free_port()
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=_sink_main, args=(port, child))
    process.start()
    try:
        if not parent.poll(20) or parent.recv() != "ready":
            raise RuntimeError("the SMTP sink did not start")
        yield Sink(port, process, parent)
    finally:
        with contextlib.suppress(OSError, EOFError):
            parent.send("stop")
            parent.poll(5)
        process.join(5)
        if process.is_alive():
            process.kill()


# --- CPU accounting from /proc ---------------------------------------------------------------
TICK = os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def _cpu(pid: int) -> float:
    fields = _proc_stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICK if fields else 0.0


def _pids(match: Any) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and match(int(entry.name)):
            found.append(int(entry.name))
    return found


def _in_group(pgid: int) -> Any:
    def match(pid: int) -> bool:
        fields = _proc_stat(pid)
        return bool(fields) and int(fields[2]) == pgid  # type: ignore[index]

    return match


def _cmdline_has(*words: str) -> Any:
    def match(pid: int) -> bool:
        try:
            line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            return False
        return all(w in line for w in words)

    return match


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK


@dataclass
class CpuSample:
    per_pid: dict[str, dict[int, float]]
    machine: tuple[float, float]
    at: float


def cpu_sample(groups: dict[str, list[int]]) -> CpuSample:
    per_pid = {name: {pid: _cpu(pid) for pid in pids} for name, pids in groups.items()}
    return CpuSample(per_pid, machine_busy(), time.monotonic())


def cpu_report(start: CpuSample, end: CpuSample, emails: int) -> str:
    """CPU seconds per 1,000 emails by component, and how busy the machine was overall."""
    used: dict[str, float] = {}
    for name, pids in end.per_pid.items():
        before = start.per_pid.get(name, {})
        used[name] = sum(cpu - before.get(pid, 0.0) for pid, cpu in pids.items())
    wall = end.at - start.at
    busy = end.machine[0] - start.machine[0]
    cores = os.cpu_count() or 1
    ours = sum(used.values())
    per_k = ", ".join(f"{k} {v / emails * 1000:.2f}" for k, v in used.items())
    return (
        f"CPU s per 1,000 emails: {per_k}; machine {busy / wall:.2f} of {cores} cores busy, "
        f"{max(busy - ours, 0) / wall:.2f} of them by other processes"
    )


# --- Redis, PostgreSQL, workers --------------------------------------------------------------
class RedisServer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--dir",
             str(self.folder), "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        wait_port(REDIS_PORT)

    def restart(self) -> float:
        """SHUTDOWN (the AOF is flushed), then start again on the same folder."""
        started = time.monotonic()
        subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "shutdown"], check=False,
                       capture_output=True, timeout=10)  # fmt: skip
        if self.process is not None:
            self.process.wait(10)
        self.start()
        return time.monotonic() - started

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def wait_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def start_worker(name: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork",
        "--concurrency", "1", "-n", f"{name}@bench", "--include", "bench.reminders",
        "-Q", "celery", "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    with log.open("ab") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def kill_group(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    kill_group(process, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        kill_group(process)
        process.wait(5)


def wait_workers(names: list[str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    wanted = {f"{n}@bench" for n in names}
    while time.monotonic() < deadline:
        replies = app.control.ping(destination=sorted(wanted), timeout=1.0) or []
        if wanted <= {name for reply in replies for name in reply}:
            return
    raise RuntimeError(f"workers {sorted(wanted)} did not answer")


# --- data ------------------------------------------------------------------------------------
def seed(count: int, start: dt.datetime, run: int) -> None:
    """EVENTS events starting at `start`; `count` confirmed email-only requests for the 1-hour
    reminder, each covering exactly one event (the event, its lecturer, its series, its region)."""
    from django.db import connection
    from django.utils import timezone

    from events.models import Event, EventTag, ReminderRequest
    from scheduling.models import Region

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE events_noticedelivery, events_changenotice, events_reminderdelivery, "
            "events_reminderrequest, events_eventtag, events_event CASCADE"
        )
    codes = list(Region.objects.order_by("code").values_list("code", flat=True))
    events = Event.objects.bulk_create(
        [
            Event(
                title=f"线上社会大讲堂 第{run}-{i}讲：终身学习的方法", activity_type="lecture_hall",
                level="provincial" if i < len(codes) else "national",
                region_id=codes[i] if i < len(codes) else None,
                online_url=f"https://live.example.cn/sessions/{run}{i:03d}",
                starts_at=start, ends_at=start + dt.timedelta(hours=1),
            )
            for i in range(EVENTS)
        ]
    )  # fmt: skip
    EventTag.objects.bulk_create(
        [EventTag(event=e, key=f"{kind}:{run}{i:03d}") for i, e in enumerate(events)
         for kind in ("lecturer", "series")]
    )  # fmt: skip
    now = timezone.now()
    rows = []
    for n in range(count):
        i = n % EVENTS
        event = events[i]
        kind = (n // EVENTS) % 4
        if kind == 3 and event.region_id is None:
            kind = 0  # national events have no region
        target = (f"event:{event.pk}", f"lecturer:{run}{i:03d}", f"series:{run}{i:03d}",
                  f"region:{event.region_id}")[kind]  # fmt: skip
        email = f"r{run}-{n}@bench.example.cn"
        rows.append(
            ReminderRequest(
                email=email, recipient=f"email:{email}", target=target,
                event=event if kind == 0 else None, language=("zh-hans", "en")[n % 2],
                offset_mask=2, confirmed_at=now,
            )
        )  # fmt: skip
    ReminderRequest.objects.bulk_create(rows, batch_size=5000)


# --- runs ------------------------------------------------------------------------------------
@dataclass
class RunResult:
    seconds: float
    dispatch_seconds: float
    total: int
    distinct: int
    statuses: dict[str, int]
    notes: list[str]


def dispatch_safely() -> tuple[float, Any]:
    from events.reminders.dispatch import reminders_dispatch

    started = time.monotonic()
    try:
        result: Any = reminders_dispatch()
    except Exception as exc:  # the broker is down for a moment: beat would try next minute
        result = exc
    return time.monotonic() - started, result


def statuses() -> dict[str, int]:
    from django.db.models import Count

    from events.models import ReminderDelivery

    return {
        row["status"]: row["n"]
        for row in ReminderDelivery.objects.values("status").annotate(n=Count("pk"))
    }


def run(
    count: int, sink_: Sink, run_no: int, *, groups: Any, deadline: float, chaos: Any = None
) -> RunResult:
    from django.utils import timezone

    start = timezone.now() + dt.timedelta(minutes=60) - dt.timedelta(seconds=20)
    seed(count, start, run_no)
    sink_.reset()
    notes: list[str] = []
    cpu_start = cpu_sample(groups())
    t0 = time.monotonic()
    dispatch_seconds, result = dispatch_safely()
    notes.append(f"dispatch: {result} in {dispatch_seconds:.1f} s")
    last_tick = time.monotonic()
    done_at = None
    while time.monotonic() < deadline:
        total, distinct, last = sink_.stats()
        if distinct >= count:
            done_at = last
            notes.append(cpu_report(cpu_start, cpu_sample(groups()), distinct))
            break
        if chaos is not None and distinct >= count // 2:
            notes.extend(chaos())
            chaos = None
        if run_no > 1 and time.monotonic() - last_tick > 5:
            seconds, result = dispatch_safely()
            if getattr(result, "reclaimed", 0) or isinstance(result, Exception):
                notes.append(f"dispatch at +{time.monotonic() - t0:.0f} s: {result}")
            last_tick = time.monotonic()
        time.sleep(0.2)
    else:
        notes.append(f"cut off by the time budget after {time.monotonic() - t0:.0f} s")
    time.sleep(2)  # anything still in flight arrives now, duplicates included
    total, distinct, _last = sink_.stats()
    seconds = (done_at or time.monotonic()) - t0
    return RunResult(seconds, dispatch_seconds, total, distinct, statuses(), notes)


def measure_noop(redis_client: Any, names: list[str]) -> float:
    noop_sig = noop.s().set(queue=NOOP_QUEUE)
    redis_client.delete("bench:noop")
    with app.producer_or_acquire() as producer:
        for _ in range(NOOP_TASKS):
            noop_sig.apply_async(producer=producer)
    destination = [f"{n}@bench" for n in names]
    t0 = time.monotonic()
    app.control.add_consumer(NOOP_QUEUE, destination=destination, reply=True, timeout=5)
    while int(redis_client.get("bench:noop") or 0) < NOOP_TASKS:
        if time.monotonic() - t0 > 60:
            break
        time.sleep(0.02)
    seconds = time.monotonic() - t0
    app.control.cancel_consumer(NOOP_QUEUE, destination=destination, reply=True, timeout=5)
    return int(redis_client.get("bench:noop") or 0) / seconds


def report(name: str, count: int, result: RunResult, noop_rate: float) -> bool:
    duplicates = result.total - result.distinct
    lost = count - result.distinct
    rate = result.distinct / result.seconds if result.seconds else 0.0
    ok = result.distinct == count and duplicates == 0
    print(f"\n{name}")
    print(f"  delivered   {result.distinct:,} distinct of {count:,} in {result.seconds:.1f} s "
          f"({rate:,.0f} emails/s; target <= {TARGET_S:.0f} s: "
          f"{'met' if result.seconds <= TARGET_S else 'MISSED'})")  # fmt: skip
    print(
        f"  dispatch    {result.dispatch_seconds:.1f} s of it (insert {count:,} rows, claim, "
        "hand out batches of 200)"
    )
    print(
        f"  celery      no-op tasks {noop_rate:,.0f}/s; emails/s over no-op tasks/s = "
        f"{rate / noop_rate:.2f}"
        if noop_rate
        else ""
    )
    print(f"  duplicates  {duplicates}   lost {lost}   rows {result.statuses}")
    for note in result.notes:
        print(f"  note        {note}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument(
        "--budget", type=float, default=BUDGET_S, help="seconds for the whole benchmark"
    )
    args = parser.parse_args()
    deadline = time.monotonic() + args.budget - CLEANUP_S
    for tool in ("redis-server", "redis-cli", "createdb", "dropdb"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing", file=sys.stderr)
            return 2
    folder = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    db_name = f"bench_reminders_{os.getpid()}"
    (folder / "bench_reminders_settings.py").write_text(
        "from config.settings.base import *  # noqa: F403\n"
        'CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 20}\n'
        "REMINDERS_RECLAIM_AFTER_SECONDS = 15\n"
        "REMINDERS_RECLAIM_UNSTARTED_SECONDS = 900\n"
    )
    redis_server = RedisServer(folder)
    workers: dict[str, subprocess.Popen[bytes]] = {}
    created_db = False
    ok = True
    try:
        with sink() as sink_:
            env = {
                **os.environ,
                "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]),
                "DJANGO_SETTINGS_MODULE": "bench_reminders_settings",
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db_name}",
                "REDIS_URL": REDIS_URL,
                "CELERY_BROKER_URL": REDIS_URL,
                "BENCH_REDIS_URL": REDIS_URL,
                "EMAIL_URL": f"smtp://127.0.0.1:{sink_.port}",
                "PLATFORM_VAR_DIR": str(folder / "var"),
                "CELERY_SKIP_CHECKS": "1",
            }
            os.environ.update(env)
            sys.path.insert(0, str(folder))
            redis_server.start()
            subprocess.run(["createdb", *PG_ARGS, db_name], check=True)
            created_db = True
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
            )
            import django

            django.setup()
            import redis

            redis_client = redis.Redis.from_url(REDIS_URL)
            log = folder / "workers.log"
            names = ["w1", "w2"]
            for name in names:
                workers[name] = start_worker(name, env, log)
            wait_workers(names)
            print(
                f"{args.count:,} reminders, 2 worker processes (prefork, concurrency 1 each), "
                f"Redis {REDIS_URL}, PostgreSQL {db_name}, aiosmtpd sink :{sink_.port}"
            )
            noop_rate = measure_noop(redis_client, names)
            print(f"Celery no-op tasks: {noop_rate:,.0f}/s over {NOOP_TASKS:,} (2 processes)")

            def groups() -> dict[str, list[int]]:
                return {
                    "workers": [p for w in workers.values() for p in _pids(_in_group(w.pid))],
                    "sink": [sink_.process.pid or 0],
                    "postgres": _pids(_cmdline_has("postgres:", db_name)),
                    "redis": [redis_server.process.pid] if redis_server.process else [],
                    "dispatch": [os.getpid()],
                }

            first = run(args.count, sink_, 1, groups=groups, deadline=deadline)
            ok &= report("Run 1: all due in the same minute", args.count, first, noop_rate)
            if not args.no_kill and time.monotonic() > deadline - 30:
                print("\nRun 2 skipped: the time budget is spent (--budget to give more).")
                ok = False
            elif not args.no_kill:

                def chaos() -> list[str]:
                    notes = []
                    kill_group(workers["w1"])
                    workers["w1"].wait(5)
                    notes.append("worker w1 (its process group) got SIGKILL")
                    seconds = redis_server.restart()
                    notes.append(f"Redis shut down and started again in {seconds:.1f} s")
                    time.sleep(2)
                    workers["w1"] = start_worker("w1", env, log)
                    notes.append("a replacement w1 started")
                    return notes

                second = run(args.count, sink_, 2, groups=groups, deadline=deadline, chaos=chaos)
                ok &= report(
                    "Run 2: worker SIGKILLed halfway, Redis restarted",
                    args.count,
                    second,
                    noop_rate,
                )
    finally:
        for process in workers.values():
            stop_worker(process)
        redis_server.stop()
        if created_db:
            from django.db import connections

            connections.close_all()
            subprocess.run(["dropdb", *PG_ARGS, "--if-exists", db_name], check=False)
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
