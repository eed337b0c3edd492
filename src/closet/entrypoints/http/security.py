"""Security headers on every response, and the rate limits."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from closet.settings import Settings

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The OpenAPI pages load Swagger UI / Scalar from their CDNs.
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' data: https://fonts.gstatic.com https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://cdn.jsdelivr.net; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
PRIVATE_PREFIXES = ("/api/",)  # user data and tokens: never cached by anyone in between


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        behind_tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Cross-Origin-Resource-Policy"] = "same-origin"
                headers["Content-Security-Policy"] = DOCS_CSP if path.startswith("/schema") else API_CSP
                if path.startswith(PRIVATE_PREFIXES) and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
                if behind_tls:
                    headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def _per_user(request: Request[Any, Any, Any]) -> str:
    user = request.scope.get("user")
    return f"user:{user.id}" if user is not None else f"ip:{_client(request)}"


class RateLimits:
    """Per IP on the authentication endpoints, per user (or IP, before log-in) elsewhere.

    Litestar keys its counters by middleware class and identifier, so each limit prefixes
    its identifier with its own name.
    """

    def __init__(self, settings: Settings) -> None:
        exclude = ["^/health$", "^/ready$", "^/schema"]
        self.general = RateLimitConfig(
            rate_limit=("minute", settings.rate_limit_per_minute),
            identifier_for_request=_per_user,
            exclude=exclude,
        )
        self.login = RateLimitConfig(
            rate_limit=("minute", settings.login_rate_per_minute),
            identifier_for_request=lambda r: f"login:{_client(r)}",
        )
        self.shares = RateLimitConfig(
            rate_limit=("minute", settings.share_rate_per_minute),
            identifier_for_request=lambda r: f"share:{_client(r)}",
        )
        self.reset = RateLimitConfig(
            rate_limit=("minute", settings.reset_rate_per_minute),
            identifier_for_request=lambda r: f"reset:{_client(r)}",
        )
