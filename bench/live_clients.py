"""The load side of bench/live: worker processes, each holding thousands of `websockets`
connections on one event loop, driven by the bench over a pipe.

Commands: open (connect + hello at a steady rate), counts (the latest count each client
saw), mark/hits (time from the server's `at` to arrival of the next count message), go (ask
the raw app to broadcast), close, exit. Every client heartbeats every 20 s, spread evenly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

HEARTBEAT_SECONDS = 20


@dataclass
class Client:
    index: int
    ws: ClientConnection
    count: int = -1
    hit: tuple[float, float] | None = None  # (server's at, arrival) of the marked message
    reader: asyncio.Task[None] | None = None


@dataclass
class Fleet:
    url: str
    origin: str
    clients: list[Client] = field(default_factory=list)
    mark_count: int | None = None
    next_index: int = 0

    async def _read(self, client: Client) -> None:
        with contextlib.suppress(Exception):
            async for raw in client.ws:
                message = json.loads(raw)
                if message["type"] in ("count", "welcome"):
                    client.count = message["count"]
                    if (
                        message["type"] == "count"
                        and self.mark_count is not None
                        and client.hit is None
                        and message["count"] == self.mark_count
                    ):
                        client.hit = (float(message.get("at", 0.0)), time.time())

    async def _open_one(self, start_at: float) -> str | None:
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        try:
            ws = await connect(
                self.url,
                additional_headers={"Origin": self.origin},
                open_timeout=60,
                ping_interval=None,  # the server pings; that is enough
                close_timeout=5,
            )
            await ws.send(json.dumps({"type": "hello", "viewer": str(uuid.uuid4())}))
            async with asyncio.timeout(60):
                while True:
                    message = json.loads(await ws.recv())
                    if message["type"] == "welcome":
                        break
        except Exception as exc:
            return type(exc).__name__
        client = Client(index=self.next_index, ws=ws, count=int(message["count"]))
        self.next_index += 1
        client.reader = asyncio.create_task(self._read(client))
        self.clients.append(client)
        return None

    async def open(self, n: int, seconds: float) -> dict[str, Any]:
        started = time.monotonic()
        step = seconds / max(1, n)
        results = await asyncio.gather(*(self._open_one(started + i * step) for i in range(n)))
        errors = Counter(r for r in results if r is not None)
        return {
            "opened": n - sum(errors.values()),
            "errors": dict(errors),
            "took": time.monotonic() - started,
        }

    async def heartbeats(self) -> None:
        """Each client beats every 20 s; client i in second i mod 20."""
        second = 0
        while True:
            await asyncio.sleep(1)
            second += 1
            for client in self.clients:
                if client.index % HEARTBEAT_SECONDS == second % HEARTBEAT_SECONDS:
                    with contextlib.suppress(Exception):
                        await client.ws.send('{"type":"heartbeat"}')

    async def close(self) -> int:
        clients, self.clients = self.clients, []
        await asyncio.gather(*(c.ws.close() for c in clients), return_exceptions=True)
        for client in clients:
            if client.reader:
                client.reader.cancel()
        return len(clients)


async def _serve(conn: Connection, url: str, origin: str) -> None:
    loop = asyncio.get_running_loop()
    fleet = Fleet(url=url, origin=origin)
    beating = asyncio.create_task(fleet.heartbeats())
    try:
        while True:
            command, args = await loop.run_in_executor(None, conn.recv)
            result: Any = None
            if command == "open":
                result = await fleet.open(args["n"], args["seconds"])
            elif command == "counts":
                result = dict(Counter(c.count for c in fleet.clients))
            elif command == "mark":
                fleet.mark_count = args["count"]
                for client in fleet.clients:
                    client.hit = None
            elif command == "hits":
                result = [c.hit for c in fleet.clients]
            elif command == "go":
                await fleet.clients[0].ws.send('{"type":"go"}')
            elif command == "close":
                result = await fleet.close()
            elif command == "exit":
                conn.send(None)
                return
            conn.send(result)
    finally:
        beating.cancel()


def worker(conn: Connection, url: str, origin: str) -> None:
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        import uvloop

        uvloop.run(_serve(conn, url, origin))
    except ImportError:
        asyncio.run(_serve(conn, url, origin))


class Workers:
    """A pool of client processes, commanded together."""

    def __init__(self, count: int, url: str, origin: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.processes: list[multiprocessing.process.BaseProcess] = []
        for _ in range(count):
            parent, child = context.Pipe()
            process = context.Process(target=worker, args=(child, url, origin), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def ask(
        self,
        command: str,
        per_worker: list[dict[str, Any]] | dict[str, Any] | None = None,
        timeout: float = 600,
    ) -> list[Any]:
        args = per_worker if isinstance(per_worker, list) else [per_worker or {}] * len(self.pipes)
        for pipe, arg in zip(self.pipes, args, strict=True):
            pipe.send((command, arg))
        results = []
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise TimeoutError(f"client worker did not answer {command!r} in {timeout} s")
            results.append(pipe.recv())
        return results

    def open(self, total: int, seconds: float) -> dict[str, Any]:
        shares = [
            total // len(self.pipes) + (1 if i < total % len(self.pipes) else 0)
            for i in range(len(self.pipes))
        ]
        answers = self.ask("open", [{"n": n, "seconds": seconds} for n in shares])
        errors: Counter[str] = Counter()
        for answer in answers:
            errors.update(answer["errors"])
        return {
            "opened": sum(a["opened"] for a in answers),
            "errors": dict(errors),
            "took": max(a["took"] for a in answers),
        }

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.pid is not None]

    def counts(self) -> Counter[int]:
        total: Counter[int] = Counter()
        for answer in self.ask("counts"):
            total.update({int(k): v for k, v in answer.items()})
        return total

    def hits(self) -> list[tuple[float, float] | None]:
        return [hit for answer in self.ask("hits") for hit in answer]

    def kill(self) -> None:
        """kill -9 every client process: the kernel closes their sockets, nobody says goodbye."""
        for process in self.processes:
            if process.pid and process.is_alive():
                process.kill()
        for process in self.processes:
            process.join(timeout=10)

    def stop(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(Exception):
                pipe.send(("exit", None))
        for process in self.processes:
            process.join(timeout=20)
            if process.is_alive():
                process.kill()
                process.join()
