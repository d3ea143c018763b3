"""The live room's tick: one asyncio task per session per ASGI process, started by the first
consumer of that session in the process, ended ~65 s after its last one left (long enough to
close the spans of those who left: a reconnect within 60 s would have resumed them).

Once a second the tick sweeps ghosts, reads the count from the shared store and, only when it
changed, pushes it straight to this process's connections of the room (no channel layer, no
Redis round trip); every process does the same from the same truth, so all give one count and
nobody sends a message per join or leave.
Every two seconds it re-reads the session and tells the room when it started, ended, moved or
was cancelled (and closes the room when it is over). Closed spans are written in batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol

from channels.db import database_sync_to_async

from lecture_hall.live import protocol, selectors, services
from lecture_hall.live.backends import presence_store
from lecture_hall.live.presence import RECONNECT_GRACE_SECONDS, PresenceStore, RoomStats, Span
from lecture_hall.live.selectors import Phase, RoomInfo

logger = logging.getLogger(__name__)

TICK_SECONDS = 1.0
STATE_CHECK_SECONDS = 2.0
FLUSH_SECONDS = 5.0
FLUSH_BATCH = 500
PENDING_LIMIT = 200_000  # spans kept while the database is unreachable
LINGER_SECONDS = RECONNECT_GRACE_SECONDS + 5.0

Clock = Callable[[], float]
Loader = Callable[[int], Coroutine[Any, Any, RoomInfo | None]]
Recorder = Callable[[int, list[Span], bool], Awaitable[Any]]


class Member(Protocol):
    """A consumer as the hub sees it: the tick pushes to it directly, in this process."""

    channel_name: str
    opened_at: float
    greeted: bool
    is_panel: bool

    def push(self, text: str, *, latest_only: bool = False) -> None: ...

    def push_close(self, code: int, reason: str) -> None: ...


@dataclass
class Room:
    session_id: int
    info: RoomInfo | None = None
    info_checked: float = float("-inf")
    phase: Phase | None = None
    members: dict[str, Member] = field(default_factory=dict)
    last_count: int | None = None
    last_stats: RoomStats | None = None
    pending: list[Span] = field(default_factory=list)
    last_flush: float = 0.0
    empty_since: float | None = None
    task: asyncio.Task[None] | None = None
    closed: bool = False
    timed_out: set[str] = field(default_factory=set)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


async def _load_room(session_id: int) -> RoomInfo | None:
    return await database_sync_to_async(selectors.room_info)(session_id=session_id)


async def _record(session_id: int, spans: list[Span], summarize: bool) -> Any:
    return await database_sync_to_async(services.attendance_record)(
        session_id=session_id, spans=spans, summarize=summarize
    )


class LiveHub:
    """The rooms of one event loop (one ASGI process)."""

    def __init__(
        self,
        *,
        store: PresenceStore,
        clock: Clock = time.time,
        tick_seconds: float = TICK_SECONDS,
        autostart: bool = True,
        load_room: Loader = _load_room,
        record: Recorder = _record,
    ) -> None:
        self.store = store
        self.clock = clock
        self.tick_seconds = tick_seconds
        self.autostart = autostart
        self.load_room = load_room
        self.record = record
        self.rooms: dict[int, Room] = {}
        self._loading: dict[int, asyncio.Task[RoomInfo | None]] = {}

    # -- pushing to this process's connections --------------------------------------------
    @staticmethod
    def _push(room: Room, text: str, *, panels: bool = False, latest_only: bool = False) -> None:
        """Hand the text to every local connection (of the panels only, if asked). Each sends
        at once, or on a task of its own if its socket is backed up, so a slow client delays
        nobody; a count it had no time to send is replaced by the newer one."""
        for member in list(room.members.values()):
            if not panels or member.is_panel:
                member.push(text, latest_only=latest_only)

    # -- membership ---------------------------------------------------------------------------
    async def room_info(self, session_id: int) -> RoomInfo | None:
        """The session as the tick last read it, or from the database (once for many joins)."""
        room = self.rooms.get(session_id)
        if room is not None and room.info is not None:
            return room.info
        loading = self._loading.get(session_id)
        if loading is None:
            # One read for a storm of joins; a task of its own, so that the first joiner
            # hanging up does not cancel it for the others.
            loading = asyncio.get_running_loop().create_task(self.load_room(session_id))
            self._loading[session_id] = loading
            loading.add_done_callback(lambda _done: self._loading.pop(session_id, None))
        info = await asyncio.shield(loading)
        room = self.rooms.get(session_id)
        if room is not None and room.info is None:
            room.info = info
            room.info_checked = self.clock()
        return info

    def is_closed(self, session_id: int) -> bool:
        room = self.rooms.get(session_id)
        return room is not None and room.closed

    def enter(self, session_id: int, member: Member, info: RoomInfo) -> Room:
        room = self.rooms.get(session_id)
        if room is None:
            room = self.rooms[session_id] = Room(session_id=session_id, last_flush=self.clock())
            room.info = info
            room.info_checked = self.clock()
        if room.phase is None:
            # The phase the first viewer saw: the tick reports every change from here.
            room.phase = info.phase(dt.datetime.fromtimestamp(self.clock(), tz=dt.UTC))
        room.members[member.channel_name] = member
        room.empty_since = None
        if self.autostart and (room.task is None or room.task.done()):
            room.task = asyncio.get_running_loop().create_task(self._run(session_id))
        return room

    def exit(self, session_id: int, member: Member) -> None:
        room = self.rooms.get(session_id)
        if room is None:
            return
        room.members.pop(member.channel_name, None)
        room.timed_out.discard(member.channel_name)
        if not room.members and room.empty_since is None:
            room.empty_since = self.clock()
        if not room.members and room.closed and (room.task is None or room.task.done()):
            # Closed and its tick gone: forget it, so that a room moved to a later time opens
            # again here when its new time comes.
            del self.rooms[session_id]

    def add_spans(self, session_id: int, spans: tuple[Span, ...] | list[Span]) -> None:
        if not spans:
            return
        room = self.rooms.get(session_id)
        if room is None:  # nobody of this room here any more: write them on their own
            room = self.rooms[session_id] = Room(session_id=session_id, last_flush=self.clock())
            room.empty_since = self.clock()
            if self.autostart:
                room.task = asyncio.get_running_loop().create_task(self._run(session_id))
        room.pending.extend(spans)

    # -- the tick -----------------------------------------------------------------------------
    async def _run(self, session_id: int) -> None:
        try:
            while True:
                try:
                    await self.tick(session_id)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.exception("live room %s: tick failed; trying again", session_id)
                room = self.rooms.get(session_id)
                if room is None or room.closed or self._lingered(room):
                    break
                await asyncio.sleep(self.tick_seconds)
        finally:
            room = self.rooms.get(session_id)
            if room is not None:
                with contextlib.suppress(Exception):
                    await self.flush(session_id)
                if room.members and not room.closed:
                    # Someone came back while we were stopping.
                    room.task = asyncio.get_running_loop().create_task(self._run(session_id))
                elif not room.members and self.rooms.get(session_id) is room:
                    del self.rooms[session_id]

    def _lingered(self, room: Room) -> bool:
        if room.members:
            room.empty_since = None
            return False
        if room.empty_since is None:
            room.empty_since = self.clock()
        return self.clock() - room.empty_since >= LINGER_SECONDS

    async def tick(self, session_id: int) -> None:
        """One tick of one room: session changes, ghost sweep, count, hello timeouts, flush."""
        room = self.rooms.get(session_id)
        if room is None or room.closed:
            return
        now = self.clock()
        moment = dt.datetime.fromtimestamp(now, tz=dt.UTC)
        if room.info is None or now - room.info_checked >= STATE_CHECK_SECONDS:
            await self._check_session(room, now)
        if room.info is None:
            await self._close(
                room, state="cancelled", at=now, final=False, code=protocol.Close.NOT_FOUND
            )
            return
        phase = room.info.phase(moment)
        if (
            room.phase is not None
            and phase != room.phase
            and await self._phase_changed(room, phase, now)
        ):
            return
        room.phase = phase
        spans = await self.store.sweep(session_id, now)
        room.pending.extend(spans)
        stats = await self.store.stats(session_id)
        if stats.count != room.last_count:
            await self.store.record(session_id, now, stats.count)
            room.last_count = stats.count
            at = self.clock()
            text = json.dumps({"type": "count", "count": stats.count, "at": at})
            self._push(room, text, latest_only=True)
        stats = RoomStats(
            count=stats.count, peak=max(stats.peak, stats.count), distinct=stats.distinct
        )
        if stats != room.last_stats and any(m.is_panel for m in room.members.values()):
            room.last_stats = stats
            text = json.dumps(
                {
                    "type": "stats",
                    "count": stats.count,
                    "peak": stats.peak,
                    "distinct": stats.distinct,
                    "at": self.clock(),
                }
            )
            self._push(room, text, panels=True, latest_only=True)
        await self._hello_timeouts(room, now)
        if room.pending and (
            len(room.pending) >= FLUSH_BATCH or now - room.last_flush >= FLUSH_SECONDS
        ):
            await self.flush(session_id, everything=False)  # one batch a tick

    async def _check_session(self, room: Room, now: float) -> None:
        previous = room.info
        room.info = await self.load_room(room.session_id)
        room.info_checked = now
        info = room.info
        if previous is None or info is None or info.state != previous.state:
            return
        if (info.starts_at, info.ends_at) != (previous.starts_at, previous.ends_at):
            moment = dt.datetime.fromtimestamp(now, tz=dt.UTC)
            if info.is_open(moment):
                await self._send_state(room, "moved")

    async def _phase_changed(self, room: Room, phase: Phase, now: float) -> bool:
        """React to a new phase; True when the room closed."""
        info = room.info
        assert info is not None
        if phase == "live" and room.phase == "lobby":
            await self._send_state(room, "started")
            return False
        if phase == "ended":
            at = min(now, info.window_end.timestamp())
            await self._close(room, state="ended", at=at, final=True)
            return True
        if phase == "cancelled":
            await self._close(room, state="cancelled", at=now, final=True)
            return True
        if phase in ("upcoming", "draft"):  # moved later, out of the room's hours
            await self._close(room, state="moved", at=now, final=False)
            return True
        return False

    async def _send_state(self, room: Room, state: str) -> None:
        info = room.info
        assert info is not None
        text = json.dumps(
            {
                "type": "state",
                "state": state,
                "starts_at": _iso(info.starts_at),
                "ends_at": _iso(info.ends_at),
                "open": state in ("started", "moved") and not room.closed,
            }
        )
        self._push(room, text)

    async def _close(
        self,
        room: Room,
        *,
        state: str,
        at: float,
        final: bool,
        code: int = protocol.Close.NORMAL,
    ) -> None:
        """The room is over here: close the spans, tell and close every local connection."""
        room.closed = True
        closing = await self.store.close(room.session_id, at, final=final)
        room.pending.extend(closing.spans)
        if room.info is not None:
            await self._send_state(room, state)
        for member in list(room.members.values()):
            member.push_close(int(code), f"the session is {state}")
        await self.flush(room.session_id, summarize=final and closing.first and state == "ended")

    async def _hello_timeouts(self, room: Room, now: float) -> None:
        for name, member in list(room.members.items()):
            if (
                not member.greeted
                and name not in room.timed_out
                and now - member.opened_at >= protocol.HELLO_TIMEOUT_SECONDS
            ):
                room.timed_out.add(name)
                member.push_close(int(protocol.Close.HELLO_TIMEOUT), "no hello in time")

    async def flush(
        self, session_id: int, *, summarize: bool = False, everything: bool = True
    ) -> None:
        """Write the room's closed spans (kept for the next try if the database fails)."""
        room = self.rooms.get(session_id)
        if room is None:
            return
        room.last_flush = self.clock()
        while room.pending or summarize:
            # In batches, so that a mass leave never holds the loop (and the GIL) for long.
            batch, room.pending = room.pending[:FLUSH_BATCH], room.pending[FLUSH_BATCH:]
            last = not room.pending
            try:
                await self.record(session_id, batch, summarize and last)
            except Exception:
                logger.exception("live room %s: could not write %d spans", session_id, len(batch))
                room.pending = (batch + room.pending)[-PENDING_LIMIT:]
                return
            if last or not everything:
                return

    async def stop(self) -> None:
        """Stop every tick and write what is pending (process shutdown, tests)."""
        for room in list(self.rooms.values()):
            if room.task is not None:
                room.task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await room.task
        for session_id in list(self.rooms):
            await self.flush(session_id)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LiveHub] = weakref.WeakKeyDictionary()


def get_hub() -> LiveHub:
    """The hub of the running event loop, created on first use."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = LiveHub(store=presence_store())
    return hub


def install_hub(hub: LiveHub) -> None:
    """Use this hub in the running loop (tests: an injected clock and store, manual ticks)."""
    _hubs[asyncio.get_running_loop()] = hub
