"""The one-command run's supervisor, with real child processes and real signals."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A supervisor over children described on the command line; each child writes its pid to a file
# so the test can check that nothing survives.
RUNNER = textwrap.dedent(
    """
    import sys
    from config.supervisor import Child, Supervisor
    grace = float(sys.argv[1])
    children = [
        Child(f"c{i}", [sys.executable, "-c", code], optional=code.startswith("#optional"))
        for i, code in enumerate(sys.argv[2:])
    ]
    sys.exit(Supervisor(children, grace=grace).run())
    """
)


def child_code(
    pid_file: Path, *, ignore_term: bool = False, exit_after: float | None = None
) -> str:
    lines = [
        "import os, signal, subprocess, sys, time",
        f"open({str(pid_file)!r}, 'a').write(f'{{os.getpid()}}\\n')",
        # A grandchild in the same group: must not outlive the stop either.
        "g = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'])",
        f"open({str(pid_file)!r}, 'a').write(f'{{g.pid}}\\n')",
        "print('ready', flush=True)",
    ]
    if ignore_term:
        lines.append("signal.signal(signal.SIGTERM, signal.SIG_IGN)")
    else:
        lines.append("signal.signal(signal.SIGTERM, lambda *a: (g.terminate(), sys.exit(0)))")
    lines.append(f"time.sleep({exit_after if exit_after is not None else 300})")
    if exit_after is not None:
        lines.append("sys.exit(3)")
    return "\n".join(lines)


def start(tmp_path: Path, grace: float, *codes: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(grace), *codes],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_for_pids(pid_file: Path, count: int, timeout: float = 15) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid_file.exists():
            pids = [int(p) for p in pid_file.read_text().split()]
            if len(pids) >= count:
                return pids
        time.sleep(0.05)
    raise AssertionError(
        f"children did not start: {pid_file.read_text() if pid_file.exists() else ''}"
    )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is dead for our purpose.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_signal_stops_every_child_and_grandchild(tmp_path: Path, signum: int) -> None:
    pids_file = tmp_path / "pids"
    proc = start(tmp_path, 10, child_code(pids_file), child_code(pids_file))
    pids = wait_for_pids(pids_file, 4)
    proc.send_signal(signum)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    if signum != signal.SIGHUP:  # after a hang-up the terminal is gone: nothing more is written
        assert "all stopped" in out
    time.sleep(0.2)
    assert [p for p in pids if alive(p)] == []


def test_child_ignoring_sigterm_is_killed_after_the_grace_period(tmp_path: Path) -> None:
    pids_file = tmp_path / "pids"
    proc = start(tmp_path, 1.5, child_code(pids_file, ignore_term=True))
    pids = wait_for_pids(pids_file, 2)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    assert time.monotonic() - started >= 1.4
    assert "did not stop in time" in out
    time.sleep(0.2)
    assert [p for p in pids if alive(p)] == []


def test_second_ctrl_c_kills_at_once(tmp_path: Path) -> None:
    pids_file = tmp_path / "pids"
    proc = start(tmp_path, 60, child_code(pids_file, ignore_term=True))
    pids = wait_for_pids(pids_file, 2)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=20)
    assert time.monotonic() - started < 5
    time.sleep(0.2)
    assert [p for p in pids if alive(p)] == []


def test_a_dying_child_stops_the_rest_and_the_exit_code_says_so(tmp_path: Path) -> None:
    pids_file = tmp_path / "pids"
    proc = start(tmp_path, 10, child_code(pids_file), child_code(pids_file, exit_after=1))
    pids = wait_for_pids(pids_file, 4)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 3
    assert "c1 exited with 3: stopping the rest" in out
    time.sleep(0.2)
    assert [p for p in pids if alive(p)] == []


def test_an_optional_child_exiting_is_reported_and_the_rest_go_on(tmp_path: Path) -> None:
    """The simulated viewers (`dev.py run --live-viewers N`) failing never stops the platform."""
    pids_file = tmp_path / "pids"
    extra = "#optional\n" + child_code(tmp_path / "extra-pids", exit_after=0.5)
    proc = start(tmp_path, 10, child_code(pids_file), extra)
    (main_pid, _grandchild) = wait_for_pids(pids_file, 2)
    time.sleep(2.5)  # the extra has exited by now
    assert proc.poll() is None
    assert alive(main_pid)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    assert "c1 exited with 3: the rest go on" in out
    assert out.count("c1 exited") == 1
    assert proc.returncode == 0


def test_output_is_prefixed_with_the_child_name(tmp_path: Path) -> None:
    pids_file = tmp_path / "pids"
    proc = start(tmp_path, 10, child_code(pids_file))
    wait_for_pids(pids_file, 2)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    assert any(line.startswith("c0") and line.endswith("ready") for line in out.splitlines())
