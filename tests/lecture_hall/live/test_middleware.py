"""CookieAuthMiddlewareStack: no session cookie, an anonymous user without touching the
database; a session cookie, the signed-in user as with Channels' own stack."""

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client

from accounts.models import User
from lecture_hall.live.middleware import CookieAuthMiddlewareStack


async def _who(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "websocket.accept"})
    user = scope["user"]
    await send(
        {"type": "websocket.send", "text": str(user.pk if user.is_authenticated else "anonymous")}
    )
    await receive()


def _user_seen(headers: list[tuple[bytes, bytes]]) -> str:
    async def scenario() -> str:
        communicator = WebsocketCommunicator(
            CookieAuthMiddlewareStack(_who), "/ws/", headers=headers
        )
        try:
            await communicator.connect()
            return str(await communicator.receive_from())
        finally:
            await communicator.disconnect()

    return async_to_sync(scenario)()


def test_no_cookie_is_anonymous_without_a_query(db: None, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert _user_seen([]) == "anonymous"


@pytest.mark.django_db(transaction=True)
def test_a_session_cookie_signs_the_user_in(resident: User) -> None:
    client = Client()
    client.force_login(resident)
    cookie = client.cookies["sessionid"].value
    assert _user_seen([(b"cookie", f"sessionid={cookie}".encode())]) == str(resident.pk)
