from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class Probe(Protocol):
    """One store or service the app needs; ``check`` raises if it cannot be used now."""

    name: str

    @abstractmethod
    async def check(self) -> None: ...
