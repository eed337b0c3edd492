"""Changing a password, the forgotten-password flow, and email verification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from closet.application.accounts.common import AccountKit, audit, load_user, mail_token, save_user
from closet.application.documents import Queued
from closet.application.errors import retries_conflicts, retries_contention
from closet.application.ports.uow import UnitOfWork
from closet.application.secrets import token_hash
from closet.domain.errors import InvalidValue
from closet.domain.sessions import RESET_LIFETIME, VERIFY_LIFETIME, AccountToken, SessionId, TokenPurpose
from closet.domain.users import User, UserId, check_password, normalise_email

BAD_TOKEN = "is not valid: it was used already, has expired, or never existed"


@dataclass(frozen=True, kw_only=True)
class PasswordChange:
    user_id: UserId
    session_id: SessionId
    current_password: str
    new_password: str


class ChangePassword:
    """Needs the current password; signs out every other session."""

    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    async def __call__(self, cmd: PasswordChange) -> None:
        check_password(cmd.new_password, "new_password")
        async with self.uow as uow:
            user = await load_user(uow, cmd.user_id)
        if not await self.kit.hasher.verify(user.password_hash, cmd.current_password):
            raise InvalidValue.of("current_password", "is not your current password")
        new_hash = await self.kit.hasher.hash(cmd.new_password)
        user, queued = await self._store(cmd, new_hash)
        await self.kit.sync.publish(queued)
        self.kit.notifier.password_changed(user.email)

    @retries_conflicts  # the write alone: a retry does not hash the password again
    async def _store(self, cmd: PasswordChange, new_hash: str) -> tuple[User, Queued]:
        now = self.kit.clock.now()
        async with self.uow as uow:
            user = await load_user(uow, cmd.user_id)
            loaded = user.version
            user.change(password_hash=new_hash, failed_logins=0, locked_until=None)
            await save_user(uow, user, loaded)
            await uow.sessions.revoke_all(user.id, "password changed", now, keep=cmd.session_id)
            await uow.account_tokens.void(user.id, TokenPurpose.RESET_PASSWORD, now)
            queued = await audit(self.kit, uow, actor_id=user.id, action="account.password_changed")
            await uow.commit()
        return user, queued


class RequestPasswordReset:
    """Mails a single-use, 30-minute link. The answer never says whether the address is known,
    and neither does its timing: the look-up and everything after it run off the request path."""

    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    async def __call__(self, email: str) -> None:
        self.kit.background.spawn(self._reset(email), "password reset request")

    @retries_contention
    async def _reset(self, email: str) -> None:
        try:
            address = normalise_email(email)
        except InvalidValue:
            return  # the same silence as for an unknown address
        now = self.kit.clock.now()
        async with self.uow as uow:
            user = await uow.users.get_by_email(address)
            if user is None or user.disabled:
                return
            token = await mail_token(uow, user, TokenPurpose.RESET_PASSWORD, RESET_LIFETIME, now)
            queued = await audit(self.kit, uow, actor_id=user.id, action="account.password_reset_requested")
            await uow.commit()
        await self.kit.sync.publish(queued)
        self.kit.notifier.password_reset(user.email, token)


class ResetPassword:
    """Spends a reset token: new password, every session signed out, lock-out cleared."""

    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    async def __call__(self, token: str, new_password: str) -> None:
        check_password(new_password, "new_password")
        now = self.kit.clock.now()
        async with self.uow as uow:
            found = await uow.account_tokens.get(token_hash(token), TokenPurpose.RESET_PASSWORD)
            if found is None or not found.usable(now):
                raise InvalidValue.of("token", BAD_TOKEN)
        new_hash = await self.kit.hasher.hash(new_password)
        user, queued = await self._store(found, new_hash, now)
        await self.kit.sync.publish(queued)
        self.kit.notifier.password_changed(user.email)

    @retries_conflicts  # the write alone: a retry does not hash the password again
    async def _store(self, found: AccountToken, new_hash: str, now: datetime) -> tuple[User, Queued]:
        async with self.uow as uow:
            if not await uow.account_tokens.use(found.token_hash, now):
                raise InvalidValue.of("token", BAD_TOKEN)  # spent by a concurrent request
            user = await load_user(uow, found.user_id)
            loaded = user.version
            user.change(password_hash=new_hash, failed_logins=0, locked_until=None)
            await save_user(uow, user, loaded)
            await uow.sessions.revoke_all(user.id, "password reset", now)
            queued = await audit(self.kit, uow, actor_id=user.id, action="account.password_reset")
            await uow.commit()
        return user, queued


class VerifyEmail:
    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    @retries_contention
    async def __call__(self, token: str) -> None:
        now = self.kit.clock.now()
        async with self.uow as uow:
            found = await uow.account_tokens.get(token_hash(token), TokenPurpose.VERIFY_EMAIL)
            if (
                found is None
                or not found.usable(now)
                or not await uow.account_tokens.use(found.token_hash, now)
            ):
                raise InvalidValue.of("token", BAD_TOKEN)
            user = await load_user(uow, found.user_id)
            loaded = user.version
            if not user.verified:
                user.change(verified=True)
            await save_user(uow, user, loaded)
            queued = await audit(self.kit, uow, actor_id=user.id, action="account.email_verified")
            await uow.commit()
        await self.kit.sync.publish(queued)


class ResendVerification:
    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    @retries_contention
    async def __call__(self, user_id: UserId) -> None:
        async with self.uow as uow:
            user = await load_user(uow, user_id)
            if user.verified:
                return
            token = await mail_token(
                uow, user, TokenPurpose.VERIFY_EMAIL, VERIFY_LIFETIME, self.kit.clock.now()
            )
            await uow.commit()
        self.kit.notifier.verify_email(user.email, token)
