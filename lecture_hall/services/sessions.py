"""Sessions: create (draft), edit, publish, reschedule, cancel, end, duplicate.

Every saved change raises `version`; a caller passing an older `expected_version` gets a
SessionConflict instead of overwriting someone else's change. Published sessions carry their
calendar event along (`lecture_event_sync`), which bumps SEQUENCE and tells listeners.
"""

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.permissions import require_lecture_manager
from events.models import EventStatus
from events.services import lecture_event_sync
from lecture_hall.models import (
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    Lecturer,
    Series,
    Session,
    SessionChange,
    SessionState,
)
from lecture_hall.services.series import lecturer_region_errors, lecturers_by_id

# Names the start the user gave, not the present: "cannot start before now (20 November
# 19:00)" read as if that were now.
ERROR_IN_PAST = _("The start you entered (%(start)s) has already passed; choose a later time.")
ERROR_DURATION = _(
    "A session lasts from %(min)s minutes to %(max)s hours; %(value)s minutes is not allowed."
)
ERROR_CLASH = _(
    "%(lecturer)s already gives “%(title)s” from %(start)s to %(end)s; "
    "one lecturer's sessions cannot overlap."
)
ERROR_STALE = _(
    "Someone else changed this session meanwhile (now version %(now)s, you edited version "
    "%(yours)s); reload it to see their change, then make yours."
)
ERROR_STATE = _("A %(state)s session cannot be %(action)s.")
ERROR_NOT_STARTED = _("A session can be ended only after it has started.")
ERROR_END_PASSED = _(
    "The session is under way, so it must end after now (%(now)s), not at %(end)s; "
    "to stop it early, mark it as ended."
)
ERROR_OVER = _(
    "This session ended at %(end)s, so its length can no longer be changed; "
    "to hold it again, give it a new start."
)
ERROR_REASON = _("Say why, so that subscribers understand the change.")
ERROR_TITLE = _("This field is required.")
ERROR_URL = _("The link must start with http:// or https://.")
TRACKED = (
    "title",
    "abstract",
    "series_id",
    "region_id",
    "starts_at",
    "duration_minutes",
    "stream_url",
    "replay_url",
)


# The hall home's browse blocks (regions with their upcoming counts, series with their public
# counts) are cached for a minute by `lecture_hall.selectors.hall_overview`; every saved change
# of a session (publish, edit, reschedule, cancel, end: all go through `_save`) forgets them.
HALL_BROWSE_CACHE_KEY = "lecture_hall:home-browse:v1"


def hall_browse_forget() -> None:
    """Drop the cached browse blocks: the next home page counts again."""
    cache.delete(HALL_BROWSE_CACHE_KEY)


class SessionConflict(Exception):  # noqa: N818 - an outcome shown to the user, not a bug
    """The session changed since the caller read it."""


