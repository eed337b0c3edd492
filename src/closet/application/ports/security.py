from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class PasswordHasher(Protocol):
    @abstractmethod
    async def hash(self, password: str) -> str: ...

    @abstractmethod
    async def verify(self, password_hash: str, password: str) -> bool:
        """True when ``password`` matches; never raises for a wrong password."""

    @abstractmethod
    async def dummy_verify(self) -> None:
        """Spend the time a verification takes (so unknown emails cost the same)."""
