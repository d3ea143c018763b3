"""Request ids: every request gets one (a safe incoming X-Request-ID, or a fresh one), every log
line of that request and of the Celery tasks it sends carries it, and the response echoes it.

The middleware also writes the platform's access log: one line per request on the
"platform.request" logger (method, redacted path, status, duration, user id when known), which
replaces gunicorn's and uvicorn's access logs so every URL that reaches a log is redacted.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import SimpleLazyObject, empty

from config.logging import redact, request_id_var

HEADER = "X-Request-ID"
# What we accept from a client or proxy: short, and nothing that could forge a log line.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Probes every few seconds would drown the access log: logged at DEBUG only.
QUIET_PATHS = frozenset({"/healthz", "/readyz"})
# A decoded path may hold %0A and other control characters: escaped, so a plain-text log line
# stays one line and cannot be forged.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def loggable_path(path: str) -> str:
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", redact(path))


def _quiet(request: HttpRequest, status: int) -> bool:
    """Health checks, and static files served fine (nginx logs those too), go at DEBUG."""
    if request.path in QUIET_PATHS:
        return True
    static_url = settings.STATIC_URL or "/static/"
    return status < 400 and request.path.startswith(static_url)


access_logger = logging.getLogger("platform.request")


def accept_or_new(raw: str | None) -> str:
    """The incoming id when it is safe to log as is, otherwise a new random one."""
    if raw and SAFE_REQUEST_ID.fullmatch(raw):
        return raw
    return uuid.uuid4().hex


def _user_id(request: HttpRequest) -> int | None:
    # Only a user the view already loaded: asking here would cost a session and a user query
    # on requests that never needed them (static files, feeds).
    user = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None
    if getattr(user, "is_authenticated", False):
        pk = getattr(user, "pk", None)
        return pk if isinstance(pk, int) else None
    return None


def _forget_request_id(**_: Any) -> None:
    request_id_var.set(None)


# The id stays set after the middleware returns, because Django logs a 4xx/5xx ("Not Found: …")
# only after the whole middleware chain; it is cleared when the response is closed.
request_finished.connect(_forget_request_id, dispatch_uid="platform-forget-request-id")


class RequestIdMiddleware:
    """First in MIDDLEWARE: it times the whole request and its id covers every later log line,
    Django's own error lines included (they come after the middleware returns)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        request_id = accept_or_new(request.headers.get(HEADER))
        request_id_var.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        self._finish(request, response, request_id, started)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = accept_or_new(request.headers.get(HEADER))
        request_id_var.set(request_id)
        started = time.perf_counter()
        response = await self._get_async_response(request)
        self._finish(request, response, request_id, started)
        return response

    def _get_async_response(self, request: HttpRequest) -> Awaitable[HttpResponseBase]:
        result: Awaitable[HttpResponseBase] = self.get_response(request)
        return result

    @staticmethod
    def _finish(
        request: HttpRequest, response: HttpResponseBase, request_id: str, started: float
    ) -> None:
        response[HEADER] = request_id
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        path = loggable_path(request.path)
        user_id = _user_id(request)
        level = logging.DEBUG if _quiet(request, response.status_code) else logging.INFO
        access_logger.log(
            level,
            "%s %s %s %.1fms",
            request.method,
            path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user_id,
            },
        )
