"""Bearer-token authentication with Litestar's JWT support (HS256, pinned)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.security.jwt import OAuth2PasswordBearerAuth, Token

from closet.domain.users import User, UserId
from closet.settings import Settings

TOKEN_URL = "/api/v1/auth/token"
ALGORITHM = "HS256"
PUBLIC_PATHS = ["^/health$", "^/ready$", "^/schema"]


async def retrieve_user(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> User | None:
    """The token's user, if they still exist and are not disabled; otherwise 401."""
    try:
        user_id = UserId(uuid.UUID(token.sub))
    except ValueError:
        return None
    current_user = connection.app.state.container.current_user()
    user: User | None = await current_user(user_id)
    return user


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
    """Issues access tokens with the app's JWT settings."""

    def __init__(self, auth: OAuth2PasswordBearerAuth[User, Token]) -> None:
        self._auth = auth

    @property
    def lifetime(self) -> timedelta:
        return self._auth.default_token_expiration

    def issue(self, user: User) -> str:
        return self._auth.create_token(identifier=str(user.id), token_expiration=self.lifetime)
