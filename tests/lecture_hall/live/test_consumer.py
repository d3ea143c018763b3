"""The live room over WebsocketCommunicator: the count is pushed by the tick only when it
changed, tabs and reconnects are one viewer, ghosts expire, every bad input closes its own
connection with its documented code and leaves the others and the count alone. The clock is
the test's; ticks are run by hand. Every communicator is disconnected."""

import datetime as dt
import json

import pytest
import time_machine
from asgiref.sync import sync_to_async

from accounts.models import Role, User
from lecture_hall.live.presence import GHOST_AFTER_SECONDS, RECONNECT_GRACE_SECONDS, Span
from lecture_hall.live.protocol import (
    HELLO_TIMEOUT_SECONDS,
    MAX_MESSAGE_BYTES,
    RATE_CAPACITY,
    Close,
)
from lecture_hall.live.ticker import FLUSH_SECONDS
from lecture_hall.models import Lecturer, Session
from lecture_hall.services import session_cancel, session_end, session_reschedule
from tests.factories import UserFactory
from tests.lecture_hall.live.conftest import Clock
from tests.lecture_hall.live.factories import T0, draft_session
from tests.lecture_hall.live.rooms import (
    Records,
    close_code,
    connect,
    counts,
    device,
    disconnect_all,
    heartbeat,
    hello,
    join,
    make_hub,
    messages,
    run,
    use,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_memory_layer(settings: object) -> None:
    """These tests are about the consumer and the tick, with ticks run by hand and every
    message expected at once; the Redis layer is exercised by the real-server tests."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}  # type: ignore[attr-defined]


def test_the_count_is_pushed_once_a_tick_and_only_when_it_changed(
    talk: Session, clock: Clock
) -> None:
    async def scenario() -> list[object]:
        hub = use(make_hub(clock))
        a = await join(talk.pk)
        b = c = None
        try:
            await hub.tick(talk.pk)
            first = counts(await messages(a))
            b = await join(talk.pk)
            c = await join(talk.pk)  # two joins between ticks: one message, not two
            await hub.tick(talk.pk)
            second = counts(await messages(a)), counts(await messages(b))
            await hub.tick(talk.pk)
            quiet = await messages(a)
            return [first, second, quiet]
        finally:
            await disconnect_all(*(x for x in (a, b, c) if x))

    first, second, quiet = run(scenario)
    assert first == [1]
    assert second == ([3], [3])
    assert quiet == []


def test_welcome_tells_the_count_and_how_often_to_heartbeat(talk: Session, clock: Clock) -> None:
    async def scenario() -> dict[str, object]:
        use(make_hub(clock))
        a = await join(talk.pk)
        b = await connect(talk.pk)
        try:
            return await hello(b, device())
        finally:
            await disconnect_all(a, b)

    welcome = run(scenario)
    assert welcome["count"] == 2
    assert welcome["heartbeat"] == 20
    assert welcome["phase"] == "live"
    assert str(welcome["viewer"]).startswith("device:")


def test_tabs_and_a_reconnect_within_a_minute_are_one_viewer_and_one_span(
    talk: Session, clock: Clock
) -> None:
    records = Records()
    same = device()
    start = clock.now

    async def scenario() -> list[object]:
        hub = use(make_hub(clock, records))
        watcher = await join(talk.pk)
        try:
            tab1 = await join(talk.pk, same)
            tab2 = await join(talk.pk, same)
            await hub.tick(talk.pk)
            seen = counts(await messages(watcher))
            clock.advance(10)
            await tab1.disconnect()
            await hub.tick(talk.pk)
            seen += counts(await messages(watcher))  # still one: the other tab is open
            clock.advance(10)
            await tab2.disconnect()
            await hub.tick(talk.pk)
            seen += counts(await messages(watcher))
            clock.advance(RECONNECT_GRACE_SECONDS - 20)
            back = await join(talk.pk, same)  # the page reloaded: the same span goes on
            await hub.tick(talk.pk)
            seen += counts(await messages(watcher))
            clock.advance(100)
            await back.disconnect()
            clock.advance(RECONNECT_GRACE_SECONDS + FLUSH_SECONDS)
            await hub.tick(talk.pk)
            return seen
        finally:
            await watcher.disconnect()

    assert run(scenario) == [2, 1, 2]  # nothing sent while the second tab kept it at 2
    mine = [span for span in records.spans if span.viewer == f"device:{same}"]
    assert mine == [Span(start, start + RECONNECT_GRACE_SECONDS + 100, f"device:{same}")]


def test_a_signed_in_user_is_one_viewer_on_every_device(
    talk: Session, clock: Clock, resident: User
) -> None:
    async def scenario() -> list[int]:
        hub = use(make_hub(clock))
        phone = await join(talk.pk, device(), user=resident)
        laptop = await join(talk.pk, f"user:{resident.pk}", user=resident)
        try:
            await hub.tick(talk.pk)
            return counts(await messages(phone))
        finally:
            await disconnect_all(phone, laptop)

    assert run(scenario) == [1]


def test_a_vanished_client_is_swept_by_the_tick_within_90_seconds(
    talk: Session, clock: Clock
) -> None:
    """Bo's ASGI process was killed: his presence is in the store, nobody will say goodbye."""
    records = Records()
    bo = f"device:{device()}"
    start = clock.now

    async def scenario() -> list[tuple[float, list[int]]]:
        hub = use(make_hub(clock, records))
        await hub.store.join(talk.pk, bo, clock.now)
        anna = await join(talk.pk)
        try:
            timeline = []
            for second in range(1, 100):
                clock.now = start + second
                if second % 20 == 0:
                    await anna.send_json_to({"type": "heartbeat"})
                await hub.tick(talk.pk)
                seen = counts(await messages(anna))
                if seen:
                    timeline.append((second, seen))
            return timeline
        finally:
            await anna.disconnect()

    timeline = run(scenario)
    assert timeline == [(1, [2]), (int(GHOST_AFTER_SECONDS), [1])]
    assert GHOST_AFTER_SECONDS < 90
    assert records.spans == [Span(start, start, bo)]


BAD_FRAMES = [
    ("not json", "not json at all", Close.BAD_MESSAGE),
    ("not an object", "[1, 2, 3]", Close.BAD_MESSAGE),
    ("unknown type", json.dumps({"type": "applause"}), Close.BAD_MESSAGE),
    ("heartbeat before hello", json.dumps({"type": "heartbeat"}), Close.BAD_MESSAGE),
    ("bad device id", json.dumps({"type": "hello", "viewer": "12345"}), Close.BAD_MESSAGE),
    ("oversized", json.dumps({"type": "hello", "pad": "x" * MAX_MESSAGE_BYTES}), Close.TOO_LARGE),
    ("forged user id", json.dumps({"type": "hello", "viewer": "user:1"}), Close.FORGED_VIEWER),
]


@pytest.mark.parametrize(("case", "frame", "code"), BAD_FRAMES, ids=[c[0] for c in BAD_FRAMES])
def test_a_bad_frame_closes_only_its_connection(
    talk: Session, clock: Clock, case: str, frame: str, code: int
) -> None:
    async def scenario() -> list[object]:
        hub = use(make_hub(clock))
        bystander = await join(talk.pk)
        bad = await connect(talk.pk)
        try:
            await hub.tick(talk.pk)
            before = counts(await messages(bystander))
            await bad.send_to(text_data=frame)
            closed = await close_code(bad)
            await hub.tick(talk.pk)
            await bystander.send_json_to({"type": "heartbeat"})  # still served
            after = await messages(bystander)
            return [before, closed, after]
        finally:
            await disconnect_all(bad, bystander)

    before, closed, after = run(scenario)
    assert closed == code
    assert before == [1]
    assert after == []  # the count never moved


def test_binary_frames_hello_twice_and_floods_are_refused(talk: Session, clock: Clock) -> None:
    async def scenario() -> list[int]:
        use(make_hub(clock))
        binary = await connect(talk.pk)
        twice = await join(talk.pk)
        flood = await join(talk.pk)
        try:
            await binary.send_to(bytes_data=b"\x00\x01\x02")
            await twice.send_json_to({"type": "hello", "viewer": device()})
            for _ in range(int(RATE_CAPACITY) + 5):
                await flood.send_json_to({"type": "heartbeat"})
            return [await close_code(binary), await close_code(twice), await close_code(flood)]
        finally:
            await disconnect_all(binary, twice, flood)

    assert run(scenario) == [Close.BAD_MESSAGE, Close.BAD_MESSAGE, Close.RATE_EXCEEDED]


def test_a_signed_in_user_claiming_another_users_id_is_refused(
    talk: Session, clock: Clock, resident: User
) -> None:
    other = UserFactory()

    async def scenario() -> int:
        use(make_hub(clock))
        forger = await connect(talk.pk, user=resident)
        try:
            await forger.send_json_to({"type": "hello", "viewer": f"user:{other.pk}"})
            return await close_code(forger)
        finally:
            await forger.disconnect()

    assert run(scenario) == Close.FORGED_VIEWER


def test_no_hello_in_time_is_closed(talk: Session, clock: Clock) -> None:
    async def scenario() -> int:
        hub = use(make_hub(clock))
        silent = await connect(talk.pk)
        try:
            clock.advance(HELLO_TIMEOUT_SECONDS)
            await hub.tick(talk.pk)
            return await close_code(silent)
        finally:
            await silent.disconnect()

    assert run(scenario) == Close.HELLO_TIMEOUT


def _refused(session_id: int, clock: Clock, user: object = None) -> int:
    async def scenario() -> int:
        use(make_hub(clock))
        communicator = await connect(session_id, user)
        try:
            return await close_code(communicator)
        finally:
            await communicator.disconnect()

    return run(scenario)


def test_a_missing_session_is_not_found(db: None, clock: Clock) -> None:
    assert _refused(999_999, clock) == Close.NOT_FOUND


def test_a_draft_is_not_found_by_the_public_and_not_live_for_its_lecturer(
    teacher: Lecturer, clock: Clock
) -> None:
    draft = draft_session(teacher)
    assert _refused(draft.pk, clock) == Close.NOT_FOUND
    assert _refused(draft.pk, clock, teacher.user) == Close.NOT_LIVE


@pytest.mark.parametrize(
    ("minutes", "live"),
    [(-31, False), (-30, True), (59, True), (60, False)],
)
def test_the_room_opens_half_an_hour_early_and_closes_at_the_end(
    talk: Session, clock: Clock, minutes: int, live: bool
) -> None:
    clock.now = (T0 + dt.timedelta(minutes=minutes)).timestamp()

    async def scenario() -> bool:
        use(make_hub(clock))
        communicator = await connect(talk.pk)
        try:
            await communicator.send_json_to({"type": "hello", "viewer": device()})
            reply = await communicator.receive_output(timeout=1)
            return reply["type"] == "websocket.send"
        finally:
            await communicator.disconnect()

    assert run(scenario) is live


def test_ended_and_cancelled_sessions_are_not_live(
    talk: Session, teacher: Lecturer, clock: Clock
) -> None:
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        session_end(actor=teacher.user, session=talk)
    assert _refused(talk.pk, clock) == Close.NOT_LIVE


def test_the_panel_is_for_the_sessions_lecturers_and_is_not_a_viewer(
    talk: Session, teacher: Lecturer, clock: Clock, resident: User
) -> None:
    async def scenario() -> list[object]:
        hub = use(make_hub(clock))
        intruder = await connect(talk.pk, user=resident)
        panel = await connect(talk.pk, user=teacher.user)
        viewer = await join(talk.pk)
        try:
            await intruder.send_json_to({"type": "hello", "viewer": device(), "panel": True})
            refused = await close_code(intruder)
            welcome = await hello(panel, f"user:{teacher.user.pk}", panel=True)
            await hub.tick(talk.pk)
            return [refused, welcome["panel"], await messages(panel)]
        finally:
            await disconnect_all(intruder, panel, viewer)

    refused, is_panel, received = run(scenario)
    assert refused == Close.NOT_ALLOWED
    assert is_panel is True
    stats = [m for m in received if m["type"] == "stats"]
    assert [(m["count"], m["peak"], m["distinct"]) for m in stats] == [(1, 1, 1)]


def test_only_lecturers_announce(talk: Session, clock: Clock, resident: User) -> None:
    async def scenario() -> int:
        use(make_hub(clock))
        resident_tab = await join(talk.pk, user=resident)
        try:
            await resident_tab.send_json_to({"type": "announce", "text": "大家好"})
            return await close_code(resident_tab)
        finally:
            await resident_tab.disconnect()

    assert run(scenario) == Close.NOT_ALLOWED


@pytest.mark.django_db(transaction=True)
def test_a_lecturers_announcement_reaches_every_viewer(clock: Clock) -> None:
    from tests.factories import LecturerFactory
    from tests.lecture_hall.live.factories import published_session

    teacher = LecturerFactory()
    talk = published_session(teacher)

    async def scenario() -> list[object]:
        use(make_hub(clock))
        viewer = await join(talk.pk)
        lecturer = await join(talk.pk, f"user:{teacher.user.pk}", user=teacher.user)
        try:
            await lecturer.send_json_to({"type": "announce", "text": "  下半场开始  "})
            got = await viewer.receive_json_from(timeout=3)
            return [got, await lecturer.receive_json_from(timeout=3)]
        finally:
            await disconnect_all(viewer, lecturer)

    # The service checks the room is open by the real clock; the in-memory layer's group
    # membership expires by it too, so the whole scenario runs at the talk's time.
    with time_machine.travel(clock.now, tick=False):
        to_viewer, to_lecturer = run(scenario)
    assert to_viewer["type"] == "announcement"
    assert to_viewer["text"] == "下半场开始"
    assert to_lecturer == to_viewer
    assert talk.announcements.get().text == "下半场开始"


def test_the_room_is_told_when_the_talk_starts(talk: Session, clock: Clock) -> None:
    clock.now = (T0 - dt.timedelta(minutes=1)).timestamp()

    async def scenario() -> list[dict[str, object]]:
        hub = use(make_hub(clock))
        early = await join(talk.pk)
        try:
            await hub.tick(talk.pk)
            await messages(early)
            clock.advance(60)
            await hub.tick(talk.pk)
            return await messages(early)
        finally:
            await early.disconnect()

    [state] = run(scenario)
    assert (state["type"], state["state"], state["open"]) == ("state", "started", True)


def test_ending_the_session_closes_the_room_writes_the_spans_and_asks_for_the_summary(
    talk: Session, teacher: Lecturer, clock: Clock
) -> None:
    records = Records()
    start = clock.now

    async def scenario() -> list[dict[str, object]]:
        hub = use(make_hub(clock, records))
        viewer = await join(talk.pk)
        try:
            await hub.tick(talk.pk)
            await messages(viewer)
            for _ in range(15):
                clock.advance(20)
                await heartbeat(viewer, hub, talk.pk)
            with time_machine.travel(clock.now, tick=False):
                await sync_to_async(session_end)(actor=teacher.user, session=talk)
            clock.advance(2)
            await hub.tick(talk.pk)
            return await messages(viewer)
        finally:
            await viewer.disconnect()

    state, closed = run(scenario)
    assert (state["type"], state["state"], state["open"]) == ("state", "ended", False)
    assert closed == {"type": "<close>", "code": Close.NORMAL}
    [(_sid, spans, summarize)] = records.batches
    assert summarize is True
    assert spans[0].joined == start
    assert spans[0].left == start + 300  # when the lecturer pressed "end"


@pytest.mark.parametrize("far", [False, True], ids=["still-open", "moved-away"])
def test_a_reschedule_is_told_and_closes_the_room_if_it_moved_away(
    talk: Session, teacher: Lecturer, clock: Clock, far: bool
) -> None:
    clock.now = (T0 - dt.timedelta(minutes=10)).timestamp()
    new_start = T0 + (dt.timedelta(days=7) if far else dt.timedelta(minutes=5))

    async def scenario() -> list[dict[str, object]]:
        hub = use(make_hub(clock))
        viewer = await join(talk.pk)
        try:
            await hub.tick(talk.pk)
            await messages(viewer)
            with time_machine.travel(clock.now, tick=False):
                await sync_to_async(session_reschedule)(
                    actor=teacher.user,
                    session=talk,
                    expected_version=talk.version,
                    starts_at=new_start,
                    reason="讲师航班延误",
                )
            clock.advance(3)
            await hub.tick(talk.pk)
            return await messages(viewer)
        finally:
            await viewer.disconnect()

    received = run(scenario)
    assert received[0]["state"] == "moved"
    assert received[0]["starts_at"] == new_start.astimezone(dt.UTC).isoformat()
    if far:
        assert received[0]["open"] is False
        assert received[1] == {"type": "<close>", "code": Close.NORMAL}
    else:
        assert received == [received[0]]
        assert received[0]["open"] is True


def test_cancelling_closes_the_room(talk: Session, teacher: Lecturer, clock: Clock) -> None:
    clock.now = (T0 - dt.timedelta(minutes=10)).timestamp()

    async def scenario() -> list[dict[str, object]]:
        hub = use(make_hub(clock))
        viewer = await join(talk.pk)
        try:
            with time_machine.travel(clock.now, tick=False):
                await sync_to_async(session_cancel)(
                    actor=teacher.user,
                    session=talk,
                    expected_version=talk.version,
                    reason="讲师生病",
                )
            clock.advance(3)
            await hub.tick(talk.pk)
            return await messages(viewer)
        finally:
            await viewer.disconnect()

    received = run(scenario)
    assert [m.get("state", m["type"]) for m in received] == ["cancelled", "<close>"]


def test_origin_of_another_site_is_refused_before_accept(db: None, talk: Session) -> None:
    """AllowedHostsOriginValidator denies the handshake: a browser sees code 1006."""
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    async def scenario() -> tuple[object, object]:
        evil = WebsocketCommunicator(
            application,
            f"/ws/sessions/{talk.pk}/live/",
            headers=[(b"origin", b"https://evil.example"), (b"host", b"127.0.0.1")],
        )
        try:
            return await evil.connect()
        finally:
            await evil.disconnect()

    assert run(scenario) == (False, 1000)


def test_a_resident_user_fixture_is_a_resident(resident: User) -> None:
    assert resident.role == Role.RESIDENT
