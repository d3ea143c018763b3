"""Simulated viewers for a live room: N WebSocket clients that behave like browser tabs.

Each viewer connects with an `Origin` header (the server refuses a handshake without one),
says `hello` with its own device id (a version-4 UUID, as a browser keeps in its cookie),
sends a `heartbeat` every 20 s (what `welcome` asks for; far inside the token bucket), stays a
while and leaves. Then either the same person comes back within a minute (a reload: the
server keeps it one viewer and one span) or, later, a new person takes the seat, so the room
hovers around N with the dips and returns of a real audience. No Django here: the command
`simulate_viewers` finds the session and hands in its address.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI

from lecture_hall.live.protocol import Close

OPEN_TIMEOUT = 10.0
RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0)  # reconnect backoff, as the page's own script does
REPORT_SECONDS = 15.0  # a status line at most this often, and only when something changed


class Ending(StrEnum):
    STOPPED = "stopped"  # asked to stop (Ctrl-C, SIGTERM, the duration passed)
    ROOM_CLOSED = "room closed"  # the talk ended, was cancelled or moved (1000, 4409)
    REFUSED = "refused"  # the server will never let these clients in (403, 4404, 4403 ...)


# Close codes after which no client of this crowd should try again.
FINAL_CODES = {
    int(Close.NORMAL): Ending.ROOM_CLOSED,
    int(Close.NOT_LIVE): Ending.ROOM_CLOSED,
    int(Close.NOT_FOUND): Ending.REFUSED,
    int(Close.FORGED_VIEWER): Ending.REFUSED,
    int(Close.BAD_MESSAGE): Ending.REFUSED,
    int(Close.NOT_ALLOWED): Ending.REFUSED,
    int(Close.TOO_LARGE): Ending.REFUSED,
}


@dataclass
class Behaviour:
    """How long people stay and how they come back; defaults give a calm, realistic room."""

    ramp_seconds: float = 30.0  # the first N arrive spread over this
    mean_stay: float = 300.0  # seconds a visit lasts on average (exponential) ...
    min_stay: float = 45.0  # ... but at least this
    rejoin_share: float = 0.3  # of those who leave, come back within the minute (a reload)
    mean_vacancy: float = 20.0  # seconds before a new person takes a seat someone gave up


@dataclass
class Tally:
    connected: int = 0
    joins: int = 0
    leaves: int = 0
    rejoins: int = 0
    server_count: int | None = None  # the room's count as the server last told us
    problems: dict[str, int] = field(default_factory=dict)

    def problem(self, what: str) -> None:
        self.problems[what] = self.problems.get(what, 0) + 1

    def line(self) -> str:
        text = f"{self.connected} connected"
        if self.server_count is not None:
            text += f", room count {self.server_count}"
        text += f" · {self.joins} joins, {self.leaves} left, {self.rejoins} came back"
        if self.problems:
            text += " · " + ", ".join(f"{k}: {v}" for k, v in sorted(self.problems.items()))
        return text


class Crowd:
    def __init__(
        self,
        *,
        ws_url: str,
        origin: str,
        size: int,
        behaviour: Behaviour | None = None,
        rng: random.Random | None = None,
        say: Callable[[str], None] = print,
    ) -> None:
        self.ws_url = ws_url
        self.origin = origin
        self.size = size
        self.behaviour = behaviour or Behaviour()
        self.rng = rng or random.Random()  # noqa: S311 - simulated people, not secrets
        self.say = say
        self.tally = Tally()
        self.stop = asyncio.Event()
        self.ending = Ending.STOPPED
        self.reason = ""

    def finish(self, ending: Ending, reason: str) -> None:
        if not self.stop.is_set():
            self.ending, self.reason = ending, reason
            self.stop.set()

    def device(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    async def run(self, duration: float | None = None) -> Ending:
        """Until stopped (`stop.set()`), the duration passes or the room closes."""
        seats = [
            asyncio.create_task(self._seat(self.rng.uniform(0, self.behaviour.ramp_seconds)))
            for _ in range(self.size)
        ]
        reporter = asyncio.create_task(self._report())
        try:
            if duration is None:
                await self.stop.wait()
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), duration)
                self.finish(Ending.STOPPED, "the time asked for has passed")
        finally:
            self.stop.set()
            await asyncio.gather(*seats, return_exceptions=True)
            reporter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reporter
        self.tally.server_count = None  # the last count heard is stale once everyone left
        self.say(f"{self.ending}: {self.reason} · {self.tally.line()}")
        return self.ending

    async def _sleep(self, seconds: float) -> bool:
        """Sleep unless stopped first; True when it is time to stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), seconds)
        return self.stop.is_set()

    async def _report(self) -> None:
        last = ""
        while not await self._sleep(REPORT_SECONDS):
            if (line := self.tally.line()) != last:
                self.say(line)
                last = line

    async def _seat(self, delay: float) -> None:
        """One seat in the room, held by one person after another."""
        b = self.behaviour
        if await self._sleep(delay):
            return
        device, failures = self.device(), 0
        while not self.stop.is_set():
            stay = max(b.min_stay, self.rng.expovariate(1 / b.mean_stay))
            visited = await self._visit(device, stay)
            if self.stop.is_set():
                return
            if not visited:  # could not get in: back off, as a browser's script does
                failures += 1
                if await self._sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS)) - 1]):
                    return
                continue
            failures = 0
            if self.rng.random() < b.rejoin_share:  # a reload: back within the minute
                self.tally.rejoins += 1
                if await self._sleep(self.rng.uniform(2, 45)):
                    return
            else:  # gone; someone new sits down a little later
                device = self.device()
                if await self._sleep(self.rng.expovariate(1 / b.mean_vacancy)):
                    return

    async def _visit(self, device: str, stay: float) -> bool:
        """Join, keep the heartbeat for `stay` seconds, leave. False if it never got in."""
        try:
            async with connect(
                self.ws_url,
                additional_headers={"Origin": self.origin},
                open_timeout=OPEN_TIMEOUT,
                user_agent_header="lifelong-learning simulate_viewers",
            ) as ws:
                await ws.send(json.dumps({"type": "hello", "viewer": device}))
                welcome = await self._until_welcome(ws)
                if welcome is None:
                    return False
                self.tally.connected += 1
                self.tally.joins += 1
                try:
                    await self._stay(ws, float(str(welcome.get("heartbeat", 20))), stay)
                finally:
                    self.tally.connected -= 1
                    self.tally.leaves += 1
                return True
        except InvalidStatus as refused:
            status = refused.response.status_code
            if status == 403:
                self.finish(
                    Ending.REFUSED,
                    f"the server refused the handshake (403): is {self.origin}'s host in "
                    "ALLOWED_HOSTS?",
                )
            self.tally.problem(f"HTTP {status}")
        except InvalidURI as bad:
            self.finish(Ending.REFUSED, str(bad))
        except ConnectionClosed as closed:
            self._closed(closed)
        except (OSError, TimeoutError) as error:
            self.tally.problem(type(error).__name__)
        except (ValueError, TypeError) as error:  # a frame that is not the protocol's JSON
            self.tally.problem(f"unreadable message ({type(error).__name__})")
        return False

    async def _until_welcome(self, ws: ClientConnection) -> dict[str, object] | None:
        async with asyncio.timeout(OPEN_TIMEOUT):
            while True:
                message = json.loads(await ws.recv())
                self._read(message)
                if message.get("type") == "welcome":
                    return dict(message)

    def _read(self, message: dict[str, object]) -> None:
        if message.get("type") in ("welcome", "count", "stats") and "count" in message:
            self.tally.server_count = int(str(message["count"]))

    async def _stay(self, ws: ClientConnection, heartbeat: float, stay: float) -> None:
        leave_at = time.monotonic() + stay
        next_beat = time.monotonic() + heartbeat
        while not self.stop.is_set():
            now = time.monotonic()
            if now >= leave_at:
                return
            if now >= next_beat:
                await ws.send(json.dumps({"type": "heartbeat"}))
                next_beat = now + heartbeat
            wait = min(leave_at, next_beat) - now
            stop = asyncio.ensure_future(self.stop.wait())
            receive = asyncio.ensure_future(ws.recv())
            done, _pending = await asyncio.wait(
                {stop, receive}, timeout=wait, return_when=asyncio.FIRST_COMPLETED
            )
            stop.cancel()
            if receive in done:
                self._read(json.loads(receive.result()))  # a ConnectionClosed surfaces here
            else:
                receive.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await receive

    def _closed(self, closed: ConnectionClosed) -> None:
        code = closed.rcvd.code if closed.rcvd else None
        ending = FINAL_CODES.get(code) if code is not None else None
        if ending is not None:
            reason = closed.rcvd.reason if closed.rcvd else ""
            self.finish(ending, f"the server closed the room with {code} {reason}".strip())
        else:
            self.tally.problem(f"closed {code}" if code else "dropped")
