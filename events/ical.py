"""iCalendar (RFC 5545 / RFC 7986) writing with `icalendar`: pure functions, no Django.

A feed is a calendar header, one VTIMEZONE for Asia/Shanghai generated from the tz database,
and one serialized VEVENT per event. VEVENTs are built on their own so that callers can cache
them by (event, sequence, last change) and assemble a feed from the fragments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Timezone
from icalendar import Event as VEvent
from icalendar.prop import vDuration

TZID = "Asia/Shanghai"
PRODID = "-//Lifelong Learning Platform//Lecture Hall and Learning Week//ZH"
END_CALENDAR = b"END:VCALENDAR\r\n"


@dataclass(frozen=True)
class IcalEvent:
    uid: str
    sequence: int
    last_modified: dt.datetime  # aware; also the DTSTAMP, so an unchanged feed is byte-identical
    created: dt.datetime
    start: dt.datetime
    end: dt.datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    status: str = "CONFIRMED"  # CONFIRMED, TENTATIVE or CANCELLED
    categories: tuple[str, ...] = field(default_factory=tuple)
    alarm_minutes: int | None = None


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def vevent_bytes(item: IcalEvent) -> bytes:
    """One VEVENT, CRLF-terminated and folded at 75 octets (never inside a UTF-8 character)."""
    zone = ZoneInfo(TZID)
    event = VEvent()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", _utc(item.last_modified))
    event.add("last-modified", _utc(item.last_modified))
    event.add("created", _utc(item.created))
    event.add("dtstart", item.start.astimezone(zone).replace(microsecond=0))
    event.add("dtend", item.end.astimezone(zone).replace(microsecond=0))
    event.add("summary", item.summary)
    if item.description:
        event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    if item.url:
        event.add("url", item.url)
    event.add("status", item.status)
    if item.categories:
        event.add("categories", list(item.categories))
    event.add("transp", "TRANSPARENT" if item.status == "CANCELLED" else "OPAQUE")
    if item.alarm_minutes is not None and item.status != "CANCELLED":
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", item.summary)
        alarm.add("trigger", dt.timedelta(minutes=-item.alarm_minutes))
        event.add_component(alarm)
    return event.to_ical()


@cache
def vtimezone_bytes() -> bytes:
    """The zone as the tz database has it (icalendar derives the rules from zoneinfo), so
    clients applying the VTIMEZONE and clients applying their own tz data agree."""
    return Timezone.from_tzid(TZID).to_ical()


def calendar_header(
    *, name: str, description: str = "", refresh: dt.timedelta = dt.timedelta(hours=1)
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    if description:
        calendar.add("description", description)
        calendar.add("x-wr-caldesc", description)
    calendar.add("x-wr-timezone", TZID)
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(refresh))  # an X- property is text unless typed
    body = calendar.to_ical()
    assert body.endswith(END_CALENDAR)
    return body[: -len(END_CALENDAR)]


def calendar_bytes(*, name: str, fragments: Iterable[bytes], description: str = "") -> bytes:
    """A whole feed from pre-serialized VEVENTs."""
    return b"".join(
        [
            calendar_header(name=name, description=description),
            vtimezone_bytes(),
            *fragments,
            END_CALENDAR,
        ]
    )
