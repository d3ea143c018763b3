"""/healthz and /readyz: up, ready, and naming what is not."""

import json

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: a stopped Redis


def test_healthz_answers_without_touching_services(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_readyz_reports_every_check_ok(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_with_redis_stopped_is_503_naming_redis(
    client: Client, settings: SettingsWrapper
) -> None:
    settings.REDIS_URL = DEAD_REDIS
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": DEAD_REDIS}]},
        }
    }
    settings.CELERY_BROKER_URL = DEAD_REDIS
    response = client.get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True
    for name in ("cache", "channel_layer", "broker"):
        assert body["checks"][name]["ok"] is False
        assert "redis" in body["checks"][name]["target"]
        assert "127.0.0.1:1" in body["checks"][name]["target"]
    assert any("redis" in failed for failed in body["failed"])
    assert "Traceback" not in response.content.decode()


def test_readyz_never_shows_credentials(client: Client, settings: SettingsWrapper) -> None:
    settings.CELERY_BROKER_URL = "redis://user:s3cret@127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "s3cret" not in response.content.decode()


def test_health_endpoints_refuse_writes(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
