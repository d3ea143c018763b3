"""The live room under load: a real uvicorn on Redis, `websockets` clients in worker processes
on loopback. Run alone: `python -m bench.live` (about five minutes; --help for sizes).

1. join storm: N clients connect and say hello within S seconds; errors, then how long until
   every client and the Redis truth show exactly N;
2. broadcast latency: a count change reaching 2,000 clients (from the tick's `at` stamp to
   arrival), beside a raw in-process ASGI broadcast to 2,000 clients in the same run;
3. idle viewers with heartbeats: server memory per connection and CPU while idle;
4. kill -9 the client processes: how long until the count is the truth (0) again;
5. ghosts: two ASGI processes share Redis; kill -9 one: how long until the other's count has
   dropped the dead process's viewers (the ghost sweep; must be within 90 s).

Everything runs on 127.0.0.1 with a temporary SQLite database, Redis db 9 by default (keys
under a prefix of this run, deleted at the end), and stops every process it started.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from bench.live_clients import Workers
from bench.live_support import (
    Uvicorn,
    Workspace,
    cpu_seconds,
    kill_uvicorn,
    load_average,
    raise_open_files,
    redis_count,
    redis_memory,
    rss_bytes,
    start_uvicorn,
    stop_uvicorn,
    workspace,
)

DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
MiB = 1024 * 1024
SERVER_ARGS: tuple[str, ...] = ()
APP = "config.asgi:application"


def serve(space: Workspace, app: str = "") -> Uvicorn:
    return start_uvicorn(space, app=app or APP, extra=SERVER_ARGS)


def say(text: str = "") -> None:
    print(text, flush=True)


def wait_until(check: Callable[[], bool], timeout: float, every: float = 0.1) -> float | None:
    """Seconds until check() held, or None if it never did within timeout."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(every)
    return None


