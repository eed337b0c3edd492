from __future__ import annotations

from datetime import datetime

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from closet.adapters.sql.tables import account_tokens, refresh_tokens, sessions
from closet.application.ports.sessions import AccountTokenRepository, SessionRepository
from closet.domain.sessions import AccountToken, RefreshToken, Session, SessionId, TokenPurpose
from closet.domain.users import UserId


def _session(row: RowMapping) -> Session:
    return Session(
        id=SessionId(row["id"]),
        user_id=UserId(row["user_id"]),
        device=row["device"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
        revoked_reason=row["revoked_reason"],
    )


class SqlSessionRepository(SessionRepository):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, session: Session) -> None:
        await self.conn.execute(
            insert(sessions).values(
                id=session.id,
                user_id=session.user_id,
                device=session.device,
                created_at=session.created_at,
                last_used_at=session.last_used_at,
            )
        )

    async def get(self, session_id: SessionId) -> Session | None:
        row = (
            (await self.conn.execute(select(sessions).where(sessions.c.id == session_id))).mappings().first()
        )
        return _session(row) if row else None

    async def save(self, session: Session) -> None:
        await self.conn.execute(
            update(sessions)
            .where(sessions.c.id == session.id)
            .values(
                last_used_at=session.last_used_at,
                revoked_at=session.revoked_at,
                revoked_reason=session.revoked_reason,
            )
        )

    async def active_of(self, user_id: UserId) -> list[Session]:
        query = (
            select(sessions)
            .where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
            .order_by(sessions.c.last_used_at.desc(), sessions.c.id)
        )
        return [_session(r) for r in (await self.conn.execute(query)).mappings()]

    async def revoke_all(
        self, user_id: UserId, reason: str, now: datetime, keep: SessionId | None = None
    ) -> int:
        query = update(sessions).where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
        if keep is not None:
            query = query.where(sessions.c.id != keep)
        result = await self.conn.execute(query.values(revoked_at=now, revoked_reason=reason))
        return int(result.rowcount)

    async def add_token(self, token: RefreshToken) -> None:
        await self.conn.execute(
            insert(refresh_tokens).values(
                token_hash=token.token_hash,
                session_id=token.session_id,
                issued_at=token.issued_at,
                expires_at=token.expires_at,
            )
        )

    async def token(self, token_hash: str) -> RefreshToken | None:
        query = select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)
        row = (await self.conn.execute(query)).mappings().first()
        if row is None:
            return None
        return RefreshToken(
            row["token_hash"],
            SessionId(row["session_id"]),
            row["issued_at"],
            row["expires_at"],
            row["used_at"],
        )

    async def use_token(self, token_hash: str, now: datetime) -> bool:
        result = await self.conn.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.token_hash == token_hash, refresh_tokens.c.used_at.is_(None))
            .values(used_at=now)
        )
        return result.rowcount == 1


class SqlAccountTokenRepository(AccountTokenRepository):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, token: AccountToken) -> None:
        await self.conn.execute(
            insert(account_tokens).values(
                token_hash=token.token_hash,
                user_id=token.user_id,
                purpose=token.purpose.value,
                created_at=token.created_at,
                expires_at=token.expires_at,
            )
        )

    async def get(self, token_hash: str, purpose: TokenPurpose) -> AccountToken | None:
        query = select(account_tokens).where(
            account_tokens.c.token_hash == token_hash, account_tokens.c.purpose == purpose.value
        )
        row = (await self.conn.execute(query)).mappings().first()
        if row is None:
            return None
        return AccountToken(
            row["token_hash"],
            UserId(row["user_id"]),
            TokenPurpose(row["purpose"]),
            row["created_at"],
            row["expires_at"],
            row["used_at"],
        )

    async def use(self, token_hash: str, now: datetime) -> bool:
        result = await self.conn.execute(
            update(account_tokens)
            .where(account_tokens.c.token_hash == token_hash, account_tokens.c.used_at.is_(None))
            .values(used_at=now)
        )
        return result.rowcount == 1

    async def void(self, user_id: UserId, purpose: TokenPurpose, now: datetime) -> None:
        await self.conn.execute(
            update(account_tokens)
            .where(
                account_tokens.c.user_id == user_id,
                account_tokens.c.purpose == purpose.value,
                account_tokens.c.used_at.is_(None),
            )
            .values(used_at=now)
        )
