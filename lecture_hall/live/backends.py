"""Which presence store this process uses: Redis when REDIS_URL is set (shared by every ASGI
process), else one in-process store (embedded mode: one process, like the in-memory channel
layer). Asynchronous clients are bound to their event loop, so each loop gets its own.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from typing import Any

from django.conf import settings

from lecture_hall.live.presence import (
    MemoryPresenceStore,
    PresenceState,
    PresenceStore,
    SyncPresence,
)
from lecture_hall.live.presence_redis import RedisPresenceStore, SyncRedisPresenceStore

# Bounded pools: a join storm waits for a free connection instead of opening thousands.
ASYNC_POOL_SIZE = 64
SYNC_POOL_SIZE = 16
POOL_WAIT_SECONDS = 20

_memory = PresenceState()
_async_stores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, PresenceStore] = (
    weakref.WeakKeyDictionary()
)
_sync_stores: dict[tuple[str, str], SyncPresence] = {}


def key_prefix() -> str:
    """Redis key prefix: LIVE_PRESENCE_PREFIX (environment or setting), else "live"; two
    deployments, or test runs, sharing one Redis keep apart by it."""
    return os.environ.get("LIVE_PRESENCE_PREFIX") or str(
        getattr(settings, "LIVE_PRESENCE_PREFIX", "live")
    )


def redis_url() -> str | None:
    return getattr(settings, "REDIS_URL", None)


def memory_state() -> PresenceState:
    """The embedded store of this process."""
    return _memory


def presence_store() -> PresenceStore:
    """The store for the running event loop."""
    url = redis_url()
    if not url:
        return MemoryPresenceStore(_memory)
    loop = asyncio.get_running_loop()
    store = _async_stores.get(loop)
    if store is None:
        import redis.asyncio as aioredis

        pool: Any = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=ASYNC_POOL_SIZE, timeout=POOL_WAIT_SECONDS
        )
        store = RedisPresenceStore(aioredis.Redis(connection_pool=pool), prefix=key_prefix())
        _async_stores[loop] = store
    return store


def sync_presence() -> SyncPresence:
    """The store for synchronous code (pages, the polling fallback, Celery tasks)."""
    url = redis_url()
    if not url:
        return _memory
    key = (url, key_prefix())
    store = _sync_stores.get(key)
    if store is None:
        import redis

        pool: Any = redis.BlockingConnectionPool.from_url(
            url, max_connections=SYNC_POOL_SIZE, timeout=POOL_WAIT_SECONDS
        )
        store = _sync_stores[key] = SyncRedisPresenceStore(
            redis.Redis(connection_pool=pool), prefix=key[1]
        )
    return store
