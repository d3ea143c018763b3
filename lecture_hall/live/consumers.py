"""The live room's WebSocket consumer (`/ws/sessions/<id>/live/`, docs/live-protocol.md).

Thin: it checks the room is open, parses frames (`protocol`), keeps presence in the store and
relays what the process's tick and the lecturers send. Every refusal closes the connection with
its documented code; nothing a client sends reaches other viewers except a lecturer's
announcement, and the count changes only through the tick.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import deque
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import PermissionDenied, ValidationError

from lecture_hall.live import protocol, services
from lecture_hall.live.presence import HEARTBEAT_SECONDS, TokenBucket
from lecture_hall.live.protocol import Announce, BadMessage, Close, Heartbeat, Hello
from lecture_hall.live.selectors import RoomInfo
from lecture_hall.live.ticker import LiveHub, get_hub

logger = logging.getLogger(__name__)


class LiveRoomConsumer(AsyncJsonWebsocketConsumer):
    hub: LiveHub
    session_id: int
    info: RoomInfo | None
    viewer: str | None
    is_panel: bool
    opened_at: float
    bucket: TokenBucket

    async def connect(self) -> None:
        self.hub = get_hub()
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        self.user: Any = self.scope.get("user")
        self.info = None
        self.viewer = None
        self.is_panel = False
        self.closing = False
        self._outbox: deque[tuple[str, str, int]] = deque()
        self._pusher: asyncio.Task[None] | None = None
        self.opened_at = self.hub.clock()
        self.bucket = TokenBucket(
            capacity=protocol.RATE_CAPACITY, rate=protocol.RATE_PER_SECOND, now=self.opened_at
        )
        info = await self.hub.room_info(self.session_id)
        refusal = None
        now = dt.datetime.fromtimestamp(self.opened_at, tz=dt.UTC)
        if info is None or not info.visible_to(self.user):
            refusal = (Close.NOT_FOUND, "no such session")
        elif not info.is_open(now) or self.hub.is_closed(self.session_id):
            refusal = (Close.NOT_LIVE, f"the room is not open ({info.phase(now)})")
        if refusal is not None:
            # Accept, then close: a close before accepting reaches the browser as a failed
            # handshake (1006), without our code.
            await self.accept()
            await self._refuse(*refusal)
            return
        assert info is not None
        self.info = info
        await self.channel_layer.group_add(protocol.room_group(self.session_id), self.channel_name)
        await self.accept()
        self.hub.enter(self.session_id, self, info)  # from now on the tick pushes to us

    @property
    def greeted(self) -> bool:
        return self.viewer is not None or self.is_panel

    async def dispatch(self, message: dict[str, Any]) -> None:
        """One handler per message type, without Channels' default of closing stale database
        connections before every handler: that is a hop to the one database thread for each
        heartbeat and push, and it held a 5,000-viewer join storm to ~140 joins a second. This
        consumer reaches the database only through database_sync_to_async, which does it."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        # The base class also closes old database connections here (a thread hop); see dispatch.
        await self.disconnect(message.get("code", 1006))
        raise StopConsumer

    async def disconnect(self, code: int) -> None:
        if self.info is None:
            return
        self.hub.exit(self.session_id, self)
        if self._pusher is not None:
            self._pusher.cancel()
        try:
            await self.channel_layer.group_discard(
                protocol.room_group(self.session_id), self.channel_name
            )
            if self.viewer is not None:
                await self.hub.store.leave(self.session_id, self.viewer, self.hub.clock())
        except Exception:
            # The viewer then leaves by ghost expiry instead.
            logger.exception("live room %s: leave failed", self.session_id)

    async def _refuse(self, code: int, reason: str) -> None:
        if not self.closing:
            self.closing = True
            await self.close(code=int(code), reason=reason[:120])

    # -- from the client ----------------------------------------------------------------------
    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if self.closing or self.info is None:
            return
        if not self.bucket.take(self.hub.clock()):
            await self._refuse(Close.RATE_EXCEEDED, "too many messages; slow down")
            return
        try:
            request = protocol.parse(text_data, bytes_data)
            if isinstance(request, Hello):
                await self.hello(request)
            elif isinstance(request, Heartbeat):
                await self.heartbeat()
            elif isinstance(request, Announce):
                await self.announce(request)
        except BadMessage as refusal:
            await self._refuse(refusal.code, refusal.reason)

    async def hello(self, request: Hello) -> None:
        assert self.info is not None
        if self.greeted:
            raise BadMessage(Close.BAD_MESSAGE, "hello was already said")
        user_id = self.user.pk if getattr(self.user, "is_authenticated", False) else None
        viewer = protocol.viewer_key(claimed=request.viewer, user_id=user_id)
        now = self.hub.clock()
        if request.panel:
            if not self.info.may_manage(self.user):
                raise BadMessage(Close.NOT_ALLOWED, "only the session's lecturers open the panel")
            self.is_panel = True
        else:
            result = await self.hub.store.join(self.session_id, viewer, now)
            if not result.accepted:
                raise BadMessage(Close.NOT_LIVE, "the room is closed")
            self.viewer = viewer
            self.hub.add_spans(self.session_id, result.closed)
        stats = await self.hub.store.stats(self.session_id)
        await self.send_json(
            {
                "type": "welcome",
                "viewer": viewer,
                "panel": self.is_panel,
                "count": stats.count,
                "peak": max(stats.peak, stats.count),
                "distinct": stats.distinct,
                "heartbeat": HEARTBEAT_SECONDS,
                "phase": self.info.phase(dt.datetime.fromtimestamp(now, tz=dt.UTC)),
                "starts_at": self.info.starts_at.isoformat(),
                "ends_at": self.info.ends_at.isoformat(),
                "at": now,
            }
        )

    async def heartbeat(self) -> None:
        if not self.greeted:
            raise BadMessage(Close.BAD_MESSAGE, "say hello first")
        if self.viewer is None:
            return  # a panel is not a viewer
        result = await self.hub.store.join(
            self.session_id, self.viewer, self.hub.clock(), mode="beat"
        )
        if not result.accepted:
            raise BadMessage(Close.NOT_LIVE, "the room is closed")
        self.hub.add_spans(self.session_id, result.closed)

    async def announce(self, request: Announce) -> None:
        assert self.info is not None
        if not self.greeted:
            raise BadMessage(Close.BAD_MESSAGE, "say hello first")
        if not self.info.may_manage(self.user):
            raise BadMessage(Close.NOT_ALLOWED, "only the session's lecturers make announcements")
        try:
            await database_sync_to_async(services.live_announce)(
                actor=self.user, session_id=self.session_id, text=request.text
            )
        except (PermissionDenied, ValidationError) as exc:
            raise BadMessage(Close.NOT_ALLOWED, str(exc)) from exc

    # -- from this process's tick: pushed directly, sent on a task of this connection --------
    def push(self, text: str, *, latest_only: bool = False) -> None:
        if self.closing:
            return
        if latest_only and self._outbox and self._outbox[-1][0] == "latest":
            self._outbox[-1] = ("latest", text, 0)  # the client never saw the older count
        else:
            self._outbox.append(("latest" if latest_only else "text", text, 0))
        self._kick()

    def push_close(self, code: int, reason: str) -> None:
        self._outbox.append(("close", reason, code))
        self._kick()

    def _kick(self) -> None:
        if self._pusher is None or self._pusher.done():
            # Eager: the send runs right here, inside the tick's loop over the room, and
            # becomes a task of its own only if this client's socket is backed up.
            self._pusher = asyncio.eager_task_factory(
                asyncio.get_running_loop(), self._send_pushed()
            )

    async def _send_pushed(self) -> None:
        while self._outbox and not self.closing:
            kind, text, code = self._outbox.popleft()
            try:
                if kind == "close":
                    await self._refuse(code, text)
                else:
                    await self.send(text_data=text)
            except Exception:  # the client went away meanwhile: disconnect() follows
                self._outbox.clear()
                return

    # -- from the lecturers, through the channel layer (one handler per message type) -------
    async def live_announcement(self, event: dict[str, Any]) -> None:
        if not self.closing:
            await self.send_json(
                {
                    "type": "announcement",
                    "id": event["id"],
                    "text": event["text"],
                    "at": event["at"],
                }
            )
