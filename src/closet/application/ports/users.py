from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from closet.domain.sessions import SessionId
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

    @abstractmethod
    async def get_signed_in(self, user_id: UserId, session_id: SessionId) -> User | None:
        """The user, if enabled and the session is theirs and not revoked (one look-up: every
        authenticated request asks)."""

    @abstractmethod
    async def update(self, user: User, expected_version: int) -> None:
        """Save ``user``; raises StaleVersion if the stored version is not ``expected_version``."""

    @abstractmethod
    async def page(self, after_email: str | None, limit: int) -> list[User]:
        """Users in email order, after ``after_email`` (administration)."""
