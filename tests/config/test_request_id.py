"""Request ids and structured logs: every request gets an id (a safe X-Request-ID, or a new one),
the response echoes it, every log line of the request carries it, one access line is written per
request, production writes JSON lines, and a Celery task sent by the request logs the same id."""

import io
import json
import logging
import re
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from accounts.models import User
from config.celery import REQUEST_ID_HEADER
from config.celery import app as platform_app
from config.logging import JsonFormatter, PlainFormatter, RequestIdFilter, request_id_var
from config.request_id import HEADER, RequestIdMiddleware

NEW_ID = re.compile(r"[0-9a-f]{32}")


class Lines:
    """A handler on the root logger formatted as in production (JSON), one dict a line."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(JsonFormatter())
        self.handler.addFilter(RequestIdFilter())
        self.handler.setLevel(logging.DEBUG)

    def all(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def of(self, logger: str) -> list[dict[str, object]]:
        return [line for line in self.all() if line["logger"] == logger]


@pytest.fixture
def lines() -> Iterator[Lines]:
    captured = Lines()
    root = logging.getLogger()
    root.addHandler(captured.handler)
    previous = root.level
    root.setLevel(logging.INFO)
    try:
        yield captured
    finally:
        root.removeHandler(captured.handler)
        root.setLevel(previous)


@pytest.mark.django_db
def test_a_request_without_an_id_gets_a_new_one(client: Client) -> None:
    first = client.get("/healthz")[HEADER]
    second = client.get("/healthz")[HEADER]
    assert NEW_ID.fullmatch(first)
    assert NEW_ID.fullmatch(second)
    assert first != second


@pytest.mark.django_db
def test_a_safe_incoming_id_is_kept_and_echoed(client: Client) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-4f1c.9_A")
    assert response[HEADER] == "nginx-4f1c.9_A"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    [
        "",
        "x" * 65,  # too long
        "abc def",  # spaces
        "abc\r\nX-Injected: 1",  # a forged header or log line
        'abc"}{"level": "CRITICAL',  # a forged JSON field
        "请求",  # not ASCII
        "../../etc/passwd",
    ],
)
def test_an_unsafe_incoming_id_is_replaced(client: Client, bad: str, lines: Lines) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID=bad)
    assert NEW_ID.fullmatch(response[HEADER])
    assert bad not in lines.stream.getvalue() or bad == ""


@pytest.mark.django_db
def test_every_line_of_a_request_carries_its_id_and_one_access_line_is_written(
    client: Client, lines: Lines
) -> None:
    client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-404")
    logged = lines.all()
    assert logged, "the 404 and the access line were logged"
    assert {line["request_id"] for line in logged} == {"req-404"}, logged
    (not_found,) = lines.of("django.request")
    assert not_found["level"] == "WARNING"
    assert "/no-such-page/" in str(not_found["message"])
    (access,) = lines.of("platform.request")
    assert access["message"].startswith("GET /no-such-page/ 404 ")  # type: ignore[union-attr]
    assert (access["method"], access["path"], access["status"]) == ("GET", "/no-such-page/", 404)
    assert isinstance(access["duration_ms"], float)
    assert access["duration_ms"] >= 0
    assert access["user_id"] is None


@pytest.mark.django_db
def test_the_access_line_names_the_signed_in_user(
    client: Client, resident: User, lines: Lines
) -> None:
    client.force_login(resident)
    client.get("/calendar/me/")
    (access,) = lines.of("platform.request")
    assert access["user_id"] == resident.pk
    assert access["path"] == "/calendar/me/"


@pytest.mark.django_db
def test_a_newline_in_the_path_cannot_forge_a_second_plain_log_line(
    client: Client, lines: Lines
) -> None:
    client.get("/nothing%0A2026-01-01 INFO platform.request forged")
    (access,) = lines.of("platform.request")
    assert "\n" not in str(access["message"])
    assert str(access["path"]).startswith("/nothing\\x0a2026-01-01")


@pytest.mark.django_db
def test_static_files_served_fine_are_logged_quietly_and_failures_loudly(
    client: Client, lines: Lines
) -> None:
    assert client.get("/static/css/site.css").status_code == 200
    assert lines.of("platform.request") == []  # DEBUG, below the root's INFO
    client.get("/static/no-such-file.css")
    (missing,) = lines.of("platform.request")
    assert missing["status"] == 404


def test_the_middleware_works_in_async_views_too() -> None:
    import asyncio

    async def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(request_id_var.get() or "")

    middleware = RequestIdMiddleware(view)
    request = RequestFactory().get("/x", HTTP_X_REQUEST_ID="async-1")
    response = asyncio.run(middleware(request))  # type: ignore[arg-type]
    assert response[HEADER] == "async-1"
    assert response.content == b"async-1"
    assert request_id_var.get() is None  # the request's own context, not the caller's


def test_json_lines_parse_and_hold_the_fields_a_collector_needs() -> None:
    token = request_id_var.set("job-7")
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            record = logging.getLogger("events.x").makeRecord(
                "events.x", logging.ERROR, __file__, 1, "sending failed for 提醒 %s", (3,),
                sys.exc_info(), extra={"delivery_id": 3, "obj": object()},
            )  # fmt: skip
        line = JsonFormatter().format(record)
    finally:
        request_id_var.reset(token)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "events.x"
    assert entry["message"] == "sending failed for 提醒 3"
    assert entry["request_id"] == "job-7"
    assert entry["delivery_id"] == 3
    assert "obj" not in entry  # only simple values become fields
    assert "ValueError: boom" in entry["exc_info"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", entry["time"])


def test_plain_lines_show_the_request_id_or_a_dash() -> None:
    fields = {"name": "x", "levelno": 20, "levelname": "INFO", "msg": "hi"}
    assert "[-] hi" in PlainFormatter().format(logging.makeLogRecord(fields))
    token = request_id_var.set("abc")
    try:
        assert "[abc] hi" in PlainFormatter().format(logging.makeLogRecord(fields))
    finally:
        request_id_var.reset(token)


# --- Celery: the id travels with the task --------------------------------------------------------


@pytest.fixture
def celery_app() -> Iterator[Celery]:
    """A real worker (in a thread) on kombu's in-memory broker, with the platform's signals."""
    # No Django fixup: this worker needs no database, and the platform's signals are global.
    app = Celery(
        "request-id-test",
        broker="memory://",
        backend="cache+memory://",
        fixups=[],
        set_as_current=False,
    )
    app.conf.task_always_eager = False
    seen: list[tuple[str | None, str]] = []
    app.conf.seen = seen

    @app.task(name="probe.remember_request_id")
    def remember_request_id(label: str) -> None:
        logging.getLogger("events.reminders.sending").info("sending %s", label)
        seen.append((request_id_var.get(), threading.current_thread().name))

    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        # start_worker makes its app the current *and the default* one (every thread); the
        # platform's shared tasks (delay_on_commit, Django fixup) must resolve to the
        # platform's app again.
        platform_app.set_default()
        platform_app.set_current()


@pytest.mark.django_db  # closing the response closes old database connections, as Django does
def test_a_task_sent_during_a_request_logs_that_request_s_id(
    celery_app: Celery, lines: Lines
) -> None:
    task = celery_app.tasks["probe.remember_request_id"]
    published: list[dict[str, object]] = []

    def view(request: HttpRequest) -> HttpResponse:
        result = task.apply_async(args=["confirmation"])
        published.append({"id": result.id})
        return HttpResponse("ok")

    response = RequestIdMiddleware(view)(RequestFactory().get("/r", HTTP_X_REQUEST_ID="req-42"))
    assert response[HEADER] == "req-42"
    response.close()  # the server is done with it: the id is forgotten
    assert request_id_var.get() is None
    # Outside any request, a task carries no id.
    task.apply_async(args=["nightly"])
    result = celery_app.AsyncResult(str(published[0]["id"]))
    result.get(timeout=20)
    deadline = time.monotonic() + 20
    while len(celery_app.conf.seen) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    seen = celery_app.conf.seen
    assert [request_id for request_id, _thread in seen] == ["req-42", None]
    assert seen[0][1] != threading.current_thread().name  # it ran in the worker, not here
    sending = lines.of("events.reminders.sending")
    assert [(line["message"], line["request_id"]) for line in sending] == [
        ("sending confirmation", "req-42"),
        ("sending nightly", None),
    ]


def test_the_header_is_added_only_when_there_is_a_request_id() -> None:
    from config.celery import add_request_id_header

    headers: dict[str, object] = {}
    add_request_id_header(headers=headers)
    assert headers == {}
    token = request_id_var.set("req-1")
    try:
        add_request_id_header(headers=headers)
    finally:
        request_id_var.reset(token)
    assert headers == {REQUEST_ID_HEADER: "req-1"}
