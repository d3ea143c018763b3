"""Production settings: the same environment-driven base, with secrets required and HTTPS on.

Start-up stops with a message naming the variable when a required one is missing.
"""

from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.logging import logging_settings

from .base import *  # noqa: F403
from .base import BASE_DIR, SECURE_CSP, env

DEBUG = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
WHITENOISE_AUTOREFRESH = False


def _required(name: str, hint: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production: {hint}")
    return value


SECRET_KEY = _required(
    "DJANGO_SECRET_KEY", "a long random string, e.g. from `openssl rand -hex 32`."
)
if len(SECRET_KEY) < 50 or "embedded-mode" in SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak for production: use at least 50 random characters."
    )
# Rotating the key: put the old one here (comma-separated) until sessions, password-reset links
# and the private calendar links shown on "My calendar" no longer need it (docs/operations.md).
# Stripped: "old1, old2" must not turn into a key " old2" that matches nothing.
SECRET_KEY_FALLBACKS = [
    key.strip() for key in env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[]) if key.strip()
]
ALLOWED_HOSTS = [
    h.strip()
    for h in _required(
        "DJANGO_ALLOWED_HOSTS", "a comma-separated list of host names, e.g. learn.example.cn"
    ).split(",")
    if h.strip()
]
# Links in emails (reminders, change notices, sign-up) and in calendar feeds are absolute: they
# must name the public site, over HTTPS. By default the first allowed host.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="").strip().rstrip("/")
if not PUBLIC_BASE_URL:
    if ALLOWED_HOSTS[0].startswith(".") or "*" in ALLOWED_HOSTS[0]:
        raise ImproperlyConfigured(
            "PUBLIC_BASE_URL must be set in production when the first of DJANGO_ALLOWED_HOSTS "
            "is a pattern: the site's address for links in emails, e.g. https://learn.example.cn"
        )
    PUBLIC_BASE_URL = f"https://{ALLOWED_HOSTS[0]}"
if urlsplit(PUBLIC_BASE_URL).scheme != "https" or not urlsplit(PUBLIC_BASE_URL).hostname:
    raise ImproperlyConfigured(
        f"PUBLIC_BASE_URL must be the site's https:// address, e.g. https://learn.example.cn; "
        f"got {PUBLIC_BASE_URL!r}"
    )
_required(
    "EMAIL_URL",
    "the SMTP server for reminders and password resets, e.g. smtp+tls://user:pw@mail.example.cn:587",
)
CSRF_TRUSTED_ORIGINS = env.list(
    "DJANGO_CSRF_TRUSTED_ORIGINS", default=[f"https://{h}" for h in ALLOWED_HOSTS]
)

# Behind the reverse proxy in docker/, which terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# WebSockets of the live room: 'self' already covers same-origin wss: in CSP Level 3 browsers;
# naming each host keeps older ones working too ("*" hosts add nothing: 'self' still holds).
SECURE_CSP = {
    **SECURE_CSP,
    "connect-src": [
        *SECURE_CSP["connect-src"],
        *(f"wss://*{h}" if h.startswith(".") else f"wss://{h}" for h in ALLOWED_HOSTS if h != "*"),
    ],
}

# Behind docker/nginx.conf, which appends the client's address to X-Forwarded-For: sign-in
# attempt limiting counts per real client, not per proxy (accounts/lockout.py).
AXES_BEHIND_PROXY = env.bool("AXES_BEHIND_PROXY", default=True)

# One JSON object per line, with the request id, for the log collector (LOG_FORMAT=plain to read
# them by eye).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = logging_settings(fmt=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))
