from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from closet.application.ports.health import Probe


class MongoProbe(Probe):
    name = "mongo"

    def __init__(self, db: AsyncDatabase) -> None:  # type: ignore[type-arg]
        self.db = db

    async def check(self) -> None:
        await self.db.command("ping")
