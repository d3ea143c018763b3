"""A small progress display for long commands (`seed_demo`): one line per stage.

On a terminal each stage is one line rewritten in place with a carriage return — stage name,
a bar, count/total, percentage and elapsed time; elsewhere (CI logs, a pipe) each stage prints
one line when it ends, so logs hold no control characters. Standard library only; it lives in
`config` so that every app may use it (import-linter checks the apps, not `config`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Protocol


class Stream(Protocol):
    """Where the progress goes: a text file, or anything that writes exactly what it is given."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> None: ...

    def isatty(self) -> bool: ...


BAR_WIDTH = 24
REDRAW_SECONDS = 0.1  # at most ten redraws a second: a bar must not slow the work it shows


class Stage:
    """One stage's counter; `advance()` as items are done. The total may grow on the way."""

    def __init__(self, progress: Progress, name: str, total: int) -> None:
        self.progress = progress
        self.name = name
        self.total = max(total, 0)
        self.done = 0
        self.started = progress.clock()
        self._drawn_at = float("-inf")
        self.summary = ""  # shown after the stage ends, e.g. "3478 events"

    def advance(self, count: int = 1) -> None:
        self.done += count
        self.total = max(self.total, self.done)
        now = self.progress.clock()
        if self.progress.tty and now - self._drawn_at >= REDRAW_SECONDS:
            self._drawn_at = now
            self.progress.write("\r" + self.line(now) + "\033[K")

    def line(self, now: float) -> str:
        share = self.done / self.total if self.total else 1.0
        filled = round(share * BAR_WIDTH)
        bar = "█" * filled + "·" * (BAR_WIDTH - filled)
        width = len(str(self.total))
        text = (
            f"  {self.name:<{self.progress.name_width}} {bar} "
            f"{self.done:>{width}}/{self.total} {share:>4.0%} {now - self.started:5.1f}s"
        )
        return f"{text}  {self.summary}" if self.summary else text


class Progress:
    """Stages with a bar on a terminal, plain lines elsewhere; calling it prints a note."""

    def __init__(
        self,
        stream: Stream,
        *,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        name_width: int = 22,
    ) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.clock = clock
        self.name_width = name_width

    def write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def __call__(self, message: str) -> None:
        """A one-off note, e.g. "2027: already published, left as it is"."""
        self.write(f"  ✓ {message}\n")

    @contextlib.contextmanager
    def stage(self, name: str, total: int) -> Iterator[Stage]:
        stage = Stage(self, name, total)
        if self.tty:
            self.write(stage.line(stage.started))
        try:
            yield stage
        finally:
            end = stage.line(self.clock())
            self.write(f"\r{end}\033[K\n" if self.tty else f"{end}\n")


def quiet() -> Progress:
    """A progress that shows nothing: for callers (tests, other commands) that want no output."""
    import io

    return Progress(io.StringIO(), tty=False)


def stage(
    progress: Callable[[str], None], name: str, total: int
) -> contextlib.AbstractContextManager[Stage]:
    """`progress.stage(...)` when given a Progress; a silent stage for a plain callback (a test's
    `messages.append`), so the seed functions take either."""
    if isinstance(progress, Progress):
        return progress.stage(name, total)
    return quiet().stage(name, total)
