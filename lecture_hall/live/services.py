"""State changes of the live room: attendance spans recorded in batches, lecturer announcements,
the polling fallback's presence, and a session's attendance summary (reported to events).

The summary's person-times figure is the number of distinct viewers of the session: each
resident who watched this talk counts once here, so a resident who watched three talks counts
three times across them, which is how the statistics table counts attendances of an activity.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from decimal import Decimal
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import require_lecture_manager
from events.services import lecture_event_participants
from lecture_hall.live import attendance, protocol
from lecture_hall.live.backends import sync_presence
from lecture_hall.live.presence import RoomStats, Span
from lecture_hall.live.selectors import room_info, span_rows
from lecture_hall.models import (
    AttendanceSpan,
    LiveAnnouncement,
    Session,
    SessionAttendance,
    SessionState,
)

logger = logging.getLogger(__name__)

ERROR_ANNOUNCEMENT = _("An announcement is 1 to %(max)s characters; yours has %(count)s.")
ERROR_ROOM_CLOSED = _("The live room of this session is not open, so nobody would read it.")


def _moment(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def attendance_record(*, session_id: int, spans: Sequence[Span], summarize: bool = False) -> int:
    """Store closed spans (a batch from the room's tick); a span already stored is skipped.
    With `summarize`, the session's summary task is queued after the batch commits."""
    user_ids = {uid for span in spans if (uid := protocol.user_id_of(span.viewer)) is not None}
    known = set(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", flat=True))
    rows = []
    for span in spans:
        uid = protocol.user_id_of(span.viewer)
        rows.append(
            AttendanceSpan(
                session_id=session_id,
                viewer=span.viewer[:64],
                user_id=uid if uid in known else None,
                joined_at=_moment(span.joined),
                left_at=_moment(max(span.joined, span.left)),
                seconds=round(span.seconds),
            )
        )
    with transaction.atomic():
        if Session.objects.filter(pk=session_id).exists():
            AttendanceSpan.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        else:
            rows = []  # the session was deleted meanwhile: nothing to attach the spans to
        if summarize:
            from lecture_hall.tasks import summarize_attendance

            transaction.on_commit(partial(summarize_attendance.delay, session_id))
    return len(rows)


def live_announce(*, actor: Any, session_id: int, text: str) -> LiveAnnouncement:
    """A lecturer's message to everyone in the room, sent to every ASGI process after commit."""
    info = room_info(session_id=session_id)
    if info is None:
        raise Session.DoesNotExist
    require_lecture_manager(
        actor, lecturer_user_ids=set(info.lecturer_user_ids), region_code=info.region_code
    )
    text = (text or "").strip()
    if not 1 <= len(text) <= protocol.ANNOUNCEMENT_MAX_CHARS:
        raise ValidationError(
            {
                "text": [
                    str(
                        ERROR_ANNOUNCEMENT
                        % {"max": protocol.ANNOUNCEMENT_MAX_CHARS, "count": len(text)}
                    )
                ]
            }
        )
    if not info.is_open(timezone.now()):
        raise ValidationError({"text": [str(ERROR_ROOM_CLOSED)]})
    with transaction.atomic():
        announcement = LiveAnnouncement.objects.create(
            session_id=session_id, text=text, sent_by=actor
        )
        message = {
            "type": "live.announcement",
            "id": announcement.pk,
            "text": announcement.text,
            "at": announcement.sent_at.isoformat(),
        }
        transaction.on_commit(partial(_group_send, protocol.room_group(session_id), message))
    return announcement


def _group_send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, message)


def presence_poll(*, session_id: int, viewer: str, now: float) -> RoomStats:
    """A heartbeat from the polling fallback (a browser without WebSockets): the viewer counts
    like a socket that never says goodbye, so it leaves by ghost expiry when polls stop."""
    store = sync_presence()
    result = store.join(session_id, viewer, now, mode="beat")
    spans = [*result.closed, *store.sweep(session_id, now)]
    if spans:
        attendance_record(session_id=session_id, spans=spans)
    return store.stats(session_id)


def attendance_summarize(
    *, session_id: int, now: dt.datetime | None = None
) -> SessionAttendance | None:
    """Compute and store a finished session's attendance and tell events its person-times.
    Idempotent: run again, it recomputes from every span and overwrites. None while the session
    is not over (or was cancelled, or has no calendar event)."""
    now = now or timezone.now()
    info = room_info(session_id=session_id)
    if info is None or info.event_id is None:
        return None
    if info.state not in (SessionState.ENDED, SessionState.PUBLISHED) or info.phase(now) != "ended":
        return None
    end = info.window_end
    # Spans still open in the shared store (their ASGI process died, or nobody's tick closed
    # the room) end at the session's end, or earlier where the viewer went silent.
    closing = sync_presence().close(session_id, end.timestamp(), final=True)
    if closing.spans:
        attendance_record(session_id=session_id, spans=closing.spans)
    rows = span_rows(session_id=session_id)
    summary = attendance.summarize(rows, start=info.starts_at, end=end)
    with transaction.atomic():
        record, _created = SessionAttendance.objects.update_or_create(
            session_id=session_id,
            defaults={
                "window_start": summary.window_start,
                "window_end": summary.window_end,
                "distinct_viewers": summary.distinct_viewers,
                "peak_viewers": summary.peak_viewers,
                "peak_at": summary.peak_at,
                "viewer_minutes": Decimal(str(round(summary.viewer_minutes, 1))),
                "stayed_viewers": summary.stayed_viewers,
                "curve": [list(point) for point in summary.curve],
                "spans_counted": len(rows),
                "computed_at": timezone.now(),
            },
        )
        event = Session.objects.select_related("event").get(pk=session_id).event
        assert event is not None
        lecture_event_participants(event=event, participants=summary.distinct_viewers)
    return record
