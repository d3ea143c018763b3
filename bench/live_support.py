"""What bench/live needs around the clients: a server database (a migrated SQLite file of its
own), the seeded live session, uvicorn processes started and stopped by their own ids, /proc
readings (memory, CPU) and the presence truth read straight from Redis.

`python -m bench.live_support seed` (run in the server's environment) creates a lecturer and a
session live now and prints its id.
"""

from __future__ import annotations

import contextlib
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def raise_open_files() -> int:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Workspace:
    folder: Path
    env: dict[str, str]
    session_id: int = 0
    prefix: str = ""


@contextlib.contextmanager
def workspace(redis_url: str) -> Iterator[Workspace]:
    """A temporary folder with a migrated SQLite database and a seeded live session; the
    presence keys it made in Redis are deleted afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="bench-live-"))
    prefix = f"benchlive-{secrets.token_hex(4)}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "PLATFORM_VAR_DIR": str(folder),
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": "filesystem://",  # a task queued by the room stays in here
            "LIVE_PRESENCE_PREFIX": prefix,
            "LOG_LEVEL": "WARNING",
        }
    )
    space = Workspace(folder=folder, env=env, prefix=prefix)
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        out = subprocess.run(
            [sys.executable, "-m", "bench.live_support", "seed"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        space.session_id = int(out.stdout.strip().splitlines()[-1])
        yield space
    finally:
        delete_keys(redis_url, prefix)
        shutil.rmtree(folder, ignore_errors=True)


def delete_keys(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def redis_count(redis_url: str, prefix: str, session_id: int) -> int:
    """The shared truth: viewers with an open connection (live:{id}:conns)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.hlen(f"{prefix}:{{{session_id}}}:conns"))
    finally:
        client.close()


def redis_memory(redis_url: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.info("memory")["used_memory"])
    finally:
        client.close()


@dataclass
class Uvicorn:
    app: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    children: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        """The serving processes: the process itself, or its workers with --workers."""
        found = _children(self.process.pid)
        return found or [self.process.pid]


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def start_uvicorn(
    space: Workspace, app: str = "config.asgi:application", extra: Sequence[str] = ()
) -> Uvicorn:
    port = free_port()
    log = space.folder / f"uvicorn-{port}.log"
    process = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
            "--timeout-graceful-shutdown", "10", "--no-access-log", "--backlog", "4096", *extra,
        ],
        cwd=ROOT, env=space.env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        preexec_fn=raise_open_files,
        start_new_session=True,
    )  # fmt: skip
    server = Uvicorn(app=app, port=port, process=process, log=log)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return server
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def stop_uvicorn(server: Uvicorn) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


def kill_uvicorn(server: Uvicorn) -> None:
    """kill -9, no goodbye: its viewers stay in Redis until the ghost sweep."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()


def rss_bytes(pids: Sequence[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def cpu_seconds(pids: Sequence[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def seed() -> None:
    import datetime as dt

    import django

    django.setup()
    import time_machine
    from django.utils import timezone

    from accounts.models import Role, User
    from lecture_hall.models import Lecturer
    from lecture_hall.services import session_create, session_publish

    user = User.objects.create_user(
        username="bench-lecturer", role=Role.LECTURER, region_id="500000"
    )
    lecturer = Lecturer.objects.create(user=user, name="压测讲师", region_id="500000")
    starts = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=10)
    with time_machine.travel(starts - dt.timedelta(days=1), tick=False):
        session = session_create(
            actor=user, title="压测讲座", starts_at=starts, duration_minutes=240,
            lecturer_ids=[lecturer.pk], stream_url="https://live.example.cn/bench",
        )  # fmt: skip
        session = session_publish(actor=user, session=session, expected_version=1)
    print(session.pk)


if __name__ == "__main__" and sys.argv[1:] == ["seed"]:
    seed()
