"""Presence rules, the same for the in-process store and for Redis: tabs and reconnects within
60 s are one viewer and one span; a vanished client is gone within 90 s. Time is passed in."""

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from lecture_hall.live.presence import (
    GHOST_AFTER_SECONDS,
    HEARTBEAT_SECONDS,
    RECONNECT_GRACE_SECONDS,
    MemoryPresenceStore,
    PresenceState,
    PresenceStore,
    Span,
    TokenBucket,
)

T = 1_800_000_000.0
ROOM = 7
ANNA = "user:1"
BO = "device:3f2b5c1e-8d4a-4c6b-9e7f-0a1b2c3d4e5f"

Scenario = Callable[[PresenceStore], Awaitable[Any]]


def run(kind: str, prefix: str, scenario: Scenario) -> Any:
    """Run the scenario against a fresh store of the given kind, in its own event loop."""

    async def main() -> Any:
        if kind == "memory":
            return await scenario(MemoryPresenceStore(PresenceState()))
        import redis.asyncio as aioredis

        from lecture_hall.live.presence_redis import RedisPresenceStore

        client = aioredis.Redis.from_url(os.environ["REDIS_URL"])
        try:
            return await scenario(RedisPresenceStore(client, prefix=prefix))
        finally:
            await client.aclose()

    return asyncio.run(main())


@pytest.fixture
def play(store_kind: str, redis_prefix: str) -> Callable[[Scenario], Any]:
    return lambda scenario: run(store_kind, redis_prefix, scenario)


def test_two_tabs_are_one_viewer_until_the_last_closes(play: Callable[[Scenario], Any]) -> None:
    async def scenario(store: PresenceStore) -> list[Any]:
        await store.join(ROOM, ANNA, T)
        await store.join(ROOM, ANNA, T + 5)  # second tab
        await store.join(ROOM, BO, T + 6)
        counts = [(await store.stats(ROOM)).count]
        await store.leave(ROOM, ANNA, T + 100)
        counts.append((await store.stats(ROOM)).count)
        await store.leave(ROOM, ANNA, T + 200)
        counts.append((await store.stats(ROOM)).count)
        await store.join(ROOM, BO, T + 255, mode="beat")  # Bo keeps watching
        early = await store.sweep(ROOM, T + 200 + RECONNECT_GRACE_SECONDS - 1)
        late = await store.sweep(ROOM, T + 200 + RECONNECT_GRACE_SECONDS)
        return [counts, early, late, (await store.stats(ROOM)).distinct]

    counts, early, late, distinct = play(scenario)
    assert counts == [2, 2, 1]
    assert early == []
    assert late == [Span(T, T + 200, ANNA)]  # one span from the first tab to the last
    assert distinct == 2


def test_reconnect_within_a_minute_continues_the_same_span(
    play: Callable[[Scenario], Any],
) -> None:
    async def scenario(store: PresenceStore) -> list[Any]:
        await store.join(ROOM, BO, T)
        await store.leave(ROOM, BO, T + 100)  # the network dropped
        resumed = await store.join(ROOM, BO, T + 100 + RECONNECT_GRACE_SECONDS - 1)
        count = (await store.stats(ROOM)).count
        await store.leave(ROOM, BO, T + 300)
        spans = await store.sweep(ROOM, T + 300 + RECONNECT_GRACE_SECONDS)
        return [resumed, count, spans]

    resumed, count, spans = play(scenario)
    assert resumed.accepted
    assert resumed.closed == ()
    assert count == 1
    assert spans == [Span(T, T + 300, BO)]


def test_reconnect_after_a_minute_is_a_new_span(play: Callable[[Scenario], Any]) -> None:
    async def scenario(store: PresenceStore) -> list[Any]:
        await store.join(ROOM, BO, T)
        await store.leave(ROOM, BO, T + 100)
        again = await store.join(ROOM, BO, T + 100 + RECONNECT_GRACE_SECONDS + 1)
        await store.leave(ROOM, BO, T + 400)
        later = await store.sweep(ROOM, T + 400 + RECONNECT_GRACE_SECONDS)
        return [again, later, (await store.stats(ROOM)).distinct]

    again, later, distinct = play(scenario)
    assert again.closed == (Span(T, T + 100, BO),)  # closed by the join itself
    assert later == [Span(T + 161, T + 400, BO)]
    assert distinct == 1


def test_a_vanished_client_is_gone_within_90_seconds(play: Callable[[Scenario], Any]) -> None:
    last_beat = T + HEARTBEAT_SECONDS

    async def scenario(store: PresenceStore) -> list[Any]:
        await store.join(ROOM, ANNA, T)
        await store.join(ROOM, BO, T)
        await store.join(ROOM, BO, last_beat, mode="beat")
        await store.join(ROOM, ANNA, last_beat, mode="beat")
        # From here Bo's process is killed: no disconnect, no more heartbeats. Anna beats on.
        seen = []
        now = last_beat
        while now < last_beat + 120:
            now += 1
            if (now - T) % HEARTBEAT_SECONDS == 0:
                await store.join(ROOM, ANNA, now, mode="beat")
            swept = await store.sweep(ROOM, now)
            if swept:
                seen.append((now, swept))
        return [seen, (await store.stats(ROOM)).count]

    seen, count = play(scenario)
    assert len(seen) == 1
    when, spans = seen[0]
    assert when - last_beat == GHOST_AFTER_SECONDS <= 90
    assert spans == [Span(T, last_beat, BO)]  # attendance stops at the last sign of life
    assert count == 1  # Anna, still heartbeating, stays


