from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, URLEncodedBody

from closet.application.accounts import (
    Authenticate,
    Credentials,
    GetProfile,
    RegisterCommand,
    RegisterUser,
)
from closet.domain.users import User
from closet.entrypoints.http.auth import TokenIssuer
from closet.entrypoints.http.errors import problem_responses
from closet.entrypoints.http.schemas.accounts import (
    LoginIn,
    MeRead,
    RegisterIn,
    TokenForm,
    TokenRead,
    UserRead,
)


def user_read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        roles=sorted(r.value for r in user.roles),
        verified=user.verified,
        created_at=user.created_at,
    )


def _token(tokens: TokenIssuer, user: User) -> TokenRead:
    seconds = int(tokens.lifetime.total_seconds())
    return TokenRead(access_token=tokens.issue(user), token_type="bearer", expires_in=seconds)


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]
    opt = {"exclude_from_auth": True}

    @post(
        "/register",
        operation_id="Register",
        responses=problem_responses(400, 409, 422, 503),
        summary="Create an account",
    )
    async def register(
        self, data: JSONBody[RegisterIn], register_user: NamedDependency[RegisterUser]
    ) -> UserRead:
        cmd = RegisterCommand(email=data.email, password=data.password, display_name=data.display_name)
        return user_read(await register_user(cmd))

    @post(
        "/login",
        operation_id="LogIn",
        responses=problem_responses(400, 401, 503),
        summary="Log in with JSON",
        status_code=200,
    )
    async def login(
        self,
        data: JSONBody[LoginIn],
        authenticate: NamedDependency[Authenticate],
        tokens: NamedDependency[TokenIssuer],
    ) -> TokenRead:
        user = await authenticate(Credentials(email=data.email, password=data.password))
        return _token(tokens, user)

    @post(
        "/token",
        operation_id="Token",
        responses=problem_responses(400, 401, 503),
        summary="OAuth2 password flow",
        status_code=200,
    )
    async def token(
        self,
        data: URLEncodedBody[TokenForm],
        authenticate: NamedDependency[Authenticate],
        tokens: NamedDependency[TokenIssuer],
    ) -> TokenRead:
        user = await authenticate(Credentials(email=data.username, password=data.password))
        return _token(tokens, user)


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["me"]

    @get("/", operation_id="Me", responses=problem_responses(401, 503), summary="The logged-in user")
    async def me(self, request: Request[User, Any, Any], get_profile: NamedDependency[GetProfile]) -> MeRead:
        profile = await get_profile(request.user.id)
        base = user_read(profile.user)
        return MeRead(**{f: getattr(base, f) for f in base.__struct_fields__}, item_count=profile.item_count)
