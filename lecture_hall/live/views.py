"""Live room pages: the room, its JSON count (the polling fallback), the lecturer's live panel
and announcement form, the attendance page and its CSV. Thin: a selector or one service."""

from __future__ import annotations

import csv
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from lecture_hall.live import selectors, services
from lecture_hall.live.forms import AnnouncementForm
from lecture_hall.live.presence import HEARTBEAT_SECONDS
from lecture_hall.live.protocol import is_device_id
from lecture_hall.views.common import hall_page, signed_in_page

DEVICE_COOKIE = "live_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600


def _device_id(request: HttpRequest) -> tuple[str, bool]:
    """The browser's device id from its cookie, or a new one (True: set the cookie)."""
    current = request.COOKIES.get(DEVICE_COOKIE, "")
    if is_device_id(current):
        return current, False
    return str(uuid.uuid4()), True


def _viewer(request: HttpRequest, device: str) -> tuple[str, str]:
    """(what the page says in its hello, the presence key the server uses)."""
    user: Any = request.user
    if user.is_authenticated:
        return f"user:{user.pk}", f"user:{user.pk}"
    return device, f"device:{device}"


def _remember_device(response: HttpResponse, request: HttpRequest, device: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        device,
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


@require_safe
@hall_page
def room(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.room_page(pk=pk, viewer=request.user)
    device, new_device = _device_id(request)
    hello_viewer = _viewer(request, device)[0]
    context = {
        "page": page,
        "s": page.session,
        "hello_viewer": hello_viewer,
        "heartbeat_seconds": int(HEARTBEAT_SECONDS),
        "js_text": {
            "live": _("Live"),
            "connecting": _("Connecting…"),
            "reconnecting": _("Connection lost; reconnecting…"),
            "polling": _("Live updates are unavailable; the count refreshes every 20 seconds."),
            "started": _("The session has started."),
            "ended": _("The session has ended. Thank you for watching."),
            "cancelled": _("The session was cancelled."),
            "moved": _("The session was moved: it now starts at %(start)s."),
            "closed": _("The live room is closed."),
        },
    }
    response = render(request, "lecture_hall/live/room.html", context)
    if new_device:
        _remember_device(response, request, device)
    return response


def _count_payload(pk: int, phase: str, count: int) -> dict[str, Any]:
    return {
        "type": "count",
        "count": count,
        "phase": phase,
        "announcements": [
            {"id": a.pk, "text": a.text, "at": a.sent_at.isoformat()}
            for a in selectors.recent_announcements(session_id=pk)
        ],
    }


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@hall_page
def room_count(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the count now. POST (the polling fallback, every 20 s): also counts this browser,
    like a heartbeat; it leaves by ghost expiry when the posts stop."""
    page = selectors.room_page(pk=pk, viewer=request.user)
    now = timezone.now()
    phase = page.info.phase(now)
    device, new_device = _device_id(request)
    if request.method == "POST" and page.info.is_open(now):
        key = _viewer(request, device)[1]
        stats = services.presence_poll(session_id=pk, viewer=key, now=now.timestamp())
    else:
        stats = selectors.live_stats(session_id=pk)
    response = JsonResponse(_count_payload(pk, phase, stats.count))
    if new_device:
        _remember_device(response, request, device)
    return response


@require_safe
@signed_in_page
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.panel_page(pk=pk, actor=request.user)
    context = {
        "page": page,
        "s": page.session,
        "form": AnnouncementForm(),
        "curve": [[second, count] for second, count in page.curve],
        "hello_viewer": f"user:{request.user.pk}",
        "heartbeat_seconds": int(HEARTBEAT_SECONDS),
        "js_text": {
            "viewers": _("Viewers"),
            "time": _("Time"),
            "live": _("Live"),
            "reconnecting": _("Connection lost; reconnecting…"),
            "closed": _("The live room is closed."),
        },
    }
    return render(request, "lecture_hall/live/panel.html", context)


@require_POST
@signed_in_page
def announce(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.managed_room(pk=pk, actor=request.user)
    form = AnnouncementForm(request.POST)
    if form.is_valid():
        try:
            services.live_announce(
                actor=request.user, session_id=pk, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Announcement sent."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("live:panel", pk=pk)


@require_safe
@signed_in_page
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.attendance_page(pk=pk, actor=request.user)
    rows = selectors.curve_rows(page.attendance) if page.attendance else []
    context = {
        "page": page,
        "s": page.session,
        "rows": rows,
        "chart": {
            "points": [[int(r[1].timestamp()), r[2]] for r in rows],
            "viewers": _("Viewers"),
            "time": _("Time"),
        },
    }
    return render(request, "lecture_hall/live/attendance.html", context)


@require_safe
@signed_in_page
def attendance_csv(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.attendance_page(pk=pk, actor=request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{pk}-attendance.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the Chinese header as UTF-8
    writer = csv.writer(response)
    writer.writerow([_("Minute"), _("Time (Beijing)"), _("Viewers")])
    if page.attendance:
        for minute, moment, viewers in selectors.curve_rows(page.attendance):
            writer.writerow([minute, moment.strftime("%Y-%m-%d %H:%M"), viewers])
    return response
