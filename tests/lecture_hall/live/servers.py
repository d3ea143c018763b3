"""Real ASGI servers for the live room's tests and benchmark: uvicorn subprocesses on free
loopback ports, over a database of their own (a migrated SQLite file, or a fresh PostgreSQL
database when DATABASE_URL is set), seeded by `seed_server`, sharing Redis when REDIS_URL is
set. Every process started here is stopped (by its own id) and every database dropped."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT_S = 40.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _raise_open_files() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@dataclass
class ServerDatabase:
    env: dict[str, str]
    folder: Path
    pg_name: str | None = None


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


@contextlib.contextmanager
def server_database(*, redis_url: str | None = None) -> Iterator[ServerDatabase]:
    """A migrated database for server subprocesses, dropped afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="live-asgi-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "PYTEST_CURRENT_TEST")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "PLATFORM_VAR_DIR": str(folder),
            # Tasks the server queues (the summary) stay in this folder's own broker.
            "CELERY_BROKER_URL": "filesystem://",
            "LIVE_PRESENCE_PREFIX": f"livetest-{secrets.token_hex(5)}",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    pg_name = None
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres", "pgsql")):
        pg_name = f"live_asgi_{secrets.token_hex(4)}"
        _pg_admin(database_url, f'CREATE DATABASE "{pg_name}"')
        env["DATABASE_URL"] = urlunsplit(urlsplit(database_url)._replace(path=f"/{pg_name}"))
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        yield ServerDatabase(env=env, folder=folder, pg_name=pg_name)
    finally:
        if pg_name:
            _pg_admin(database_url, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        if redis_url:
            _delete_keys(redis_url, env["LIVE_PRESENCE_PREFIX"])
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def _delete_keys(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def seed(database: ServerDatabase) -> dict[str, Any]:
    """Create the people and sessions the tests use; their ids and session cookies."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.lecture_hall.live.seed_server"],
        cwd=ROOT,
        env=database.env,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    @property
    def ws(self) -> str:
        return "ws" + self.url[4:]


@contextlib.contextmanager
def uvicorn_server(
    database: ServerDatabase, *, extra_args: tuple[str, ...] = (), env: dict[str, str] | None = None
) -> Iterator[Server]:
    port = free_port()
    log = open(database.folder / f"uvicorn-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "config.asgi:application",
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
            "--timeout-graceful-shutdown", "5", *extra_args,
        ],
        cwd=ROOT,
        env={**database.env, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_raise_open_files,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                tail = (database.folder / f"uvicorn-{port}.log").read_text()[-2000:]
                raise RuntimeError(f"uvicorn exited: {tail}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield Server(url=url, process=process)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
