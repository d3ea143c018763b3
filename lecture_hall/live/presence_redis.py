"""The presence rules of `presence.py` in Redis, as Lua scripts: the truth every ASGI process
shares. Each script runs atomically, so two processes sweeping the same room never close the
same span twice, and only one of them closes a room for good. No Django.

Keys of session 42 (one hash tag, so a cluster keeps them together), all expiring a day after
the last join: live:{42}:conns (hash viewer -> connections), :seen (zset viewer -> last sign of
life), :since (hash viewer -> span start), :gone (zset viewer -> last tab closed), :everyone
(set), :curve (hash second -> count), :meta (hash: peak, closed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lecture_hall.live.presence import (
    GHOST_AFTER_SECONDS,
    RECONNECT_GRACE_SECONDS,
    SWEEP_LIMIT,
    BeatMode,
    Closing,
    JoinResult,
    RoomStats,
    Span,
)

KEY_TTL_SECONDS = 24 * 3600
NAMES = ("conns", "seen", "since", "gone", "everyone", "curve", "meta")

# KEYS: the seven NAMES. ARGV: viewer, now, grace, ghost, ttl, mode ("join" or "beat").
# Returns {accepted (0/1), rejoined (0/1), [viewer, start, left] of a span it closed}.
JOIN = """
local conns, seen, since, gone, everyone, curve, meta = unpack(KEYS)
local v, now = ARGV[1], tonumber(ARGV[2])
local grace, ghost, ttl, mode = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], ARGV[6]
if redis.call('HEXISTS', meta, 'closed') == 1 then return {0, 0} end
if mode == 'beat' and redis.call('HEXISTS', conns, v) == 1 then
  local last = tonumber(redis.call('ZSCORE', seen, v) or ARGV[2])
  if last > now - ghost then
    redis.call('ZADD', seen, ARGV[2], v)
    return {1, 0}
  end
end
local out = {1, 0}
if mode == 'beat' then out[2] = 1 end
local start = redis.call('HGET', since, v)
local gone_at = redis.call('ZSCORE', gone, v)
if gone_at then
  redis.call('ZREM', gone, v)
  if tonumber(gone_at) <= now - grace then
    if start then out[3], out[4], out[5] = v, start, gone_at end
    start = false
  end
elseif redis.call('HEXISTS', conns, v) == 1 then
  local last = redis.call('ZSCORE', seen, v)
  if last and tonumber(last) <= now - ghost then
    if start then out[3], out[4], out[5] = v, start, last end
    redis.call('HDEL', conns, v)
    start = false
  end
end
redis.call('HINCRBY', conns, v, 1)
redis.call('ZADD', seen, ARGV[2], v)
if not start then redis.call('HSET', since, v, ARGV[2]) end
redis.call('SADD', everyone, v)
for i = 1, 5 do redis.call('EXPIRE', KEYS[i], ttl) end
return out
"""

# ARGV: viewer, now.
LEAVE = """
local conns, seen, since, gone = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if redis.call('HEXISTS', conns, ARGV[1]) == 0 then return 0 end
local n = redis.call('HINCRBY', conns, ARGV[1], -1)
if n <= 0 then
  redis.call('HDEL', conns, ARGV[1])
  redis.call('ZADD', gone, ARGV[2], ARGV[1])
  redis.call('ZADD', seen, ARGV[2], ARGV[1])
end
return n
"""

# ARGV: now, grace, ghost, limit. Returns a flat list viewer, start, left, ...
SWEEP = """
local conns, seen, since, gone = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now, grace, ghost, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local out = {}
local expired = redis.call('ZRANGEBYSCORE', gone, '-inf', now - grace,
  'WITHSCORES', 'LIMIT', 0, limit)
