"""The platform's logging: secrets in URLs never reach a log, every line carries its request id,
and production writes one JSON object per line.

Secret links (private feed `/calendar/me/<token>.ics`, `/unsubscribe/<token>/`,
`/reminders/confirm/<token>/`) are redacted three times over: when a record is created (a log
record factory, so even handlers we do not own, such as pytest's caplog, see only the redacted
text), by a filter on our handler, and in the formatted line itself (tracebacks included).
`configure` is Django's LOGGING_CONFIG and Celery's setup_logging hook.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config
import re
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# The id of the request (or of the Celery task sent by a request) whose work is being logged.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# A secret path segment: after one of the three prefixes, with or without the leading slash
# (Django's resolver messages drop it) and in any encoding (a raw access log keeps %-escapes).
# The page names under /calendar/me/ are not secrets and stay readable.
SECRET_PATHS = re.compile(
    r"(?<![\w-])(calendar/me/|unsubscribe/|reminders/confirm/"
    r"|accounts/(?:activate|reset)/[^/\s?#.\"'<>]+/)"
    r"(?!(?:rotate|follow|star|set-password)/)"
    r"[^/\s?#.\"'<>]+"
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return SECRET_PATHS.sub(rf"\1{REDACTED}", text)


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: let the handler report it as logging always does
        return
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    for attr in ("request_line", "path", "url"):
        value = record.__dict__.get(attr)
        if isinstance(value, str):
            setattr(record, attr, redact(value))


class RedactSecretsFilter(logging.Filter):
    """Rewrites a record so a secret path segment shows as [redacted]."""

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


class RequestIdFilter(logging.Filter):
    """Puts the current request id (None outside a request or task) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(getattr(record, "request_id", None), str):
            record.request_id = request_id_var.get()
        return True


def _record_request_id(record: logging.LogRecord) -> str | None:
    value = getattr(record, "request_id", None)
    return value if isinstance(value, str) else request_id_var.get()


class PlainFormatter(logging.Formatter):
    """Text lines for development: time, level, logger, [request id or -], message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id_text)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id_text = _record_request_id(record) or "-"
        return redact(super().format(record))


# Attributes every LogRecord has; anything else on a record was passed with `extra=`.
_STANDARD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
_OURS = frozenset({"request_id", "request_id_text", "color_message"})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, the record's simple
    `extra` fields (method, path, status, duration_ms, user_id, ...) and the exception, if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _record_request_id(record),
        }
        for key, value in record.__dict__.items():
            if key in _STANDARD_ATTRS or key in entry or key in _OURS or key.startswith("_"):
                continue
            if value is None or isinstance(value, str | int | float | bool):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return redact(json.dumps(entry, ensure_ascii=False, default=str))


_base_factory = logging.getLogRecordFactory()


def _redacting_record_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    _redact_record(record)
    return record


def configure(config: dict[str, Any]) -> None:
    """Apply a dictConfig and make every record redacted from birth (Django's LOGGING_CONFIG)."""
    logging.config.dictConfig(config)
    if logging.getLogRecordFactory() is not _redacting_record_factory:
        logging.setLogRecordFactory(_redacting_record_factory)


def logging_settings(*, fmt: str, level: str) -> dict[str, Any]:
    """The LOGGING dict for settings: `fmt` is "json" or "plain"."""
    if fmt not in {"json", "plain"}:
        raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {fmt!r}.")
    # Servers' own loggers go through the same handler: their lines are redacted and formatted
    # like ours once Django has started in that process.
    server_loggers = ("uvicorn", "uvicorn.error", "uvicorn.access", "gunicorn.error")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"()": "config.logging.PlainFormatter"},
            "json": {"()": "config.logging.JsonFormatter"},
        },
        "filters": {
            "redact_secrets": {"()": "config.logging.RedactSecretsFilter"},
            "request_id": {"()": "config.logging.RequestIdFilter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": fmt,
                "filters": ["redact_secrets", "request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own default handlers (console when DEBUG, mail to ADMINS) bypass ours:
            # drop them, so django.* goes through the one redacting handler on the root.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            "django.db.backends": {"level": "WARNING"},
            # Our access log (config.request_id) replaces Django's dev server lines.
            "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            **{
                name: {"handlers": ["console"], "level": "INFO", "propagate": False}
                for name in server_loggers
            },
        },
    }
