"""Administration (admin role only, enforced by a guard on the whole controller)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from closet.application.accounts import ListUsers, SetDisabled, SetRoles, UserAudit
from closet.domain.users import User, UserId
from closet.entrypoints.http.auth import admin_only
from closet.entrypoints.http.controllers.accounts import user_read
from closet.entrypoints.http.controllers.items import parse_id
from closet.entrypoints.http.errors import problem_responses
from closet.entrypoints.http.schemas.accounts import AdminUserList, AdminUserRead, AuditRead, RolesIn

Admin = Request[User, Any, Any]
RESPONSES = problem_responses(400, 401, 403, 404, 409, 422)


def admin_user_read(user: User) -> AdminUserRead:
    base = user_read(user)
    return AdminUserRead(
        **{f: getattr(base, f) for f in base.__struct_fields__},
        disabled=user.disabled,
        two_factor=user.totp_enabled,
        locked_until=user.locked_until,
    )


class AdminController(Controller):
    path = "/api/v1/admin"
    tags = ["admin"]
    guards = [admin_only]

    @get("/users", operation_id="AdminListUsers", responses=RESPONSES)
    async def users(
        self,
        list_users: NamedDependency[ListUsers],
        limit: FromQuery[int] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> AdminUserList:
        page = await list_users(cursor, limit)
        return AdminUserList([admin_user_read(u) for u in page.users], page.next_cursor)

    @post(
        "/users/{user_id:str}/disable", operation_id="AdminDisableUser", status_code=200, responses=RESPONSES
    )
    async def disable(
        self, request: Admin, user_id: FromPath[str], set_disabled: NamedDependency[SetDisabled]
    ) -> AdminUserRead:
        target = UserId(parse_id(user_id, "user_id"))
        return admin_user_read(await set_disabled(request.user.id, target, disabled=True))

    @post("/users/{user_id:str}/enable", operation_id="AdminEnableUser", status_code=200, responses=RESPONSES)
    async def enable(
        self, request: Admin, user_id: FromPath[str], set_disabled: NamedDependency[SetDisabled]
    ) -> AdminUserRead:
        target = UserId(parse_id(user_id, "user_id"))
        return admin_user_read(await set_disabled(request.user.id, target, disabled=False))

    @put("/users/{user_id:str}/roles", operation_id="AdminSetRoles", responses=RESPONSES)
    async def roles(
        self,
        request: Admin,
        user_id: FromPath[str],
        data: JSONBody[RolesIn],
        set_roles: NamedDependency[SetRoles],
    ) -> AdminUserRead:
        target = UserId(parse_id(user_id, "user_id"))
        return admin_user_read(await set_roles(request.user.id, target, data.roles))

    @get("/audit", operation_id="AdminAudit", responses=RESPONSES)
    async def audit(
        self,
        user_audit: NamedDependency[UserAudit],
        actor_id: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
    ) -> list[AuditRead]:
        actor = UserId(parse_id(actor_id, "actor_id")) if actor_id else None
        return [
            AuditRead(
                id=e.id,
                at=e.at,
                actor_id=e.actor_id,
                action=e.action,
                resource_type=e.resource_type,
                resource_id=e.resource_id,
                outcome=e.outcome,
                request_id=e.request_id,
                details=dict(e.details) if e.details else None,
            )
            for e in await user_audit(actor, limit)
        ]
