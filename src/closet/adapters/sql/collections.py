"""Collections in SQL: a row and its members in order."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import RowMapping, and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from closet.adapters.sql.tables import collection_members, collections
from closet.application.errors import Conflict, StaleVersion
from closet.application.item_query import season_mask
from closet.application.ports.collections import CollectionRepository
from closet.domain.collections import Collection, CollectionDetails, CollectionId, Member, MemberKind
from closet.domain.items import Season
from closet.domain.users import UserId

_SEASONS = list(Season)


def _row(c: Collection) -> dict[str, Any]:
    d = c.details
    return {
        "id": c.id,
        "owner_id": c.owner_id,
        "name": d.name,
        "name_key": d.name.casefold(),
        "description": d.description,
        "tags": list(d.tags),
        "seasons": season_mask(d.seasons),
        "is_smart": d.smart,
        "cover_kind": d.cover.kind.value if d.cover else None,
        "cover_id": d.cover.id if d.cover else None,
        "version": c.version,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


# One collection and its members in one statement (every read of a collection starts here).
_ONE_WITH_MEMBERS = (
    select(
        collections,
        collection_members.c.kind.label("member_kind"),
        collection_members.c.member_id.label("member_id"),
    )
    .select_from(
        collections.outerjoin(collection_members, collection_members.c.collection_id == collections.c.id)
    )
    .where(
        collections.c.owner_id == bindparam("owner_id", type_=collections.c.owner_id.type),
        collections.c.id == bindparam("collection_id", type_=collections.c.id.type),
    )
    .order_by(collection_members.c.position)
)


def _collection(row: RowMapping, members: list[Member]) -> Collection:
    cover = Member(MemberKind(row["cover_kind"]), row["cover_id"]) if row["cover_kind"] else None
    details = CollectionDetails(
        name=row["name"],
        description=row["description"],
        tags=tuple(row["tags"]),
        seasons=frozenset(s for i, s in enumerate(_SEASONS) if row["seasons"] & (1 << i)),
        cover=cover,
        rules={} if row["is_smart"] else None,  # the rules themselves are in the document
    )
    return Collection(
        id=CollectionId(row["id"]),
        owner_id=UserId(row["owner_id"]),
        details=details,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        members=members,
        version=row["version"],
    )


class SqlCollectionRepository(CollectionRepository):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, collection: Collection) -> None:
        await self._named(insert(collections).values(_row(collection)), collection)
        await self._write_members(collection)

    async def _named(self, statement: Any, collection: Collection) -> Any:
        """Runs a write that may clash with another collection's name (in a savepoint)."""
        try:
            async with self.conn.begin_nested():
                return await self.conn.execute(statement)
        except IntegrityError:
            raise Conflict(f"you already have a collection named {collection.details.name!r}") from None

    async def _write_members(self, collection: Collection) -> None:
        await self.conn.execute(
            delete(collection_members).where(collection_members.c.collection_id == collection.id)
        )
        rows = [
            {
                "collection_id": collection.id,
                "kind": m.kind.value,
                "member_id": m.id,
                "owner_id": collection.owner_id,
                "position": index,
            }
            for index, m in enumerate(collection.members)
        ]
        if rows:
            await self.conn.execute(insert(collection_members), rows)

    async def get(self, owner_id: UserId, collection_id: CollectionId) -> Collection | None:
        params = {"owner_id": owner_id, "collection_id": collection_id}
        rows = (await self.conn.execute(_ONE_WITH_MEMBERS, params)).mappings().all()
        if not rows:
            return None
        members = [
            Member(MemberKind(r["member_kind"]), r["member_id"]) for r in rows if r["member_kind"] is not None
        ]
        return _collection(rows[0], members)

    async def _load(self, where: Any) -> list[Collection]:
        rows = (
            (await self.conn.execute(select(collections).where(where).order_by(collections.c.name_key)))
            .mappings()
            .all()
        )
        if not rows:
            return []
        members: dict[Any, list[Member]] = defaultdict(list)
        found = await self.conn.execute(
            select(collection_members)
            .where(collection_members.c.collection_id.in_([r["id"] for r in rows]))
            .order_by(collection_members.c.position)
        )
        for m in found.mappings():
            members[m["collection_id"]].append(Member(MemberKind(m["kind"]), m["member_id"]))
        return [_collection(r, members[r["id"]]) for r in rows]

    async def update(self, collection: Collection, expected_version: int) -> None:
        values = _row(collection)
        del values["id"], values["owner_id"], values["created_at"]
        statement = (
            update(collections)
            .where(
                collections.c.id == collection.id,
                collections.c.owner_id == collection.owner_id,
                collections.c.version == expected_version,
            )
            .values(values)
        )
        result = await self._named(statement, collection)
        if result.rowcount != 1:
            current = await self.conn.scalar(
                select(collections.c.version).where(collections.c.id == collection.id)
            )
            raise StaleVersion(expected_version, current or 0)
        await self._write_members(collection)

    async def delete(self, owner_id: UserId, collection_id: CollectionId) -> bool:
        result = await self.conn.execute(
            delete(collections).where(collections.c.id == collection_id, collections.c.owner_id == owner_id)
        )
        return bool(result.rowcount)

    async def all(self, owner_id: UserId) -> list[Collection]:
        return await self._load(collections.c.owner_id == owner_id)

    async def versions(self) -> dict[CollectionId, tuple[UserId, int]]:
        rows = await self.conn.execute(
            select(collections.c.id, collections.c.owner_id, collections.c.version)
        )
        return {CollectionId(i): (UserId(o), v) for i, o, v in rows}

    async def holding(self, owner_id: UserId, member: Member) -> list[Collection]:
        held = select(collection_members.c.collection_id).where(
            collection_members.c.owner_id == owner_id,
            collection_members.c.kind == member.kind.value,
            collection_members.c.member_id == member.id,
        )
        covered = and_(collections.c.cover_kind == member.kind.value, collections.c.cover_id == member.id)
        return await self._load(
            and_(collections.c.owner_id == owner_id, or_(collections.c.id.in_(held), covered))
        )
