from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol

from closet.domain.sessions import AccountToken, RefreshToken, Session, SessionId, TokenPurpose
from closet.domain.users import UserId


class SessionRepository(Protocol):
    @abstractmethod
    async def add(self, session: Session) -> None: ...

    @abstractmethod
    async def get(self, session_id: SessionId) -> Session | None: ...

    @abstractmethod
    async def save(self, session: Session) -> None:
        """Store last use and revocation."""

    @abstractmethod
    async def active_of(self, user_id: UserId) -> list[Session]:
        """The user's sessions not revoked, most recently used first."""

    @abstractmethod
    async def revoke_all(
        self, user_id: UserId, reason: str, now: datetime, keep: SessionId | None = None
    ) -> int: ...

    @abstractmethod
    async def add_token(self, token: RefreshToken) -> None: ...

    @abstractmethod
    async def token(self, token_hash: str) -> RefreshToken | None: ...

    @abstractmethod
    async def use_token(self, token_hash: str, now: datetime) -> bool:
        """Mark a refresh token used; False if it already was (a concurrent use lost)."""


class AccountTokenRepository(Protocol):
    @abstractmethod
    async def add(self, token: AccountToken) -> None: ...

    @abstractmethod
    async def get(self, token_hash: str, purpose: TokenPurpose) -> AccountToken | None: ...

    @abstractmethod
    async def use(self, token_hash: str, now: datetime) -> bool:
        """Mark used; False if it already was."""

    @abstractmethod
    async def void(self, user_id: UserId, purpose: TokenPurpose, now: datetime) -> None:
        """Make every unused token of this purpose unusable (a newer one supersedes them)."""
