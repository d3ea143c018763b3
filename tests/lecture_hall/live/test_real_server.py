"""The live room behind a real uvicorn (subprocess) with `websockets` clients: the full stack
(origin check, sessions and sign-in, the configured channel layer and store). Bad inputs close
their own connection with the documented code, and a bystander keeps its count; two ASGI
processes sharing Redis give every client one count."""

import asyncio
import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from lecture_hall.live.protocol import MAX_MESSAGE_BYTES, RATE_CAPACITY, Close
from tests.lecture_hall.live.servers import (
    Server,
    ServerDatabase,
    seed,
    server_database,
    uvicorn_server,
)

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[ServerDatabase, dict[str, Any]]]:
    with server_database(redis_url=os.environ.get("REDIS_URL")) as database:
        yield database, seed(database)


@pytest.fixture(scope="module")
def server(seeded: tuple[ServerDatabase, dict[str, Any]]) -> Iterator[Server]:
    with uvicorn_server(seeded[0]) as running:
        yield running


@pytest.fixture
def ids(seeded: tuple[ServerDatabase, dict[str, Any]]) -> dict[str, Any]:
    return seeded[1]


def _open(
    server: Server, session_id: int, *, cookie: str | None = None, origin: str | None = None
) -> Any:
    headers = {"Origin": origin or server.url}
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    return connect(
        f"{server.ws}/ws/sessions/{session_id}/live/", additional_headers=headers, open_timeout=10
    )


async def _hello(ws: ClientConnection, viewer: str | None = None, **extra: Any) -> dict[str, Any]:
    await ws.send(json.dumps({"type": "hello", "viewer": viewer or str(uuid.uuid4()), **extra}))
    return await _next(ws, "welcome")


async def _next(ws: ClientConnection, kind: str, within: float = 5) -> dict[str, Any]:
    async with asyncio.timeout(within):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == kind:
                return dict(message)


async def _closed_with(ws: ClientConnection) -> int | None:
    try:
        async with asyncio.timeout(5):
            while True:
                await ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


def test_bad_inputs_close_only_their_own_connection(server: Server, ids: dict[str, Any]) -> None:
    live = ids["live"]
    teacher = f"user:{ids['teacher_user']}"

    async def one(
        frames: list[str | bytes], *, session_id: int = live, cookie: str | None = None
    ) -> int | None:
        async with _open(server, session_id, cookie=cookie) as ws:
            for frame in frames:
                try:
                    await ws.send(frame)
                except ConnectionClosed:
                    break
            return await _closed_with(ws)

    async def scenario() -> dict[str, Any]:
        async with _open(server, live) as bystander:
            welcome = await _hello(bystander)
            hello = json.dumps({"type": "hello", "viewer": str(uuid.uuid4())})
            codes = {
                "not json": await one(["{nope"]),
                "unknown type": await one([json.dumps({"type": "applause"})]),
                "oversized": await one(
                    [json.dumps({"type": "hello", "pad": "x" * (2 * MAX_MESSAGE_BYTES)})]
                ),
                "binary": await one([b"\x00\x01"]),
                "heartbeat before hello": await one([json.dumps({"type": "heartbeat"})]),
                "flood": await one(
                    [hello] + [json.dumps({"type": "heartbeat"})] * int(RATE_CAPACITY + 5)
                ),
                "anonymous claims a user": await one(
                    [json.dumps({"type": "hello", "viewer": teacher})]
                ),
                "resident claims the teacher": await one(
                    [json.dumps({"type": "hello", "viewer": teacher})],
                    cookie=ids["resident_cookie"],
                ),
                "resident opens the panel": await one(
                    [json.dumps({"type": "hello", "viewer": str(uuid.uuid4()), "panel": True})],
                    cookie=ids["resident_cookie"],
                ),
                "no such session": await one([hello], session_id=999_999),
                "not live yet": await one([hello], session_id=ids["later"]),
                "someone else's draft": await one([hello], session_id=ids["draft"]),
            }
            # The bystander is still served, and the count is the truth: a newcomer makes it 2.
            async with _open(server, live) as newcomer:
                await _hello(newcomer)
                count = await _next(bystander, "count")
                while count["count"] != 2:
                    count = await _next(bystander, "count")
            return {"welcome": welcome, "codes": codes}

    result = asyncio.run(scenario())
    assert result["welcome"]["count"] == 1
    assert result["codes"] == {
        "not json": Close.BAD_MESSAGE,
        "unknown type": Close.BAD_MESSAGE,
        "oversized": Close.TOO_LARGE,
        "binary": Close.BAD_MESSAGE,
        "heartbeat before hello": Close.BAD_MESSAGE,
        "flood": Close.RATE_EXCEEDED,
        "anonymous claims a user": Close.FORGED_VIEWER,
        "resident claims the teacher": Close.FORGED_VIEWER,
        "resident opens the panel": Close.NOT_ALLOWED,
        "no such session": Close.NOT_FOUND,
        "not live yet": Close.NOT_LIVE,
        "someone else's draft": Close.NOT_FOUND,
    }


