"""With the service URLs set, the platform really uses PostgreSQL and Redis (required in CI)."""

import asyncio

import pytest
from channels.layers import get_channel_layer
from django.core.cache import cache, caches
from django.db import connection

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def test_database_is_postgresql_when_database_url_is_set(database_url: str) -> None:
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        assert int(cursor.fetchone()[0].split(".")[0]) >= 13


def test_channel_layer_is_redis_pubsub_and_delivers(redis_url: str) -> None:
    layer = get_channel_layer()
    assert type(layer).__module__ == "channels_redis.pubsub"
    assert type(layer).__name__ == "RedisPubSubChannelLayer"

    async def round_trip() -> dict[str, str]:
        channel = await layer.new_channel()
        await layer.group_add("readiness-test", channel)
        await layer.group_send("readiness-test", {"type": "probe.message", "text": "你好"})
        message = await asyncio.wait_for(layer.receive(channel), timeout=5)
        await layer.group_discard("readiness-test", channel)
        await layer.flush()
        return message

    assert asyncio.run(round_trip())["text"] == "你好"


def test_cache_is_redis_when_redis_url_is_set(redis_url: str) -> None:
    assert type(caches["default"]).__name__ == "RedisCache"
    cache.set("services-test", "值", 5)
    assert cache.get("services-test") == "值"


def test_celery_broker_is_redis_when_redis_url_is_set(redis_url: str) -> None:
    from config.celery import app

    assert app.conf.broker_url.startswith("redis://")
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
