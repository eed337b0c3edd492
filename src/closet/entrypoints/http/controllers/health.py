from __future__ import annotations

from datetime import UTC, datetime

import msgspec
from litestar import Response, get
from litestar.di import NamedDependency

from closet.application.health import CheckReadiness


class Check(msgspec.Struct):
    name: str
    ok: bool
    detail: str


class OutboxBacklog(msgspec.Struct):
    pending: int
    failing: int
    oldest_age_seconds: float | None


class Readiness(msgspec.Struct):
    status: str
    checks: list[Check]
    outbox: OutboxBacklog | None


@get("/health", operation_id="Health", tags=["ops"], exclude_from_auth=True, summary="Liveness")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get(
    "/ready",
    operation_id="Ready",
    tags=["ops"],
    exclude_from_auth=True,
    summary="Readiness: every store reachable; the outbox backlog (document changes not yet applied)",
)
async def ready(check_readiness: NamedDependency[CheckReadiness]) -> Response[Readiness]:
    result = await check_readiness()
    backlog = None
    if result.backlog is not None:
        oldest = result.backlog.oldest
        age = round((datetime.now(UTC) - oldest).total_seconds(), 3) if oldest else None
        backlog = OutboxBacklog(result.backlog.pending, result.backlog.failing, age)
    body = Readiness(
        "ready" if result.ready else "unavailable",
        [Check(c.name, c.ok, c.detail) for c in result.checks],
        backlog,
    )
    return Response(body, status_code=200 if result.ready else 503)
