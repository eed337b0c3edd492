from __future__ import annotations

import copy

from closet.adapters.memory.store import MemoryStore
from closet.application.errors import Conflict, StaleVersion
from closet.application.ports.users import UserRepository
from closet.domain.sessions import SessionId
from closet.domain.users import User, UserId


class MemoryUserRepository(UserRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.pending: dict[UserId, User] = {}

    def _all(self) -> dict[UserId, User]:
        return {**self.store.users, **self.pending}

    async def add(self, user: User) -> None:
        if any(u.email == user.email for u in self._all().values()):
            raise Conflict("an account with this email already exists")
        self.pending[user.id] = copy.copy(user)

    async def get(self, user_id: UserId) -> User | None:
        user = self._all().get(user_id)
        return copy.copy(user) if user else None

    async def get_by_email(self, email: str) -> User | None:
        found = next((u for u in self._all().values() if u.email == email), None)
        return copy.copy(found) if found else None

    async def update(self, user: User, expected_version: int) -> None:
        current = await self.get(user.id)
        if current is None or current.version != expected_version:
            raise StaleVersion(expected_version, current.version if current else 0)
        self.pending[user.id] = copy.copy(user)

    async def page(self, after_email: str | None, limit: int) -> list[User]:
        ordered = sorted(self._all().values(), key=lambda u: u.email)
        return [copy.copy(u) for u in ordered if after_email is None or u.email > after_email][:limit]

    async def get_signed_in(self, user_id: UserId, session_id: SessionId) -> User | None:
        user = await self.get(user_id)
        session = self.store.sessions.get(session_id)
        if user is None or user.disabled or session is None or session.user_id != user_id:
            return None
        return user if session.active else None
