"""What the account use cases share: loading users, saving them, auditing, mailing tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from closet.application.audit import audit_entry
from closet.application.background import Background
from closet.application.documents import DocumentSync, Queued
from closet.application.errors import NotFound
from closet.application.notify import Notifier
from closet.application.ports.clock import Clock
from closet.application.ports.documents import JsonObject
from closet.application.ports.security import PasswordHasher
from closet.application.ports.uow import UnitOfWork
from closet.application.secrets import new_token, recovery_hash, same, token_hash
from closet.domain.sessions import AccountToken, TokenPurpose
from closet.domain.totp import matching_step
from closet.domain.users import User, UserId


@dataclass(frozen=True, kw_only=True)
class AccountKit:
    """The ports most account use cases need, handed over as one."""

    hasher: PasswordHasher
    clock: Clock
    sync: DocumentSync
    notifier: Notifier
    background: Background


async def load_user(uow: UnitOfWork, user_id: UserId) -> User:
    user = await uow.users.get(user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user


async def save_user(uow: UnitOfWork, user: User, loaded_version: int) -> None:
    if user.version != loaded_version:
        await uow.users.update(user, expected_version=loaded_version)


async def save_security_state(uow: UnitOfWork, user: User, before: tuple[object, ...]) -> None:
    """Save log-in bookkeeping if it changed (the version stays: it is not an edit)."""
    if user.security_state != before:
        await uow.users.update(user, expected_version=user.version)


async def audit(
    kit: AccountKit,
    uow: UnitOfWork,
    *,
    actor_id: UserId | None,
    action: str,
    outcome: str = "success",
    resource_id: object | None = None,
    resource_type: str = "user",
    details: JsonObject | None = None,
) -> Queued:
    """Queue an audit entry in this transaction; publish what this returns after the commit."""
    entry = audit_entry(
        kit.clock,
        actor_id=actor_id,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id if resource_id is not None else actor_id,
        outcome=outcome,
        details=details,
    )
    return await kit.sync.queue(uow, audit=[entry])


async def mail_token(
    uow: UnitOfWork, user: User, purpose: TokenPurpose, lifetime: timedelta, now: datetime
) -> str:
    """A new single-use token (older unused ones of the purpose stop working); the raw
    token is returned to be mailed, only its hash is stored."""
    await uow.account_tokens.void(user.id, purpose, now)
    raw = new_token()
    await uow.account_tokens.add(AccountToken(token_hash(raw), user.id, purpose, now, now + lifetime))
    return raw


def spend_second_factor(user: User, code: str | None, recovery_code: str | None, now: datetime) -> str | None:
    """Check and use up a TOTP code (never the same step twice) or a recovery code (each once).

    Returns which factor passed ("totp" or "recovery_code"), or None.
    """
    if user.totp_secret is None:
        return None
    if code:
        step = matching_step(user.totp_secret, code, now, after=user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            return "totp"
    if recovery_code:
        wanted = recovery_hash(recovery_code)
        match = next((h for h in user.recovery_codes if same(h, wanted)), None)
        if match is not None:
            user.recovery_codes = tuple(h for h in user.recovery_codes if h != match)
            return "recovery_code"
    return None
