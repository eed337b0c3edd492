from __future__ import annotations

import msgspec
from litestar import Response, get
from litestar.di import NamedDependency

from closet.application.health import CheckReadiness


class Check(msgspec.Struct):
    name: str
    ok: bool
    detail: str


class Readiness(msgspec.Struct):
    status: str
    checks: list[Check]


@get("/health", operation_id="Health", tags=["ops"], exclude_from_auth=True, summary="Liveness")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/ready", operation_id="Ready", tags=["ops"], exclude_from_auth=True, summary="Readiness")
async def ready(check_readiness: NamedDependency[CheckReadiness]) -> Response[Readiness]:
    results = await check_readiness()
    ok = all(r.ok for r in results)
    body = Readiness("ready" if ok else "unavailable", [Check(r.name, r.ok, r.detail) for r in results])
    return Response(body, status_code=200 if ok else 503)
