"""Logging filters: secrets in URLs (private feed tokens, unsubscribe tokens) never reach logs."""

import logging
import re

SECRET_PATHS = re.compile(r"(/calendar/me/|/unsubscribe/|/reminders/confirm/)[A-Za-z0-9_\-]+")


def redact(text: str) -> str:
    return SECRET_PATHS.sub(r"\1[redacted]", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites a record's message so a secret path segment shows as [redacted]."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        for attr in ("request", "path"):
            value = getattr(record, attr, None)
            if isinstance(value, str):
                setattr(record, attr, redact(value))
        return True
