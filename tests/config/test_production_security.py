"""Production settings as deployed: HTTPS only, HSTS, secure cookies, the content security policy,
sign-in limiting behind the proxy and JSON logs. Each test imports the production settings in a
fresh interpreter with the environment docker/.env would give."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from django.conf import settings
import django
django.setup()
from django.test import Client
from django.utils.csp import CSP
names = [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "SESSION_COOKIE_AGE",
    "LANGUAGE_COOKIE_SECURE", "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_CSP", "AXES_ENABLED", "AXES_FAILURE_LIMIT", "AXES_LOCKOUT_PARAMETERS",
    "AXES_BEHIND_PROXY", "AUTHENTICATION_BACKENDS", "MIDDLEWARE", "LOG_FORMAT", "LOGGING",
    "SECRET_KEY_FALLBACKS",
]
values = {name: getattr(settings, name) for name in names}
values["AXES_COOLOFF_SECONDS"] = settings.AXES_COOLOFF_TIME.total_seconds()
client = Client()
plain = client.get("/healthz", HTTP_HOST="learn.example.cn")
redirect = client.get("/calendar/", HTTP_HOST="learn.example.cn")
secure = client.get(
    "/healthz", HTTP_HOST="learn.example.cn", HTTP_X_FORWARDED_PROTO="https"
)
values["responses"] = {
    "healthz_plain": plain.status_code,
    "page_plain": [redirect.status_code, redirect.get("Location")],
    "hsts": secure.get("Strict-Transport-Security"),
    "csp": secure.get("Content-Security-Policy"),
}
print("PROBE" + json.dumps(values, default=str))
"""


def _production(**overrides: str) -> dict[str, Any]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL", "LOG_FORMAT"}
        and not k.startswith(("DJANGO_", "AXES_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "learn.example.cn,.example.org",
            "EMAIL_URL": "smtp+tls://mailer:pw@mail.example.cn:587",
            **overrides,
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (line,) = [x for x in result.stdout.splitlines() if x.startswith("PROBE")]
    values: dict[str, Any] = json.loads(line.removeprefix("PROBE"))
    values["stderr"] = result.stderr
    return values


@pytest.fixture(scope="module")
def production() -> dict[str, Any]:
    return _production()


def test_https_is_required_and_hsts_is_sent(production: dict[str, Any]) -> None:
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    responses = production["responses"]
    assert responses["page_plain"] == [301, "https://learn.example.cn/calendar/"]
    assert responses["healthz_plain"] == 200  # the container health check speaks plain HTTP
    assert responses["hsts"] == "max-age=31536000; includeSubDomains; preload"


def test_cookies_are_secure_http_only_and_same_site(production: dict[str, Any]) -> None:
    for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE"):
        assert production[name] is True, name
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["CSRF_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == production["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert 3600 <= production["SESSION_COOKIE_AGE"] <= 14 * 24 * 3600
    assert production["X_FRAME_OPTIONS"] == "DENY"
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True


def test_the_content_security_policy_allows_no_inline_code(production: dict[str, Any]) -> None:
    csp = production["responses"]["csp"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    # The live room's WebSocket, named for browsers older than CSP Level 3.
    assert directives["connect-src"] == ["'self'", "wss://learn.example.cn", "wss://*.example.org"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in production["MIDDLEWARE"]


def test_sign_in_attempts_are_limited_per_client_behind_the_proxy(
    production: dict[str, Any],
) -> None:
    assert production["AXES_ENABLED"] is True
    assert production["AXES_FAILURE_LIMIT"] == 5
    assert production["AXES_COOLOFF_SECONDS"] == 15 * 60
    assert production["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert production["AXES_BEHIND_PROXY"] is True
    assert production["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert production["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"


def test_logs_are_json_lines_with_request_ids(production: dict[str, Any]) -> None:
    assert production["LOG_FORMAT"] == "json"
    assert production["MIDDLEWARE"][0] == "config.request_id.RequestIdMiddleware"
    console = production["LOGGING"]["handlers"]["console"]
    assert console["formatter"] == "json"
    assert set(console["filters"]) == {"redact_secrets", "request_id"}
    logged = [json.loads(x) for x in production["stderr"].splitlines() if x.startswith("{")]
    access = [x for x in logged if x["logger"] == "platform.request"]
    assert {x["path"] for x in access} >= {"/calendar/"}
    assert all(len(x["request_id"]) == 32 for x in access)


def test_a_bad_log_format_stops_start_up_naming_it() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "LOG_FORMAT": "xml"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "LOG_FORMAT must be json or plain, not 'xml'" in result.stderr


def test_old_keys_while_rotating_are_read_without_stray_spaces() -> None:
    old1, old2 = secrets.token_urlsafe(50), secrets.token_urlsafe(50)
    values = _production(DJANGO_SECRET_KEY_FALLBACKS=f"{old1}, {old2} ,")
    assert values["SECRET_KEY_FALLBACKS"] == [old1, old2]
    assert _production()["SECRET_KEY_FALLBACKS"] == []
