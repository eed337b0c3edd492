"""Users: identity, normalised email, roles and preferences."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NewType

from closet.domain.errors import InvalidValue, bounded_text

UserId = NewType("UserId", uuid.UUID)

EMAIL_MAX = 254
DISPLAY_NAME_MAX = 80
PASSWORD_MIN = 12
PASSWORD_MAX = 1024
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


def normalise_email(value: str) -> str:
    """Trimmed and case-folded; the domain part is IDNA-encoded so lookalikes collide."""
    email = value.strip()
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise InvalidValue.of("email", "is not a valid email address")
    local, _, domain = email.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidValue.of("email", "has an invalid domain") from None
    return f"{local.casefold()}@{domain.casefold()}"


def check_password(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise InvalidValue.of("password", f"must be at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise InvalidValue.of("password", f"must be at most {PASSWORD_MAX} characters")
    if not password.strip():
        raise InvalidValue.of("password", "must not be only whitespace")
    return password


def display_name(value: str) -> str:
    name = bounded_text(value, field="display_name", max_len=DISPLAY_NAME_MAX, required=True)
    assert name is not None
    return name


@dataclass(slots=True)
class User:
    id: UserId
    email: str
    display_name: str
    password_hash: str
    created_at: datetime
    roles: frozenset[Role] = frozenset({Role.USER})
    verified: bool = False
    disabled: bool = False
    settings: dict[str, str] = field(default_factory=dict)
    version: int = 1

    @classmethod
    def register(cls, email: str, name: str, password_hash: str, now: datetime) -> User:
        return cls(UserId(uuid.uuid4()), normalise_email(email), display_name(name), password_hash, now)