for i = 1, #expired, 2 do
  local v, t = expired[i], expired[i + 1]
  local start = redis.call('HGET', since, v)
  if start then out[#out + 1] = v; out[#out + 1] = start; out[#out + 1] = t end
  redis.call('ZREM', gone, v)
  redis.call('HDEL', since, v)
  redis.call('ZREM', seen, v)
end
local stale = redis.call('ZRANGEBYSCORE', seen, '-inf', now - ghost,
  'WITHSCORES', 'LIMIT', 0, limit)
for i = 1, #stale, 2 do
  local v, t = stale[i], stale[i + 1]
  if redis.call('HEXISTS', conns, v) == 1 then
    local start = redis.call('HGET', since, v)
    if start then out[#out + 1] = v; out[#out + 1] = start; out[#out + 1] = t end
    redis.call('HDEL', conns, v)
    redis.call('HDEL', since, v)
  end
  if not redis.call('ZSCORE', gone, v) then redis.call('ZREM', seen, v) end
end
return out
"""

# Returns {count, peak, distinct}.
STATS = """
return {redis.call('HLEN', KEYS[1]), tonumber(redis.call('HGET', KEYS[7], 'peak') or '0'),
        redis.call('SCARD', KEYS[5])}
"""

# ARGV: second, count, ttl.
RECORD = """
redis.call('HSET', KEYS[6], ARGV[1], ARGV[2])
local peak = tonumber(redis.call('HGET', KEYS[7], 'peak') or '0')
if tonumber(ARGV[2]) > peak then redis.call('HSET', KEYS[7], 'peak', ARGV[2]) end
redis.call('EXPIRE', KEYS[6], ARGV[3])
redis.call('EXPIRE', KEYS[7], ARGV[3])
return 1
"""

# ARGV: at, ghost, final ("1"/"0"), ttl. Returns {first, viewer, start, left, ...}.
CLOSE = """
local conns, seen, since, gone, meta = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[7]
local at, ghost = tonumber(ARGV[1]), tonumber(ARGV[2])
local first = 1
if redis.call('HEXISTS', meta, 'closed') == 1 then first = 0 end
local out = {first}
local all = redis.call('HGETALL', since)
for i = 1, #all, 2 do
  local v, start = all[i], tonumber(all[i + 1])
  local left = at
  local g = redis.call('ZSCORE', gone, v)
  if g then
    left = math.min(at, tonumber(g))
  else
    local last = redis.call('ZSCORE', seen, v)
    if last and tonumber(last) <= at - ghost then left = tonumber(last) end
  end
  if left < start then left = start end
  out[#out + 1] = v; out[#out + 1] = all[i + 1]; out[#out + 1] = string.format('%.6f', left)
end
redis.call('DEL', conns, seen, since, gone)
if ARGV[3] == '1' and first == 1 then
  redis.call('HSET', meta, 'closed', ARGV[1])
  redis.call('EXPIRE', meta, ARGV[4])
end
return out
"""


def keys(prefix: str, session_id: int) -> list[str]:
    return [f"{prefix}:{{{session_id}}}:{name}" for name in NAMES]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _spans(flat: Sequence[Any]) -> list[Span]:
    return sorted(
        Span(float(_text(flat[i + 1])), float(_text(flat[i + 2])), _text(flat[i]))
        for i in range(0, len(flat) - 2, 3)
    )


def _join_result(reply: Sequence[Any]) -> JoinResult:
    return JoinResult(
        accepted=bool(int(reply[0])),
        rejoined=bool(int(reply[1])),
        closed=tuple(_spans(reply[2:])),
    )


def _closing(reply: Sequence[Any]) -> Closing:
    return Closing(first=bool(int(reply[0])), spans=tuple(_spans(reply[1:])))


def _num(value: float) -> str:
    return repr(float(value))


class _Rules:
    """Script arguments shared by the asynchronous and the synchronous store."""

    def __init__(
        self,
        *,
        prefix: str = "live",
        grace: float = RECONNECT_GRACE_SECONDS,
        ghost_after: float = GHOST_AFTER_SECONDS,
        sweep_limit: int = SWEEP_LIMIT,
    ) -> None:
        self.prefix = prefix
        self.grace = grace
        self.ghost_after = ghost_after
        self.sweep_limit = sweep_limit

    def _join_args(self, viewer: str, now: float, mode: BeatMode) -> list[str]:
        return [
            viewer,
            _num(now),
            _num(self.grace),
            _num(self.ghost_after),
            str(KEY_TTL_SECONDS),
            mode,
        ]

    def _sweep_args(self, now: float) -> list[str]:
        return [_num(now), _num(self.grace), _num(self.ghost_after), str(self.sweep_limit)]

    def _close_args(self, at: float, final: bool) -> list[str]:
        return [_num(at), _num(self.ghost_after), "1" if final else "0", str(KEY_TTL_SECONDS)]


class RedisPresenceStore(_Rules):
    """The asynchronous store over a `redis.asyncio.Redis` client (one per event loop)."""

    def __init__(self, client: Any, **options: Any) -> None:
        super().__init__(**options)
        self.client = client
        self._join = client.register_script(JOIN)
        self._leave = client.register_script(LEAVE)
        self._sweep = client.register_script(SWEEP)
        self._stats = client.register_script(STATS)
        self._record = client.register_script(RECORD)
        self._close = client.register_script(CLOSE)

    async def join(
        self, session_id: int, viewer: str, now: float, mode: BeatMode = "join"
    ) -> JoinResult:
        reply = await self._join(
            keys=keys(self.prefix, session_id), args=self._join_args(viewer, now, mode)
        )
        return _join_result(reply)

    async def leave(self, session_id: int, viewer: str, now: float) -> None:
        await self._leave(keys=keys(self.prefix, session_id), args=[viewer, _num(now)])

    async def sweep(self, session_id: int, now: float) -> list[Span]:
        reply = await self._sweep(keys=keys(self.prefix, session_id), args=self._sweep_args(now))
        return _spans(reply)

    async def stats(self, session_id: int) -> RoomStats:
        count, peak, distinct = await self._stats(keys=keys(self.prefix, session_id))
        return RoomStats(count=int(count), peak=int(peak), distinct=int(distinct))

    async def record(self, session_id: int, now: float, count: int) -> None:
        await self._record(
            keys=keys(self.prefix, session_id),
            args=[str(int(now)), str(count), str(KEY_TTL_SECONDS)],
        )

    async def close(self, session_id: int, at: float, *, final: bool) -> Closing:
        reply = await self._close(
            keys=keys(self.prefix, session_id), args=self._close_args(at, final)
        )
        return _closing(reply)


class SyncRedisPresenceStore(_Rules):
    """The same scripts over a synchronous `redis.Redis` (pages, the polling fallback, Celery)."""

    def __init__(self, client: Any, **options: Any) -> None:
        super().__init__(**options)
        self.client = client
        self._join = client.register_script(JOIN)
        self._sweep = client.register_script(SWEEP)
        self._stats = client.register_script(STATS)
        self._close = client.register_script(CLOSE)

    def join(self, session_id: int, viewer: str, now: float, mode: BeatMode = "join") -> JoinResult:
        reply = self._join(
            keys=keys(self.prefix, session_id), args=self._join_args(viewer, now, mode)
        )
        return _join_result(reply)

    def sweep(self, session_id: int, now: float) -> list[Span]:
        return _spans(self._sweep(keys=keys(self.prefix, session_id), args=self._sweep_args(now)))

    def stats(self, session_id: int) -> RoomStats:
        count, peak, distinct = self._stats(keys=keys(self.prefix, session_id))
        return RoomStats(count=int(count), peak=int(peak), distinct=int(distinct))

    def curve(self, session_id: int) -> list[tuple[int, int]]:
        raw = self.client.hgetall(keys(self.prefix, session_id)[5])
        return sorted((int(_text(k)), int(_text(v))) for k, v in raw.items())

    def close(self, session_id: int, at: float, *, final: bool) -> Closing:
        return _closing(
            self._close(keys=keys(self.prefix, session_id), args=self._close_args(at, final))
        )

    def forget(self, session_id: int) -> None:
        self.client.delete(*keys(self.prefix, session_id))
