"""Test-wide rules: in CI the PostgreSQL/Redis suites must run (never skip); shared fixtures."""

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SERVICE_VARS = ("DATABASE_URL", "REDIS_URL")

pytest_plugins = ["tests.fixtures"]


def pytest_configure(config: pytest.Config) -> None:
    if IN_CI:
        missing = [name for name in SERVICE_VARS if not os.environ.get(name)]
        if missing:
            raise pytest.UsageError(
                f"CI must test against real services, but {', '.join(missing)} is not set."
            )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failure: the suites that need real services are required."""
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and exitstatus == 0:
        if reporter:
            reporter.write_line(
                f"CI: {skipped} test(s) skipped; every suite must run in CI.", red=True
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
