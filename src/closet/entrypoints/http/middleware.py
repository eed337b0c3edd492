"""One log line per request (method, path, status, duration, request id)."""

from __future__ import annotations

import logging
import re
import time
import uuid

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from closet.application import context

log = logging.getLogger("closet.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_SHARE_TOKEN = re.compile(r"^/s/[^/]+")  # a share link's token is its secret: never in the logs


def loggable(path: str) -> str:
    """``path`` as the access log shows it: a share link's token replaced by "…"."""
    return _SHARE_TOKEN.sub("/s/…", path, count=1)


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id  # type: ignore[typeddict-unknown-key]
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}  # type: ignore[typeddict-item]
            await send(message)

        token = context.request_id.set(request_id)  # audit entries record it
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            context.request_id.reset(token)
            log.info(
                "%s %s %d %.1fms request_id=%s",
                scope["method"],
                loggable(scope["path"]),
                status,
                (time.perf_counter() - started) * 1000,
                request_id,
            )
