from __future__ import annotations

from abc import abstractmethod
from datetime import date, datetime
from typing import Protocol

from closet.domain.users import latest_date, local_date


class Clock(Protocol):
    @abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""

    def today(self) -> date:
        """Today in UTC: the server's day, where no user's applies (checking a smart collection's
        relative rules when they are saved)."""
        return self.now().date()

    def today_in(self, zone: str) -> date:
        """Today where the user is (their ``time_zone`` setting, an IANA name)."""
        return local_date(self.now(), zone)

    def latest_today(self) -> date:
        """The newest day that is already today somewhere: the last day a user may give as a day
        that has come (a purchase, a wear) without being in the future."""
        return latest_date(self.now())
