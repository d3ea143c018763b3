"""`manage.py simulate_viewers <session> <count>`: simulated viewers in a talk's live room.

They connect to a running server (`--url`, the one-command run's by default) like browser
tabs, come and go, and some come back, so the room's count and the lecturer's live panel move
as with a real audience, until Ctrl-C (or `--duration`). `live` as the session means the demo's
talk live now; with `--follow` (how `dev.py run --live-viewers N` runs it) the crowd waits
for the server and, when a talk ends, moves to the next one live instead of exiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from lecture_hall.demo import demo_live_session
from lecture_hall.live.selectors import room_info
from lecture_hall.live.simulator import Behaviour, Crowd, Ending

MAX_VIEWERS = 500  # one process, one connection each: the open-file limit is usually 1,024
FOLLOW_WAIT_SECONDS = 30.0

ERROR_COUNT = "The number of viewers must be between 1 and {max}; you asked for {count}."
ERROR_SESSION = "The session is a session id (a number) or the word 'live'; got {value!r}."
ERROR_NO_SESSION = "There is no session {id}."
ERROR_NOT_OPEN = (
    "Session {id}'s live room is not open now (it is {phase}); a room is open from 30 minutes "
    "before the start to the end. Talks live now: {live}."
)
ERROR_NO_LIVE = "No talk is live now. `manage.py seed_demo` adds one to the demo."
ERROR_URL = (
    "--url must be the server's http:// or https:// address, e.g. http://127.0.0.1:8000; "
    "got {url!r}."
)
ERROR_DURATION = "--duration must be a positive number of seconds; got {value}."


def _session_arg(value: str) -> str:
    return value.strip().lower()


class Command(BaseCommand):
    help = "Open simulated viewers in a session's live room on a running server, until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("session", type=_session_arg, help="a session id, or 'live'")
        parser.add_argument("count", type=str, help=f"how many viewers (1-{MAX_VIEWERS})")
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000", help="the running server's address"
        )
        parser.add_argument("--duration", type=float, help="stop after this many seconds")
        parser.add_argument(
            "--ramp", type=float, default=30.0, help="seconds over which the first viewers arrive"
        )
        parser.add_argument("--seed", type=int, help="a random seed, for a reproducible crowd")
        parser.add_argument(
            "--follow",
            action="store_true",
            help="wait for a live talk and the server, and move on to the next talk when one ends",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = self._count(options["count"])
        origin, ws_base = self._addresses(options["url"])
        duration = options["duration"]
        if duration is not None and duration <= 0:
            raise CommandError(ERROR_DURATION.format(value=duration))
        behaviour = Behaviour(ramp_seconds=max(0.0, options["ramp"]))
        deadline = None if duration is None else time.monotonic() + duration
        while True:
            session_id = self._resolve(options["session"], follow=options["follow"])
            if session_id is None:  # --follow and nothing live: look again later
                if self._wait(FOLLOW_WAIT_SECONDS, deadline):
                    return
                continue
            remaining = None if deadline is None else max(0.1, deadline - time.monotonic())
            self.stdout.write(
                f"{count} simulated viewers → session {session_id} at {ws_base} (Ctrl-C stops)"
            )
            crowd = Crowd(
                ws_url=f"{ws_base}/ws/sessions/{session_id}/live/",
                origin=origin,
                size=count,
                behaviour=behaviour,
                rng=None if options["seed"] is None else _rng(options["seed"]),
                say=self._say,
            )
            ending = asyncio.run(_run(crowd, remaining))
            if ending == Ending.REFUSED:
                raise CommandError(crowd.reason)
            if ending == Ending.STOPPED or not options["follow"]:
                return
            if self._wait(5.0, deadline):  # the room closed: the next live talk, if any
                return

    def _say(self, line: str) -> None:
        self.stdout.write(f"[viewers] {line}")
        self.stdout.flush()

    def _count(self, raw: str) -> int:
        try:
            count = int(raw)
        except ValueError:
            raise CommandError(ERROR_COUNT.format(max=MAX_VIEWERS, count=repr(raw))) from None
        if not 1 <= count <= MAX_VIEWERS:
            raise CommandError(ERROR_COUNT.format(max=MAX_VIEWERS, count=count))
        return count

    def _addresses(self, url: str) -> tuple[str, str]:
        parts = urlsplit(url.strip().rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CommandError(ERROR_URL.format(url=url))
        origin = f"{parts.scheme}://{parts.netloc}"
        return origin, f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"

    def _resolve(self, value: str, *, follow: bool) -> int | None:
        if value == "live":
            session = demo_live_session()
            if session is None:
                if follow:
                    self._say(f"{ERROR_NO_LIVE} Looking again in {FOLLOW_WAIT_SECONDS:g} s.")
                    return None
                raise CommandError(ERROR_NO_LIVE)
            return session.pk
        if not value.isdigit():
            raise CommandError(ERROR_SESSION.format(value=value))
        info = room_info(session_id=int(value))
        if info is None:
            raise CommandError(ERROR_NO_SESSION.format(id=value))
        phase = info.phase(timezone.now())
        if not info.is_open(timezone.now()):
            live = demo_live_session()
            raise CommandError(
                ERROR_NOT_OPEN.format(id=value, phase=phase, live=live.pk if live else "none")
            )
        return info.session_id

    def _wait(self, seconds: float, deadline: float | None) -> bool:
        """Sleep; True when the duration ran out meanwhile."""
        if deadline is not None:
            seconds = min(seconds, deadline - time.monotonic())
            if seconds <= 0:
                return True
        try:
            time.sleep(seconds)
        except KeyboardInterrupt:
            return True
        return deadline is not None and time.monotonic() >= deadline


def _rng(seed: int) -> Any:
    import random

    return random.Random(seed)  # noqa: S311 - simulated people, not secrets


async def _run(crowd: Crowd, duration: float | None) -> Ending:
    """Run the crowd; SIGINT and SIGTERM make every viewer leave cleanly (close frames sent),
    so the room's count drops at once instead of after the ghost timeout."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, crowd.finish, Ending.STOPPED, "asked to stop")
    try:
        return await crowd.run(duration)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