def test_a_heartbeat_after_being_swept_joins_again(play: Callable[[Scenario], Any]) -> None:
    async def scenario(store: PresenceStore) -> list[Any]:
        await store.join(ROOM, BO, T)
        swept = await store.sweep(ROOM, T + GHOST_AFTER_SECONDS)
        count_after_sweep = (await store.stats(ROOM)).count
        beat = await store.join(ROOM, BO, T + GHOST_AFTER_SECONDS + 5, mode="beat")
        return [swept, count_after_sweep, beat, (await store.stats(ROOM)).count]

    swept, count_after_sweep, beat, count = play(scenario)
    assert swept == [Span(T, T, BO)]
    assert count_after_sweep == 0
    assert beat.accepted
    assert beat.rejoined
    assert count == 1


def test_a_late_heartbeat_of_a_silent_viewer_splits_the_span(
    play: Callable[[Scenario], Any],
) -> None:
    """A laptop asleep for ten minutes did not attend them, even if nobody swept meanwhile."""

    async def scenario(store: PresenceStore) -> Any:
        await store.join(ROOM, BO, T)
        return await store.join(ROOM, BO, T + 600, mode="beat")

    beat = play(scenario)
    assert beat.closed == (Span(T, T, BO),)


def test_peak_and_distinct_viewers(play: Callable[[Scenario], Any]) -> None:
    async def scenario(store: PresenceStore) -> Any:
        for i, viewer in enumerate([ANNA, BO, "user:9"]):
            await store.join(ROOM, viewer, T + i)
            await store.record(ROOM, T + i, (await store.stats(ROOM)).count)
        await store.leave(ROOM, "user:9", T + 10)
        await store.record(ROOM, T + 10, (await store.stats(ROOM)).count)
        return await store.stats(ROOM)

    stats = play(scenario)
    assert (stats.count, stats.peak, stats.distinct) == (2, 3, 3)


def test_closing_a_room_ends_every_span_once_and_refuses_later_joins(
    play: Callable[[Scenario], Any],
) -> None:
    end = T + 3600

    async def scenario(store: PresenceStore) -> list[Any]:
        await store.join(ROOM, ANNA, T)  # still watching at the end
        for beat in range(20, 3600, 20):
            await store.join(ROOM, ANNA, T + beat, mode="beat")
        await store.join(ROOM, BO, T)
        await store.leave(ROOM, BO, end - 30)  # left half a minute early (in the grace)
        await store.join(ROOM, "user:9", T)  # went silent long before the end
        first = await store.close(ROOM, end, final=True)
        second = await store.close(ROOM, end + 1, final=True)
        late = await store.join(ROOM, "user:10", end + 2)
        return [first, second, late, (await store.stats(ROOM)).count]

    first, second, late, count = play(scenario)
    assert first.first
    assert not second.first
    assert sorted(first.spans) == sorted(
        [Span(T, end, ANNA), Span(T, end - 30, BO), Span(T, T, "user:9")]
    )
    assert second.spans == ()
    assert not late.accepted
    assert count == 0


@pytest.mark.services
def test_two_processes_sweeping_one_room_close_each_span_once(
    redis_url: str, redis_prefix: str
) -> None:
    """Each ASGI process sweeps the rooms it serves; the scripts are atomic."""
    import redis.asyncio as aioredis

    from lecture_hall.live.presence_redis import RedisPresenceStore

    async def main() -> list[list[Span]]:
        a = aioredis.Redis.from_url(redis_url)
        b = aioredis.Redis.from_url(redis_url)
        try:
            one = RedisPresenceStore(a, prefix=redis_prefix)
            two = RedisPresenceStore(b, prefix=redis_prefix)
            for i in range(200):
                await one.join(ROOM, f"user:{i + 1}", T)
            now = T + GHOST_AFTER_SECONDS
            return list(await asyncio.gather(one.sweep(ROOM, now), two.sweep(ROOM, now)))
        finally:
            await a.aclose()
            await b.aclose()

    first, second = asyncio.run(main())
    assert len(first) + len(second) == 200
    assert not {s.viewer for s in first} & {s.viewer for s in second}


def test_token_bucket_allows_a_burst_then_the_refill_rate() -> None:
    bucket = TokenBucket(capacity=3, rate=0.5, now=T)
    assert [bucket.take(T) for _ in range(4)] == [True, True, True, False]
    assert not bucket.take(T + 1)  # half a token
    assert bucket.take(T + 2)
