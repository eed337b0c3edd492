"""Counters behind the request rate limits."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class RateCounters(Protocol):
    """Hit counts per key and fixed window, shared by every worker that uses the same counters.

    ``hit`` and ``unhit`` are atomic each: two workers counting one key at once both count.
    An adapter that cannot reach its store raises ``CountersUnavailable``.
    """

    @abstractmethod
    async def hit(self, key: str, window: int, window_seconds: int) -> tuple[int, int]:
        """Count one hit of ``key`` in window number ``window``; (this window's count with it,
        the previous window's count)."""

    @abstractmethod
    async def unhit(self, key: str, window: int) -> None:
        """Take back one hit of ``key`` in ``window`` (a refused request does not count)."""


class CountersUnavailable(Exception):
    """The counters' store cannot be reached just now."""
