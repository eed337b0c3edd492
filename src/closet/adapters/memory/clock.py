from __future__ import annotations

from datetime import UTC, datetime, timedelta

from closet.application.ports.clock import Clock


class FixedClock(Clock):
    """A clock tests move by hand."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta
