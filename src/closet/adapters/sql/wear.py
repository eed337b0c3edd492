"""Share links and the wear log in SQL."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import RowMapping, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from closet.adapters.sql.engine import dialect_insert
from closet.adapters.sql.tables import share_links, wear_events
from closet.application.ports.outfits import ShareLink, ShareRepository, WearEvent, WearRepository
from closet.domain.items import ItemId
from closet.domain.outfits import OutfitId
from closet.domain.users import UserId


def _share(row: RowMapping) -> ShareLink:
    return ShareLink(
        id=row["id"],
        token_hash=row["token_hash"],
        outfit_id=OutfitId(row["outfit_id"]),
        owner_id=UserId(row["owner_id"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )


class SqlShareRepository(ShareRepository):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, share: ShareLink) -> None:
        await self.conn.execute(
            insert(share_links).values(
                id=share.id,
                token_hash=share.token_hash,
                outfit_id=share.outfit_id,
                owner_id=share.owner_id,
                created_at=share.created_at,
                expires_at=share.expires_at,
                revoked_at=share.revoked_at,
            )
        )

    async def by_token_hash(self, token_hash: str) -> ShareLink | None:
        query = select(share_links).where(share_links.c.token_hash == token_hash)
        row = (await self.conn.execute(query)).mappings().first()
        return _share(row) if row else None

    async def for_outfit(self, owner_id: UserId, outfit_id: OutfitId) -> list[ShareLink]:
        query = (
            select(share_links)
            .where(share_links.c.owner_id == owner_id, share_links.c.outfit_id == outfit_id)
            .order_by(share_links.c.created_at.desc())
        )
        return [_share(r) for r in (await self.conn.execute(query)).mappings()]

    async def revoke(self, owner_id: UserId, share_id: uuid.UUID, now: datetime) -> bool:
        result = await self.conn.execute(
            update(share_links)
            .where(
                share_links.c.id == share_id,
                share_links.c.owner_id == owner_id,
                share_links.c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return bool(result.rowcount)


class SqlWearRepository(WearRepository):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, owner_id: UserId, event: WearEvent) -> bool:
        """One row per item and day: a second wear that day (even at the same moment) is a no-op."""
        statement = (
            dialect_insert(self.conn)(wear_events)
            .values(
                item_id=event.item_id,
                worn_on=event.worn_on,
                owner_id=owner_id,
                outfit_id=event.outfit_id,
                created_at=event.created_at,
            )
            .on_conflict_do_nothing(index_elements=["item_id", "worn_on"])
        )
        return bool((await self.conn.execute(statement)).rowcount)

    async def remove(
        self, owner_id: UserId, item_id: ItemId, worn_on: date, outfit_id: OutfitId | None = None
    ) -> bool:
        query = delete(wear_events).where(
            wear_events.c.owner_id == owner_id,
            wear_events.c.item_id == item_id,
            wear_events.c.worn_on == worn_on,
        )
        if outfit_id is not None:
            query = query.where(wear_events.c.outfit_id == outfit_id)
        return bool((await self.conn.execute(query)).rowcount)

    async def for_item(self, owner_id: UserId, item_id: ItemId) -> list[WearEvent]:
        query = (
            select(wear_events)
            .where(wear_events.c.owner_id == owner_id, wear_events.c.item_id == item_id)
            .order_by(wear_events.c.worn_on.desc())
        )
        return [
            WearEvent(
                item_id=ItemId(r["item_id"]),
                worn_on=r["worn_on"],
                outfit_id=OutfitId(r["outfit_id"]) if r["outfit_id"] else None,
                created_at=r["created_at"],
            )
            for r in (await self.conn.execute(query)).mappings()
        ]

    async def tally(self, owner_id: UserId, item_id: ItemId) -> tuple[int, date | None]:
        row = (
            await self.conn.execute(
                select(func.count(), func.max(wear_events.c.worn_on)).where(
                    wear_events.c.owner_id == owner_id, wear_events.c.item_id == item_id
                )
            )
        ).one()
        return int(row[0]), row[1]
