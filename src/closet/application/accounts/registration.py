from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from closet.application.accounts.common import AccountKit, audit, mail_token
from closet.application.errors import Conflict, retries_contention
from closet.application.ports.uow import UnitOfWork
from closet.domain.errors import ErrorCollector
from closet.domain.sessions import VERIFY_LIFETIME, TokenPurpose
from closet.domain.users import User, check_password, display_name, normalise_email


@dataclass(frozen=True, kw_only=True)
class RegisterCommand:
    email: str
    password: str
    display_name: str


class RegisterUser:
    """A new, unverified account, and a verification link to the address.

    The caller learns nothing about whether the address was taken: the owner of an existing
    account gets an email about the attempt instead, and both paths do the same work
    (a password hash, one transaction, one email off the request path).
    """

    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    async def __call__(self, cmd: RegisterCommand) -> None:
        errors = ErrorCollector()
        email = errors.attempt("", lambda: normalise_email(cmd.email))
        errors.attempt("", lambda: check_password(cmd.password))
        name = errors.attempt("", lambda: display_name(cmd.display_name))
        errors.raise_if_any()
        assert email is not None and name is not None
        password_hash = await self.kit.hasher.hash(cmd.password)
        now = self.kit.clock.now()
        user = User.register(email, name, password_hash, now)
        await self._store(user, now)

    @retries_contention  # the write alone: a retry does not hash the password again
    async def _store(self, user: User, now: datetime) -> None:
        async with self.uow as uow:
            existing = await uow.users.get_by_email(user.email)
            if existing is None:
                try:
                    await uow.users.add(user)
                except Conflict:  # registered a moment ago by a concurrent request
                    existing = await uow.users.get_by_email(user.email)
            if existing is not None:
                queued = await audit(
                    self.kit,
                    uow,
                    actor_id=existing.id,
                    action="account.register",
                    outcome="failure",
                    details={"reason": "address already registered"},
                )
            else:
                token = await mail_token(uow, user, TokenPurpose.VERIFY_EMAIL, VERIFY_LIFETIME, now)
                queued = await audit(self.kit, uow, actor_id=user.id, action="account.register")
            await uow.commit()
        await self.kit.sync.publish(queued)
        if existing is not None:
            self.kit.notifier.already_registered(existing.email)
        else:
            self.kit.notifier.verify_email(user.email, token)
