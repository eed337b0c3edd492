"""Bearer-token authentication with Litestar's JWT support (HS256, pinned), bound to a session."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.security.jwt import OAuth2PasswordBearerAuth, Token

from closet.domain.sessions import SessionId
from closet.domain.users import User, UserId
from closet.settings import Settings

TOKEN_URL = "/api/v1/auth/token"
ALGORITHM = "HS256"
PUBLIC_PATHS = ["^/health$", "^/ready$", "^/schema", "^/s/"]  # /s/…: share links


async def retrieve_user(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> User | None:
    """The token's user, if they still exist, are enabled, and its session is live; else 401."""
    try:
        user_id = UserId(uuid.UUID(token.sub))
        session_id = SessionId(uuid.UUID(str(token.extras["sid"])))
    except (ValueError, KeyError, TypeError):
        return None
    current_user = connection.app.state.container.current_user()
    user: User | None = await current_user(user_id, session_id)
    return user


def session_of(connection: ASGIConnection[Any, Any, Any, Any]) -> SessionId:
    """The session the request's access token belongs to."""
    token: Token = connection.auth
    try:
        return SessionId(uuid.UUID(str(token.extras["sid"])))
    except (ValueError, KeyError, TypeError):
        raise NotAuthorizedException("the token names no session") from None


def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: the caller must hold the admin role."""
    user: User = connection.user
    if not user.is_admin:
        raise PermissionDeniedException("this needs the admin role")


def build_jwt_auth(settings: Settings) -> OAuth2PasswordBearerAuth[User, Token]:
    return OAuth2PasswordBearerAuth[User, Token](
        retrieve_user_handler=retrieve_user,
        token_secret=settings.jwt_secret,
        token_url=TOKEN_URL,
        algorithm=ALGORITHM,
        default_token_expiration=timedelta(minutes=settings.access_token_minutes),
        exclude=PUBLIC_PATHS,
        require_claims=["exp", "sub", "iat"],
        description="Log in at /api/v1/auth/token (or /api/v1/auth/login) for a bearer token.",
    )


class TokenIssuer:
    """Issues access tokens with the app's JWT settings, each tied to a session."""

    def __init__(self, auth: OAuth2PasswordBearerAuth[User, Token]) -> None:
        self._auth = auth

    @property
    def lifetime(self) -> timedelta:
        return self._auth.default_token_expiration

    def issue(self, user: User, session_id: SessionId) -> str:
        return self._auth.create_token(
            identifier=str(user.id),
            token_expiration=self.lifetime,
            token_unique_jwt_id=uuid.uuid4().hex,
            token_extras={"sid": str(session_id)},
        )
