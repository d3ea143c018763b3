"""Secret links never reach a log: private feed, unsubscribe and confirm tokens are redacted in
Django's own lines, in every handler (pytest's included), in the servers' access logs (uvicorn
and gunicorn run as docker/compose.yaml runs them), and by nginx's log format."""

import inspect
import io
import ipaddress
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from django.test import Client

from config.logging import REDACTED, SECRET_PATHS, JsonFormatter, redact

ROOT = Path(__file__).resolve().parents[2]
# Shaped like the real ones: secrets.token_urlsafe(16..32), and the feed's base64 HMAC.
FEED_TOKEN = "Zm9vYmFyLXNlY3JldC1mZWVkLXRva2Vu"
REMINDER_TOKEN = "q7Xv_3kPz-9mWcA2bLr5Tn"
ACCOUNT_TOKEN = "cu2f1s-4b1f6d0a9e3c7b2d8f5a1e6c0b9d3f7a"  # Django's "<timestamp>-<hash>" shape
SECRET_URLS = {
    f"/calendar/me/{FEED_TOKEN}.ics": "/calendar/me/[redacted].ics",
    f"/unsubscribe/{REMINDER_TOKEN}/": "/unsubscribe/[redacted]/",
    f"/reminders/confirm/{REMINDER_TOKEN}/": "/reminders/confirm/[redacted]/",
    f"/accounts/activate/MTIz/{ACCOUNT_TOKEN}/": "/accounts/activate/MTIz/[redacted]/",
    f"/accounts/reset/MTIz/{ACCOUNT_TOKEN}/": "/accounts/reset/MTIz/[redacted]/",
}


@pytest.mark.parametrize(("text", "expected"), list(SECRET_URLS.items()))
def test_each_secret_path_is_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Django's resolver speaks of paths without the leading slash.
        (f"calendar/me/{FEED_TOKEN}.ics", "calendar/me/[redacted].ics"),
        # Absolute links (emails, Referer) and query strings.
        (
            f"https://learn.example.cn/unsubscribe/{REMINDER_TOKEN}/?lang=en",
            "https://learn.example.cn/unsubscribe/[redacted]/?lang=en",
        ),
        # A raw access log keeps percent-escapes: the whole segment goes, an escaped slash too.
        ("/calendar/me/%41bc%2Fdef.ics", "/calendar/me/[redacted].ics"),
        (
            f'"GET /reminders/confirm/{REMINDER_TOKEN}/ HTTP/1.1" 404',
            '"GET /reminders/confirm/[redacted]/ HTTP/1.1" 404',
        ),
        # Two in one line.
        (
            f"/unsubscribe/{REMINDER_TOKEN}/ from /calendar/me/{FEED_TOKEN}.ics",
            "/unsubscribe/[redacted]/ from /calendar/me/[redacted].ics",
        ),
    ],
)  # fmt: skip
def test_redaction_covers_the_shapes_a_url_takes_in_logs(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "/calendar/me/",
        "/calendar/me/rotate/",
        "/calendar/me/follow/",
        "/calendar/me/star/12/",
        "/calendar/all.ics",
        "/reminders/new/?event=3",
        "/prefixunsubscribe/abc/",
    ],
)
def test_pages_that_are_not_secrets_stay_readable(text: str) -> None:
    assert redact(text) == text


