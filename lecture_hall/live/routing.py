"""WebSocket routes of the live room."""

from typing import Any

from django.urls import re_path

from lecture_hall.live.consumers import LiveRoomConsumer

websocket_urlpatterns: list[Any] = [
    re_path(r"^ws/sessions/(?P<session_id>[0-9]{1,18})/live/$", LiveRoomConsumer.as_asgi()),
]
