from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from closet.adapters.sql.tables import users
from closet.application.errors import Conflict
from closet.application.ports.users import UserRepository
from closet.domain.users import Role, User, UserId


class SqlUserRepository(UserRepository):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, user: User) -> None:
        try:
            async with self.conn.begin_nested():
                await self.conn.execute(insert(users), [_to_row(user)])
        except IntegrityError:
            raise Conflict("an account with this email already exists") from None

    async def get(self, user_id: UserId) -> User | None:
        row = (await self.conn.execute(select(users).where(users.c.id == user_id))).mappings().first()
        return _from_row(row) if row else None

    async def get_by_email(self, email: str) -> User | None:
        row = (await self.conn.execute(select(users).where(users.c.email == email))).mappings().first()
        return _from_row(row) if row else None


def _to_row(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "password_hash": user.password_hash,
        "roles": sorted(r.value for r in user.roles),
        "verified": user.verified,
        "disabled": user.disabled,
        "settings": dict(user.settings),
        "version": user.version,
        "created_at": user.created_at,
    }


def _from_row(row: RowMapping) -> User:
    return User(
        id=UserId(row["id"]),
        email=row["email"],
        display_name=row["display_name"],
        password_hash=row["password_hash"],
        created_at=row["created_at"],
        roles=frozenset(Role(r) for r in row["roles"]),
        verified=row["verified"],
        disabled=row["disabled"],
        settings=dict(row["settings"]),
        version=row["version"],
    )
