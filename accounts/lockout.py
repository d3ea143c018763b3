"""Sign-in attempt limiting (django-axes): whose address a request comes from, and the page a
locked-out name and address see, saying when they may try again.

Settings: AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip",
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response" (config/settings/base.py).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind the proxy (AXES_BEHIND_PROXY, production) it is the right-most
    X-Forwarded-For entry: the one our nginx appended itself, which a client cannot forge; every
    entry left of it came from the client or a proxy in front and is not trusted."""
    if getattr(settings, "AXES_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        nearest = forwarded.rsplit(",", 1)[-1].strip()
        if _is_ip(nearest):
            return nearest
    remote = request.META.get("REMOTE_ADDR")
    return remote if isinstance(remote, str) and remote else None


def retry_at(request: HttpRequest, credentials: dict[str, object] | None) -> dt.datetime:
    """When this name and address may sign in again: the lockout's last counted failure plus
    the cool-off (failures while locked out are not counted, so this does not move)."""
    cool_off = get_cool_off(request) or dt.timedelta(0)
    username = get_client_username(request, credentials)
    ip_address = getattr(request, "axes_ip_address", None) or client_ip(request)
    last = AccessAttempt.objects.filter(username=username, ip_address=ip_address).aggregate(
        last=Max("attempt_time")
    )["last"]
    return (last or timezone.now()) + cool_off


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, object] | None = None,
) -> HttpResponse:
    """The lockout page (429, with Retry-After), in the request's language."""
    until = retry_at(request, credentials)
    seconds = max(0, math.ceil((until - timezone.now()).total_seconds()))
    response = render(
        request,
        "accounts/lockout.html",
        {
            "retry_at": timezone.localtime(until),
            "minutes": max(1, math.ceil(seconds / 60)),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(seconds)
    return response
