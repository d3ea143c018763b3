"""WebSocket routes of the live room."""

from typing import Any

websocket_urlpatterns: list[Any] = []
