"""Shared helpers for HTTP benchmarks: serve a WSGI app the production way, load it, report.

    with serve_wsgi("config.wsgi:application", env=production_env(tmp)) as server:
        feed = load(server.url + "/calendar/all.ics")
        baseline = load(server.url + "/healthz")   # the same server, the same run

`serve_wsgi` starts gunicorn with the web service's own arguments from docker/compose.yaml
(only the bind address changes: 127.0.0.1 and a free port; workers via WEB_CONCURRENCY, as in
compose) and stops every process it started on exit. `load` runs `wrk` (Debian's package) after
a warm-up, or a small multi-process Python client when wrk is missing. Traffic goes to
127.0.0.1 only. `measure_healthz` does the whole /healthz measurement in one call.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker" / "compose.yaml"
DJANGO_WSGI_APP = "config.wsgi:application"
RAW_WSGI_APP = "bench.raw_wsgi:application"
WRK = shutil.which("wrk")
DEFAULT_WORKERS = os.cpu_count() or 2
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0


# --- serving -------------------------------------------------------------------------------
def page_bench_arguments(
    description: str, argv: list[str] | None, *, connections_help: str
) -> argparse.Namespace:
    """The options every page benchmark takes (server workers, wrk's load and timing), checked:
    the run stays bounded and wrk must be installed."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8, help=connections_help)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per URL")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds dropped per URL")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="wrk's per-request timeout (gunicorn's: 30 s)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one request per page")
    args = parser.parse_args(argv)
    if args.duration + args.warmup > 20:
        parser.error("duration + warmup must stay within 20 s (the run is bounded to < 3 min)")
    if WRK is None:
        parser.error("wrk is not installed (Debian: apt-get install wrk)")
    return args


def compose_web_args() -> list[str]:
    """gunicorn's options in compose.yaml's web service, without the app and --bind."""
    command = yaml.safe_load(COMPOSE_FILE.read_text())["services"]["web"]["command"]
    if not isinstance(command, list) or command[:2] != ["gunicorn", DJANGO_WSGI_APP]:
        raise RuntimeError(f"{COMPOSE_FILE}: web command is not `gunicorn {DJANGO_WSGI_APP} ...`")
    args = [str(a) for a in command[2:] if not str(a).startswith(("--bind", "-b"))]
    shm = Path("/dev/shm")  # noqa: S108 - the heartbeat directory compose uses
    if not shm.is_dir():  # not Linux: let gunicorn pick its default
        args = [a for a in args if not a.startswith("--worker-tmp-dir")]
    return args


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def production_env(workdir: Path, **overrides: str) -> dict[str, str]:
    """Environment for config.settings.production on loopback, plain HTTP, state in workdir.

    DATABASE_URL, REDIS_URL and CELERY_BROKER_URL pass through from this process when set;
    otherwise the embedded defaults (SQLite, local memory) are used, with their files in workdir.
    """
    static_root = workdir / "static"
    static_root.mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PLATFORM_", "GUNICORN_", "WEB_CONCURRENCY"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="False",
        EMAIL_URL=os.environ.get("EMAIL_URL", "smtp://127.0.0.1:25"),
        DJANGO_STATIC_ROOT=str(static_root),  # not collected: /healthz serves no static file
        PLATFORM_VAR_DIR=str(workdir / "var"),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def backends(env: Mapping[str, str]) -> str:
    """Which database and Redis an environment points at, without credentials."""
    db = urlsplit(env["DATABASE_URL"]).scheme if env.get("DATABASE_URL") else "sqlite (embedded)"
    redis = "redis" if env.get("REDIS_URL") else "none"
    return f"database {db}, redis {redis}"


