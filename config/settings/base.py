"""Settings shared by every mode, read from the environment.

With nothing set the platform runs embedded (SQLite, in-memory channel layer, file broker, file
email, local-memory cache); DATABASE_URL, REDIS_URL and CELERY_BROKER_URL switch to real services.
"""

import datetime as dt
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.logging import logging_settings

# Lets admin.ModelAdmin[Model] and friends be subscripted at run time, as the type stubs expect.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CONFIG_DIR = BASE_DIR / "config"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# Where embedded mode keeps its state: SQLite file, broker queue, mail, beat schedule.
VAR_DIR = Path(env.str("PLATFORM_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="embedded-mode-only-not-secret-5b1f0c7e6a2d4e8f9a3b7c1d2e4f6a8b0c2d4e6f",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Where people reach the site: absolute links in calendar feeds and emails use it.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")


def _url_setting(name: str, parse: Any, allowed_schemes: tuple[str, ...]) -> Any:
    """Parse a URL from the environment, stopping start-up with a message naming the variable."""
    raw = env.str(name, default="")
    if not raw:
        return None
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in allowed_schemes:
        raise ImproperlyConfigured(
            f"{name} is malformed: expected a URL starting with one of "
            f"{', '.join(s + '://' for s in allowed_schemes)}, got {raw.split('@')[-1][:60]!r}."
        )
    try:
        return parse(raw)
    except Exception as exc:  # the parser's own errors do not name the variable
        raise ImproperlyConfigured(f"{name} is malformed: {exc}") from exc


# --- Database ------------------------------------------------------------------------------
_db = _url_setting(
    "DATABASE_URL",
    environ.Env.db_url_config,
    ("postgres", "postgresql", "pgsql", "postgis", "sqlite"),
)
if _db is None:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "platform.sqlite3")}
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Measured here (DESIGN.md): WAL + IMMEDIATE transactions + a long busy timeout removed every
    # "database is locked" error with web and worker writing at once.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    _db.setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, broker ---------------------------------------------------
REDIS_URL: str | None = _url_setting("REDIS_URL", str, ("redis", "rediss", "unix"))

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # The Pub/Sub layer: the classic layer failed 1,866 of 2,000 concurrent joins here, and
    # redis-py 8.1's default pool needs raising (DESIGN.md, measured).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "max_connections": 1000, "socket_timeout": None}],
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Celery --------------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = _url_setting(
    "CELERY_BROKER_URL", str, ("redis", "rediss", "amqp", "filesystem")
) or (REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    # The embedded broker (DESIGN.md): one folder shared by web, worker and beat; 0.1 s polling
    # gave ~58 ms latency where the default 1 s gave ~500 ms.
    for _sub in ("queue", "processed", "control"):
        (BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": True,
        "polling_interval": 0.1,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE = {
    "prune-embedded-broker": {
        "task": "config.celery.prune_processed_messages",
        "schedule": 3600.0,
    },
    # Reminders and change notices are rows; this finds what is due and hands it to workers.
    "reminders-dispatch": {
        "task": "events.reminders_dispatch",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Sign-ups whose activation link expired unopened: nobody proved the address, so they go.
    "accounts-purge-pending": {
        "task": "accounts.purge_pending_signups",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
}
# Sign-up and "send the link again" requests from one address per hour (accounts/ratelimit.py).
ACCOUNTS_EMAILS_PER_ADDRESS_PER_HOUR = env.int("ACCOUNTS_EMAILS_PER_ADDRESS_PER_HOUR", default=10)

# --- Email ---------------------------------------------------------------------------------
# Django 6.1's MAILERS (EMAIL_BACKEND and friends are deprecated). EMAIL_URL is parsed by
# django-environ and mapped onto the SMTP backend's options.
_email = _url_setting(
    "EMAIL_URL", environ.Env.email_url_config, ("smtp", "smtps", "smtp+tls", "smtp+ssl")
)
if _email is None:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email["EMAIL_HOST"],
                "port": _email["EMAIL_PORT"],
                "username": _email.get("EMAIL_HOST_USER") or None,
                "password": _email.get("EMAIL_HOST_PASSWORD") or None,
                "use_tls": bool(_email.get("EMAIL_USE_TLS")),
                "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
                "timeout": env.int("EMAIL_TIMEOUT", default=10),
            },
        }
    }
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="全民终身学习 <noreply@localhost>")

