from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from closet.adapters.sql import item_filters
from closet.adapters.sql.item_rows import READ_COLUMNS, from_row, listed_from_row, projection_rows, to_row
from closet.adapters.sql.tables import item_colors, item_materials, item_photos, item_tags, items
from closet.application.errors import StaleVersion
from closet.application.item_listing import ListingPage
from closet.application.item_query import (
    BRAND_FACET_LIMIT,
    Cursor,
    FacetCount,
    Facets,
    ItemFilter,
    ItemPage,
    ItemQuery,
    Sort,
    next_cursor,
    ranked,
)
from closet.application.ports.items import ItemRepository
from closet.domain.items import ClothingItem, ItemId
from closet.domain.users import UserId

_PROJECTIONS = {"color": item_colors, "tag": item_tags, "fibre": item_materials}
_WITH_PHOTO = items.outerjoin(item_photos, item_photos.c.item_id == items.c.id)


def page_statement(owner_id: UserId, query: ItemQuery) -> tuple[Select[Any], dict[str, Any]]:
    """The statement of a page of the list, and the values of its parameters."""
    shape, values = item_filters.split(owner_id, query.filter)
    after = None
    if query.after is not None:
        after, cursor_values = item_filters.split_after(query.after)
        values.update(cursor_values)
    values["limit"] = query.limit + 1
    return _page(shape, query.sort, after), values


@lru_cache(maxsize=256)
def _page(shape: item_filters.Shape, sort: Sort, after: item_filters.Shape | None) -> Select[Any]:
    where = item_filters.where(shape)
    if after is not None:
        where = (*where, item_filters.after(after))
    return (
        select(*READ_COLUMNS, item_filters.SORT_COLUMNS[sort.field].label("sort_value"))
        .select_from(_WITH_PHOTO)
        .where(*where)
        .order_by(*item_filters.ordering(sort))
        .limit(bindparam("limit"))
    )


@lru_cache(maxsize=256)
def _facet_statement(facet: str, shape: item_filters.Shape) -> Select[Any]:
    where = item_filters.where(shape)
    if facet == "categories":
        return select(items.c.category, func.count()).where(*where).group_by(items.c.category)
    if facet == "colors":
        return (
            select(item_colors.c.color, func.count())
            .join(items, items.c.id == item_colors.c.item_id)
            .where(*where)
            .group_by(item_colors.c.color)
        )
    count = func.count().label("n")
    return (
        select(items.c.brand_key, func.min(items.c.brand), count)
        .where(items.c.brand_key.is_not(None), *where)
        .group_by(items.c.brand_key)
        .order_by(count.desc(), items.c.brand_key)
        .limit(BRAND_FACET_LIMIT)
    )


class SqlItemRepository(ItemRepository):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, item: ClothingItem) -> None:
        await self.conn.execute(insert(items), [to_row(item)])
        await self._write_projections(item)

    async def get(self, owner_id: UserId, item_id: ItemId) -> ClothingItem | None:
        query = (
            select(*READ_COLUMNS)
            .select_from(_WITH_PHOTO)
            .where(items.c.id == item_id, items.c.owner_id == owner_id)
        )
        row = (await self.conn.execute(query)).mappings().first()
        return from_row(row) if row else None

    async def update(self, item: ClothingItem, expected_version: int) -> None:
        values = to_row(item)
        # wear_count and last_worn_at belong to the wear log (set_wear): an edit must not write
        # back the tally it happened to load while a wear was being logged
        del (
            values["id"],
            values["owner_id"],
            values["created_at"],
            values["wear_count"],
            values["last_worn_at"],
        )
        result = await self.conn.execute(
            update(items)
            .where(
                items.c.id == item.id,
                items.c.owner_id == item.owner_id,
                items.c.version == expected_version,
            )
            .values(values)
        )
        if result.rowcount != 1:
            current = await self.conn.scalar(select(items.c.version).where(items.c.id == item.id))
            raise StaleVersion(expected_version, current or 0)
        for table in _PROJECTIONS.values():
            await self.conn.execute(delete(table).where(table.c.item_id == item.id))
        await self._write_projections(item)

    async def _write_projections(self, item: ClothingItem) -> None:
        for key, rows in projection_rows(item).items():
            if rows:
                await self.conn.execute(insert(_PROJECTIONS[key]), rows)

    async def delete(self, owner_id: UserId, item_id: ItemId) -> bool:
        result = await self.conn.execute(
            delete(items).where(items.c.id == item_id, items.c.owner_id == owner_id)
        )
        return bool(result.rowcount)

    async def set_wear(self, owner_id: UserId, item_id: ItemId, count: int, last: date | None) -> None:
        await self.conn.execute(
            update(items)
            .where(items.c.id == item_id, items.c.owner_id == owner_id)
            .values(wear_count=count, last_worn_at=last)
        )

    async def list(self, owner_id: UserId, query: ItemQuery) -> ItemPage:
        statement, values = page_statement(owner_id, query)
        rows = (await self.conn.execute(statement, values)).mappings().all()
        page = [from_row(r) for r in rows[: query.limit]]
        return ItemPage(page, next_cursor(page, len(rows) > query.limit, query.sort))

    async def listing(self, owner_id: UserId, query: ItemQuery) -> ListingPage:
        statement, values = page_statement(owner_id, query)
        rows = (await self.conn.execute(statement, values)).all()
        page = rows[: query.limit]
        cursor = None
        if len(rows) > query.limit:  # the cursor holds the sort column as stored: what SQL compares
            cursor = Cursor(query.sort, page[-1].sort_value, page[-1].id).encode()
        return ListingPage([listed_from_row(r) for r in page], cursor)

    async def facets(self, owner_id: UserId, item_filter: ItemFilter) -> Facets:
        counts = []
        for facet in ("categories", "colors", "brands"):
            shape, values = item_filters.split(owner_id, item_filter.without(facet))
            counts.append((await self.conn.execute(_facet_statement(facet, shape), values)).all())
        categories, colors, brands = counts
        return Facets(
            categories=ranked(FacetCount(v, v, n) for v, n in categories),
            colors=ranked(FacetCount(v, v, n) for v, n in colors),
            brands=ranked(FacetCount(k, label, n) for k, label, n in brands),
        )

    async def versions(self) -> dict[ItemId, tuple[UserId, int]]:
        rows = await self.conn.execute(select(items.c.id, items.c.owner_id, items.c.version))
        return {ItemId(i): (UserId(o), v) for i, o, v in rows}

    async def count(self, owner_id: UserId) -> int:
        total = await self.conn.scalar(
            select(func.count()).select_from(items).where(items.c.owner_id == owner_id)
        )
        return int(total or 0)
