"""Bearer-token authentication with Litestar's JWT support (HS256, pinned), bound to a session."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Self

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


class CachedToken(Token):
    """Litestar's token, with each verified token kept (up to ``CACHE_SIZE``, least recently used
    out): a request with a token seen before skips the base64, JSON and HMAC work, and only its
    expiry is checked again. Verifying is a pure function of the token and the settings, all in
    the key, and only tokens that verified are kept, so nothing is accepted that ``decode`` would
    refuse. The session behind it is still looked up on every request (``retrieve_user``)."""

    CACHE_SIZE = 4096
    _verified: OrderedDict[tuple[Any, ...], Token] = OrderedDict()

    @classmethod
    def decode(
        cls,
        encoded_token: str,
        secret: str,
        algorithm: str,
        audience: str | Sequence[str] | None = None,
        issuer: str | Sequence[str] | None = None,
        require_claims: Sequence[str] | None = None,
        verify_exp: bool = True,
        verify_nbf: bool = True,
        strict_audience: bool = False,
    ) -> Self:
        key = (
            encoded_token,
            secret,
            algorithm,
            audience if isinstance(audience, str | None) else tuple(audience),
            issuer if isinstance(issuer, str | None) else tuple(issuer),
            tuple(require_claims or ()),
            verify_exp,
            verify_nbf,
            strict_audience,
        )
        token = cls._verified.get(key)
        if token is not None and (not verify_exp or token.exp > datetime.now(UTC)):
            cls._verified.move_to_end(key)
            return token  # type: ignore[return-value]
        cls._verified.pop(key, None)
        token = super().decode(
            encoded_token,
            secret,
            algorithm,
            audience,
            issuer,
            require_claims,
            verify_exp,
            verify_nbf,
            strict_audience,
        )
        if "nbf" not in token.extras:  # we issue none; a token with one is checked each time
            cls._verified[key] = token
            if len(cls._verified) > cls.CACHE_SIZE:
                cls._verified.popitem(last=False)
        return token


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
    """Guard: the caller must hold the admin role. An OPTIONS request passes: the authentication
    middleware lets it through unauthenticated (a browser's CORS preflight carries no token), and
    it answers only which methods the path has."""
    if connection.scope["method"] == "OPTIONS":
        return
    user: User | None = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException("sign in first")
    if not user.is_admin:
        raise PermissionDeniedException("this needs the admin role")


def build_jwt_auth(settings: Settings) -> OAuth2PasswordBearerAuth[User, CachedToken]:
    return OAuth2PasswordBearerAuth[User, CachedToken](
        retrieve_user_handler=retrieve_user,
        token_secret=settings.jwt_secret,
        token_url=TOKEN_URL,
        token_cls=CachedToken,
        algorithm=ALGORITHM,
        default_token_expiration=timedelta(minutes=settings.access_token_minutes),
        exclude=PUBLIC_PATHS,
        require_claims=["exp", "sub", "iat"],
        description="Log in at /api/v1/auth/token (or /api/v1/auth/login) for a bearer token.",
    )


class TokenIssuer:
    """Issues access tokens with the app's JWT settings, each tied to a session."""

    def __init__(self, auth: OAuth2PasswordBearerAuth[User, CachedToken]) -> None:
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