def _capture_root() -> tuple[logging.Handler, io.StringIO]:
    """A handler of our own on the root logger, with none of the platform's filters."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    return handler, stream


@pytest.mark.django_db
def test_requests_for_secret_links_leave_no_token_in_any_handler(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    handler, stream = _capture_root()
    try:
        with caplog.at_level(logging.DEBUG):
            for url in SECRET_URLS:
                # Unknown tokens: 404 (Django logs them) or the "link has expired" page.
                assert client.get(url).status_code in {200, 404}
            client.post(f"/unsubscribe/{REMINDER_TOKEN}/")
            logging.getLogger("events.anything").warning(
                "a mistake mentioning %s", f"/calendar/me/{FEED_TOKEN}.ics"
            )
    finally:
        logging.getLogger().removeHandler(handler)
    captured = stream.getvalue()
    texts = [captured, caplog.text, *(r.getMessage() for r in caplog.records)]
    for text in texts:
        assert FEED_TOKEN not in text
        assert REMINDER_TOKEN not in text
        assert ACCOUNT_TOKEN not in text
    # The lines are there, redacted: Django's "Not Found" and our access line for each.
    assert "django.request Not Found: /calendar/me/[redacted].ics" in captured
    assert "platform.request GET /unsubscribe/[redacted]/ 404" in captured
    assert "platform.request POST /unsubscribe/[redacted]/ 404" in captured
    assert "platform.request GET /accounts/activate/MTIz/[redacted]/ 200" in captured
    assert "events.anything a mistake mentioning /calendar/me/[redacted].ics" in captured


def test_a_traceback_mentioning_a_token_is_redacted_in_the_json_line() -> None:
    try:
        raise LookupError(f"no feed at /calendar/me/{FEED_TOKEN}.ics")
    except LookupError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert FEED_TOKEN not in line
    assert "/calendar/me/[redacted].ics" in line


# --- The servers as docker/compose.yaml runs them ----------------------------------------------


def _compose_command(service: str) -> list[str]:
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    command = compose["services"][service]["command"]
    assert isinstance(command, list)
    return [str(part) for part in command]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_command(service: str, port: int) -> list[str]:
    """The compose command, on a free local port, run with this interpreter."""
    command = _compose_command(service)
    program, args = command[0], command[1:]
    rebound = []
    for arg in args:
        if arg.startswith("--bind="):
            arg = f"--bind=127.0.0.1:{port}"
        elif arg.startswith("--host="):
            arg = "--host=127.0.0.1"
        elif arg.startswith("--port="):
            arg = f"--port={port}"
        elif arg.startswith("--worker-tmp-dir="):
            continue  # /dev/shm need not exist here
        rebound.append(arg)
    return [sys.executable, "-m", program, *rebound]


@pytest.fixture
def server_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
        and not k.startswith("DJANGO_")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "PLATFORM_VAR_DIR": str(tmp_path),
            "WEB_CONCURRENCY": "1",
            "LOG_FORMAT": "json",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (local server)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def run_server(server_env: dict[str, str]) -> Iterator[object]:
    started: list[subprocess.Popen[str]] = []

    def start(service: str) -> tuple[subprocess.Popen[str], int]:
        port = _free_port()
        process = subprocess.Popen(
            _server_command(service, port),
            cwd=ROOT,
            env=server_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        started.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"{service} exited: {process.stdout.read() if process.stdout else ''}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(f"{service} did not listen on {port}")
        return process, port

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.parametrize("service", ["web", "ws"])
def test_server_logs_as_deployed_hold_no_token(service: str, run_server: object) -> None:
    process, port = run_server(service)  # type: ignore[operator]
    # Paths the resolver refuses before any database work; a real link is logged the same way.
    urls = [
        f"/calendar/me/{FEED_TOKEN}.ics/x",
        f"/unsubscribe/{REMINDER_TOKEN}/x",
        f"/reminders/confirm/{REMINDER_TOKEN}/x",
    ]
    for url in urls:
        assert _get(f"http://127.0.0.1:{port}{url}") == 404
    assert _get(f"http://127.0.0.1:{port}/healthz") == 200
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert FEED_TOKEN not in output
    assert REMINDER_TOKEN not in output
    lines = [line for line in output.splitlines() if line.startswith("{")]
    paths = {re.sub(r"\s+", " ", line) for line in lines if '"logger": "platform.request"' in line}
    assert len(paths) >= 3, output
    assert any('"path": "/unsubscribe/[redacted]/x"' in line for line in paths), output
    if service == "ws":
        # uvicorn's own access lines go through the platform's handler: JSON and redacted.
        access = [line for line in lines if '"logger": "uvicorn.access"' in line]
        assert any("/calendar/me/[redacted].ics/x" in line for line in access), output
    else:
        # gunicorn writes no access log of its own: only the platform's lines name requests.
        assert not [line for line in output.splitlines() if "GET /" in line and "{" not in line]


# --- nginx (docker/nginx.conf): the same redaction, in its own regex dialect ---------------------


def _nginx_maps() -> dict[str, tuple[re.Pattern[str], str]]:
    conf = (ROOT / "docker" / "nginx.conf").read_text()
    maps = {}
    for source, target, body in re.findall(r"map (\$\w+) (\$\w+) \{(.*?)\n    \}", conf, re.S):
        rule = re.search(r'"~(.*?)" "(.*?)";', body)
        if rule is None:
            continue
        pattern = re.sub(r"\(\?<(\w+)>", r"(?P<\1>", rule[1])  # PCRE -> Python named groups
        replacement = re.sub(r"\$\{(\w+)\}", r"\\g<\1>", rule[2])
        maps[f"{source}->{target}"] = (re.compile(pattern), replacement)
    return maps


def _nginx_apply(mapping: tuple[re.Pattern[str], str], value: str) -> str:
    pattern, replacement = mapping
    match = pattern.match(value)
    return match.expand(replacement) if match else value


def test_nginx_logs_the_request_and_referer_redacted_with_the_request_id() -> None:
    maps = _nginx_maps()
    uri = maps["$request_uri->$loggable_uri"]
    referer = maps["$http_referer->$loggable_referer"]
    for secret, expected in SECRET_URLS.items():
        assert _nginx_apply(uri, secret + "?x=1") == expected + "?x=1"
        assert _nginx_apply(referer, "https://learn.example.cn" + secret) == (
            "https://learn.example.cn" + expected
        )
    for page in ("/calendar/me/", "/calendar/me/rotate/", "/calendar/all.ics", "/",
                 "/accounts/reset/MTIz/set-password/"):  # fmt: skip
        assert _nginx_apply(uri, page) == page
    conf = (ROOT / "docker" / "nginx.conf").read_text()
    log_format = re.search(r"log_format main (.*?);", conf, re.S)
    assert log_format is not None
    assert "$loggable_uri" in log_format[1]
    assert "$loggable_referer" in log_format[1]
    assert "$request " not in log_format[1]
    assert "$request_uri" not in log_format[1]
    assert "$http_referer" not in log_format[1]
    assert "$request_id" in log_format[1]
    assert conf.count("proxy_set_header X-Request-ID $request_id;") == 2


def test_redaction_pattern_and_nginx_agree_on_what_is_secret() -> None:
    pattern, _ = _nginx_maps()["$request_uri->$loggable_uri"]
    for url in [
        *SECRET_URLS, "/calendar/me/rotate/", "/reminders/new/",
        "/accounts/reset/MTIz/set-password/", "/accounts/signup/",
    ]:  # fmt: skip
        assert bool(pattern.match(url)) == bool(SECRET_PATHS.search(url)), url
    assert REDACTED == "[redacted]"


def test_no_celery_task_takes_a_secret_as_an_argument() -> None:
    # A task's arguments are written to the broker and to the worker's "received" lines; tasks
    # take primary keys, and load what they need (the reminder's email builds its own links).
    import importlib

    from config.celery import app

    for module in ("accounts.tasks", "scheduling.tasks", "events.tasks", "lecture_hall.tasks"):
        importlib.import_module(module)
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert {"events.reminders_send_confirmation", "events.reminders_send_batch"} <= set(ours)
    for name, task in ours.items():
        parameters = inspect.signature(task.run).parameters
        secret = [p for p in parameters if re.search(r"token|secret|password|email", p, re.I)]
        assert secret == [], f"{name} takes {secret}"


def test_nginx_error_log_cannot_write_a_secret_link_and_client_addresses_are_not_forgeable() -> (
    None
):
    """nginx's upstream-error lines quote the raw request line (no map applies there): the
    error log stays at crit. Only the X-Forwarded-For entry the terminator appended is
    believed, and the proxy is published on loopback unless the operator says otherwise."""
    conf = (ROOT / "docker" / "nginx.conf").read_text()
    directives = [
        line.split("#", 1)[0].strip() for line in conf.splitlines() if line.split("#", 1)[0].strip()
    ]
    (error_log,) = [d for d in directives if d.startswith("error_log ")]
    assert error_log.rstrip(";").split()[-1] in {"crit", "alert", "emerg"}
    assert "real_ip_recursive off;" in directives
    assert "real_ip_recursive on;" not in directives
    compose = (ROOT / "docker" / "compose.yaml").read_text()
    assert '"${PROXY_BIND:-127.0.0.1}:8080:80"' in compose


def _access_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if '"logger": "uvicorn.access"' in line]


@pytest.mark.parametrize(
    ("trusted", "logged"),
    [
        # The proxy is this address: the entry it appended is the client, the rest is ignored.
        ("127.0.0.1", "203.0.113.9"),
        # A request from anywhere but the proxy's address: its headers are not believed.
        ("172.28.0.80", "127.0.0.1"),
    ],
)
def test_ws_server_believes_forwarded_addresses_only_from_the_proxy(
    trusted: str, logged: str, server_env: dict[str, str], run_server: object
) -> None:
    server_env["FORWARDED_ALLOW_IPS"] = trusted
    process, port = run_server("ws")  # type: ignore[operator]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz",
        headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.9"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local server)
        assert response.status == 200
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    (line,) = [line for line in _access_lines(output) if "/healthz" in line]
    assert f"{logged}:" in line, line
    assert "198.51.100.7" not in line


def test_compose_trusts_forwarded_headers_only_from_the_proxy_address() -> None:
    """Not "*": any container on the network could otherwise claim HTTPS or a client address."""
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    trusted = compose["x-app"]["environment"]["FORWARDED_ALLOW_IPS"]
    proxy = compose["services"]["proxy"]["networks"]["default"]["ipv4_address"]
    subnet = compose["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert trusted == proxy == "${PROXY_ADDRESS:-172.28.0.80}"
    assert subnet == "${APP_SUBNET:-172.28.0.0/24}"
    default = lambda value: value.split(":-", 1)[1].rstrip("}")  # noqa: E731
    assert ipaddress.ip_address(default(proxy)) in ipaddress.ip_network(default(subnet))
    for service in ("web", "ws"):
        assert compose["services"][service]["environment"]["FORWARDED_ALLOW_IPS"] == trusted
