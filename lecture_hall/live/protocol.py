"""The live room's wire protocol (docs/live-protocol.md): close codes, limits, and the parsing of
client messages into typed requests. Pure: no Django, no I/O, so the rules are tested alone.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from enum import IntEnum

MAX_MESSAGE_BYTES = 4096
ANNOUNCEMENT_MAX_CHARS = 500
RATE_CAPACITY = 10.0  # messages at once
RATE_PER_SECOND = 0.5  # refill; a normal client sends one heartbeat every 20 s
HELLO_TIMEOUT_SECONDS = 15.0

USER_VIEWER = re.compile(r"^user:([1-9][0-9]{0,17})$")


class Close(IntEnum):
    """Close codes the server sends (4000-4999 are the application's own)."""

    NORMAL = 1000  # the room closed: the session ended, was cancelled or moved; don't reconnect
    BAD_MESSAGE = 4400  # not JSON, not an object, no or unknown `type`, bad fields, wrong order
    FORGED_VIEWER = 4403  # hello claims a user the connection is not signed in as
    NOT_ALLOWED = 4405  # a panel hello or an announcement from someone not managing the session
    NOT_FOUND = 4404  # no such session (drafts are not found by those who cannot see them)
    HELLO_TIMEOUT = 4408  # no hello within HELLO_TIMEOUT_SECONDS
    NOT_LIVE = 4409  # the session exists but its room is not open (too early, ended, cancelled)
    TOO_LARGE = 4413  # a frame longer than MAX_MESSAGE_BYTES, or a binary frame
    RATE_EXCEEDED = 4429  # more than the token bucket allows


class BadMessage(Exception):  # noqa: N818 - a refusal the client is told about, not a bug
    def __init__(self, code: Close, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Hello:
    viewer: str  # "user:<id>" or a uuid4 device id, as sent
    panel: bool


@dataclass(frozen=True)
class Heartbeat:
    pass


@dataclass(frozen=True)
class Announce:
    text: str


Request = Hello | Heartbeat | Announce

ERROR_NOT_JSON = "the message is not JSON; send one JSON object per frame"
ERROR_NOT_OBJECT = 'the message must be a JSON object with a "type"'
ERROR_UNKNOWN_TYPE = "unknown type %r; the client sends hello, heartbeat or announce"
ERROR_VIEWER = 'hello needs "viewer": a uuid4 device id or "user:<your id>"'
ERROR_PANEL = '"panel" must be true or false'
ERROR_TEXT = f"an announcement is 1 to {ANNOUNCEMENT_MAX_CHARS} characters of text"
ERROR_TOO_LARGE = f"a message is at most {MAX_MESSAGE_BYTES} bytes"
ERROR_BINARY = "binary frames are not accepted; send JSON text"


def is_device_id(value: str) -> bool:
    """A version-4 UUID in its canonical lower-case form."""
    try:
        parsed = uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return parsed.version == 4 and str(parsed) == value


def parse(text: str | None, data: bytes | None = None) -> Request:
    """One client frame as a request, or BadMessage with the close code and the reason."""
    if text is None:
        raise BadMessage(
            Close.TOO_LARGE if data and len(data) > MAX_MESSAGE_BYTES else Close.BAD_MESSAGE,
            ERROR_BINARY,
        )
    if len(text) > MAX_MESSAGE_BYTES or len(text.encode("utf-8")) > MAX_MESSAGE_BYTES:
        raise BadMessage(Close.TOO_LARGE, ERROR_TOO_LARGE)
    try:
        content = json.loads(text)
    except ValueError:
        raise BadMessage(Close.BAD_MESSAGE, ERROR_NOT_JSON) from None
    if not isinstance(content, dict) or not isinstance(content.get("type"), str):
        raise BadMessage(Close.BAD_MESSAGE, ERROR_NOT_OBJECT)
    kind = content["type"]
    if kind == "heartbeat":
        return Heartbeat()
    if kind == "hello":
        viewer = content.get("viewer")
        if not isinstance(viewer, str) or not (USER_VIEWER.match(viewer) or is_device_id(viewer)):
            raise BadMessage(Close.BAD_MESSAGE, ERROR_VIEWER)
        panel = content.get("panel", False)
        if not isinstance(panel, bool):
            raise BadMessage(Close.BAD_MESSAGE, ERROR_PANEL)
        return Hello(viewer=viewer, panel=panel)
    if kind == "announce":
        raw = content.get("text")
        text_value = raw.strip() if isinstance(raw, str) else ""
        if not text_value or len(text_value) > ANNOUNCEMENT_MAX_CHARS:
            raise BadMessage(Close.BAD_MESSAGE, ERROR_TEXT)
        return Announce(text=text_value)
    raise BadMessage(Close.BAD_MESSAGE, ERROR_UNKNOWN_TYPE % kind[:40])


def viewer_key(*, claimed: str, user_id: int | None) -> str:
    """The presence key of a hello: a signed-in user is always "user:<id>" (whatever device
    id the tab sent); anyone else is "device:<uuid4>". A claim of a user the connection is not
    signed in as raises BadMessage(FORGED_VIEWER)."""
    match = USER_VIEWER.match(claimed)
    if match is not None and (user_id is None or int(match.group(1)) != user_id):
        raise BadMessage(Close.FORGED_VIEWER, "hello claims another user's id")
    if user_id is not None:
        return f"user:{user_id}"
    return f"device:{claimed}"


def user_id_of(viewer: str) -> int | None:
    """The user behind a presence key, if it is a signed-in one."""
    if viewer.startswith("user:") and viewer[5:].isdigit():
        return int(viewer[5:])
    return None


def room_group(session_id: int) -> str:
    """Every connection of the room in every process: announcements travel here."""
    return f"live.{session_id}"
