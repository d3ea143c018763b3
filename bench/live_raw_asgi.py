"""The smallest ASGI broadcast: the in-process ceiling bench/live compares the live room with.

WebSocket clients say hello and get a welcome; a client sending {"type": "go"} makes the app
send one pre-encoded {"type": "count", "count": n, "at": <epoch>} to every connection, one
`await send(...)` after another in the same process (no channel layer, no Redis, no Django).
HTTP answers 200 "ok" on every path (the readiness probe).
"""

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

Send = Callable[[dict[str, Any]], Awaitable[None]]
connections: set[Send] = set()


async def application(scope: dict[str, Any], receive: Any, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "http":
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": b"ok\n"})
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    connections.add(send)
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            kind = json.loads(message.get("text") or "{}").get("type")
            if kind == "hello":
                await send(
                    {
                        "type": "websocket.send",
                        "text": json.dumps({"type": "welcome", "count": len(connections)}),
                    }
                )
            elif kind == "go":
                text = json.dumps({"type": "count", "count": len(connections), "at": time.time()})
                for peer in list(connections):
                    try:
                        await peer({"type": "websocket.send", "text": text})
                    except Exception:  # noqa: S112 - a peer that just left
                        continue
    finally:
        connections.discard(send)
