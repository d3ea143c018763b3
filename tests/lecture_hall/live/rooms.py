"""Helpers for in-process live room tests: the consumer behind the URL router (a user put in
the scope directly), a hub with a clock the test moves and ticks the test runs by hand, and
WebsocketCommunicator shortcuts. Scenarios run through async_to_sync, so the database calls the
hub makes (thread-sensitive) run in the test's own thread and transaction."""

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from lecture_hall.live import selectors, services
from lecture_hall.live.presence import MemoryPresenceStore, PresenceState, PresenceStore, Span
from lecture_hall.live.routing import websocket_urlpatterns
from lecture_hall.live.ticker import LiveHub, install_hub

ORIGIN = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]


def device() -> str:
    return str(uuid.uuid4())


def app_as(user: Any = None) -> Any:
    router = URLRouter(websocket_urlpatterns)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> Any:
        return await router({**scope, "user": user or AnonymousUser()}, receive, send)

    return app


class Records:
    """What the hub would have written: (session id, spans, summarize) per flush."""

    def __init__(self) -> None:
        self.batches: list[tuple[int, list[Span], bool]] = []

    async def __call__(self, session_id: int, spans: list[Span], summarize: bool) -> None:
        self.batches.append((session_id, list(spans), summarize))

    @property
    def spans(self) -> list[Span]:
        return sorted(span for _sid, spans, _s in self.batches for span in spans)


async def _load(session_id: int) -> selectors.RoomInfo | None:
    return await sync_to_async(selectors.room_info)(session_id=session_id)


async def write_spans(session_id: int, spans: list[Span], summarize: bool) -> None:
    await sync_to_async(services.attendance_record)(
        session_id=session_id, spans=spans, summarize=summarize
    )


def make_hub(
    clock: Callable[[], float],
    record: Any = None,
    store: PresenceStore | None = None,
) -> LiveHub:
    return LiveHub(
        store=store or MemoryPresenceStore(PresenceState()),
        clock=clock,
        autostart=False,
        load_room=_load,
        record=record or Records(),
    )


def run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    """Run a scenario in a fresh event loop with an empty channel layer."""

    async def main() -> Any:
        await get_channel_layer().flush()
        return await scenario()

    return async_to_sync(main)()


def use(hub: LiveHub) -> LiveHub:
    install_hub(hub)
    return hub


async def connect(session_id: int, user: Any = None, app: Any = None) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        app or app_as(user), f"/ws/sessions/{session_id}/live/", headers=ORIGIN
    )
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def hello(communicator: WebsocketCommunicator, viewer: str, **extra: Any) -> dict[str, Any]:
    await communicator.send_json_to({"type": "hello", "viewer": viewer, **extra})
    welcome: dict[str, Any] = await communicator.receive_json_from()
    assert welcome["type"] == "welcome", welcome
    return welcome


async def join(
    session_id: int, viewer: str | None = None, user: Any = None
) -> WebsocketCommunicator:
    communicator = await connect(session_id, user)
    await hello(communicator, viewer or device())
    return communicator


async def close_code(communicator: WebsocketCommunicator) -> int:
    """The code the server closed with (skipping any messages sent before it)."""
    while True:
        output = await communicator.receive_output(timeout=1)
        if output["type"] == "websocket.close":
            return int(output.get("code", 1000))


async def messages(communicator: WebsocketCommunicator) -> list[dict[str, Any]]:
    """Every message waiting (after a tick), oldest first."""
    out = []
    while not await communicator.receive_nothing(timeout=0.05):
        output = await communicator.receive_output(timeout=1)
        if output["type"] == "websocket.send":
            out.append(json.loads(output["text"]))
        else:
            out.append({"type": "<close>", "code": output.get("code")})
    return out


async def heartbeat(communicator: WebsocketCommunicator, hub: LiveHub, session_id: int) -> None:
    """Send a heartbeat and wait until the consumer has handled it (the in-process store shows
    the viewer seen at the hub's present time)."""
    await communicator.send_json_to({"type": "heartbeat"})
    store = hub.store
    assert isinstance(store, MemoryPresenceStore)
    for _ in range(400):
        room = store.state._rooms.get(session_id)
        if room is not None and hub.clock() in room.seen.values():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the heartbeat was not handled")


def counts(received: list[dict[str, Any]]) -> list[int]:
    return [m["count"] for m in received if m["type"] == "count"]


async def disconnect_all(*communicators: WebsocketCommunicator) -> None:
    for communicator in communicators:
        await communicator.disconnect()
