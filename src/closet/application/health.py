"""Readiness: can every store the app needs be reached right now?"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from closet.application.ports.health import Probe
from closet.application.ports.outbox import Backlog
from closet.application.ports.uow import UnitOfWork

PROBE_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class ProbeResult:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Readiness:
    checks: list[ProbeResult]
    backlog: Backlog | None  # None when SQL itself is unreachable

    @property
    def ready(self) -> bool:
        return all(c.ok for c in self.checks)


class CheckReadiness:
    """Each store's probe, plus the outbox backlog (document changes not applied yet)."""

    def __init__(self, probes: Sequence[Probe], uow: UnitOfWork) -> None:
        self.probes, self.uow = probes, uow

    async def __call__(self) -> Readiness:
        checks = list(await asyncio.gather(*(self._run(p) for p in self.probes)))
        backlog = None
        if all(c.ok for c in checks if c.name in ("sql", "memory")):
            async with self.uow as uow:
                backlog = await uow.outbox.backlog()
        return Readiness(checks, backlog)

    async def _run(self, probe: Probe) -> ProbeResult:
        try:
            await asyncio.wait_for(probe.check(), PROBE_TIMEOUT_SECONDS)
        except TimeoutError:
            return ProbeResult(probe.name, False, "timed out")
        except Exception as exc:
            return ProbeResult(probe.name, False, type(exc).__name__)
        return ProbeResult(probe.name, True, "ok")
