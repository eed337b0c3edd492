"""Use cases of accounts: register, authenticate, read the profile."""

from __future__ import annotations

from dataclasses import dataclass

from closet.application.audit import audit_entry
from closet.application.documents import DocumentSync
from closet.application.errors import AuthenticationFailed, Conflict, NotFound
from closet.application.ports.clock import Clock
from closet.application.ports.security import PasswordHasher
from closet.application.ports.uow import UnitOfWork
from closet.domain.errors import ErrorCollector, InvalidValue
from closet.domain.users import User, UserId, check_password, display_name, normalise_email


@dataclass(frozen=True, kw_only=True)
class RegisterCommand:
    email: str
    password: str
    display_name: str


class RegisterUser:
    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock, sync: DocumentSync) -> None:
        self.uow, self.hasher, self.clock, self.sync = uow, hasher, clock, sync

    async def __call__(self, cmd: RegisterCommand) -> User:
        errors = ErrorCollector()
        email = errors.attempt("", lambda: normalise_email(cmd.email))
        errors.attempt("", lambda: check_password(cmd.password))
        name = errors.attempt("", lambda: display_name(cmd.display_name))
        errors.raise_if_any()
        assert email is not None and name is not None
        async with self.uow as uow:
            if await uow.users.get_by_email(email) is not None:
                raise Conflict("an account with this email already exists")
        password_hash = await self.hasher.hash(cmd.password)
        user = User.register(email, name, password_hash, self.clock.now())
        entry = audit_entry(
            self.clock, actor_id=user.id, action="account.register", resource_type="user", resource_id=user.id
        )
        async with self.uow as uow:
            await uow.users.add(user)
            queued = await self.sync.queue(uow, audit=[entry])
            await uow.commit()
        await self.sync.publish(queued)
        return user


@dataclass(frozen=True, kw_only=True)
class Credentials:
    email: str
    password: str


class Authenticate:
    """Checks credentials; the error never says which part was wrong. Audited either way."""

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock, sync: DocumentSync) -> None:
        self.uow, self.hasher, self.clock, self.sync = uow, hasher, clock, sync

    async def __call__(self, creds: Credentials) -> User:
        failed = AuthenticationFailed("the email or password is wrong")
        try:
            email = normalise_email(creds.email)
        except InvalidValue:
            email = None
        user = None
        if email is not None:
            async with self.uow as uow:
                user = await uow.users.get_by_email(email)
        if user is None:
            await self.hasher.dummy_verify()
            await self._audit(None, "failure", "unknown email")
            raise failed
        if not await self.hasher.verify(user.password_hash, creds.password) or user.disabled:
            await self._audit(user.id, "failure", "disabled" if user.disabled else "wrong password")
            raise failed
        await self._audit(user.id, "success", None)
        return user

    async def _audit(self, user_id: UserId | None, outcome: str, reason: str | None) -> None:
        details = {"reason": reason} if reason else None
        await self.sync.record(
            audit_entry(
                self.clock,
                actor_id=user_id,
                action="auth.login",
                resource_type="session",
                outcome=outcome,
                details=details,
            )
        )


class CurrentUser:
    """The user a valid token names, or None if they are gone or disabled."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def __call__(self, user_id: UserId) -> User | None:
        async with self.uow as uow:
            user = await uow.users.get(user_id)
        return None if user is None or user.disabled else user


@dataclass(frozen=True, slots=True)
class Profile:
    user: User
    item_count: int


class GetProfile:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def __call__(self, user_id: UserId) -> Profile:
        async with self.uow as uow:
            user = await uow.users.get(user_id)
            if user is None:
                raise NotFound("user", user_id)
            return Profile(user, await uow.items.count(user_id))
