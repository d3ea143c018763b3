"""How close Django's /healthz comes to the WSGI server's own ceiling on this machine.

Run from the repository root: `python -m bench.http_baseline` (about 30 s; 127.0.0.1 only).

It serves two apps with the production WSGI server exactly as the web service in
docker/compose.yaml runs it (gunicorn, its arguments read from that file; only the bind address
differs: 127.0.0.1 and a free port each) with the same number of workers (one per core):

  raw     bench/raw_wsgi.py, a WSGI function answering b"ok\\n": the server's ceiling
  django  config.wsgi under config.settings.production (DEBUG off, the full middleware stack,
          plain HTTP on loopback), GET /healthz: what Django adds to the cheapest request

and loads them from loopback with `wrk -t2 -c32 --latency`: a 2 s warm-up each, then 10 s each
in rounds of 5 s ordered raw, django, django, raw, so that a change in the machine's background
load falls on both alike (this machine is shared; idle servers cost nothing meanwhile). It
prints requests/s (over all rounds), latency p50/p99 (averaged over the rounds) and the ratio
django/raw. Without wrk it falls back to a small multi-process Python client, and says so:
those figures are then far below what the server can do. The load generator shares the cores
with the servers, the same for both apps. Every process it starts is stopped before it exits.
DATABASE_URL and REDIS_URL pass through when set (/healthz touches neither).

Later benchmarks reuse bench._http (serve_wsgi, load, measure_healthz) for their own baseline.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import gunicorn

from bench._http import (
    DEFAULT_WORKERS,
    DJANGO_WSGI_APP,
    RAW_WSGI_APP,
    WRK,
    LoadResult,
    backends,
    combine,
    compose_web_args,
    format_table,
    load,
    production_env,
    serve_wsgi,
)

ORDER = ("raw", "django", "django", "raw")  # ABBA: a linear drift in background load cancels
BUSY_LOAD = 0.5  # 1-minute load average above which the machine was not idle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per app")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds dropped per app")
    args = parser.parse_args(argv)
    if args.duration + args.warmup > 20:
        parser.error("duration + warmup must stay within 20 s (the run is bounded to < 60 s)")

    def run(url: str, seconds: float) -> LoadResult:
        return load(
            url,
            threads=args.threads,
            connections=args.connections,
            duration=seconds,
            warmup=0,
        )

    started = time.monotonic()
    load_before = os.getloadavg()[0]
    rounds: dict[str, list[LoadResult]] = {"raw": [], "django": []}
    with tempfile.TemporaryDirectory(prefix="bench-http-baseline-") as tmp:
        workdir = Path(tmp)
        env = production_env(workdir)
        with contextlib.ExitStack() as servers:  # stops both, whatever happens
            urls = {
                name: servers.enter_context(
                    serve_wsgi(app, env=env, workers=args.workers, log_dir=workdir)
                ).url
                + "/healthz"
                for name, app in (("raw", RAW_WSGI_APP), ("django", DJANGO_WSGI_APP))
            }
            if args.warmup > 0:
                for url in urls.values():
                    run(url, args.warmup)
            for name in ORDER:
                rounds[name].append(run(urls[name], args.duration / ORDER.count(name)))
    raw, django = combine(rounds["raw"]), combine(rounds["django"])

    tool = (
        f"wrk -t{args.threads} -c{args.connections} --latency, {args.warmup:g} s warm-up, then"
        f" {args.duration:g} s per app in rounds {'/'.join(ORDER)}"
        if WRK is not None
        else f"{raw.tool} -- wrk NOT FOUND, Python fallback client: figures understate the server"
    )
    print("HTTP baseline: Django /healthz against a raw WSGI app, same server, same workers")
    print(
        f"machine: {os.cpu_count()} cores, load average {load_before:.2f} before the run,"
        f" Python {platform.python_version()}, gunicorn {gunicorn.__version__}"
    )
    print(
        f"server:  gunicorn, {args.workers} sync workers, compose web args: "
        + " ".join(compose_web_args())
    )
    print(f"django:  config.settings.production, plain HTTP on 127.0.0.1, {backends(env)}")
    print(f"load:    {tool}")
    print()
    print(format_table([("raw WSGI (bench.raw_wsgi)", raw), ("django /healthz", django)]))
    print(
        f"{'django/raw':<28} {django.rps / raw.rps:>9.2f} {django.p50_ms / raw.p50_ms:>8.2f}"
        f" {django.p99_ms / raw.p99_ms:>8.2f}"
    )
    per_round = ", ".join(
        f"{name} {r.rps:.0f}" for name, r in zip(ORDER, _in_order(rounds), strict=True)
    )
    print(f"\nreq/s per round: {per_round}")
    print(f"took {time.monotonic() - started:.1f} s")
    if load_before > BUSY_LOAD:
        print(
            f"WARNING: load average {load_before:.2f} before the run: other processes shared the"
            f" {os.cpu_count()} cores, so these figures (and the spread per round) are unreliable"
        )
    return 1 if raw.errors or django.errors else 0


def _in_order(rounds: dict[str, list[LoadResult]]) -> list[LoadResult]:
    """The rounds back in the order they ran."""
    taken = {name: iter(results) for name, results in rounds.items()}
    return [next(taken[name]) for name in ORDER]


if __name__ == "__main__":
    sys.exit(main())
