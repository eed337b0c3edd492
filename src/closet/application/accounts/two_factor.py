"""Optional TOTP second factor: enrol, confirm, recovery codes, disable."""

from __future__ import annotations

from dataclasses import dataclass

from closet.application.accounts.common import AccountKit, audit, load_user, save_user, spend_second_factor
from closet.application.errors import Conflict, retries_contention
from closet.application.ports.uow import UnitOfWork
from closet.application.secrets import new_recovery_codes, recovery_hash
from closet.domain.errors import InvalidValue
from closet.domain.totp import matching_step, new_secret, provisioning_uri
from closet.domain.users import UserId


@dataclass(frozen=True, slots=True)
class Enrolment:
    secret: str
    otpauth_uri: str


class StartTotp:
    """A new secret for the authenticator app; it protects nothing until confirmed."""

    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    @retries_contention
    async def __call__(self, user_id: UserId) -> Enrolment:
        async with self.uow as uow:
            user = await load_user(uow, user_id)
            if user.totp_enabled:
                raise Conflict("two-factor authentication is already on; turn it off first")
            loaded = user.version
            secret = new_secret()
            user.change(totp_secret=secret, totp_last_step=None)
            await save_user(uow, user, loaded)
            await uow.commit()
        return Enrolment(secret, provisioning_uri(secret, user.email))


class ConfirmTotp:
    """The first valid code turns the factor on; the recovery codes are shown this once."""

    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    @retries_contention
    async def __call__(self, user_id: UserId, code: str) -> list[str]:
        async with self.uow as uow:
            user = await load_user(uow, user_id)
            if user.totp_enabled:
                raise Conflict("two-factor authentication is already on")
            if user.totp_secret is None:
                raise Conflict("start an enrolment first (POST /api/v1/me/2fa/totp)")
            step = matching_step(user.totp_secret, code, self.kit.clock.now())
            if step is None:
                raise InvalidValue.of("code", "is not the current code of your authenticator app")
            loaded = user.version
            codes = new_recovery_codes()
            user.change(
                totp_enabled=True, totp_last_step=step, recovery_codes=tuple(map(recovery_hash, codes))
            )
            await save_user(uow, user, loaded)
            queued = await audit(self.kit, uow, actor_id=user.id, action="2fa.enabled")
            await uow.commit()
        await self.kit.sync.publish(queued)
        return codes


class DisableTotp:
    """Needs the password and a current code (or a recovery code)."""

    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    async def __call__(
        self, user_id: UserId, password: str, code: str | None, recovery_code: str | None
    ) -> None:
        async with self.uow as uow:
            user = await load_user(uow, user_id)
        if not await self.kit.hasher.verify(user.password_hash, password):
            raise InvalidValue.of("password", "is not your current password")
        await self._turn_off(user_id, code, recovery_code)

    @retries_contention  # the write alone: a retry does not check the password again
    async def _turn_off(self, user_id: UserId, code: str | None, recovery_code: str | None) -> None:
        async with self.uow as uow:
            user = await load_user(uow, user_id)
            if not user.totp_enabled:
                raise Conflict("two-factor authentication is not on")
            loaded = user.version
            if spend_second_factor(user, code, recovery_code, self.kit.clock.now()) is None:
                raise InvalidValue.of("code", "send a current code or an unused recovery code")
            user.change(totp_enabled=False, totp_secret=None, totp_last_step=None, recovery_codes=())
            await save_user(uow, user, loaded)
            queued = await audit(self.kit, uow, actor_id=user.id, action="2fa.disabled")
            await uow.commit()
        await self.kit.sync.publish(queued)


class RenewRecoveryCodes:
    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    @retries_contention
    async def __call__(self, user_id: UserId, code: str) -> list[str]:
        async with self.uow as uow:
            user = await load_user(uow, user_id)
            if not user.totp_enabled:
                raise Conflict("two-factor authentication is not on")
            loaded = user.version
            if spend_second_factor(user, code, None, self.kit.clock.now()) is None:
                raise InvalidValue.of("code", "is not the current code of your authenticator app")
            codes = new_recovery_codes()
            user.change(recovery_codes=tuple(map(recovery_hash, codes)))
            await save_user(uow, user, loaded)
            queued = await audit(self.kit, uow, actor_id=user.id, action="2fa.recovery_codes_renewed")
            await uow.commit()
        await self.kit.sync.publish(queued)
        return codes
