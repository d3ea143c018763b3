"""`simulate_viewers`: clear errors for bad arguments, and against a real uvicorn the room's
count reaches the number of simulated viewers, then falls back to 0 when they stop."""

import asyncio
import datetime as dt
import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from config.supervisor import MAX_LIVE_VIEWERS, platform_children
from config.supervisor import main as supervisor_main
from lecture_hall.live.simulator import Behaviour, Crowd, Ending
from lecture_hall.management.commands.simulate_viewers import (
    ERROR_COUNT,
    ERROR_NO_LIVE,
    ERROR_NO_SESSION,
    ERROR_SESSION,
    ERROR_URL,
    MAX_VIEWERS,
)
from tests.factories import LecturerFactory
from tests.lecture_hall.live.factories import T0, published_session
from tests.lecture_hall.live.servers import (
    ROOT,
    Server,
    ServerDatabase,
    seed,
    server_database,
    uvicorn_server,
)


def _run(*args: str) -> str:
    out = StringIO()
    call_command("simulate_viewers", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("count", ["0", "-3", str(MAX_VIEWERS + 1), "many"])
def test_a_bad_number_of_viewers_is_refused_with_the_allowed_range(count: str) -> None:
    expected = ERROR_COUNT.format(max=MAX_VIEWERS, count="X").split("X")[0]
    with pytest.raises(CommandError) as refused:
        _run("1", count)
    assert str(refused.value).startswith(expected)
    assert count in str(refused.value)


@pytest.mark.django_db
def test_a_session_that_does_not_exist_is_named() -> None:
    with pytest.raises(CommandError) as refused:
        _run("999999", "5")
    assert str(refused.value) == ERROR_NO_SESSION.format(id="999999")


@pytest.mark.django_db
def test_a_session_that_is_neither_an_id_nor_live_is_refused() -> None:
    with pytest.raises(CommandError) as refused:
        _run("tonight", "5")
    assert str(refused.value) == ERROR_SESSION.format(value="tonight")


@pytest.mark.django_db
def test_live_with_no_talk_live_now_says_how_to_get_one() -> None:
    with pytest.raises(CommandError) as refused:
        _run("live", "5")
    assert str(refused.value) == ERROR_NO_LIVE


@pytest.mark.django_db
def test_a_room_not_open_yet_is_refused_with_its_phase() -> None:
    session = published_session(LecturerFactory())
    with (
        time_machine.travel(T0 - dt.timedelta(hours=3), tick=False),
        pytest.raises(CommandError, match=f"Session {session.pk}'s live room is not open now"),
    ):
        _run(str(session.pk), "5")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["ftp://127.0.0.1:8000", "127.0.0.1:8000", "http://"])
def test_a_server_address_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(CommandError) as refused:
        _run("1", "5", "--url", url)
    assert str(refused.value) == ERROR_URL.format(url=url)


# --- against a real server -----------------------------------------------------------------


@pytest.fixture(scope="module")
def asgi_server() -> Iterator[tuple[ServerDatabase, Server, dict[str, Any]]]:
    with server_database() as database:
        ids = seed(database)
        with uvicorn_server(database) as server:
            yield database, server, ids


def _count(server: Server, session_id: int) -> int:
    url = f"{server.url}/lectures/sessions/{session_id}/live/count.json"
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own test server
        return int(json.loads(response.read())["count"])


def _wait_for_count(server: Server, session_id: int, wanted: int, within: float) -> list[int]:
    seen = []
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        seen.append(_count(server, session_id))
        if seen[-1] == wanted:
            return seen
        time.sleep(0.5)
    raise AssertionError(f"the count never reached {wanted}: {seen[-10:]}")