def _local(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _require_manager(actor: Any, lecturers: Sequence[Lecturer], region_code: str | None) -> None:
    require_lecture_manager(
        actor,
        lecturer_user_ids={lecturer.user_id for lecturer in lecturers},
        region_code=region_code,
    )


def _require_series_manager(actor: Any, series: Series | None) -> None:
    """A session joins a series only by someone who may manage that series."""
    if series is not None:
        _require_manager(actor, list(series.lecturers.all()), series.region_id)


def _check_version(session: Session, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != session.version:
        raise SessionConflict(ERROR_STALE % {"now": session.version, "yours": expected_version})


def _rule_errors(
    *, title: str, starts_at: dt.datetime, duration: int, links: dict[str, str], check_past: bool
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [str(ERROR_TITLE)]
    if check_past and starts_at < timezone.now():
        errors["starts_at"] = [str(ERROR_IN_PAST % {"start": _local(starts_at)})]
    if not MIN_DURATION_MINUTES <= duration <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = [
            str(
                ERROR_DURATION
                % {
                    "min": MIN_DURATION_MINUTES,
                    "max": MAX_DURATION_MINUTES // 60,
                    "value": duration,
                }
            )
        ]
    for field, url in links.items():
        if url and not url.startswith(("http://", "https://")):
            errors[field] = [str(ERROR_URL)]
    return errors


def _running_errors(
    *, starts_at: dt.datetime, old_end: dt.datetime, new_end: dt.datetime
) -> dict[str, list[str]]:
    """A new length for a session that has started (its start unchanged): lecturers extend or
    shorten a talk while it runs, but an end already passed would cut the live room and its
    attendance short after the fact (ending early is `session_end`)."""
    now = timezone.now()
    if starts_at > now:
        return {}
    if old_end <= now:
        return {"duration_minutes": [str(ERROR_OVER % {"end": _local(old_end)})]}
    if new_end <= now:
        message = ERROR_END_PASSED % {"now": _local(now), "end": _local(new_end)}
        return {"duration_minutes": [str(message)]}
    return {}


def _clash_errors(
    lecturers: Sequence[Lecturer], starts_at: dt.datetime, duration: int, exclude: int | None
) -> dict[str, list[str]]:
    """Other draft or published sessions of the same lecturers overlapping this time."""
    ends_at = starts_at + dt.timedelta(minutes=duration)
    candidates = (
        Session.objects.filter(
            lecturers__in=lecturers,
            state__in=[SessionState.DRAFT, SessionState.PUBLISHED],
            starts_at__lt=ends_at,
            starts_at__gt=starts_at - dt.timedelta(minutes=MAX_DURATION_MINUTES),
        )
        .exclude(pk=exclude or 0)
        .prefetch_related("lecturers")
        .distinct()
    )
    messages = []
    for other in candidates:
        if other.ends_at <= starts_at:
            continue
        names = [lecturer.name for lecturer in other.lecturers.all() if lecturer in lecturers]
        messages.append(
            str(
                ERROR_CLASH
                % {
                    "lecturer": "、".join(names),
                    "title": other.title,
                    "start": _local(other.starts_at),
                    "end": _local(other.ends_at),
                }
            )
        )
    return {"starts_at": messages} if messages else {}


def _record(
    session: Session, actor: Any, action: str, changes: dict[str, Any], reason: str = ""
) -> None:
    SessionChange.objects.create(
        session=session,
        changed_by=actor if getattr(actor, "pk", None) else None,
        action=action,
        changes={k: [str(old), str(new)] for k, (old, new) in changes.items()},
        reason=reason[:300],
    )


def _sync_event(session: Session, reason: str = "") -> None:
    status = {
        SessionState.PUBLISHED: EventStatus.CONFIRMED,
        SessionState.ENDED: EventStatus.CONFIRMED,
        SessionState.CANCELLED: EventStatus.CANCELLED,
    }[SessionState(session.state)]
    names = "、".join(lecturer.name for lecturer in session.lecturers.all())
    event = lecture_event_sync(
        event=session.event,
        title=session.title,
        description=session.abstract,
        region_code=session.region_id,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        online_url=session.stream_url,
        status=status,
        organiser=names,
        reason=reason,
        tags=_tags(session),
    )
    if session.event_id != event.pk:
        session.event = event
        Session.objects.filter(pk=session.pk).update(event=event)


def _tags(session: Session) -> list[str]:
    """Labels on the calendar event so lecturer and series feeds can find it."""
    tags = [f"lecturer:{lecturer.pk}" for lecturer in session.lecturers.all()]
    if session.series_id:
        tags.append(f"series:{session.series_id}")
    return tags


def _save(session: Session) -> Session:
    session.version = F("version") + 1
    session.save()
    session.refresh_from_db()
    # Now, and again after the commit: a home page counting while this transaction was open
    # read the old rows and may have cached them after the first delete.
    hall_browse_forget()
    transaction.on_commit(hall_browse_forget)
    return session


@transaction.atomic
def session_create(
    *,
    actor: Any,
    title: str,
    starts_at: dt.datetime,
    duration_minutes: int,
    lecturer_ids: Sequence[int],
    abstract: str = "",
    series: Series | None = None,
    region_code: str | None = None,
    stream_url: str = "",
) -> Session:
    """A new draft session; lecturers must include the acting lecturer (unless a manager)."""
    return _create(
        actor=actor,
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        lecturers=lecturers_by_id(lecturer_ids),
        abstract=abstract,
        series=series,
        region_code=region_code,
        stream_url=stream_url,
    )


def _create(
    *,
    actor: Any,
    title: str,
    starts_at: dt.datetime,
    duration_minutes: int,
    lecturers: list[Lecturer],
    abstract: str,
    series: Series | None,
    region_code: str | None,
    stream_url: str,
    kept: Collection[Lecturer] = (),
) -> Session:
    region_code = region_code or (series.region_id if series else None) or lecturers[0].region_id
    _require_manager(actor, lecturers, region_code)
    _require_series_manager(actor, series)
    errors = _rule_errors(
        title=title,
        starts_at=starts_at,
        duration=duration_minutes,
        links={"stream_url": stream_url},
        check_past=True,
    )
    errors.update(lecturer_region_errors(actor, lecturers, kept))
    errors.update(_clash_errors(lecturers, starts_at, duration_minutes, exclude=None))
    if errors:
        raise ValidationError(errors)
    session = Session.objects.create(
        title=title.strip(),
        abstract=abstract.strip(),
        series=series,
        region_id=region_code,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        stream_url=stream_url.strip(),
        created_by=actor,
    )
    session.lecturers.set(lecturers)
    _record(session, actor, "created", {})
    return session


def _lock(
    session: Session, actor: Any, expected_version: int | None
) -> tuple[Session, list[Lecturer]]:
    session = Session.objects.select_for_update().get(pk=session.pk)
    lecturers = list(session.lecturers.all())
    _require_manager(actor, lecturers, session.region_id)
    _check_version(session, expected_version)
    return session, lecturers


@transaction.atomic
def session_update(
    *,
    actor: Any,
    session: Session,
    expected_version: int | None,
    lecturer_ids: Sequence[int] | None = None,
    reason: str = "",
    **fields: Any,
) -> Session:
    """Edit a session; on a published one a change of time is a reschedule (subscribers told)."""
    session, lecturers = _lock(session, actor, expected_version)
    if session.state in (SessionState.CANCELLED, SessionState.ENDED):
        raise ValidationError(
            ERROR_STATE % {"state": session.get_state_display(), "action": _("edited")}
        )
    errors: dict[str, list[str]] = {}
    if lecturer_ids is not None:
        new_lecturers = lecturers_by_id(lecturer_ids)
        _require_manager(actor, new_lecturers, session.region_id)
        errors.update(lecturer_region_errors(actor, new_lecturers, kept=lecturers))
    else:
        new_lecturers = lecturers
    before = {k: getattr(session, k) for k in TRACKED}
    for key in ("title", "abstract", "stream_url", "replay_url"):
        if key in fields:
            setattr(session, key, (fields[key] or "").strip())
    if "series" in fields and fields["series"] != session.series:
        _require_series_manager(actor, fields["series"])
    for key in ("starts_at", "duration_minutes", "series"):
        if key in fields:
            setattr(session, key, fields[key])
    start_moved = session.starts_at != before["starts_at"]
    length_changed = session.duration_minutes != before["duration_minutes"]
    # A new length alone is still a change of time (a reschedule for subscribers), but only a
    # new start must lie ahead: a talk under way may run longer or shorter.
    moved = start_moved or length_changed
    errors.update(
        _rule_errors(
            title=session.title,
            starts_at=session.starts_at,
            duration=session.duration_minutes,
            links={"stream_url": session.stream_url, "replay_url": session.replay_url},
            check_past=start_moved,
        )
    )
    if length_changed and not start_moved and "duration_minutes" not in errors:
        old_end = before["starts_at"] + dt.timedelta(minutes=before["duration_minutes"])
        errors.update(
            _running_errors(starts_at=session.starts_at, old_end=old_end, new_end=session.ends_at)
        )
    if moved or lecturer_ids is not None:
        errors.update(
            _clash_errors(
                new_lecturers, session.starts_at, session.duration_minutes, exclude=session.pk
            )
        )
    if errors:
        raise ValidationError(errors)
    changes = {
        k: (before[k], getattr(session, k)) for k in TRACKED if before[k] != getattr(session, k)
    }
    if not changes and lecturer_ids is None:
        return session
    rescheduled = moved and session.state == SessionState.PUBLISHED
    if rescheduled:
        session.reschedule_count += 1
    session = _save(session)
    if lecturer_ids is not None:
        session.lecturers.set(new_lecturers)
    _record(session, actor, "rescheduled" if rescheduled else "edited", changes, reason)
    if session.state == SessionState.PUBLISHED:
        _sync_event(session, reason)
    return session


def session_reschedule(
    *,
    actor: Any,
    session: Session,
    expected_version: int | None,
    starts_at: dt.datetime,
    duration_minutes: int | None = None,
    reason: str,
) -> Session:
    """Move a session; the reason is what subscribers will read."""
    if not reason.strip():
        raise ValidationError({"reason": [str(ERROR_REASON)]})
    return session_update(
        actor=actor,
        session=session,
        expected_version=expected_version,
        starts_at=starts_at,
        duration_minutes=duration_minutes or session.duration_minutes,
        reason=reason.strip(),
    )


@transaction.atomic
def session_publish(*, actor: Any, session: Session, expected_version: int | None) -> Session:
    session, _lecturers = _lock(session, actor, expected_version)
    if session.state != SessionState.DRAFT:
        raise ValidationError(
            ERROR_STATE % {"state": session.get_state_display(), "action": _("published")}
        )
    errors = _rule_errors(
        title=session.title,
        starts_at=session.starts_at,
        duration=session.duration_minutes,
        links={"stream_url": session.stream_url},
        check_past=True,
    )
    if errors:
        raise ValidationError(errors)
    session.state = SessionState.PUBLISHED
    session.event = _placeholder_event(session)
    session = _save(session)
    _record(session, actor, "published", {"state": (SessionState.DRAFT, SessionState.PUBLISHED)})
    return session


def _placeholder_event(session: Session) -> Any:
    """Create the session's calendar event (the check constraint wants it before the state)."""
    names = "、".join(lecturer.name for lecturer in session.lecturers.all())
    return lecture_event_sync(
        event=None,
        title=session.title,
        description=session.abstract,
        region_code=session.region_id,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        online_url=session.stream_url,
        status=EventStatus.CONFIRMED,
        organiser=names,
        tags=_tags(session),
    )


@transaction.atomic
def session_cancel(
    *, actor: Any, session: Session, expected_version: int | None, reason: str
) -> Session:
    """Cancel but keep: shown as cancelled, with the reason, in pages and feeds."""
    session, _lecturers = _lock(session, actor, expected_version)
    if session.state not in (SessionState.DRAFT, SessionState.PUBLISHED):
        raise ValidationError(
            ERROR_STATE % {"state": session.get_state_display(), "action": _("cancelled")}
        )
    if not reason.strip():
        raise ValidationError({"reason": [str(ERROR_REASON)]})
    was = session.state
    session.state = SessionState.CANCELLED
    session.cancel_reason = reason.strip()[:300]
    session = _save(session)
    _record(session, actor, "cancelled", {"state": (was, SessionState.CANCELLED)}, reason)
    if session.event_id:
        _sync_event(session, reason)
    return session


@transaction.atomic
def session_end(
    *, actor: Any, session: Session, expected_version: int | None = None, replay_url: str = ""
) -> Session:
    """Mark a published session as ended (after it started), optionally with its replay link."""
    session, _lecturers = _lock(session, actor, expected_version)
    if session.state != SessionState.PUBLISHED:
        raise ValidationError(
            ERROR_STATE % {"state": session.get_state_display(), "action": _("ended")}
        )
    if session.starts_at > timezone.now():
        raise ValidationError(ERROR_NOT_STARTED)
    errors = _rule_errors(
        title=session.title,
        starts_at=session.starts_at,
        duration=session.duration_minutes,
        links={"replay_url": replay_url},
        check_past=False,
    )
    if errors:
        raise ValidationError(errors)
    session.state = SessionState.ENDED
    if replay_url:
        session.replay_url = replay_url.strip()
    session = _save(session)
    _record(session, actor, "ended", {"state": (SessionState.PUBLISHED, SessionState.ENDED)})
    return session


@transaction.atomic
def session_duplicate(*, actor: Any, session: Session, weeks: int = 1) -> Session:
    """A new draft of the same session `weeks` later (the lecturer's weekly course); the copy
    keeps the session's lecturers, whichever region they belong to."""
    lecturers = lecturers_by_id([lecturer.pk for lecturer in session.lecturers.all()])
    return _create(
        actor=actor,
        title=session.title,
        abstract=session.abstract,
        starts_at=session.starts_at + dt.timedelta(weeks=weeks),
        duration_minutes=session.duration_minutes,
        lecturers=lecturers,
        series=session.series,
        region_code=session.region_id,
        stream_url=session.stream_url,
        kept=lecturers,
    )
