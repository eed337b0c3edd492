"""Sign-in sessions: a family of rotating refresh tokens, and single-use account tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NewType

from closet.domain.users import UserId

SessionId = NewType("SessionId", uuid.UUID)

REFRESH_LIFETIME = timedelta(days=30)
RESET_LIFETIME = timedelta(minutes=30)
VERIFY_LIFETIME = timedelta(days=7)
DEVICE_MAX = 200


@dataclass(slots=True)
class Session:
    """One signed-in device. Its refresh tokens rotate on every use; presenting one that was
    already used means it was stolen (or replayed), and the whole session is revoked."""

    id: SessionId
    user_id: UserId
    device: str
    created_at: datetime
    last_used_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str | None = None

    @classmethod
    def start(cls, user_id: UserId, device: str | None, now: datetime) -> Session:
        label = " ".join((device or "unknown device").split())[:DEVICE_MAX] or "unknown device"
        return cls(SessionId(uuid.uuid4()), user_id, label, now, now)

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, reason: str, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at, self.revoked_reason = now, reason


@dataclass(frozen=True, slots=True)
class RefreshToken:
    token_hash: str
    session_id: SessionId
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class TokenPurpose(StrEnum):
    RESET_PASSWORD = "reset_password"
    VERIFY_EMAIL = "verify_email"


@dataclass(frozen=True, slots=True)
class AccountToken:
    """A single-use token mailed to the user (reset a password, verify an email)."""

    token_hash: str
    user_id: UserId
    purpose: TokenPurpose
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at