def percentiles(values: Sequence[float]) -> str:
    if not values:
        return "no samples"
    ordered = sorted(values)

    def pick(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return (
        f"p50 {pick(0.50):.1f} ms, p90 {pick(0.90):.1f} ms, p99 {pick(0.99):.1f} ms, "
        f"max {ordered[-1] * 1000:.1f} ms (n={len(ordered)})"
    )


def room_url(server: Uvicorn, space: Workspace) -> str:
    return f"{server.ws}/ws/sessions/{space.session_id}/live/"


@contextlib.contextmanager
def fleet(count: int, url: str, origin: str) -> Iterator[Workers]:
    workers = Workers(count, url, origin)
    try:
        yield workers
    finally:
        workers.stop()


def settled(workers: Workers, space: Workspace, redis_url: str, want: int) -> Callable[[], bool]:
    def check() -> bool:
        return redis_count(
            redis_url, space.prefix, space.session_id
        ) == want and workers.counts() == {want: want}

    return check


class Probe:
    """One more viewer, opened and closed by the bench itself (sync websockets client)."""

    def __init__(self, url: str, origin: str) -> None:
        from websockets.sync.client import connect

        self._opened = connect(url, additional_headers={"Origin": origin}, open_timeout=30)
        self.ws = self._opened.__enter__()

    def hello(self) -> None:
        import uuid

        self.ws.send(json.dumps({"type": "hello", "viewer": str(uuid.uuid4())}))
        while json.loads(self.ws.recv(timeout=30))["type"] != "welcome":
            pass

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def close(self) -> None:
        self._opened.__exit__(None, None, None)


def collect_hits(workers: Workers, expected: int, timeout: float = 15) -> list[tuple[float, float]]:
    hits: list[tuple[float, float] | None] = []

    def all_in() -> bool:
        nonlocal hits
        hits = workers.hits()
        return all(h is not None for h in hits) and len(hits) == expected

    wait_until(all_in, timeout, every=0.2)
    return [h for h in hits if h is not None]


# --- 1 ------------------------------------------------------------------------------------
def join_storm(space: Workspace, server: Uvicorn, args: argparse.Namespace) -> None:
    say(f"\n## 1. Join storm: {args.clients:,} clients in {args.storm_seconds:g} s")
    with fleet(args.client_processes, room_url(server, space), server.url) as workers:
        cpu0 = cpu_seconds(server.pids())
        client0 = cpu_seconds(workers.pids())
        opened = workers.open(args.clients, args.storm_seconds)
        cpu1 = cpu_seconds(server.pids())
        client1 = cpu_seconds(workers.pids())
        say(
            f"connected and welcomed: {opened['opened']:,} in {opened['took']:.1f} s; "
            f"errors: {opened['errors'] or 0}"
        )
        say(
            f"CPU during the storm: server {cpu1 - cpu0:.1f} s "
            f"({(cpu1 - cpu0) / opened['took'] * 100:.0f}% of one core), "
            f"client processes {client1 - client0:.1f} s "
            f"({(client1 - client0) / opened['took'] * 100:.0f}%)"
        )
        took = wait_until(settled(workers, space, args.redis_url, opened["opened"]), 60, every=0.25)
        truth = redis_count(args.redis_url, space.prefix, space.session_id)
        counts = workers.counts()
        verdict = "exact" if took is not None else "NOT exact"
        say(
            f"count after settling: Redis {truth:,}; clients {dict(counts)} -> {verdict}"
            + (f", settled {took:.1f} s after the last join" if took is not None else "")
        )
        workers.ask("close")
        gone = wait_until(
            lambda: redis_count(args.redis_url, space.prefix, space.session_id) == 0, 30
        )
        say(
            f"all left: count 0 after {gone:.1f} s"
            if gone is not None
            else "all left: count did NOT reach 0"
        )


# --- 2 ------------------------------------------------------------------------------------
def broadcast(space: Workspace, server: Uvicorn, args: argparse.Namespace) -> None:
    n = args.broadcast
    say(
        f"\n## 2. Broadcast of a count change to {n:,} clients "
        f"({args.rounds} joins + {args.rounds} leaves)"
    )
    ours: list[float] = []
    end_to_end: list[float] = []
    url = room_url(server, space)
    with fleet(args.client_processes, url, server.url) as workers:
        opened = workers.open(n, max(4.0, n / 400))
        wait_until(settled(workers, space, args.redis_url, opened["opened"]), 60, every=0.25)
        base = opened["opened"]
        for _round in range(args.rounds):
            workers.ask("mark", {"count": base + 1})
            started = time.time()
            probe = Probe(url, server.url)
            probe.hello()
            hits = collect_hits(workers, base)
            ours += [arrived - at for at, arrived in hits]
            end_to_end += [arrived - started for _at, arrived in hits]
            workers.ask("mark", {"count": base})
            started = time.time()
            probe.close()
            hits = collect_hits(workers, base)
            ours += [arrived - at for at, arrived in hits]
            end_to_end += [arrived - started for _at, arrived in hits]
        workers.ask("close")
    wait_until(lambda: redis_count(args.redis_url, space.prefix, space.session_id) == 0, 30)

    raw_server = serve(space, app="bench.live_raw_asgi:application")
    raw: list[float] = []
    try:
        raw_url = f"{raw_server.ws}/ws"
        with fleet(args.client_processes, raw_url, raw_server.url) as workers:
            opened_raw = workers.open(n, max(4.0, n / 400))
            probe = Probe(raw_url, raw_server.url)
            probe.hello()
            for _round in range(2 * args.rounds):
                workers.ask("mark", {"count": opened_raw["opened"] + 1})
                probe.send({"type": "go"})
                raw += [arrived - at for at, arrived in collect_hits(workers, opened_raw["opened"])]
            probe.close()
            workers.ask("close")
    finally:
        stop_uvicorn(raw_server)
    say(f"live room, tick stamp -> arrival:   {percentiles(ours)}")
    say(f"raw in-process ASGI broadcast:      {percentiles(raw)}")
    if ours and raw:
        p50 = statistics.median(ours) / statistics.median(raw)
        p99 = sorted(ours)[int(0.99 * len(ours))] / sorted(raw)[int(0.99 * len(raw))]
        say(f"ratio live/raw: p50 {p50:.2f}x, p99 {p99:.2f}x (target <= 2x)")
    say(
        "live room, join/leave -> arrival (includes waiting for the 1 s tick): "
        + percentiles(end_to_end)
    )


# --- 3 and 4 --------------------------------------------------------------------------------
def idle_then_kill(space: Workspace, server: Uvicorn, args: argparse.Namespace) -> None:
    n = args.idle
    say(f"\n## 3. {n:,} idle viewers, heartbeats every 20 s")
    pids = server.pids()
    rss0 = rss_bytes(pids)
    redis0 = redis_memory(args.redis_url)
    workers = Workers(args.client_processes, room_url(server, space), server.url)
    try:
        opened = workers.open(n, n / args.idle_rate)
        say(
            f"connected: {opened['opened']:,} in {opened['took']:.1f} s; "
            f"errors: {opened['errors'] or 0}"
        )
        took = wait_until(settled(workers, space, args.redis_url, opened["opened"]), 90, every=0.5)
        say(
            "count exact" + (f" ({took:.1f} s after the last join)" if took is not None else ": NO")
        )
        rss1 = rss_bytes(pids)
        cpu0, t0 = cpu_seconds(pids), time.monotonic()
        time.sleep(args.idle_seconds)
        cpu1, t1 = cpu_seconds(pids), time.monotonic()
        rss2 = rss_bytes(pids)
        redis1 = redis_memory(args.redis_url)
        per = (rss2 - rss0) / max(1, opened["opened"])
        say(
            f"server RSS: {rss0 / MiB:.0f} MiB before, {rss2 / MiB:.0f} MiB with "
            f"{opened['opened']:,} viewers -> {per / 1024:.1f} KiB per connection"
        )
        say(
            f"server CPU while idle ({args.idle_seconds:g} s, "
            f"{opened['opened'] / 20:.0f} heartbeats/s): "
            f"{(cpu1 - cpu0) / (t1 - t0) * 100:.1f}% of one core"
        )
        say(
            f"Redis memory: +{(redis1 - redis0) / MiB:.1f} MiB "
            f"({(redis1 - redis0) / max(1, opened['opened']):.0f} bytes per viewer, "
            "presence and layer together)"
        )
        del rss1

        say(
            f"\n## 4. kill -9 the {args.client_processes} client processes holding "
            f"{opened['opened']:,} viewers"
        )
        started = time.monotonic()
        workers.kill()
        back = wait_until(
            lambda: redis_count(args.redis_url, space.prefix, space.session_id) == 0, 120, every=0.1
        )
        if back is None:
            say("count did NOT return to the truth (0) within 120 s")
        else:
            say(
                f"count back to the truth (0) {time.monotonic() - started:.1f} s after the "
                "kill (target <= 90 s)"
            )
    finally:
        workers.stop()


# --- 5 ------------------------------------------------------------------------------------
def ghosts(space: Workspace, server: Uvicorn, args: argparse.Namespace) -> None:
    on_a, on_b = args.ghost_a, args.ghost_b
    say(f"\n## 5. Two ASGI processes on one Redis: {on_a:,} viewers on A, {on_b:,} on B; kill -9 B")
    other = serve(space)
    try:
        with (
            fleet(2, room_url(server, space), server.url) as a_clients,
            fleet(2, room_url(other, space), other.url) as b_clients,
        ):
            a_clients.open(on_a, max(2.0, on_a / 400))
            b_clients.open(on_b, max(2.0, on_b / 400))
            total = on_a + on_b

            def one_count() -> bool:
                counts = a_clients.counts() + b_clients.counts()
                return redis_count(
                    args.redis_url, space.prefix, space.session_id
                ) == total and counts == {total: total}

            took = wait_until(one_count, 60, every=0.25)
            say(
                f"both processes show one count, {total:,}, to every client"
                + (f" ({took:.1f} s)" if took is not None else ": NO")
            )
            started = time.monotonic()
            kill_uvicorn(other)
            back = wait_until(
                lambda: (
                    redis_count(args.redis_url, space.prefix, space.session_id) == on_a
                    and a_clients.counts() == {on_a: on_a}
                ),
                120,
                every=0.5,
            )
            if back is None:
                say("the dead process's viewers were NOT dropped within 120 s")
            else:
                say(
                    f"A's clients and Redis show {on_a:,} {time.monotonic() - started:.1f} s "
                    "after the kill (ghost sweep after 75 s of silence; target <= 90 s)"
                )
            a_clients.ask("close")
    finally:
        if other.process.poll() is None:
            stop_uvicorn(other)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--clients", type=int, default=5000, help="join storm size")
    parser.add_argument("--storm-seconds", type=float, default=10.0)
    parser.add_argument("--broadcast", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--idle", type=int, default=10_000)
    parser.add_argument("--idle-rate", type=float, default=500.0, help="joins per second")
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--ghost-a", type=int, default=500)
    parser.add_argument("--ghost-b", type=int, default=1000)
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--only", default="1,2,3,5", help="which parts to run (4 runs with 3)")
    parser.add_argument(
        "--app", default="config.asgi:application", help="the ASGI application to serve"
    )
    parser.add_argument(
        "--server-args",
        default="",
        help='extra uvicorn options for every server, e.g. "--ws-per-message-deflate false"',
    )
    args = parser.parse_args(argv)
    global SERVER_ARGS, APP
    SERVER_ARGS = tuple(args.server_args.split())
    APP = args.app
    parts = {p.strip() for p in args.only.split(",")}

    limit = raise_open_files()
    say("# bench.live")
    say(
        f"machine: {os.cpu_count()} cores; load average before: {load_average()}; "
        f"open files limit {limit:,}"
    )
    say(
        f"python {sys.version.split()[0]}; uvicorn (uvloop, websockets), Channels "
        f"RedisPubSubChannelLayer, presence in Redis ({args.redis_url})"
    )
    started = time.monotonic()
    with workspace(args.redis_url) as space:
        server = serve(space)
        say(
            f"server: one uvicorn process (pid {server.process.pid}), session {space.session_id}"
            + (f", extra options: {args.server_args}" if args.server_args else "")
        )
        try:
            if "1" in parts:
                join_storm(space, server, args)
            if "2" in parts:
                broadcast(space, server, args)
            if "3" in parts:
                idle_then_kill(space, server, args)
            if "5" in parts:
                ghosts(space, server, args)
        finally:
            stop_uvicorn(server)
    say(f"\ndone in {time.monotonic() - started:.0f} s; load average after: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
