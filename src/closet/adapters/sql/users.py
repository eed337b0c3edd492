from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from closet.adapters.sql.tables import sessions, users
from closet.application.errors import Conflict, StaleVersion
from closet.application.ports.users import UserRepository
from closet.domain.sessions import SessionId
from closet.domain.users import Appearance, Hemisphere, Role, Units, User, UserId, UserSettings

# Every authenticated request runs this: built once, with bound parameters.
SIGNED_IN = (
    select(users)
    .join(sessions, sessions.c.user_id == users.c.id)
    .where(
        users.c.id == bindparam("user_id", type_=users.c.id.type),
        users.c.disabled.is_(False),
        sessions.c.id == bindparam("session_id", type_=sessions.c.id.type),
        sessions.c.revoked_at.is_(None),
    )
)


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

    async def get_signed_in(self, user_id: UserId, session_id: SessionId) -> User | None:
        params = {"user_id": user_id, "session_id": session_id}
        row = (await self.conn.execute(SIGNED_IN, params)).mappings().first()
        return _from_row(row) if row else None

    async def update(self, user: User, expected_version: int) -> None:
        values = _to_row(user)
        del values["id"], values["created_at"]
        result = await self.conn.execute(
            update(users).where(users.c.id == user.id, users.c.version == expected_version).values(values)
        )
        if result.rowcount != 1:
            current = await self.conn.scalar(select(users.c.version).where(users.c.id == user.id))
            raise StaleVersion(expected_version, current or 0)

    async def page(self, after_email: str | None, limit: int) -> list[User]:
        query = select(users).order_by(users.c.email).limit(limit)
        if after_email is not None:
            query = query.where(users.c.email > after_email)
        return [_from_row(r) for r in (await self.conn.execute(query)).mappings()]


def _to_row(user: User) -> dict[str, Any]:
    s = user.settings
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "password_hash": user.password_hash,
        "roles": sorted(r.value for r in user.roles),
        "verified": user.verified,
        "disabled": user.disabled,
        "settings": {
            "default_sort": s.default_sort,
            "notifications": s.notification_map,
            "appearance": s.appearance.value,
            "units": s.units.value,
            "currency": s.currency,
            "hemisphere": s.hemisphere.value,
            "time_zone": s.time_zone,
        },
        "version": user.version,
        "created_at": user.created_at,
        "totp_secret": user.totp_secret,
        "totp_enabled": user.totp_enabled,
        "totp_last_step": user.totp_last_step,
        "recovery_codes": list(user.recovery_codes),
        "failed_logins": user.failed_logins,
        "locked_until": user.locked_until,
    }


def _settings(raw: dict[str, Any]) -> UserSettings:
    """Stored settings; keys missing from older rows take the defaults."""
    default = UserSettings()
    notes = {**default.notification_map, **raw.get("notifications", {})}
    return UserSettings(
        default_sort=raw.get("default_sort", default.default_sort),
        notifications=tuple((k, bool(notes[k])) for k in default.notification_map),
        appearance=Appearance(raw.get("appearance", default.appearance.value)),
        units=Units(raw.get("units", default.units.value)),
        currency=raw.get("currency", default.currency),
        hemisphere=Hemisphere(raw.get("hemisphere", default.hemisphere.value)),
        time_zone=raw.get("time_zone", default.time_zone),
    )


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
        settings=_settings(dict(row["settings"])),
        version=row["version"],
        totp_secret=row["totp_secret"],
        totp_enabled=row["totp_enabled"],
        totp_last_step=row["totp_last_step"],
        recovery_codes=tuple(row["recovery_codes"]),
        failed_logins=row["failed_logins"],
        locked_until=row["locked_until"],
    )
