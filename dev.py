#!/usr/bin/env python3
"""Set up and run the platform, or its tests, on a fresh machine with nothing but Python.

    python3 dev.py run     set up, load the demo year, run everything at http://127.0.0.1:8000
    python3 dev.py run --live-viewers 40
                           the same, plus 40 simulated viewers coming and going in the live talk
    python3 dev.py test    set up and run the whole test suite (extra arguments go to pytest)
    python3 dev.py setup   only set up (.venv from requirements.lock)

Standard library only, so it runs on whatever python3 the machine has; the platform itself
needs Python 3.12 or newer (Django 6), which this script finds (PATH, then pyenv) or names.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
MIN_PYTHON = (3, 12)
CHROMIUM = "/usr/bin/chromium"
MAX_LIVE_VIEWERS = 500  # config.supervisor's and simulate_viewers' limit; a test keeps them equal


def log(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def fail(message: str) -> None:
    print(f"[dev] error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def python_version(executable: str, env: dict[str, str] | None = None) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [executable, "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
            capture_output=True, text=True, timeout=20, env=env, check=True,
        ).stdout.split()  # fmt: skip
        return int(out[0]), int(out[1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def find_python() -> str:
    """A Python >= 3.12: $PLATFORM_PYTHON, this one, python3.13/3.12 on PATH, then pyenv's."""
    candidates: list[str] = []
    if os.environ.get("PLATFORM_PYTHON"):
        candidates.append(os.environ["PLATFORM_PYTHON"])
    candidates.append(sys.executable)
    for name in ("python3.13", "python3.12"):
        if found := shutil.which(name):
            candidates.append(found)
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    for pattern in ("3.13.*", "3.12.*"):
        candidates += sorted(
            glob.glob(f"{pyenv_root}/versions/{pattern}/bin/python3"), reverse=True
        )
    seen: list[str] = []
    for candidate in candidates:
        version = python_version(candidate)
        seen.append(f"{candidate} -> {'.'.join(map(str, version)) if version else 'not runnable'}")
        if version and version >= MIN_PYTHON:
            return candidate
    fail(
        "the platform needs Python 3.12 or newer (Django 6). Tried:\n  "
        + "\n  ".join(seen)
        + "\nInstall one (e.g. `apt-get install python3.12-venv` or `pyenv install 3.12`), "
        "or point PLATFORM_PYTHON at it."
    )
    raise AssertionError("unreachable")


def venv_python() -> Path:
    return VENV / "bin" / "python"


def setup() -> Path:
    python = venv_python()
    if python.exists() and (python_version(str(python)) or (0, 0)) < MIN_PYTHON:
        log(f"{VENV} uses an old Python; recreating it")
        shutil.rmtree(VENV)
    if not python.exists():
        base = find_python()
        log(f"creating {VENV} with {base}")
        subprocess.run([base, "-m", "venv", str(VENV)], check=True)
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    stamp = VENV / ".lock-sha256"
    if not stamp.exists() or stamp.read_text().strip() != digest:
        log("installing the pinned dependencies (requirements.lock); minutes the first time")
        pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
        subprocess.run(
            [*pip, "install", "--quiet", "--require-hashes", "-r", str(LOCK)], check=True
        )
        stamp.write_text(digest)
    return python


def manage(python: Path, *args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(python), str(ROOT / "manage.py"), *args], check=True, cwd=ROOT, env=env)


def ensure_chromium() -> None:
    """End-to-end tests drive Debian's Chromium; never a browser downloaded at run time."""
    if os.path.exists(CHROMIUM):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing Debian's chromium for the browser tests")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
        return
    fail(f"browser tests need Chromium at {CHROMIUM}: run `sudo apt-get install chromium`.")


def check_live_viewers(args: list[str]) -> None:
    """Refuse a bad --live-viewers before minutes of setup, not after."""
    for i, arg in enumerate(args):
        if arg == "--live-viewers" or arg.startswith("--live-viewers="):
            raw = (
                arg.partition("=")[2] if "=" in arg else (args[i + 1] if i + 1 < len(args) else "")
            )
            if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIVE_VIEWERS:
                fail(
                    f"--live-viewers takes a number of simulated viewers from 1 to "
                    f"{MAX_LIVE_VIEWERS}, e.g. `python3 dev.py run --live-viewers 40`; got {raw!r}"
                )


def port_of(args: list[str]) -> str:
    """The --port the supervisor will listen on (its default is 8000), for the start-up line."""
    for i, arg in enumerate(args):
        if arg.startswith("--port="):
            return arg.partition("=")[2]
        if arg == "--port" and i + 1 < len(args):
            return args[i + 1]
    return "8000"


def run(args: list[str]) -> int:
    check_live_viewers(args)
    python = setup()
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    # Links in emails (written to var/mail/) and in calendar feeds name this server.
    env.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{port_of(args)}")
    manage(python, "migrate", "--noinput", "-v", "0", env=env)
    manage(python, "seed_demo", env=env)
    viewers = " and simulated viewers" if any(a.startswith("--live-viewers") for a in args) else ""
    log(
        f"starting web, worker, beat{viewers}: http://127.0.0.1:{port_of(args)}"
        "  (Ctrl-C stops everything)"
    )
    os.chdir(ROOT)
    # The supervisor takes over this process, so terminal signals reach it directly.
    os.execve(str(python), [str(python), "-m", "config.supervisor", *args], env)  # noqa: S606
    return 0  # not reached: the supervisor replaces this process


def test(args: list[str]) -> int:
    python = setup()
    ensure_chromium()
    os.chdir(ROOT)
    return subprocess.run([str(python), "-m", "pytest", *args], check=False).returncode


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test", "setup"):
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    if command == "setup":
        setup()
        return 0
    return run(rest) if command == "run" else test(rest)


if __name__ == "__main__":
    sys.exit(main())
