"""Sessions and single-use tokens in memory; writes reach the store on commit, like SQL."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime

from closet.adapters.memory.store import MemoryStore
from closet.application.ports.sessions import AccountTokenRepository, SessionRepository
from closet.domain.sessions import AccountToken, RefreshToken, Session, SessionId, TokenPurpose
from closet.domain.users import UserId


class MemorySessionRepository(SessionRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.sessions: dict[SessionId, Session] = {}
        self.tokens: dict[str, RefreshToken] = {}

    def commit(self) -> None:
        self.store.sessions.update(self.sessions)
        self.store.refresh_tokens.update(self.tokens)
        self.sessions.clear()
        self.tokens.clear()

    def _session(self, session_id: SessionId) -> Session | None:
        return self.sessions.get(session_id) or self.store.sessions.get(session_id)

    async def add(self, session: Session) -> None:
        self.sessions[session.id] = copy.copy(session)

    async def get(self, session_id: SessionId) -> Session | None:
        found = self._session(session_id)
        return copy.copy(found) if found else None

    async def save(self, session: Session) -> None:
        self.sessions[session.id] = copy.copy(session)

    async def active_of(self, user_id: UserId) -> list[Session]:
        merged = {**self.store.sessions, **self.sessions}
        mine = [copy.copy(s) for s in merged.values() if s.user_id == user_id and s.active]
        return sorted(mine, key=lambda s: (-s.last_used_at.timestamp(), s.id))

    async def revoke_all(
        self, user_id: UserId, reason: str, now: datetime, keep: SessionId | None = None
    ) -> int:
        victims = [s for s in await self.active_of(user_id) if s.id != keep]
        for session in victims:
            session.revoke(reason, now)
            self.sessions[session.id] = session
        return len(victims)

    async def add_token(self, token: RefreshToken) -> None:
        self.tokens[token.token_hash] = token

    async def token(self, token_hash: str) -> RefreshToken | None:
        return self.tokens.get(token_hash) or self.store.refresh_tokens.get(token_hash)

    async def use_token(self, token_hash: str, now: datetime) -> bool:
        token = await self.token(token_hash)
        if token is None or token.used_at is not None:
            return False
        self.tokens[token_hash] = replace(token, used_at=now)
        return True


class MemoryAccountTokenRepository(AccountTokenRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.pending: dict[str, AccountToken] = {}

    def commit(self) -> None:
        self.store.account_tokens.update(self.pending)
        self.pending.clear()

    async def add(self, token: AccountToken) -> None:
        self.pending[token.token_hash] = token

    async def get(self, token_hash: str, purpose: TokenPurpose) -> AccountToken | None:
        token = self.pending.get(token_hash) or self.store.account_tokens.get(token_hash)
        return token if token is not None and token.purpose is purpose else None

    async def use(self, token_hash: str, now: datetime) -> bool:
        token = self.pending.get(token_hash) or self.store.account_tokens.get(token_hash)
        if token is None or token.used_at is not None:
            return False
        self.pending[token_hash] = replace(token, used_at=now)
        return True

    async def void(self, user_id: UserId, purpose: TokenPurpose, now: datetime) -> None:
        merged = {**self.store.account_tokens, **self.pending}
        for key, token in merged.items():
            if token.user_id == user_id and token.purpose is purpose and token.used_at is None:
                self.pending[key] = replace(token, used_at=now)
