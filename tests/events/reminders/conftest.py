"""Fixtures of the reminder tests: a real SMTP server (aiosmtpd) the SMTP backend talks to,
and the batches the dispatcher hands to Celery."""

import socket
import threading
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


class Sink:
    """Accepts mail like a server would; `replies` are answered to DATA first (e.g. a 451),
    `refuse` to every DATA while set. Accepted messages are kept, parsed."""

    def __init__(self) -> None:
        self.replies: list[str] = []
        self.refuse: str | None = None
        self.received: list[EmailMessage] = []
        self.attempts = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self._lock:
            self.attempts += 1
            if self.refuse:
                return self.refuse
            if self.replies:
                return self.replies.pop(0)
            message = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(message)
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Sink]:
    """A real SMTP server on a free loopback port, and MAILERS pointed at it."""
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def smtp_down(settings: Any) -> int:
    """MAILERS pointed at a loopback port where nothing listens."""
    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    return port


def handed_out(callbacks: list[Callable[[], object]]) -> list[list[int]]:
    """The key batches that on-commit callbacks would have sent to Celery."""
    batches = []
    for callback in callbacks:
        args = getattr(callback, "args", ())
        if args and isinstance(args[0], list):
            batches.append(list(args[0]))
    return batches


@pytest.fixture
def eager_celery() -> Iterator[None]:
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous
