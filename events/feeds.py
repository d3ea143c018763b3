"""Calendar feeds: which events a feed holds, its version (ETag, Last-Modified) and its body.

A feed's rows are read in one query; its version is a hash of (id, sequence, last change) of
every row plus what shapes the output, so any change — an edit, a cancellation, an event
leaving the feed — changes the ETag, and Last-Modified never moves back (`FeedState`). The body
is assembled from cached VEVENT fragments keyed by (event, sequence, last change, language,
alarm) and cached whole under its ETag.
"""

import datetime as dt
import gzip
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events.ical import IcalEvent, calendar_bytes, vevent_bytes
from events.models import ActivityType, Event, EventStatus, FeedState
from scheduling.yearcal import week_bounds

WINDOW_BACK = dt.timedelta(days=90)
MAX_SPAN = dt.timedelta(days=3 * 366)
FRAGMENT_TTL = 7 * 24 * 3600
BODY_TTL = 24 * 3600
CACHE_PREFIX = "ical:v1"


class FeedWindowError(ValueError):
    """A bad from/to: the message says which parameter and what is allowed."""


@dataclass(frozen=True)
class FeedSpec:
    key: str  # stable name of the feed, e.g. "all", "region:110000", "tag:lecturer:5", "me:17"
    name: str
    selection: Q
    language: str = "zh-hans"
    alarm_minutes: int | None = None
    # Only selections through a to-many join (tags, stars) can repeat a row.
    distinct: bool = False


@dataclass(frozen=True)
class FeedVersion:
    etag: str
    last_modified: dt.datetime


def default_window(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """90 days back to the end of the next campaign year (an ISO year, in Shanghai)."""
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    next_year = timezone.localtime(now, tz).isocalendar().year + 1
    last_week = dt.date(next_year, 12, 28).isocalendar().week
    end_day = week_bounds(next_year, last_week)[1] + dt.timedelta(days=1)
    return now - WINDOW_BACK, dt.datetime.combine(end_day, dt.time.min, tzinfo=tz)


def parse_window(raw_from: str | None, raw_to: str | None) -> tuple[dt.datetime, dt.datetime]:
    start, end = default_window()
    tz = timezone.get_default_timezone()
    for name, raw in (("from", raw_from), ("to", raw_to)):
        if not raw:
            continue
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise FeedWindowError(
                _("%(name)s=%(value)s is not a date; write it as 2027-03-01.")
                % {"name": name, "value": raw[:40]}
            ) from None
        if not 2000 <= day.year <= 2100:
            raise FeedWindowError(
                _("%(name)s must be a date between 2000 and 2100.") % {"name": name}
            )
        moment = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
        if name == "from":
            start = moment
        else:
            end = moment + dt.timedelta(days=1)
    if start >= end:
        raise FeedWindowError(_("from must be before to."))
    if end - start > MAX_SPAN:
        raise FeedWindowError(_("A feed covers at most three years; narrow from and to."))
    return start, end


def feed_rows(
    spec: FeedSpec, window: tuple[dt.datetime, dt.datetime]
) -> list[tuple[int, int, dt.datetime]]:
    """(id, sequence, last change) of the feed's events, in feed order: one query."""
    start, end = window
    rows = (
        Event.objects.filter(spec.selection, ends_at__gt=start, starts_at__lt=end)
        .order_by("starts_at", "id")
        .values_list("id", "sequence", "last_modified")
    )
    return list(rows.distinct() if spec.distinct else rows)


# Every change that can alter a feed bumps this counter (services call `feeds_changed`), so a
# feed's version can be cached under it: a 304 then costs two cache reads and no query. The
# short TTL bounds staleness after changes made behind the services' back (raw SQL, admin).
GENERATION_KEY = f"{CACHE_PREFIX}:generation"
VERSION_TTL = 30


def feeds_changed() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): start it
        cache.add(GENERATION_KEY, 1, None)


def feeds_changing() -> None:
    """Call inside the transaction that changes events: bumps now (so this request sees it) and
    again after commit (so no version computed from the old rows outlives the change)."""
    feeds_changed()
    transaction.on_commit(feeds_changed)


def cached_version(
    spec: FeedSpec, window: tuple[dt.datetime, dt.datetime]
) -> tuple[FeedVersion, list[tuple[int, int, dt.datetime]] | None]:
    """The feed's version, from cache when nothing changed; the rows when they were read."""
    generation = cache.get(GENERATION_KEY, 0)
    key = f"{CACHE_PREFIX}:ver:{spec.key}:{window[0].date()}:{window[1].date()}:{generation}"
    hit = cache.get(key)
    if hit is not None:
        return FeedVersion(*hit), None
    rows = feed_rows(spec, window)
    version = feed_version(spec, rows, window)
    cache.set(key, (version.etag, version.last_modified), VERSION_TTL)
    return version, rows


