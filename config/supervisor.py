"""A small process supervisor for the one-command run: web (ASGI), Celery worker and beat, and,
with `--live-viewers N`, simulated viewers in the demo's live talk (`simulate_viewers`).

Why not honcho (DESIGN.md, measured): it SIGKILLs Celery after a fixed 5 s, killing running
tasks, and leaves children running when the terminal closes. Here each child runs in its own
session; on Ctrl-C, SIGTERM or SIGHUP the main processes get SIGTERM, have up to 30 s to stop,
and then their whole group is killed; a second Ctrl-C kills at once. If any child dies, the rest
are stopped too, so a half-running platform never pretends to be up. Standard library only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import IO

GRACE_SECONDS = 30.0
MAX_LIVE_VIEWERS = 500  # simulate_viewers' own limit (MAX_VIEWERS); a test keeps them equal
MANAGE_PY = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "manage.py")
COLOURS = ("\033[36m", "\033[33m", "\033[35m", "\033[32m", "\033[34m")
RESET = "\033[0m"


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    process: subprocess.Popen[bytes] | None = None
    threads: list[threading.Thread] = field(default_factory=list)
    # An extra (the simulated viewers): its exit is reported, the platform keeps running.
    optional: bool = False
    reported: bool = False


class Supervisor:
    def __init__(self, children: Sequence[Child], *, grace: float = GRACE_SECONDS) -> None:
        self.children = list(children)
        self.grace = grace
        self.stopping = False
        self.force = False
        self.output_closed = False
        self.width = max(len(c.name) for c in self.children)
        self.lock = threading.Lock()

    # -- output -------------------------------------------------------------------------------
    def say(self, name: str, line: str, colour: str = "") -> None:
        if self.output_closed:
            return
        use_colour = colour and sys.stdout.isatty()
        prefix = (
            f"{colour if use_colour else ''}{name:<{self.width}} |{RESET if use_colour else ''}"
        )
        try:
            with self.lock:
                sys.stdout.write(f"{prefix} {line}\n")
                sys.stdout.flush()
        except (OSError, ValueError):
            # The terminal went away (SIGHUP): keep supervising, stop writing.
            self.output_closed = True

    def _pump(self, child: Child, stream: IO[bytes], colour: str) -> None:
        for raw in iter(stream.readline, b""):
            self.say(child.name, raw.decode("utf-8", "replace").rstrip(), colour)
        stream.close()

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> None:
        for i, child in enumerate(self.children):
            child.process = subprocess.Popen(
                child.argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own group: a terminal's Ctrl-C reaches only us
            )
            colour = COLOURS[i % len(COLOURS)]
            assert child.process.stdout is not None
            thread = threading.Thread(
                target=self._pump, args=(child, child.process.stdout, colour), daemon=True
            )
            thread.start()
            child.threads.append(thread)
            self.say("supervisor", f"started {child.name} (pid {child.process.pid})")

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if signum == signal.SIGHUP:
            self.output_closed = True
        if self.stopping and signum == signal.SIGINT:
            self.force = True
            return
        self.stopping = True

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)

    def _alive(self) -> list[Child]:
        return [c for c in self.children if c.process is not None and c.process.poll() is None]

    def _signal_group(self, child: Child, signum: int) -> None:
        assert child.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.process.pid, signum)

    def stop(self) -> None:
        self.say("supervisor", "stopping: SIGTERM to each service (Ctrl-C again to kill at once)")
        for child in self._alive():
            assert child.process is not None
            with contextlib.suppress(ProcessLookupError):
                child.process.send_signal(signal.SIGTERM)  # the main process only
        deadline = time.monotonic() + self.grace
        while self._alive() and time.monotonic() < deadline and not self.force:
            time.sleep(0.1)
        for child in self._alive():
            self.say("supervisor", f"{child.name} did not stop in time: killing its group")
        # Kill every group, including stray grandchildren of a child that did exit.
        for child in self.children:
            if child.process is not None:
                self._signal_group(child, signal.SIGKILL)
        for child in self.children:
            if child.process is not None:
                child.process.wait()
            for thread in child.threads:
                thread.join(timeout=2)

    def run(self) -> int:
        self.install_signal_handlers()
        self.start()
        exit_code = 0
        while not self.stopping:
            for child in self.children:
                assert child.process is not None
                code = child.process.poll()
                if code is not None and child.optional:
                    if not child.reported:
                        self.say("supervisor", f"{child.name} exited with {code}: the rest go on")
                        child.reported = True
                    continue
                if code is not None:
                    self.say("supervisor", f"{child.name} exited with {code}: stopping the rest")
                    exit_code = code or 1
                    self.stopping = True
                    break
            time.sleep(0.2)
        self.stop()
        self.say("supervisor", "all stopped")
        return exit_code


def platform_children(
    python: str, *, host: str, port: int, var_dir: str, live_viewers: int = 0
) -> list[Child]:
    """The three services of the embedded platform, all on the given interpreter, and the
    simulated viewers when asked for."""
    children = [
        Child(
            "web",
            [
                python, "-m", "uvicorn", "config.asgi:application",
                "--host", host, "--port", str(port),
                "--timeout-graceful-shutdown", "10", "--no-access-log",
                # Live counts are tiny; per-connection zlib state was half a viewer's memory.
                "--ws-per-message-deflate", "false",
            ],
        ),
        Child(
            "worker",
            [
                python, "-m", "celery", "-A", "config", "worker",
                "--loglevel", "INFO", "--concurrency", "2", "--hostname", "worker@%h",
            ],
        ),
        Child(
            "beat",
            [
                python, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
                "--schedule", os.path.join(var_dir, "celerybeat-schedule"),
            ],
        ),
    ]  # fmt: skip
    if live_viewers:
        # --follow: wait for the web server, and move on to the next live talk when one ends;
        # and optional: should the viewers fail anyway, the platform runs on without them.
        client_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
        children.append(
            Child(
                "viewers",
                [
                    python, MANAGE_PY, "simulate_viewers", "live", str(live_viewers),
                    "--url", f"http://{client_host}:{port}", "--follow",
                ],
                optional=True,
            )
        )  # fmt: skip
    return children


def live_viewers_count(raw: str) -> int:
    """argparse type of --live-viewers: a whole number from 1 to MAX_LIVE_VIEWERS."""
    import argparse

    try:
        count = int(raw)
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_LIVE_VIEWERS:
        raise argparse.ArgumentTypeError(
            f"the number of simulated viewers is 1 to {MAX_LIVE_VIEWERS}; got {raw!r}"
        )
    return count


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--var-dir", default=os.environ.get("PLATFORM_VAR_DIR", "var"))
    parser.add_argument(
        "--live-viewers",
        type=live_viewers_count,
        default=0,
        metavar="N",
        help="also run N simulated viewers in the demo's live talk",
    )
    args = parser.parse_args(argv)
    os.makedirs(args.var_dir, exist_ok=True)
    children = platform_children(
        sys.executable,
        host=args.host,
        port=args.port,
        var_dir=args.var_dir,
        live_viewers=args.live_viewers,
    )
    return Supervisor(children).run()


if __name__ == "__main__":
    sys.exit(main())
