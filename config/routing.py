"""WebSocket routes of every app, gathered for config.asgi."""

from typing import Any

websocket_urlpatterns: list[Any] = []