@dataclass
class Server:
    app: str
    url: str
    workers: int
    argv: list[str]
    log_path: Path
    process: subprocess.Popen[bytes]

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _wait_ready(server: Server, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    host, port = urlsplit(server.url).hostname or "127.0.0.1", urlsplit(server.url).port
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.app} exited with {server.process.returncode}:\n{server.log_tail()}"
            )
        conn = http.client.HTTPConnection(host, port, timeout=2)
        try:
            conn.request("GET", path)
            status = conn.getresponse().status
        except OSError:  # not listening yet
            status = 0
        finally:
            conn.close()
        if status == 200:
            return
        if status:  # gunicorn answers only once the app is loaded: an error will not go away
            raise RuntimeError(f"{server.app} answered {path} with {status}:\n{server.log_tail()}")
        time.sleep(0.2)
    raise RuntimeError(
        f"{server.app} did not answer {path} in {timeout:.0f} s:\n{server.log_tail()}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """TERM to gunicorn's master (graceful), then KILL to its whole group, whatever happened."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(STOP_TIMEOUT_S)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # its own session: workers included
    process.wait()


@contextlib.contextmanager
def serve_wsgi(
    app_path: str,
    *,
    env: Mapping[str, str],
    port: int | None = None,
    workers: int = DEFAULT_WORKERS,
    ready_path: str = "/healthz",
    log_dir: Path | None = None,
) -> Iterator[Server]:
    """Run `gunicorn app_path` with compose's web arguments on 127.0.0.1; stop it on exit."""
    port = port or free_port()
    with contextlib.ExitStack() as stack:
        if log_dir is None:
            log_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-http-")))
        log_path = log_dir / f"gunicorn-{port}.log"
        argv = [
            sys.executable, "-m", "gunicorn", app_path, f"--bind=127.0.0.1:{port}",
            *compose_web_args(),
            # gunicorn >= 25 opens a control socket under $HOME by default: one per server here,
            # so that parallel runs never share (or steal) it.
            f"--control-socket={log_dir / f'gunicorn-{port}.ctl'}",
        ]  # fmt: skip
        run_env = {**env, "WEB_CONCURRENCY": str(workers)}  # how compose sets the worker count
        log = stack.enter_context(log_path.open("wb"))
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=run_env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = Server(app_path, f"http://127.0.0.1:{port}", workers, argv, log_path, process)
        try:
            _wait_ready(server, ready_path, START_TIMEOUT_S)
            yield server
        finally:
            _stop(process)


# --- loading -------------------------------------------------------------------------------
@dataclass
class LoadResult:
    url: str
    tool: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors, timeouts and non-2xx/3xx answers


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


def parse_wrk(output: str, url: str) -> LoadResult:
    """Figures from `wrk --latency` output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    pct = {
        p: _ms(v, u)
        for p, v, u in re.findall(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    }
    if not (rps and total and "50" in pct and "99" in pct):
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non2xx[1]) if non2xx else 0
    return LoadResult(
        url=url,
        tool="wrk",
        requests=int(total[1]),
        seconds=_ms(total[2], total[3]) / 1000,
        rps=float(rps[1]),
        p50_ms=pct["50"],
        p99_ms=pct["99"],
        errors=errors,
    )


def run_wrk(
    url: str,
    *,
    threads: int = 2,
    connections: int = 32,
    duration: float = 10.0,
    warmup: float = 2.0,
    timeout: float = 5.0,
) -> LoadResult:
    """`wrk --latency` against a loopback URL, after a warm-up run whose figures are dropped."""
    if WRK is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"benchmarks load loopback addresses only, not {url}")
    base = [WRK, f"-t{threads}", f"-c{connections}", f"--timeout={timeout:g}s"]
    if warmup > 0:
        subprocess.run(
            [*base, f"-d{warmup:g}s", url], check=True, capture_output=True, timeout=warmup + 30
        )
    done = subprocess.run(
        [*base, f"-d{duration:g}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
        timeout=duration + 30,
    )
    return parse_wrk(done.stdout, url)


def _python_worker(url: str, connections: int, start_at: float, deadline: float, out: Any) -> None:
    """One client process: `connections` threads, each on its own keep-alive connection."""
    parts = urlsplit(url)
    path = parts.path or "/"
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def loop() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)
        mine: list[float] = []
        bad = 0
        time.sleep(max(0.0, start_at - time.monotonic()))  # every client starts together
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    bad += 1
                mine.append(time.perf_counter() - started)
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    pool = [threading.Thread(target=loop) for _ in range(connections)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    out.put((latencies, errors))


def run_python_load(
    url: str,
    *,
    processes: int = 2,
    connections: int = 32,
    duration: float = 10.0,
    warmup: float = 2.0,
) -> LoadResult:
    """The fallback when wrk is missing: processes x threads of http.client. Far weaker than wrk
    (it measures less than the server can do), so compare only figures taken with the same tool."""
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"benchmarks load loopback addresses only, not {url}")
    ctx = multiprocessing.get_context("spawn")
    per_process = max(1, connections // processes)
    result: tuple[list[float], int, float] = ([], 0, 0.0)
    for seconds in (warmup, duration):
        if seconds <= 0:
            continue
        queue = ctx.Queue()
        start_at = time.monotonic() + 1.5  # time for the spawned children to import
        deadline = start_at + seconds  # CLOCK_MONOTONIC: the same clock in every process
        children = [
            ctx.Process(target=_python_worker, args=(url, per_process, start_at, deadline, queue))
            for _ in range(processes)
        ]
        for child in children:
            child.start()
        gathered = [queue.get(timeout=seconds + 60) for _ in children]
        for child in children:
            child.join(10)
            if child.is_alive():
                child.kill()
        result = ([x for lat, _ in gathered for x in lat], sum(e for _, e in gathered), seconds)
    latencies, errors, seconds = result
    if len(latencies) < 2:
        raise RuntimeError(f"the Python client got no answers from {url}")
    cuts = statistics.quantiles(latencies, n=100)
    return LoadResult(
        url=url,
        tool=f"python ({processes} processes x {per_process} connections)",
        requests=len(latencies),
        seconds=seconds,
        rps=len(latencies) / seconds,
        p50_ms=cuts[49] * 1000,
        p99_ms=cuts[98] * 1000,
        errors=errors,
    )


def load(
    url: str,
    *,
    threads: int = 2,
    connections: int = 32,
    duration: float = 10.0,
    warmup: float = 2.0,
) -> LoadResult:
    """wrk when installed, else the Python client (its `tool` field says which)."""
    if WRK is not None:
        return run_wrk(
            url, threads=threads, connections=connections, duration=duration, warmup=warmup
        )
    return run_python_load(
        url, processes=threads, connections=connections, duration=duration, warmup=warmup
    )


def measure_healthz(
    *,
    workers: int = DEFAULT_WORKERS,
    threads: int = 2,
    connections: int = 32,
    duration: float = 10.0,
    warmup: float = 2.0,
    env_overrides: Mapping[str, str] | None = None,
) -> LoadResult:
    """Django's /healthz under production settings and gunicorn, measured on its own server."""
    with tempfile.TemporaryDirectory(prefix="bench-healthz-") as tmp:
        env = production_env(Path(tmp), **dict(env_overrides or {}))
        with serve_wsgi(DJANGO_WSGI_APP, env=env, workers=workers, log_dir=Path(tmp)) as server:
            return load(
                server.url + "/healthz",
                threads=threads,
                connections=connections,
                duration=duration,
                warmup=warmup,
            )


def combine(results: Sequence[LoadResult]) -> LoadResult:
    """Rounds of one URL as one result: req/s over all of them, p50/p99 averaged per round."""
    seconds = sum(r.seconds for r in results)
    requests = sum(r.requests for r in results)
    return LoadResult(
        url=results[0].url,
        tool=results[0].tool,
        requests=requests,
        seconds=seconds,
        rps=requests / seconds,
        p50_ms=statistics.fmean(r.p50_ms for r in results),
        p99_ms=statistics.fmean(r.p99_ms for r in results),
        errors=sum(r.errors for r in results),
    )


# --- reporting -----------------------------------------------------------------------------
def format_table(rows: Sequence[tuple[str, LoadResult]]) -> str:
    header = f"{'':<28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7}"
    lines = [header, "-" * len(header)]
    for label, r in rows:
        lines.append(
            f"{label:<28} {r.rps:>9.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
            f"{r.requests:>9} {r.errors:>7}"
        )
    return "\n".join(lines)
