"""WebSocket routes of every app, gathered for config.asgi."""

from typing import Any

from lecture_hall.live.routing import websocket_urlpatterns as live_routes

websocket_urlpatterns: list[Any] = [*live_routes]
