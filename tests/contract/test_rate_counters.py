"""The rate-limit counters: memory and Redis answer alike, and Redis counts every worker's hits."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from closet.adapters.security.rate_limits import MemoryRateCounters, RedisRateCounters
from closet.application.ports.rate_limits import CountersUnavailable, RateCounters
from tests.conftest import service_unavailable

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["memory", "redis"])
async def counters(request: pytest.FixtureRequest) -> AsyncIterator[RateCounters]:
    if request.param == "memory":
        yield MemoryRateCounters()
        return
    redis = RedisRateCounters.from_url(REDIS_URL)
    try:
        await redis.client.ping()
    except (RedisError, OSError) as exc:
        await redis.close()
        service_unavailable(f"Redis at {REDIS_URL} is unreachable: {exc}")
    yield redis
    await redis.close()


def fresh_key() -> str:
    return f"test:{uuid.uuid4().hex}"


async def test_hits_count_per_key_and_window(counters: RateCounters) -> None:
    key, other = fresh_key(), fresh_key()
    assert await counters.hit(key, 100, 60) == (1, 0)
    assert await counters.hit(key, 100, 60) == (2, 0)
    assert await counters.hit(other, 100, 60) == (1, 0)
    assert await counters.hit(key, 101, 60) == (1, 2)  # the previous window's count comes along
    await counters.unhit(key, 101)
    assert await counters.hit(key, 101, 60) == (1, 2)


async def test_concurrent_hits_are_all_counted(counters: RateCounters) -> None:
    key = fresh_key()
    await asyncio.gather(*(counters.hit(key, 7, 60) for _ in range(40)))
    assert await counters.hit(key, 7, 60) == (41, 0)


async def test_redis_counters_are_shared_between_clients_and_expire() -> None:
    """Two workers' clients count into one counter; it lives two windows, then goes."""
    first, second = RedisRateCounters.from_url(REDIS_URL), RedisRateCounters.from_url(REDIS_URL)
    try:
        try:
            await first.client.ping()
        except (RedisError, OSError) as exc:
            service_unavailable(f"Redis at {REDIS_URL} is unreachable: {exc}")
        key = fresh_key()
        await asyncio.gather(*(c.hit(key, 5, 60) for c in (first, second) for _ in range(25)))
        assert await first.hit(key, 5, 60) == (51, 0)
        ttl = await first.client.ttl(f"closet:rate:{key}:5")
        assert 60 < ttl <= 121
    finally:
        await first.close()
        await second.close()


async def test_unreachable_redis_raises_counters_unavailable() -> None:
    counters = RedisRateCounters(Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5))
    try:
        with pytest.raises(CountersUnavailable):
            await counters.hit(fresh_key(), 1, 60)
        with pytest.raises(CountersUnavailable):
            await counters.unhit(fresh_key(), 1)
    finally:
        await counters.close()
