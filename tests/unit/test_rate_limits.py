"""The sliding-window rate limiter over fixed-window counters, on a clock moved by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from closet.adapters.memory.clock import FixedClock
from closet.adapters.security.rate_limits import MemoryRateCounters
from closet.application.ports.rate_limits import CountersUnavailable
from closet.application.rate_limits import RateLimiter, RatePolicy, estimate, seconds_until_room

WINDOW_START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # a multiple of 60 s since the epoch
POLICY = RatePolicy("api", limit=10, period=60)


def limiter_at(offset_seconds: float) -> tuple[RateLimiter, FixedClock]:
    clock = FixedClock(WINDOW_START + timedelta(seconds=offset_seconds))
    return RateLimiter(MemoryRateCounters(), clock), clock


async def test_allows_up_to_the_limit_then_refuses_with_when_to_retry() -> None:
    limiter, _ = limiter_at(15)
    decisions = [await limiter.check(POLICY, "ann") for _ in range(11)]
    assert all(d is not None for d in decisions)
    assert [d.allowed for d in decisions if d] == [True] * 10 + [False]
    assert [d.remaining for d in decisions if d][:10] == [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    refused = decisions[-1]
    assert refused is not None
    assert refused.reset_seconds == 45  # this window is full: the next one starts in 45 s
    assert decisions[0] is not None and decisions[0].reset_seconds == 45


async def test_identifiers_and_policies_are_counted_apart() -> None:
    limiter, _ = limiter_at(0)
    for _ in range(10):
        await limiter.check(POLICY, "ann")
    ben = await limiter.check(POLICY, "ben")
    other = await limiter.check(RatePolicy("login", 10, 60), "ann")
    assert ben is not None and ben.allowed and other is not None and other.allowed


async def test_refusals_are_not_counted() -> None:
    limiter, clock = limiter_at(0)
    for _ in range(10):
        await limiter.check(POLICY, "ann")
    for _ in range(50):  # hammering while refused
        refused = await limiter.check(POLICY, "ann")
        assert refused is not None and not refused.allowed
    clock.advance(timedelta(seconds=60 + 30))  # half the previous window still weighs: 10 × 0.5
    decisions = [await limiter.check(POLICY, "ann") for _ in range(6)]
    assert [d.allowed for d in decisions if d] == [True] * 5 + [False]


async def test_the_previous_window_weighs_less_as_it_slides_away() -> None:
    limiter, clock = limiter_at(50)
    for _ in range(10):
        await limiter.check(POLICY, "ann")
    clock.advance(timedelta(seconds=10 + 12))  # 12 s into the next window: 10 × 0.8 = 8 still count
    allowed = [await limiter.check(POLICY, "ann") for _ in range(3)]
    assert [d.allowed for d in allowed if d] == [True, True, False]
    refused = allowed[-1]
    assert refused is not None
    # room for one more once 10 × (1 - t/60) <= 10 - 2 - 1, t >= 18 s: 6 s from now
    assert refused.reset_seconds == 6
    clock.advance(timedelta(seconds=6))
    again = await limiter.check(POLICY, "ann")
    assert again is not None and again.allowed


async def test_windows_two_back_are_forgotten() -> None:
    limiter, clock = limiter_at(0)
    for _ in range(10):
        await limiter.check(POLICY, "ann")
    clock.advance(timedelta(seconds=120))
    decisions = [await limiter.check(POLICY, "ann") for _ in range(10)]
    assert all(d is not None and d.allowed for d in decisions)


class DownCounters(MemoryRateCounters):
    async def hit(self, key: str, window: int, window_seconds: int) -> tuple[int, int]:
        raise CountersUnavailable("connection refused")


async def test_unreachable_counters_let_requests_through_uncounted(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RateLimiter(DownCounters(), FixedClock(WINDOW_START))
    assert await limiter.check(POLICY, "ann") is None
    assert "not counting" in caplog.text


def test_the_estimate_and_the_wait() -> None:
    assert estimate(4, 10, 15, 60) == pytest.approx(4 + 7.5)
    assert seconds_until_room(10, 0, 59.5, POLICY) == 1  # never 0
    assert seconds_until_room(3, 0, 10, POLICY) == 1
    assert seconds_until_room(5, 8, 0, POLICY) == 30  # 8 × (1 - t/60) <= 10 - 5 - 1: t >= 30
    assert seconds_until_room(5, 8, 12, POLICY) == 18