def _fingerprint(
    spec: FeedSpec,
    rows: Sequence[tuple[int, int, dt.datetime]],
    window: tuple[dt.datetime, dt.datetime],
) -> str:
    digest = hashlib.sha256()
    digest.update(
        f"{spec.key}|{spec.name}|{spec.language}|{spec.alarm_minutes}|{window[0].date()}|{window[1].date()}|{_base_url()}".encode()
    )
    for event_id, sequence, modified in rows:
        digest.update(f"|{event_id}.{sequence}.{modified.timestamp()}".encode())
    return digest.hexdigest()[:40]


def feed_version(
    spec: FeedSpec,
    rows: Sequence[tuple[int, int, dt.datetime]],
    window: tuple[dt.datetime, dt.datetime],
) -> FeedVersion:
    etag = _fingerprint(spec, rows, window)
    newest = max(
        (modified for _id, _seq, modified in rows), default=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    )
    newest = newest.replace(microsecond=0)
    state = FeedState.objects.filter(key=spec.key).first()
    if state is not None and state.etag == etag:
        return FeedVersion(etag, state.last_modified)
    last_modified = newest
    if state is not None and last_modified <= state.last_modified:
        # The feed changed but its newest event is older than what we served (one left):
        # Last-Modified must still move forward, or clients would keep the stale copy.
        last_modified = state.last_modified + dt.timedelta(seconds=1)
    # update_or_create copes with a concurrent first insert of the same key by itself.
    FeedState.objects.update_or_create(
        key=spec.key, defaults={"etag": etag, "last_modified": last_modified}
    )
    return FeedVersion(etag, last_modified)


def _base_url() -> str:
    return str(settings.PUBLIC_BASE_URL).rstrip("/")


def _location(event: Event) -> str:
    place = " ".join(p for p in (event.city, event.venue) if p)
    if event.online_url:
        online = _("Online: %(url)s") % {"url": event.online_url}
        return f"{place} · {online}" if place else online
    return place


def ical_item(event: Event, *, alarm_minutes: int | None = None) -> IcalEvent:
    """The feed view of one event, in the active language."""
    cancelled = event.status == EventStatus.CANCELLED
    summary = event.title
    if cancelled:
        summary = _("Cancelled: %(title)s") % {"title": event.title}
    description = event.description
    if cancelled and event.cancel_reason:
        description = "\n\n".join(
            p
            for p in (
                _("Cancelled because: %(reason)s") % {"reason": event.cancel_reason},
                description,
            )
            if p
        )
    region = event.region.name if event.region_id and event.region else ""
    return IcalEvent(
        uid=f"{event.uid}@lifelong-learning",
        sequence=event.sequence,
        last_modified=event.last_modified,
        created=event.created_at,
        start=event.starts_at,
        end=event.ends_at,
        summary=summary,
        description=description,
        location=_location(event),
        url=f"{_base_url()}/events/{event.pk}/",
        status=str(event.status).upper(),
        categories=tuple(c for c in (str(ActivityType(event.activity_type).label), region) if c),
        alarm_minutes=alarm_minutes,
    )


def _fragment_key(event_id: int, sequence: int, modified: dt.datetime, spec: FeedSpec) -> str:
    stamp = modified.timestamp()
    return f"{CACHE_PREFIX}:ev:{event_id}:{sequence}:{stamp}:{spec.language}:{spec.alarm_minutes}"


def feed_body_gzip(body: bytes, version: FeedVersion) -> bytes:
    """The body gzipped once per version (a 4 MB feed is ~0.5 MB), for clients that accept it."""
    key = f"{CACHE_PREFIX}:feedgz:{version.etag}"
    packed: bytes | None = cache.get(key)
    if packed is None:
        packed = gzip.compress(body, compresslevel=6, mtime=0)  # mtime 0: same bytes each time
        cache.set(key, packed, BODY_TTL)
    return packed


def cached_body(version: FeedVersion) -> bytes | None:
    body: bytes | None = cache.get(f"{CACHE_PREFIX}:feed:{version.etag}")
    return body


def feed_body(
    spec: FeedSpec, rows: Sequence[tuple[int, int, dt.datetime]], version: FeedVersion
) -> bytes:
    body_key = f"{CACHE_PREFIX}:feed:{version.etag}"
    body: bytes | None = cache.get(body_key)
    if body is not None:
        return body
    keys = [_fragment_key(event_id, seq, modified, spec) for event_id, seq, modified in rows]
    fragments: dict[str, bytes] = cache.get_many(keys) if keys else {}
    missing = [row[0] for row, key in zip(rows, keys, strict=True) if key not in fragments]
    with translation.override(spec.language):
        if missing:
            built = {}
            for event in Event.objects.filter(pk__in=missing).select_related("region"):
                key = _fragment_key(event.pk, event.sequence, event.last_modified, spec)
                built[key] = vevent_bytes(ical_item(event, alarm_minutes=spec.alarm_minutes))
            cache.set_many(built, FRAGMENT_TTL)
            fragments.update(built)
        body = calendar_bytes(
            name=spec.name, fragments=[fragments[k] for k in keys if k in fragments]
        )
    cache.set(body_key, body, BODY_TTL)
    return body
