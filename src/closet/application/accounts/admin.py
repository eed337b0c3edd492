"""Administration: list users, disable or enable them, change roles, read the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from closet.application.accounts.common import AccountKit, audit, load_user, save_user
from closet.application.errors import Conflict, NotFound, retries_contention
from closet.application.ports.documents import AuditEntry, AuditStore
from closet.application.ports.uow import UnitOfWork
from closet.domain.errors import ErrorCollector, InvalidValue, enum_value
from closet.domain.users import Role, User, UserId, normalise_email

MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class UserPage:
    users: list[User]
    next_cursor: str | None  # the last email shown, when there are more


class ListUsers:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def __call__(self, after_email: str | None, limit: int) -> UserPage:
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidValue.of("limit", f"must be between 1 and {MAX_PAGE}")
        async with self.uow as uow:
            found = await uow.users.page(after_email, limit + 1)
        shown = found[:limit]
        return UserPage(shown, shown[-1].email if len(found) > limit else None)


class SetDisabled:
    """Disabling signs the user out everywhere at once; an admin cannot disable themself."""

    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    @retries_contention
    async def __call__(self, admin_id: UserId, user_id: UserId, disabled: bool) -> User:
        if admin_id == user_id and disabled:
            raise Conflict("you cannot disable your own account")
        async with self.uow as uow:
            user = await load_user(uow, user_id)
            if user.disabled == disabled:
                return user  # already so: nothing to do, nothing to audit
            loaded = user.version
            user.change(disabled=disabled)
            if disabled:
                await uow.sessions.revoke_all(user.id, "account disabled", self.kit.clock.now())
            await save_user(uow, user, loaded)
            action = "admin.user_disabled" if disabled else "admin.user_enabled"
            queued = await audit(self.kit, uow, actor_id=admin_id, action=action, resource_id=user.id)
            await uow.commit()
        await self.kit.sync.publish(queued)
        return user


class SetRoles:
    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    @retries_contention
    async def __call__(self, admin_id: UserId, user_id: UserId, roles: list[str]) -> User:
        errors = ErrorCollector()
        parsed = [
            errors.attempt(f"roles[{i}]", partial(enum_value, Role, r, "")) for i, r in enumerate(roles)
        ]
        errors.raise_if_any()
        wanted = frozenset(r for r in parsed if r is not None) | {Role.USER}
        if admin_id == user_id and Role.ADMIN not in wanted:
            raise Conflict("you cannot take your own admin role away")
        async with self.uow as uow:
            user = await load_user(uow, user_id)
            loaded, before = user.version, sorted(user.roles)
            if user.roles != wanted:
                user.change(roles=wanted)
            await save_user(uow, user, loaded)
            queued = await audit(
                self.kit,
                uow,
                actor_id=admin_id,
                action="admin.roles_changed",
                resource_id=user.id,
                details={"before": before, "after": sorted(wanted)},
            )
            await uow.commit()
        await self.kit.sync.publish(queued)
        return user


class GrantAdmin:
    """Make a user an admin from the command line (`closet admin grant EMAIL`): the first admin
    cannot be made over HTTP, which would need an admin already."""

    def __init__(self, uow: UnitOfWork, kit: AccountKit) -> None:
        self.uow, self.kit = uow, kit

    async def by_email(self, email: str) -> User:
        async with self.uow as uow:
            user = await uow.users.get_by_email(normalise_email(email))
        if user is None:
            raise NotFound("user", email)
        return await self(user.id)

    @retries_contention
    async def __call__(self, user_id: UserId) -> User:
        async with self.uow as uow:
            user = await load_user(uow, user_id)
            loaded = user.version
            if Role.ADMIN not in user.roles:
                user.change(roles=user.roles | {Role.ADMIN})
            await save_user(uow, user, loaded)
            queued = await audit(
                self.kit,
                uow,
                actor_id=None,
                action="admin.roles_changed",
                resource_id=user.id,
                details={"granted": "admin", "by": "command line"},
            )
            await uow.commit()
        await self.kit.sync.publish(queued)
        return user


class UserAudit:
    def __init__(self, audit_store: AuditStore) -> None:
        self.audit_store = audit_store

    async def __call__(self, actor_id: UserId | None, limit: int) -> list[AuditEntry]:
        return await self.audit_store.recent(actor_id=actor_id, limit=max(1, min(limit, MAX_PAGE)))
