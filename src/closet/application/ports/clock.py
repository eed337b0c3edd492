from __future__ import annotations

from abc import abstractmethod
from datetime import date, datetime
from typing import Protocol


class Clock(Protocol):
    @abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""

    def today(self) -> date:
        return self.now().date()
