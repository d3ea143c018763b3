"""A drop-in for Channels' AuthMiddlewareStack that looks the user up only when the handshake
carries a session cookie. Channels' own stack hops to the single database thread for every
connection, anonymous ones included; in bench/live that hop serialised a 5,000-viewer join
storm to ~27 s on a busy 2-core machine, against ~12 s without it (docs/benchmarks-live.md).

config/asgi.py wires it in place of AuthMiddlewareStack:
    AllowedHostsOriginValidator(CookieAuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
"""

from typing import Any

from channels.auth import AuthMiddleware
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser


class CookieAuthMiddleware(AuthMiddleware):
    """AuthMiddleware, except that without a session cookie the user is anonymous at once."""

    async def resolve_scope(self, scope: dict[str, Any]) -> None:
        if settings.SESSION_COOKIE_NAME not in scope.get("cookies", {}):
            scope["user"]._wrapped = AnonymousUser()
            return
        await super().resolve_scope(scope)


def CookieAuthMiddlewareStack(inner: Any) -> Any:  # noqa: N802 - named like Channels' own
    return CookieMiddleware(SessionMiddleware(CookieAuthMiddleware(inner)))
