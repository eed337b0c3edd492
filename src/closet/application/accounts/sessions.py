"""Logging in, refresh-token rotation with theft detection, logging out, listing sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from closet.application.accounts.common import (
    AccountKit,
    audit,
    load_user,
    save_security_state,
    spend_second_factor,
)
from closet.application.documents import Queued
from closet.application.errors import (
    AuthenticationFailed,
    NotFound,
    SecondFactorRequired,
    retries_conflicts,
)
from closet.application.ports.uow import UnitOfWork
from closet.application.secrets import new_token, token_hash
from closet.domain.errors import InvalidValue
from closet.domain.sessions import REFRESH_LIFETIME, RefreshToken, Session, SessionId
from closet.domain.users import User, UserId, normalise_email

WRONG = "the email or password is wrong"
WRONG_SECOND_FACTOR = "wrong second factor"


@dataclass(frozen=True, kw_only=True)
class Credentials:
    email: str
    password: str
    otp: str | None = None
    recovery_code: str | None = None
    device: str | None = None


@dataclass(frozen=True, slots=True)
class NewSession:
    user: User
    session_id: SessionId
    refresh_token: str
    refresh_expires_at: datetime


async def _open_session(uow: UnitOfWork, user: User, device: str | None, now: datetime) -> NewSession:
    session = Session.start(user.id, device, now)
    await uow.sessions.add(session)
    return await _issue(uow, user, session.id, now)


async def _issue(uow: UnitOfWork, user: User, session_id: SessionId, now: datetime) -> NewSession:
    raw = new_token()
    expires = now + REFRESH_LIFETIME
    await uow.sessions.add_token(RefreshToken(token_hash(raw), session_id, now, expires))
    return NewSession(user, session_id, raw, expires)


class LogIn:
    """Password (and second factor when enabled) → a new session.

    Every failure looks the same to the caller; repeated failures lock the account for a
    while (progressively, capped); every attempt is audited.
    """

    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    async def __call__(self, creds: Credentials) -> NewSession:
        now = self.kit.clock.now()
        try:
            email = normalise_email(creds.email)
        except InvalidValue:
            email = None
        async with self.uow as uow:
            user = await uow.users.get_by_email(email) if email else None
        if user is None or user.locked(now):
            await self.kit.hasher.dummy_verify()  # the same time, whoever asks
            reason = "unknown email" if user is None else "locked"
            await self._refuse(user, reason)
        assert user is not None
        if not await self.kit.hasher.verify(user.password_hash, creds.password):
            await self._refuse(user, "wrong password", count=True)
        if user.disabled:
            await self._refuse(user, "disabled")
        refusal, published, opened = await self._open(user, creds, now)
        if refusal is not None:
            await self._refuse(user, refusal, count=refusal == WRONG_SECOND_FACTOR)
        for done in published:
            await self.kit.sync.publish(done)
        assert opened is not None
        return opened

    @retries_conflicts  # the session alone: a retry does not check the password again
    async def _open(
        self, user: User, creds: Credentials, now: datetime
    ) -> tuple[str | None, list[Queued], NewSession | None]:
        """The session, if the user is still as the password was checked against: a password
        changed (or the account disabled) since then refuses, as it would a moment later. Else
        why not: (the refusal's reason, nothing to publish, no session)."""
        async with self.uow as uow:
            fresh = await load_user(uow, user.id)
            if fresh.password_hash != user.password_hash:
                return "password changed meanwhile", [], None
            if fresh.disabled:
                return "disabled", [], None
            before = fresh.security_state
            second = await self._second_factor(uow, fresh, creds, now)
            if second is None:
                return WRONG_SECOND_FACTOR, [], None
            fresh.login_succeeded()
            await save_security_state(uow, fresh, before)
            opened = await _open_session(uow, fresh, creds.device, now)
            queued = await audit(
                self.kit,
                uow,
                actor_id=fresh.id,
                action="auth.login",
                resource_type="session",
                resource_id=opened.session_id,
            )
            await uow.commit()
        return None, [second, queued], opened

    async def _second_factor(
        self, uow: UnitOfWork, user: User, creds: Credentials, now: datetime
    ) -> Queued | None:
        """Nothing to publish (an empty Queued) when it passes, None when it is wrong."""
        if not user.totp_enabled:
            return Queued([], [])
        if not creds.otp and not creds.recovery_code:
            raise SecondFactorRequired()
        used = spend_second_factor(user, creds.otp, creds.recovery_code, now)
        if used is None:
            return None
        if used == "recovery_code":
            return await audit(
                self.kit,
                uow,
                actor_id=user.id,
                action="2fa.recovery_code_used",
                details={"left": len(user.recovery_codes)},
            )
        return Queued([], [])

    @retries_conflicts
    async def _refuse(self, user: User | None, reason: str, *, count: bool = False) -> None:
        async with self.uow as uow:
            if count and user is not None:
                fresh = await load_user(uow, user.id)
                before = fresh.security_state
                fresh.login_failed(self.kit.clock.now())
                await save_security_state(uow, fresh, before)
            queued = await audit(
                self.kit,
                uow,
                actor_id=user.id if user else None,
                action="auth.login",
                outcome="failure",
                resource_type="session",
                resource_id=None,
                details={"reason": reason},
            )
            await uow.commit()
        await self.kit.sync.publish(queued)
        raise AuthenticationFailed(WRONG)


class Refresh:
    """Rotate a refresh token. A token used twice revokes its whole session (theft)."""

    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    @retries_conflicts
    async def __call__(self, refresh_token: str) -> NewSession:
        now = self.kit.clock.now()
        failed = AuthenticationFailed("the refresh token is not valid; log in again")
        async with self.uow as uow:
            token = await uow.sessions.token(token_hash(refresh_token))
            session = await uow.sessions.get(token.session_id) if token else None
            if token is None or session is None:
                raise failed
            if token.used_at is not None or not await uow.sessions.use_token(token.token_hash, now):
                await self._reuse(uow, session, now)
                raise failed
            user = await uow.users.get(session.user_id)
            if not session.active or now >= token.expires_at or user is None or user.disabled:
                raise failed
            session.last_used_at = now
            await uow.sessions.save(session)
            issued = await _issue(uow, user, session.id, now)
            await uow.commit()
        return issued

    async def _reuse(self, uow: UnitOfWork, session: Session, now: datetime) -> None:
        session.revoke("refresh token reused", now)
        await uow.sessions.save(session)
        queued = await audit(
            self.kit,
            uow,
            actor_id=session.user_id,
            action="auth.refresh_reuse",
            outcome="failure",
            resource_type="session",
            resource_id=session.id,
        )
        await uow.commit()
        await self.kit.sync.publish(queued)


class LogOut:
    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    @retries_conflicts
    async def one(self, user_id: UserId, session_id: SessionId, reason: str = "logged out") -> None:
        async with self.uow as uow:
            session = await uow.sessions.get(session_id)
            if session is None or session.user_id != user_id or not session.active:
                raise NotFound("session", session_id)
            session.revoke(reason, self.kit.clock.now())
            await uow.sessions.save(session)
            queued = await audit(
                self.kit,
                uow,
                actor_id=user_id,
                action="auth.logout",
                resource_type="session",
                resource_id=session_id,
            )
            await uow.commit()
        await self.kit.sync.publish(queued)

    @retries_conflicts
    async def all(self, user_id: UserId) -> int:
        async with self.uow as uow:
            count = await uow.sessions.revoke_all(user_id, "logged out everywhere", self.kit.clock.now())
            queued = await audit(
                self.kit, uow, actor_id=user_id, action="auth.logout_all", details={"sessions": count}
            )
            await uow.commit()
        await self.kit.sync.publish(queued)
        return count


class ListSessions:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def __call__(self, user_id: UserId) -> list[Session]:
        async with self.uow as uow:
            return await uow.sessions.active_of(user_id)


class CurrentUser:
    """The user a valid access token names: None if they are gone or disabled, or the
    token's session was revoked (log-out, theft, password change) — effective at once."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def __call__(self, user_id: UserId, session_id: SessionId) -> User | None:
        async with self.uow as uow:
            return await uow.users.get_signed_in(user_id, session_id)
