"""Who is in a live room: distinct viewers, one continuous span each, ghosts expired. No Django.

A viewer is a stable key ("user:<id>" or "device:<uuid4>"). Per session the store keeps
- conns: viewer -> open connections (several tabs are one viewer),
- seen: viewer -> last sign of life (join, heartbeat, or the moment the last tab closed),
- since: viewer -> start of the viewer's open attendance span,
- gone: viewer -> when the last connection closed; a join within RECONNECT_GRACE_SECONDS
  resumes the same span, otherwise the span is closed at that moment,
plus everyone (distinct viewers so far), a per-second curve of the count and its peak.

A viewer whose connections stop heartbeating (their ASGI process was killed, the network
vanished) is removed GHOST_AFTER_SECONDS after the last heartbeat, its span closed at that
heartbeat; with a 1 s tick that is within 90 s of the vanishing. Time is always passed in
(epoch seconds, `now`): callers own the clock, tests control it. `MemoryPresenceStore` is the
embedded (one process) store; `presence_redis.RedisPresenceStore` runs the same rules as Lua.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Literal, Protocol

HEARTBEAT_SECONDS = 20.0
RECONNECT_GRACE_SECONDS = 60.0
# Three missed heartbeats and a margin: a vanished client is swept by the first tick after
# this, which keeps "gone within 90 s" with a 1 s tick.
GHOST_AFTER_SECONDS = 75.0
SWEEP_LIMIT = 1000  # per call and kind; the next tick takes the rest

BeatMode = Literal["join", "beat"]


@dataclass(frozen=True, order=True)
class Span:
    """One viewer's continuous presence, in epoch seconds."""

    joined: float
    left: float
    viewer: str

    @property
    def seconds(self) -> float:
        return max(0.0, self.left - self.joined)


@dataclass(frozen=True)
class JoinResult:
    accepted: bool  # False once the room was closed for good (the session ended)
    rejoined: bool  # a heartbeat found no record of its viewer and joined it again
    closed: tuple[Span, ...] = ()  # an older span of this viewer that this join closed


@dataclass(frozen=True)
class RoomStats:
    count: int
    peak: int
    distinct: int


@dataclass(frozen=True)
class Closing:
    first: bool  # this call closed the room (only then is the session's summary due)
    spans: tuple[Span, ...]


class PresenceStore(Protocol):
    """The presence rules, asynchronously (the ASGI process)."""

    async def join(
        self, session_id: int, viewer: str, now: float, mode: BeatMode = "join"
    ) -> JoinResult: ...

    async def leave(self, session_id: int, viewer: str, now: float) -> None: ...

    async def sweep(self, session_id: int, now: float) -> list[Span]: ...

    async def stats(self, session_id: int) -> RoomStats: ...

    async def record(self, session_id: int, now: float, count: int) -> None: ...

    async def close(self, session_id: int, at: float, *, final: bool) -> Closing: ...


class SyncPresence(Protocol):
    """The same store for synchronous callers (pages, the polling fallback, Celery)."""

    def join(
        self, session_id: int, viewer: str, now: float, mode: BeatMode = "join"
    ) -> JoinResult: ...

    def sweep(self, session_id: int, now: float) -> list[Span]: ...

    def stats(self, session_id: int) -> RoomStats: ...

    def curve(self, session_id: int) -> list[tuple[int, int]]: ...

    def close(self, session_id: int, at: float, *, final: bool) -> Closing: ...


@dataclass
class _Room:
    conns: dict[str, int] = field(default_factory=dict)
    seen: dict[str, float] = field(default_factory=dict)
    since: dict[str, float] = field(default_factory=dict)
    gone: dict[str, float] = field(default_factory=dict)
    everyone: set[str] = field(default_factory=set)
    curve: dict[int, int] = field(default_factory=dict)
    peak: int = 0
    closed_at: float | None = None


