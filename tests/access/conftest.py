"""Fixtures of the access matrix: the shared world, the moment every test runs at, a fresh
in-process presence store per test."""

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from pytest_django.fixtures import Settings

from lecture_hall.live import backends
from lecture_hall.live.presence import PresenceState
from tests.access.world import NOW, World, build_world


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The world, built once for the module in a transaction rolled back at its end; each
    test's own transaction is a savepoint inside it."""
    from django.test import override_settings

    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            world.sessions = _signed_in_sessions(world)
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _signed_in_sessions(world: World) -> dict[str, str]:
    """A session key per user, signed in once for the module: signing in per test would cost
    a session row and the sign-in limiter's bookkeeping each time."""
    from django.conf import settings

    keys = {}
    for key, user in world.users.items():
        client = Client()
        client.force_login(user)
        keys[key] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


@pytest.fixture(autouse=True)
def _at_now(settings: Settings, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path)
    # The live room's tests talk to the consumer in-process; the in-memory layer is enough.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(scope="module")
def _module_client() -> Client:
    return Client()


@pytest.fixture
def http(_module_client: Client) -> Client:
    """One test client for the module, its cookies cleared for each test: a new client loads
    the middleware again, and WhiteNoise's start-up scan of the static files was most of a
    test's time."""
    _module_client.cookies.clear()
    return _module_client


@pytest.fixture(autouse=True)
def _own_presence(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An empty embedded presence store and, on Redis, keys of this test alone (deleted
    afterwards, never FLUSHALL): a viewer left from another run would hide a new one."""
    prefix = f"accesstest-{uuid.uuid4().hex[:10]}"
    monkeypatch.setattr(backends, "_memory", PresenceState())
    monkeypatch.setenv("LIVE_PRESENCE_PREFIX", prefix)
    yield
    if os.environ.get("REDIS_URL"):
        import redis

        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
