"""The security-header middleware on its own: a response's own values of the headers it sets are
replaced (each header once), its other headers and its own Cache-Control are kept."""

from __future__ import annotations

from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
)

from closet.entrypoints.http.security import API_CSP, DOCS_CSP, SecurityHeadersMiddleware

Headers = list[tuple[bytes, bytes]]


def _app(headers: Headers) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        start: HTTPResponseStartEvent = {"type": "http.response.start", "status": 200, "headers": headers}
        body: HTTPResponseBodyEvent = {"type": "http.response.body", "body": b"{}", "more_body": False}
        await send(start)
        await send(body)

    return app


async def _headers(path: str, own: Headers, scheme: str = "http") -> Headers:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "path": path, "scheme": scheme}
    await SecurityHeadersMiddleware(_app(own))(scope, None, send)  # type: ignore[arg-type]
    assert sent[1]["type"] == "http.response.body"
    return list(sent[0]["headers"])  # type: ignore[typeddict-item]


def _values(headers: Headers, name: bytes) -> list[bytes]:
    return [v for k, v in headers if k.lower() == name]


async def test_a_response_s_own_values_are_replaced_and_each_header_is_sent_once() -> None:
    own = [
        (b"Content-Type", b"application/json"),
        (b"X-Frame-Options", b"SAMEORIGIN"),
        (b"x-request-id", b"r1"),
    ]
    headers = await _headers("/api/v1/items", own, scheme="https")
    assert _values(headers, b"x-frame-options") == [b"DENY"]
    assert _values(headers, b"content-security-policy") == [API_CSP.encode()]
    assert _values(headers, b"strict-transport-security") == [b"max-age=63072000; includeSubDomains"]
    assert _values(headers, b"content-type") == [b"application/json"]
    assert _values(headers, b"x-request-id") == [b"r1"]
    assert _values(headers, b"cache-control") == [b"no-store"]  # private data: never cached


async def test_a_response_s_own_cache_control_is_kept() -> None:
    headers = await _headers("/api/v1/items/x/photo", [(b"Cache-Control", b"private, max-age=60")])
    assert _values(headers, b"cache-control") == [b"private, max-age=60"]
    assert _values(headers, b"strict-transport-security") == []  # plain HTTP


async def test_docs_get_their_own_policy_and_public_paths_no_cache_control() -> None:
    headers = await _headers("/schema/swagger", [])
    assert _values(headers, b"content-security-policy") == [DOCS_CSP.encode()]
    assert _values(headers, b"cache-control") == []
    assert _values(await _headers("/health", []), b"cache-control") == []