@pytest.mark.timeout(180)
def test_simulated_viewers_fill_the_room_and_leave_it_when_stopped(
    asgi_server: tuple[ServerDatabase, Server, dict[str, Any]],
) -> None:
    database, server, ids = asgi_server
    live, viewers = ids["live"], 6
    process = subprocess.Popen(
        [
            sys.executable, "manage.py", "simulate_viewers", str(live), str(viewers),
            "--url", server.url, "--ramp", "1", "--duration", "90", "--seed", "7",
        ],
        cwd=ROOT, env=database.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        seen = _wait_for_count(server, live, viewers, within=30)
        assert max(seen) == viewers  # never more people than there are viewers
        process.send_signal(signal.SIGTERM)  # how the supervisor stops it
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, output
    assert f"{viewers} simulated viewers → session {live}" in output
    assert "stopped: asked to stop · 0 connected" in output
    # they closed their sockets: the room is empty at once, not after the 75 s ghost timeout
    _wait_for_count(server, live, 0, within=10)


@pytest.mark.timeout(60)
def test_an_origin_the_server_refuses_ends_the_crowd_with_a_clear_reason(
    asgi_server: tuple[ServerDatabase, Server, dict[str, Any]],
) -> None:
    _database, server, ids = asgi_server
    crowd = Crowd(
        ws_url=f"{server.ws}/ws/sessions/{ids['live']}/live/",
        origin="http://elsewhere.example",
        size=2,
        behaviour=Behaviour(ramp_seconds=0),
        say=lambda _line: None,
    )
    assert asyncio.run(crowd.run(duration=20)) == Ending.REFUSED
    assert "403" in crowd.reason
    assert "ALLOWED_HOSTS" in crowd.reason


# --- wiring: `python3 dev.py run --live-viewers N` ------------------------------------------


def test_the_supervisor_runs_the_viewers_only_when_asked_and_against_its_own_server() -> None:
    plain = platform_children("py", host="127.0.0.1", port=8000, var_dir="var")
    assert [child.name for child in plain] == ["web", "worker", "beat"]
    children = platform_children("py", host="0.0.0.0", port=8123, var_dir="var", live_viewers=12)  # noqa: S104
    viewers = children[-1]
    assert viewers.name == "viewers"
    assert list(viewers.argv[2:]) == [
        "simulate_viewers", "live", "12", "--url", "http://127.0.0.1:8123", "--follow",
    ]  # fmt: skip


@pytest.mark.parametrize("value", ["0", "many", str(MAX_VIEWERS + 1)])
def test_a_bad_live_viewers_value_stops_dev_py_before_any_setup(value: str) -> None:
    result = subprocess.run(
        [sys.executable, "dev.py", "run", "--live-viewers", value],
        cwd=ROOT, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert f"--live-viewers takes a number of simulated viewers from 1 to {MAX_VIEWERS}" in (
        result.stderr
    )
    assert "installing" not in result.stdout  # refused before setting anything up
    with pytest.raises(SystemExit):
        supervisor_main(["--live-viewers", value])


def test_the_three_limits_on_simulated_viewers_agree() -> None:
    import dev

    assert dev.MAX_LIVE_VIEWERS == MAX_LIVE_VIEWERS == MAX_VIEWERS


@pytest.mark.timeout(60)
def test_a_frame_that_is_not_the_protocol_is_counted_as_a_problem_not_a_silent_loss() -> None:
    from websockets.asyncio.server import ServerConnection, serve

    async def garbled(ws: ServerConnection) -> None:
        await ws.recv()  # the hello
        await ws.send("this is not JSON")
        await ws.wait_closed()

    async def scenario() -> Crowd:
        async with serve(garbled, "127.0.0.1", 0) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            crowd = Crowd(
                ws_url=f"ws://127.0.0.1:{port}/ws/sessions/1/live/",
                origin=f"http://127.0.0.1:{port}",
                size=1,
                behaviour=Behaviour(ramp_seconds=0),
                say=lambda _line: None,
            )
            await crowd.run(duration=1.5)
            return crowd

    crowd = asyncio.run(scenario())
    assert any(key.startswith("unreadable message") for key in crowd.tally.problems)
    assert "unreadable message" in crowd.tally.line()
