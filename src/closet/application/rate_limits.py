"""Request rate limits: a sliding window over two fixed windows of counters.

The estimate of the requests in the last ``period`` seconds is this window's count plus the
previous window's, weighted by how much of the previous window the sliding one still covers
(the "sliding window counter": two counters per key, one atomic increment per request, no
per-request history). A refused request is taken back, so hammering does not extend the wait.
If the counters cannot be reached, requests go through uncounted (and it is logged): a
counter outage must not take the API down; the account lock-out, kept in the database, still
stops password guessing meanwhile.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from closet.application.ports.clock import Clock
from closet.application.ports.rate_limits import CountersUnavailable, RateCounters

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RatePolicy:
    name: str  # keeps each limit's counters apart
    limit: int  # requests per period
    period: int  # seconds

    def __post_init__(self) -> None:
        if self.limit < 1 or self.period < 1:
            raise ValueError("a rate limit needs a limit and a period of at least 1")


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    remaining: int
    reset_seconds: int  # until the estimate has room again (refused) or the window ends (allowed)


def estimate(current: int, previous: int, elapsed: float, period: int) -> float:
    """Requests in the sliding ``period`` ending now, ``elapsed`` seconds into this window."""
    return current + previous * (1 - elapsed / period)


def seconds_until_room(counted: int, previous: int, elapsed: float, policy: RatePolicy) -> int:
    """Whole seconds (at least 1) until one more request fits, with ``counted`` requests in this
    window and ``previous`` in the one before, ``elapsed`` seconds into this one."""
    free = policy.limit - counted - 1  # what the previous window's weighted share may still be
    if free < 0:  # this window is full: not before the next one
        return max(1, math.ceil(policy.period - elapsed))
    if not previous:
        return 1
    # room once previous * (1 - t / period) <= free, t the time into this window
    t = policy.period * (previous - free) / previous
    return max(1, math.ceil(t - elapsed))


class RateLimiter:
    def __init__(self, counters: RateCounters, clock: Clock) -> None:
        self.counters, self.clock = counters, clock

    async def check(self, policy: RatePolicy, identifier: str) -> RateDecision | None:
        """Count one request of ``identifier`` under ``policy``: None when it cannot be counted."""
        now = self.clock.now().timestamp()
        window, into = divmod(now, policy.period)
        key = f"{policy.name}:{identifier}"
        try:
            current, previous = await self.counters.hit(key, int(window), policy.period)
        except CountersUnavailable as exc:
            log.warning("rate-limit counters unreachable, not counting: %s", exc)
            return None
        used = estimate(current, previous, into, policy.period)
        if used > policy.limit:
            try:
                await self.counters.unhit(key, int(window))
            except CountersUnavailable as exc:
                log.warning("rate-limit counters unreachable: %s", exc)
            wait = seconds_until_room(current - 1, previous, into, policy)
            return RateDecision(False, 0, wait)
        remaining = max(0, math.floor(policy.limit - used))
        reset = max(1, math.ceil(policy.period - into))
        return RateDecision(True, remaining, reset)