# --- Applications --------------------------------------------------------------------------
INSTALLED_APPS = [
    "daphne",  # first, so that runserver serves WebSockets in development
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "scheduling",
    "events",
    "lecture_hall",
]

MIDDLEWARE = [
    # First: it times the whole request, and its id is on every later log line.
    "config.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [CONFIG_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out name and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sign-in attempt limiting (django-axes) -------------------------------------------------
# Five wrong passwords for one name from one address lock that pair out for 15 minutes; the
# same name from elsewhere and other names from the same address are not affected, so nobody
# can lock a colleague out from across the country. A right password resets the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Tries while locked out do not push the end of the lockout further: the page can say when.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# The client's address: REMOTE_ADDR here; production trusts the proxy's X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_BEHIND_PROXY = False
AXES_HTTP_RESPONSE_CODE = 429
# Axes logs its configuration at start-up of every process and command; the lock-outs it
# records still reach the log as warnings.
AXES_VERBOSE = False

# --- Cookies -------------------------------------------------------------------------------
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: pages hand the token over in the form or a data attribute.
CSRF_COOKIE_HTTPONLY = True
# A week: residents keep their reminders and follows without signing in daily, while a staff
# session left open on a shared computer does not last Django's default two weeks.
SESSION_COOKIE_AGE = 7 * 24 * 3600

# --- Content Security Policy ---------------------------------------------------------------
# Enforced everywhere (development and every test too), so an inline script or style attribute
# fails in the browser tests, not in production. No inline scripts or styles at all: every
# script and stylesheet is a file under /static/; JS may still set element.style (CSSOM).
# 'self' covers same-origin ws:/wss: in CSP Level 3 browsers; production names its wss:
# origins as well for older ones.
SECURE_CSP: dict[str, Any] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Language and time ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [CONFIG_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT: Path | None = None  # production collects into a folder (settings/production.py)
STATICFILES_DIRS = [CONFIG_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Embedded mode serves static files straight from the apps (no collectstatic step needed);
# production collects them into STATIC_ROOT with hashed names (settings/production.py).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("PLATFORM_MEDIA_ROOT", default=str(VAR_DIR / "media")))

# --- API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "scheduling.pagination.CheckedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    # The services' errors (Django's ValidationError, PermissionDenied) answered as the API
    # documents them, by every view, also one that forgets the apps' mixins.
    "EXCEPTION_HANDLER": "scheduling.api.base.domain_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lifelong Learning Platform API",
    "DESCRIPTION": "Online Public Lecture Hall and the Learning Week calendar.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Deep links put a link inside each operation's toggle button (axe-core: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    # Several models share status/state names; give each enum one schema name.
    "ENUM_NAME_OVERRIDES": {
        "EventStatusEnum": "events.models.EventStatus",
        "ReviewStatusEnum": "events.models.ReviewStatus",
        "CampaignStateEnum": "scheduling.models.CampaignState",
        "SessionStateEnum": "lecture_hall.models.SessionState",
        "ChangeableEventStatusEnum": "events.serializers.CHANGEABLE_EVENT_STATUSES",
    },
}

# --- Logging -------------------------------------------------------------------------------
# Secret links are redacted, every line carries its request id (config/request_id.py), and
# LOG_FORMAT=json writes one JSON object a line (the default in production).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING_CONFIG = "config.logging.configure"
LOGGING = logging_settings(fmt=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))
