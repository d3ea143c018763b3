"""config.asgi's WebSocket stack with the recommended CookieAuthMiddlewareStack
(lecture_hall/live/middleware.py) in place of Channels' AuthMiddlewareStack, for
`python -m bench.live --app bench.live_lazy_auth_asgi:application`."""

from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator

from config.asgi import django_asgi_app  # sets Django up before the middleware import
from config.routing import websocket_urlpatterns
from lecture_hall.live.middleware import CookieAuthMiddlewareStack

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            CookieAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
