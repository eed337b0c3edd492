"""Readiness: can every store the app needs be reached right now?"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from closet.application.ports.health import Probe

PROBE_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class ProbeResult:
    name: str
    ok: bool
    detail: str


class CheckReadiness:
    def __init__(self, probes: Sequence[Probe]) -> None:
        self.probes = probes

    async def __call__(self) -> list[ProbeResult]:
        return list(await asyncio.gather(*(self._run(p) for p in self.probes)))

    async def _run(self, probe: Probe) -> ProbeResult:
        try:
            await asyncio.wait_for(probe.check(), PROBE_TIMEOUT_SECONDS)
        except TimeoutError:
            return ProbeResult(probe.name, False, "timed out")
        except Exception as exc:
            return ProbeResult(probe.name, False, type(exc).__name__)
        return ProbeResult(probe.name, True, "ok")
