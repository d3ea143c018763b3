"""Fixtures of the live room's tests: a lecturer and a published session, a clock the test
moves by hand, and the presence store both ways (in-process, and Redis when REDIS_URL is set)."""

import os
import uuid
from collections.abc import Iterator

import pytest

from lecture_hall.live.presence import MemoryPresenceStore, PresenceState
from lecture_hall.models import Lecturer, Session
from tests.factories import LecturerFactory
from tests.lecture_hall.live.factories import T0, published_session


class Clock:
    """Epoch seconds that move only when the test says so."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(T0.timestamp() + 600)  # ten minutes into the talk


@pytest.fixture
def teacher(db: None) -> Lecturer:
    return LecturerFactory(name="王教授")


@pytest.fixture
def talk(teacher: Lecturer) -> Session:
    """Published, 19:00-20:00 on 10 March 2027 (Beijing)."""
    return published_session(teacher)


def _redis_client() -> object:
    import redis

    return redis.Redis.from_url(os.environ["REDIS_URL"])


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test alone, deleted afterwards (never FLUSHALL)."""
    prefix = f"livetest-{uuid.uuid4().hex[:10]}"
    yield prefix
    if os.environ.get("REDIS_URL"):
        client = _redis_client()
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))  # type: ignore[attr-defined]
        if keys:
            client.delete(*keys)  # type: ignore[attr-defined]


@pytest.fixture(params=["memory", "redis"])
def store_kind(request: pytest.FixtureRequest) -> str:
    if request.param == "redis" and not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: the Redis store needs the real service")
    return str(request.param)


@pytest.fixture
def sync_store(store_kind: str, redis_prefix: str) -> object:
    """The synchronous store of each kind."""
    if store_kind == "memory":
        return PresenceState()
    from lecture_hall.live.presence_redis import SyncRedisPresenceStore

    return SyncRedisPresenceStore(_redis_client(), prefix=redis_prefix)


def memory_store() -> MemoryPresenceStore:
    return MemoryPresenceStore(PresenceState())


@pytest.fixture(autouse=True)
def _own_presence(redis_prefix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets an empty embedded store and, on Redis, keys of its own."""
    from lecture_hall.live import backends

    monkeypatch.setattr(backends, "_memory", PresenceState())
    monkeypatch.setenv("LIVE_PRESENCE_PREFIX", redis_prefix)
