"""ASGI entry point: WebSockets under /ws/ (and, in development, HTTP too).

In production only /ws/ reaches this process; pages are served over WSGI, which measured
far closer to its raw-server ceiling on this machine than Django over ASGI did.

WebSocket handshakes without a session cookie skip the database (CookieAuthMiddlewareStack):
anonymous viewers are most of a live audience, and the lookup serialised join storms.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

# Django must be set up before anything imports models (consumers, routing).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from lecture_hall.live.middleware import CookieAuthMiddlewareStack  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            CookieAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
