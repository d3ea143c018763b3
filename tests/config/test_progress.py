"""config.progress: a bar rewritten in place on a terminal, one plain line per stage elsewhere."""

import io
import itertools

from config.progress import Progress, stage


class Clock:
    def __init__(self) -> None:
        self.ticks = itertools.count(step=0.5)

    def __call__(self) -> float:
        return float(next(self.ticks))


def test_progress_on_a_pipe_prints_one_line_per_stage_without_control_characters() -> None:
    out = io.StringIO()
    progress = Progress(out, tty=False, clock=Clock())
    with progress.stage("events", 4) as bar:
        for _ in range(4):
            bar.advance()
        bar.summary = "4 events"
    progress("statistics: already there")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert "events" in lines[0]
    assert "4/4" in lines[0]
    assert "100%" in lines[0]
    assert lines[0].endswith("s  4 events")
    assert lines[1] == "  ✓ statistics: already there"
    assert "\r" not in out.getvalue()
    assert "\033" not in out.getvalue()


def test_progress_on_a_terminal_rewrites_one_line_with_count_share_and_time() -> None:
    out = io.StringIO()
    progress = Progress(out, tty=True, clock=Clock())
    with progress.stage("sessions", 10) as bar:
        for _ in range(5):
            bar.advance()
    text = out.getvalue()
    assert text.count("\n") == 1  # one line, rewritten with carriage returns
    assert text.count("\r") >= 5
    redraws = text.split("\r")
    assert any("5/10" in part and " 50%" in part for part in redraws)
    assert "5/10" in redraws[-1]  # the last state stays on screen
    assert redraws[-1].rstrip("\n").endswith("\033[K")


def test_a_stage_counting_past_its_estimate_grows_its_total() -> None:
    out = io.StringIO()
    with Progress(out, tty=False, clock=Clock()).stage("events", 2) as bar:
        bar.advance(3)
    assert "3/3" in out.getvalue()


def test_stage_of_a_plain_callback_shows_nothing() -> None:
    messages: list[str] = []
    with stage(messages.append, "events", 3) as bar:
        bar.advance(3)
    assert messages == []
