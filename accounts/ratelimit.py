"""A per-address budget for actions that send email to an address someone types in (signing up,
asking for the link again): enough for a family sharing one address, too few for a script.

Fixed windows in the cache (Redis in production, shared by every process)."""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from accounts.lockout import client_ip

WINDOW_SECONDS = 3600


def allow(request: HttpRequest, scope: str) -> bool:
    """Count this request against its address's budget for `scope`; False once it is spent."""
    limit = int(getattr(settings, "ACCOUNTS_EMAILS_PER_ADDRESS_PER_HOUR", 10))
    window = int(time.time() // WINDOW_SECONDS)
    key = f"accounts:ratelimit:{scope}:{client_ip(request) or '-'}:{window}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_SECONDS)
        count = 1
    return count <= limit