@pytest.mark.parametrize("origin", ["https://evil.example", None], ids=["other-site", "no-origin"])
def test_another_origin_is_refused_at_the_handshake(
    server: Server, ids: dict[str, Any], origin: str | None
) -> None:
    """AllowedHostsOriginValidator closes before accepting: the handshake gets HTTP 403 (a
    browser reports close code 1006). A missing Origin header is refused too."""

    async def scenario() -> int:
        headers = {"Origin": origin} if origin else {}
        try:
            async with connect(
                f"{server.ws}/ws/sessions/{ids['live']}/live/", additional_headers=headers
            ):
                return 101
        except InvalidStatus as refused:
            return refused.response.status_code

    assert asyncio.run(scenario()) == 403


def test_the_lecturers_panel_and_announcement_over_a_real_socket(
    server: Server, ids: dict[str, Any]
) -> None:
    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        async with (
            _open(server, ids["live"]) as viewer,
            _open(server, ids["live"], cookie=ids["teacher_cookie"]) as panel,
        ):
            await _hello(viewer)
            welcome = await _hello(panel, f"user:{ids['teacher_user']}", panel=True)
            stats = await _next(panel, "stats")
            await panel.send(json.dumps({"type": "announce", "text": "请大家打开课件第三页"}))
            return welcome, stats, await _next(viewer, "announcement")

    welcome, stats, announcement = asyncio.run(scenario())
    assert welcome["panel"] is True
    assert stats["count"] >= 1
    assert stats["distinct"] >= 1
    assert announcement["text"] == "请大家打开课件第三页"


@pytest.mark.services
def test_two_asgi_processes_sharing_redis_give_one_count(
    redis_url: str, seeded: tuple[ServerDatabase, dict[str, Any]]
) -> None:
    database, ids = seeded
    on_a, on_b, leaving = 17, 13, 10

    async def settle(clients: list[ClientConnection], latest: dict[int, int], want: int) -> None:
        async with asyncio.timeout(10):
            while any(latest[id(c)] != want for c in clients):  # noqa: ASYNC110 - polling many
                await asyncio.sleep(0.05)

    async def listen(ws: ClientConnection, latest: dict[int, int]) -> None:
        try:
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] in ("count", "welcome"):
                    latest[id(ws)] = message["count"]
        except ConnectionClosed:
            pass

    async def scenario(a: Server, b: Server) -> tuple[set[int], set[int]]:
        latest: dict[int, int] = {}
        clients = []
        listeners = []
        try:
            for i in range(on_a + on_b):
                ws = await _open(a if i < on_a else b, ids["live"])
                clients.append(ws)
                await _hello(ws)
                latest[id(ws)] = -1
                listeners.append(asyncio.create_task(listen(ws, latest)))
            await settle(clients, latest, on_a + on_b)
            everyone = {latest[id(c)] for c in clients}
            for ws in clients[:leaving]:  # ten leave from process A
                await ws.close()
            staying = clients[leaving:]
            await settle(staying, latest, on_a + on_b - leaving)
            return everyone, {latest[id(c)] for c in staying}
        finally:
            for ws in clients:
                await ws.close()
            for task in listeners:
                task.cancel()

    with uvicorn_server(database) as a, uvicorn_server(database) as b:
        everyone, after = asyncio.run(scenario(a, b))
    assert everyone == {on_a + on_b}
    assert after == {on_a + on_b - leaving}
