from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from closet.domain.users import User, UserId


class UserRepository(Protocol):
    @abstractmethod
    async def add(self, user: User) -> None:
        """Store a new user; raises Conflict if the email is taken."""

    @abstractmethod
    async def get(self, user_id: UserId) -> User | None: ...

    @abstractmethod
    async def get_by_email(self, email: str) -> User | None:
        """Look up by the normalised email."""
