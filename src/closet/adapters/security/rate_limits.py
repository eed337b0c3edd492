"""The store behind Litestar's rate limits: Redis in production, never a cause of outage."""

from __future__ import annotations

import logging
from datetime import timedelta

from litestar.stores.base import Store
from redis.exceptions import RedisError

from closet.application.ports.health import Probe

log = logging.getLogger(__name__)
_ERRORS = (RedisError, OSError)


class FailOpenStore(Store):
    """Counters in ``inner``; if it cannot be reached, requests go through unlimited (and it is
    logged, and /ready says so) rather than every request failing. Account lock-out, which
    lives in the database, still stops password guessing meanwhile."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        try:
            await self.inner.set(key, value, expires_in)
        except _ERRORS as exc:
            log.warning("rate-limit store unreachable, not counting: %s", exc)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        try:
            return await self.inner.get(key, renew_for)
        except _ERRORS as exc:
            log.warning("rate-limit store unreachable, not limiting: %s", exc)
            return None

    async def delete(self, key: str) -> None:
        try:
            await self.inner.delete(key)
        except _ERRORS as exc:
            log.warning("rate-limit store unreachable: %s", exc)

    async def delete_all(self) -> None:
        try:
            await self.inner.delete_all()
        except _ERRORS as exc:
            log.warning("rate-limit store unreachable: %s", exc)

    async def exists(self, key: str) -> bool:
        try:
            return await self.inner.exists(key)
        except _ERRORS:
            return False

    async def expires_in(self, key: str) -> int | None:
        try:
            return await self.inner.expires_in(key)
        except _ERRORS:
            return None


class StoreProbe(Probe):
    name = "redis"

    def __init__(self, store: Store) -> None:
        self.store = store

    async def check(self) -> None:
        await self.store.exists("closet:ready-probe")
