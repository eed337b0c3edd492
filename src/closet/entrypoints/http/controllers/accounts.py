"""Authentication: register, log in (JSON and OAuth2 form), refresh, log out, passwords."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, URLEncodedBody

from closet.application.accounts import (
    Credentials,
    LogIn,
    LogOut,
    NewSession,
    Refresh,
    RegisterCommand,
    RegisterUser,
    RequestPasswordReset,
    ResetPassword,
    VerifyEmail,
)
from closet.domain.users import User
from closet.entrypoints.http.auth import TokenIssuer, session_of
from closet.entrypoints.http.errors import problem_responses
from closet.entrypoints.http.schemas.accounts import (
    Accepted,
    ForgotIn,
    LoginIn,
    RefreshIn,
    RegisterIn,
    ResetIn,
    TokenForm,
    TokenIn,
    TokenRead,
    UserRead,
)

PUBLIC = {"exclude_from_auth": True}
RESET_ACCEPTED = "if the address belongs to an account, a reset link is on its way"
REGISTER_ACCEPTED = "check your inbox: a link to confirm the address is on its way; log in meanwhile"


def user_read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        roles=sorted(r.value for r in user.roles),
        verified=user.verified,
        created_at=user.created_at,
    )


def token_read(tokens: TokenIssuer, opened: NewSession) -> TokenRead:
    return TokenRead(
        access_token=tokens.issue(opened.user, opened.session_id),
        token_type="bearer",
        expires_in=int(tokens.lifetime.total_seconds()),
        refresh_token=opened.refresh_token,
        refresh_expires_in=int((opened.refresh_expires_at - datetime.now(UTC)).total_seconds()),
    )


def _device(request: Request[Any, Any, Any], given: str | None) -> str:
    return given or request.headers.get("user-agent", "unknown device")


class LoginController(Controller):
    """The two log-in routes: rate-limited per IP (see app.py)."""

    path = "/api/v1/auth"
    tags = ["auth"]
    opt = PUBLIC

    @post("/login", operation_id="LogIn", status_code=200, responses=problem_responses(400, 401, 429, 503))
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginIn],
        log_in: NamedDependency[LogIn],
        tokens: NamedDependency[TokenIssuer],
    ) -> TokenRead:
        creds = Credentials(
            email=data.email,
            password=data.password,
            otp=data.otp,
            recovery_code=data.recovery_code,
            device=_device(request, data.device),
        )
        return token_read(tokens, await log_in(creds))

    @post(
        "/token",
        operation_id="Token",
        status_code=200,
        summary="OAuth2 password flow",
        responses=problem_responses(400, 401, 429, 503),
    )
    async def token(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[TokenForm],
        log_in: NamedDependency[LogIn],
        tokens: NamedDependency[TokenIssuer],
    ) -> TokenRead:
        creds = Credentials(
            email=data.username, password=data.password, otp=data.otp, device=_device(request, None)
        )
        return token_read(tokens, await log_in(creds))


class PasswordResetController(Controller):
    """Asking for a reset link: rate-limited per IP (see app.py); answers never reveal an account."""

    path = "/api/v1/auth/password"
    tags = ["auth"]
    opt = PUBLIC

    @post("/forgot", operation_id="ForgotPassword", status_code=202, responses=problem_responses(400, 429))
    async def forgot(
        self, data: JSONBody[ForgotIn], request_password_reset: NamedDependency[RequestPasswordReset]
    ) -> Accepted:
        await request_password_reset(data.email)
        return Accepted(RESET_ACCEPTED)

    @post("/reset", operation_id="ResetPassword", status_code=204, responses=problem_responses(400, 422, 429))
    async def reset(self, data: JSONBody[ResetIn], reset_password: NamedDependency[ResetPassword]) -> None:
        await reset_password(data.token, data.new_password)


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post(
        "/register",
        operation_id="Register",
        status_code=202,
        opt=PUBLIC,
        summary="Create an account (the answer is the same whether or not the address is taken)",
        responses=problem_responses(400, 422, 503),
    )
    async def register(
        self, data: JSONBody[RegisterIn], register_user: NamedDependency[RegisterUser]
    ) -> Accepted:
        cmd = RegisterCommand(email=data.email, password=data.password, display_name=data.display_name)
        await register_user(cmd)
        return Accepted(REGISTER_ACCEPTED)

    @post(
        "/refresh",
        operation_id="Refresh",
        status_code=200,
        opt=PUBLIC,
        summary="Trade a refresh token for a new pair (the old one stops working)",
        responses=problem_responses(400, 401, 503),
    )
    async def refresh(
        self,
        data: JSONBody[RefreshIn],
        refresh: NamedDependency[Refresh],
        tokens: NamedDependency[TokenIssuer],
    ) -> TokenRead:
        return token_read(tokens, await refresh(data.refresh_token))

    @post(
        "/verify-email",
        operation_id="VerifyEmail",
        status_code=204,
        opt=PUBLIC,
        responses=problem_responses(400, 422),
    )
    async def verify(self, data: JSONBody[TokenIn], verify_email: NamedDependency[VerifyEmail]) -> None:
        await verify_email(data.token)

    @post(
        "/logout",
        operation_id="LogOut",
        status_code=204,
        summary="End this session",
        responses=problem_responses(401, 404),
    )
    async def logout(self, request: Request[User, Any, Any], log_out: NamedDependency[LogOut]) -> None:
        await log_out.one(request.user.id, session_of(request))

    @post(
        "/logout-all",
        operation_id="LogOutEverywhere",
        status_code=204,
        summary="End every session",
        responses=problem_responses(401),
    )
    async def logout_all(self, request: Request[User, Any, Any], log_out: NamedDependency[LogOut]) -> None:
        await log_out.all(request.user.id)
