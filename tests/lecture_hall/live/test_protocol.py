"""Parsing client frames: each bad input has its close code and a reason saying what is right."""

import json

import pytest

from lecture_hall.live import protocol
from lecture_hall.live.protocol import Announce, BadMessage, Close, Heartbeat, Hello

DEVICE = "3f2b5c1e-8d4a-4c6b-9e7f-0a1b2c3d4e5f"


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ({"type": "heartbeat"}, Heartbeat()),
        ({"type": "hello", "viewer": DEVICE}, Hello(viewer=DEVICE, panel=False)),
        (
            {"type": "hello", "viewer": "user:12", "panel": True},
            Hello(viewer="user:12", panel=True),
        ),
        ({"type": "announce", "text": "  休息十分钟 "}, Announce(text="休息十分钟")),
    ],
)
def test_good_frames_parse(frame: dict[str, object], expected: object) -> None:
    assert protocol.parse(json.dumps(frame)) == expected


@pytest.mark.parametrize(
    ("text", "code", "reason"),
    [
        ("not json", Close.BAD_MESSAGE, protocol.ERROR_NOT_JSON),
        ("[1, 2]", Close.BAD_MESSAGE, protocol.ERROR_NOT_OBJECT),
        ('{"viewer": "x"}', Close.BAD_MESSAGE, protocol.ERROR_NOT_OBJECT),
        ('{"type": "dance"}', Close.BAD_MESSAGE, protocol.ERROR_UNKNOWN_TYPE % "dance"),
        ('{"type": "hello"}', Close.BAD_MESSAGE, protocol.ERROR_VIEWER),
        ('{"type": "hello", "viewer": "not-a-uuid"}', Close.BAD_MESSAGE, protocol.ERROR_VIEWER),
        # A uuid1 is not a device id of ours (it would leak the MAC address anyway).
        (
            '{"type": "hello", "viewer": "a8098c1a-f86e-11da-bd1a-00112444be1e"}',
            Close.BAD_MESSAGE,
            protocol.ERROR_VIEWER,
        ),
        ('{"type": "hello", "viewer": "user:0"}', Close.BAD_MESSAGE, protocol.ERROR_VIEWER),
        (
            json.dumps({"type": "hello", "viewer": DEVICE, "panel": "yes"}),
            Close.BAD_MESSAGE,
            protocol.ERROR_PANEL,
        ),
        ('{"type": "announce", "text": "   "}', Close.BAD_MESSAGE, protocol.ERROR_TEXT),
        (
            json.dumps({"type": "announce", "text": "字" * 501}),
            Close.BAD_MESSAGE,
            protocol.ERROR_TEXT,
        ),
        (
            json.dumps({"type": "heartbeat", "pad": "x" * 5000}),
            Close.TOO_LARGE,
            protocol.ERROR_TOO_LARGE,
        ),
        # 1,400 Chinese characters are 4,200 bytes of UTF-8: the limit is in bytes.
        (
            json.dumps({"type": "announce", "text": "字" * 1400}, ensure_ascii=False),
            Close.TOO_LARGE,
            protocol.ERROR_TOO_LARGE,
        ),
    ],
)
def test_bad_frames_say_what_was_wrong(text: str, code: Close, reason: str) -> None:
    with pytest.raises(BadMessage) as refusal:
        protocol.parse(text)
    assert (refusal.value.code, refusal.value.reason) == (code, reason)


def test_binary_frames_are_refused() -> None:
    with pytest.raises(BadMessage) as small:
        protocol.parse(None, b"\x00\x01")
    with pytest.raises(BadMessage) as large:
        protocol.parse(None, b"\x00" * 10_000)
    assert (small.value.code, large.value.code) == (Close.BAD_MESSAGE, Close.TOO_LARGE)


def test_a_signed_in_viewer_is_always_their_user_id() -> None:
    assert protocol.viewer_key(claimed=DEVICE, user_id=5) == "user:5"
    assert protocol.viewer_key(claimed="user:5", user_id=5) == "user:5"
    assert protocol.viewer_key(claimed=DEVICE, user_id=None) == f"device:{DEVICE}"


@pytest.mark.parametrize(("claimed", "user_id"), [("user:6", 5), ("user:5", None)])
def test_claiming_someone_elses_user_id_is_forgery(claimed: str, user_id: int | None) -> None:
    with pytest.raises(BadMessage) as refusal:
        protocol.viewer_key(claimed=claimed, user_id=user_id)
    assert refusal.value.code == Close.FORGED_VIEWER


def test_user_id_of_a_presence_key() -> None:
    assert protocol.user_id_of("user:42") == 42
    assert protocol.user_id_of(f"device:{DEVICE}") is None
