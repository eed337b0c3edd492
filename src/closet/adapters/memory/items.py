from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date

from closet.adapters.memory.outfits import MemoryOutfitRepository
from closet.adapters.memory.photos import MemoryPhotoRepository
from closet.adapters.memory.store import MemoryStore
from closet.application.errors import StaleVersion
from closet.application.item_listing import ListingPage, listed
from closet.application.item_query import (
    Facets,
    ItemFilter,
    ItemPage,
    ItemQuery,
    facet_counts,
    is_after,
    matches,
    next_cursor,
    order,
    sort_value,
)
from closet.application.ports.items import ItemRepository
from closet.domain.items import ClothingItem, ItemId
from closet.domain.users import UserId


class MemoryItemRepository(ItemRepository):
    """Runs the reference semantics of item_query directly."""

    def __init__(self, store: MemoryStore, photos: MemoryPhotoRepository | None = None) -> None:
        self.store = store
        self.photos = photos or MemoryPhotoRepository(store)
        self.outfits: MemoryOutfitRepository | None = None  # set by the unit of work
        self.pending: dict[ItemId, ClothingItem | None] = {}
        self.expected: dict[ItemId, int] = {}

    def _owned(self, owner_id: UserId) -> list[ClothingItem]:
        merged = {**self.store.items, **self.pending}
        return [i for i in merged.values() if i is not None and i.owner_id == owner_id]

    async def add(self, item: ClothingItem) -> None:
        self.pending[item.id] = copy.copy(item)

    async def get(self, owner_id: UserId, item_id: ItemId) -> ClothingItem | None:
        item = self.pending.get(item_id, self.store.items.get(item_id))
        return self._row(item) if item is not None and item.owner_id == owner_id else None

    async def update(self, item: ClothingItem, expected_version: int) -> None:
        current = await self.get(item.owner_id, item.id)
        if current is None or current.version != expected_version:
            raise StaleVersion(expected_version, current.version if current else 0)
        self.expected.setdefault(item.id, expected_version)
        stored = self.pending.get(item.id) or self.store.items[item.id]
        # the wear log's tally is not the edit's to write (as in SQL)
        self.pending[item.id] = replace(item, wear_count=stored.wear_count, last_worn_at=stored.last_worn_at)

    def check_versions(self) -> None:
        """At commit: nobody else changed what this unit of work updated."""
        for item_id, expected in self.expected.items():
            stored = self.store.items.get(item_id)
            if stored is not None and stored.version != expected:
                raise StaleVersion(expected, stored.version)
        self.expected.clear()

    async def delete(self, owner_id: UserId, item_id: ItemId) -> bool:
        if await self.get(owner_id, item_id) is None:
            return False
        self.pending[item_id] = None
        await self.photos.delete(owner_id, item_id)  # as the foreign keys cascade in SQL
        if self.outfits is not None:
            self.outfits.drop_item(item_id)
        return True

    async def set_wear(self, owner_id: UserId, item_id: ItemId, count: int, last: date | None) -> None:
        item = self.pending.get(item_id, self.store.items.get(item_id))
        if item is not None and item.owner_id == owner_id:
            self.pending[item_id] = replace(item, wear_count=count, last_worn_at=last)

    async def list(self, owner_id: UserId, query: ItemQuery) -> ItemPage:
        rows = order((i for i in self._owned(owner_id) if matches(i, query.filter)), query.sort)
        if query.after is not None:
            after = query.after
            rows = [i for i in rows if is_after(sort_value(i, after.sort.field), i.id, after)]
        page = [self._row(i) for i in rows[: query.limit]]
        return ItemPage(page, next_cursor(page, len(rows) > query.limit, query.sort))

    async def listing(self, owner_id: UserId, query: ItemQuery) -> ListingPage:
        page = await self.list(owner_id, query)
        return ListingPage([listed(i) for i in page.items], page.next_cursor)

    async def facets(self, owner_id: UserId, item_filter: ItemFilter) -> Facets:
        return facet_counts(self._owned(owner_id), item_filter)

    async def count(self, owner_id: UserId) -> int:
        return len(self._owned(owner_id))

    async def versions(self) -> dict[ItemId, tuple[UserId, int]]:
        merged = {**self.store.items, **self.pending}
        return {k: (v.owner_id, v.version) for k, v in merged.items() if v is not None}

    def _row(self, item: ClothingItem) -> ClothingItem:
        """What the SQL row holds (with its photo): filters see the description (search
        text), reads do not; it lives in the item's document."""
        photo = self.photos.current(item.id)
        return replace(item, details=replace(item.details, notes=None), photo=photo[1] if photo else None)
