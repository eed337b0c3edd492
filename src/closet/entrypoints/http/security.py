"""Security headers on every response, and the rate limits."""

from __future__ import annotations

import re
from collections.abc import Callable

from litestar.exceptions import TooManyRequestsException
from litestar.middleware import DefineMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from closet.application.rate_limits import RateDecision, RateLimiter, RatePolicy
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


def _encoded(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
_API_HEADERS = _encoded({**_ALWAYS, "Content-Security-Policy": API_CSP})
_DOCS_HEADERS = _encoded({**_ALWAYS, "Content-Security-Policy": DOCS_CSP})
_NO_STORE = (b"cache-control", b"no-store")
_HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
# what this middleware sets: a response's own value of any of these is replaced
_OURS = frozenset(name for name, _ in [*_API_HEADERS, _HSTS])


class SecurityHeadersMiddleware:
    """The security headers on every response. The header lists are built once: a response's
    headers are read in one pass (this runs for every request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        ours = _DOCS_HEADERS if path.startswith("/schema") else _API_HEADERS
        private = path.startswith(PRIVATE_PREFIXES)
        behind_tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = []
                has_cache_control = False
                for name, value in message.get("headers", ()):
                    lowered = bytes(name).lower()
                    if lowered not in _OURS:
                        headers.append((name, value))
                        has_cache_control = has_cache_control or lowered == b"cache-control"
                headers += ours
                if private and not has_cache_control:
                    headers.append(_NO_STORE)
                if behind_tls:
                    headers.append(_HSTS)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


def _per_user(scope: Scope) -> str:
    user = scope.get("user")
    return f"user:{user.id}" if user is not None else f"ip:{_client(scope)}"


class RateLimitMiddleware:
    """Counts each request under one policy (see application/rate_limits.py): 429 with
    Retry-After past the limit; the IETF draft's RateLimit-* headers on every counted answer."""

    def __init__(
        self, app: ASGIApp, policy: RatePolicy, identify: Callable[[Scope], str], exclude: str | None = None
    ) -> None:
        self.app, self.policy, self.identify = app, policy, identify
        self.exclude = re.compile(exclude) if exclude else None
        self._fixed = {
            "ratelimit-policy": f"{policy.limit};w={policy.period}",
            "ratelimit-limit": str(policy.limit),
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (self.exclude is not None and self.exclude.match(scope["path"])):
            await self.app(scope, receive, send)
            return
        limiter: RateLimiter = scope["litestar_app"].state.container.rate_limiter()
        decision = await limiter.check(self.policy, self.identify(scope))
        if decision is None:  # the counters are unreachable: not counted
            await self.app(scope, receive, send)
            return
        headers = self._headers(decision)
        if not decision.allowed:
            raise TooManyRequestsException(headers={"Retry-After": str(decision.reset_seconds), **headers})
        extra = [(name.encode(), value.encode()) for name, value in headers.items()]

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]  # type: ignore[typeddict-item]
            await send(message)

        await self.app(scope, receive, send_with_limits)

    def _headers(self, decision: RateDecision) -> dict[str, str]:
        return {
            **self._fixed,
            "ratelimit-remaining": str(decision.remaining),
            "ratelimit-reset": str(decision.reset_seconds),
        }


def _limit(
    policy: RatePolicy, identify: Callable[[Scope], str], exclude: str | None = None
) -> DefineMiddleware:
    return DefineMiddleware(RateLimitMiddleware, policy=policy, identify=identify, exclude=exclude)


class RateLimits:
    """Per IP on the authentication endpoints, per user (or IP, before log-in) elsewhere."""

    def __init__(self, settings: Settings) -> None:
        self.general = _limit(
            RatePolicy("api", settings.rate_limit_per_minute, 60), _per_user, r"^/(health|ready|schema)(/|$)"
        )
        self.login = _limit(RatePolicy("login", settings.login_rate_per_minute, 60), _client)
        self.shares = _limit(RatePolicy("share", settings.share_rate_per_minute, 60), _client)
        self.reset = _limit(RatePolicy("reset", settings.reset_rate_per_minute, 60), _client)
