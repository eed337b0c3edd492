"""Rate-limit counters: Redis in production (shared by every worker), memory otherwise."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.exceptions import RedisError

from closet.application.ports.health import Probe
from closet.application.ports.rate_limits import CountersUnavailable, RateCounters

_NAMESPACE = "closet:rate"


class MemoryRateCounters(RateCounters):
    """Per process. Counters of windows older than the previous one are dropped as time moves."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._newest = 0

    async def hit(self, key: str, window: int, window_seconds: int) -> tuple[int, int]:
        if window > self._newest:
            self._newest = window
            self._counts = {k: n for k, n in self._counts.items() if k[1] >= window - 1}
        count = self._counts.get((key, window), 0) + 1
        self._counts[(key, window)] = count
        return count, self._counts.get((key, window - 1), 0)

    async def unhit(self, key: str, window: int) -> None:
        count = self._counts.get((key, window), 0)
        if count > 0:
            self._counts[(key, window)] = count - 1


class RedisRateCounters(RateCounters):
    """One round trip per request: INCR this window's counter, set its expiry (two windows, so
    it can serve as the previous one), read the previous window's."""

    def __init__(self, client: Redis) -> None:
        self.client = client

    @classmethod
    def from_url(cls, url: str) -> RedisRateCounters:
        """Connects on first use."""
        return cls(Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0))

    async def hit(self, key: str, window: int, window_seconds: int) -> tuple[int, int]:
        current = f"{_NAMESPACE}:{key}:{window}"
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.incr(current)
                pipe.expire(current, 2 * window_seconds + 1)
                pipe.get(f"{_NAMESPACE}:{key}:{window - 1}")
                count, _, previous = await pipe.execute()
        except (RedisError, OSError) as exc:
            raise CountersUnavailable(str(exc)) from exc
        return int(count), int(previous or 0)

    async def unhit(self, key: str, window: int) -> None:
        try:
            await self.client.decr(f"{_NAMESPACE}:{key}:{window}")
        except (RedisError, OSError) as exc:
            raise CountersUnavailable(str(exc)) from exc

    async def close(self) -> None:
        await self.client.aclose()


class RedisProbe(Probe):
    name = "redis"

    def __init__(self, counters: RedisRateCounters) -> None:
        self.counters = counters

    async def check(self) -> None:
        await self.counters.client.ping()
