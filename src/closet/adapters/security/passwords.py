from __future__ import annotations

import asyncio

from argon2 import PasswordHasher as Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError

from closet.application.ports.security import PasswordHasher


class Argon2PasswordHasher(PasswordHasher):
    """argon2id; hashing runs in a worker thread so the event loop keeps serving."""

    def __init__(self, time_cost: int = 3, memory_cost_kib: int = 65536, parallelism: int = 4) -> None:
        self._argon = Argon2(
            time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism, type=Type.ID
        )
        self._dummy = self._argon.hash("closet-dummy-password")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._argon.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        return await asyncio.to_thread(self._check, password_hash, password)

    async def dummy_verify(self) -> None:
        await asyncio.to_thread(self._check, self._dummy, "not-the-password")

    def _check(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
