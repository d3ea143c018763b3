"""Reports how much the schema fuzzing did, after the run's summary."""

import sys

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    fuzz = sys.modules.get("tests.api.test_schema_fuzz")
    if fuzz is None or not fuzz.CALLS:
        return
    roles = ", ".join(f"{role} {count}" for role, count in sorted(fuzz.ROLE_CALLS.items()))
    terminalreporter.write_line(
        f"API fuzzing: {fuzz.CALLS.total()} calls over {len(fuzz.CALLS)} operations ({roles})"
    )
    for mode in ("valid", "invalid"):
        answers = sorted((code, n) for (m, code), n in fuzz.STATUSES.items() if m == mode)
        line = ", ".join(f"{code}: {n}" for code, n in answers)
        terminalreporter.write_line(f"  answers to {mode} requests: {line}")
