"""Readiness checks: can this process reach what it needs (database, cache, channel layer, broker)?

Each check returns None when fine or raises; `run_checks` turns that into a report that names
what failed and on which backend, never a traceback.
"""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import connections

CONNECT_TIMEOUT_SECONDS = 2.0


def _redacted(url: str) -> str:
    """A URL without its credentials, safe to show in a health report."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def check_database() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    return connections["default"].vendor


def check_cache() -> str:
    backend = str(settings.CACHES["default"]["BACKEND"]).rsplit(".", 2)[-2]
    cache.set("readyz-probe", "1", 10)
    if cache.get("readyz-probe") != "1":
        raise RuntimeError("value written was not read back")
    return backend


def _ping_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS, socket_timeout=CONNECT_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()


def check_channel_layer() -> str:
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if "channels_redis" in backend:
        layer_config: Any = settings.CHANNEL_LAYERS["default"]["CONFIG"]
        for host in layer_config["hosts"]:
            _ping_redis(host["address"] if isinstance(host, dict) else host)
        return "redis"
    return "in-memory"


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        probe = folder / ".readyz"
        probe.write_text("ok")
        probe.unlink()
        return "filesystem"
    if url.startswith(("redis://", "rediss://")):
        _ping_redis(url)
        return "redis"
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=int(CONNECT_TIMEOUT_SECONDS))
    return urlsplit(url).scheme


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "broker": check_broker,
}


def _describe_target(name: str) -> str:
    if name == "database":
        return str(settings.DATABASES["default"]["ENGINE"]).rsplit(".", 1)[-1]
    if name == "broker":
        return _redacted(settings.CELERY_BROKER_URL)
    if settings.REDIS_URL and name in ("cache", "channel_layer"):
        return f"redis {_redacted(settings.REDIS_URL)}"
    return "local"


def run_checks() -> tuple[bool, dict[str, Any]]:
    results: dict[str, Any] = {}
    failed: list[str] = []
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            backend = check()
        except Exception as exc:  # a readiness probe reports every failure, whatever its kind
            target = _describe_target(name)
            results[name] = {"ok": False, "target": target, "error": f"{type(exc).__name__}: {exc}"}
            failed.append(f"{name} ({target})")
        else:
            results[name] = {"ok": True, "backend": backend}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    report: dict[str, Any] = {"status": "ok" if not failed else "unavailable", "checks": results}
    if failed:
        report["failed"] = failed
    return not failed, report