class PresenceState:
    """The rules on plain dictionaries, thread-safe: the embedded store of one process."""

    def __init__(
        self,
        *,
        grace: float = RECONNECT_GRACE_SECONDS,
        ghost_after: float = GHOST_AFTER_SECONDS,
        sweep_limit: int = SWEEP_LIMIT,
    ) -> None:
        self.grace = grace
        self.ghost_after = ghost_after
        self.sweep_limit = sweep_limit
        self._rooms: dict[int, _Room] = {}
        self._lock = threading.Lock()

    def _room(self, session_id: int) -> _Room:
        return self._rooms.setdefault(session_id, _Room())

    def join(self, session_id: int, viewer: str, now: float, mode: BeatMode = "join") -> JoinResult:
        with self._lock:
            room = self._room(session_id)
            if room.closed_at is not None:
                return JoinResult(accepted=False, rejoined=False)
            if mode == "beat" and viewer in room.conns:
                last = room.seen.get(viewer, now)
                if last > now - self.ghost_after:
                    room.seen[viewer] = now
                    return JoinResult(accepted=True, rejoined=False)
            closed: tuple[Span, ...] = ()
            start = room.since.get(viewer)
            gone_at = room.gone.pop(viewer, None)
            if gone_at is not None:
                if gone_at <= now - self.grace:  # came back too late: a new span
                    if start is not None:
                        closed = (Span(start, gone_at, viewer),)
                    start = None
            elif viewer in room.conns:
                silent_since = room.seen.get(viewer)
                if silent_since is not None and silent_since <= now - self.ghost_after:
                    if start is not None:
                        closed = (Span(start, silent_since, viewer),)
                    del room.conns[viewer]
                    start = None
            room.conns[viewer] = room.conns.get(viewer, 0) + 1
            room.seen[viewer] = now
            if start is None:
                room.since[viewer] = now
            room.everyone.add(viewer)
            return JoinResult(accepted=True, rejoined=mode == "beat", closed=closed)

    def leave(self, session_id: int, viewer: str, now: float) -> None:
        with self._lock:
            room = self._room(session_id)
            if viewer not in room.conns:
                return
            room.conns[viewer] -= 1
            if room.conns[viewer] <= 0:
                del room.conns[viewer]
                room.gone[viewer] = now
                room.seen[viewer] = now

    def sweep(self, session_id: int, now: float) -> list[Span]:
        with self._lock:
            room = self._room(session_id)
            out: list[Span] = []
            expired = sorted((t, v) for v, t in room.gone.items() if t <= now - self.grace)
            for t, viewer in expired[: self.sweep_limit]:
                opened = room.since.pop(viewer, None)
                if opened is not None:
                    out.append(Span(opened, t, viewer))
                del room.gone[viewer]
                room.seen.pop(viewer, None)
            stale = sorted((t, v) for v, t in room.seen.items() if t <= now - self.ghost_after)
            for t, viewer in stale[: self.sweep_limit]:
                if viewer in room.conns:
                    start = room.since.pop(viewer, None)
                    if start is not None:
                        out.append(Span(start, t, viewer))
                    del room.conns[viewer]
                if viewer not in room.gone:
                    del room.seen[viewer]
            return out

    def stats(self, session_id: int) -> RoomStats:
        with self._lock:
            room = self._room(session_id)
            return RoomStats(count=len(room.conns), peak=room.peak, distinct=len(room.everyone))

    def record(self, session_id: int, now: float, count: int) -> None:
        with self._lock:
            room = self._room(session_id)
            room.curve[int(now)] = count
            room.peak = max(room.peak, count)

    def curve(self, session_id: int) -> list[tuple[int, int]]:
        with self._lock:
            return sorted(self._room(session_id).curve.items())

    def close(self, session_id: int, at: float, *, final: bool) -> Closing:
        """Close every open span at `at` (or earlier: when the viewer left or went silent)."""
        with self._lock:
            room = self._room(session_id)
            first = room.closed_at is None
            spans = []
            for viewer, start in room.since.items():
                left = at
                if viewer in room.gone:
                    left = min(at, room.gone[viewer])
                elif (last := room.seen.get(viewer)) is not None and last <= at - self.ghost_after:
                    left = last
                spans.append(Span(start, max(start, left), viewer))
            room.conns.clear()
            room.seen.clear()
            room.since.clear()
            room.gone.clear()
            if final and first:
                room.closed_at = at
            return Closing(first=first, spans=tuple(sorted(spans)))

    def forget(self, session_id: int) -> None:
        with self._lock:
            self._rooms.pop(session_id, None)


class MemoryPresenceStore:
    """`PresenceState` behind the asynchronous interface (nothing in it ever waits)."""

    def __init__(self, state: PresenceState | None = None) -> None:
        self.state = state or PresenceState()

    async def join(
        self, session_id: int, viewer: str, now: float, mode: BeatMode = "join"
    ) -> JoinResult:
        return self.state.join(session_id, viewer, now, mode)

    async def leave(self, session_id: int, viewer: str, now: float) -> None:
        self.state.leave(session_id, viewer, now)

    async def sweep(self, session_id: int, now: float) -> list[Span]:
        return self.state.sweep(session_id, now)

    async def stats(self, session_id: int) -> RoomStats:
        return self.state.stats(session_id)

    async def record(self, session_id: int, now: float, count: int) -> None:
        self.state.record(session_id, now, count)

    async def close(self, session_id: int, at: float, *, final: bool) -> Closing:
        return self.state.close(session_id, at, final=final)


class TokenBucket:
    """Per-connection rate limit: `capacity` messages at once, refilled at `rate` a second."""

    def __init__(self, *, capacity: float, rate: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
        self.updated = now

    def take(self, now: float) -> bool:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False
