from __future__ import annotations

from closet.application.ports.health import Probe


class MemoryProbe(Probe):
    """The memory store is always there."""

    name = "memory"

    async def check(self) -> None:
        return None
