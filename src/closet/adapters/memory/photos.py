from __future__ import annotations

from collections.abc import Sequence

from closet.adapters.memory.store import MemoryStore
from closet.application.errors import PHOTO_CHANGED, StaleVersion
from closet.application.ports.photos import PhotoRepository
from closet.domain.images import ItemPhoto
from closet.domain.items import ItemId
from closet.domain.users import UserId

_DELETED = None


class MemoryPhotoRepository(PhotoRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.pending: dict[ItemId, tuple[UserId, ItemPhoto] | None] = {}

    def current(self, item_id: ItemId) -> tuple[UserId, ItemPhoto] | None:
        if item_id in self.pending:
            return self.pending[item_id]
        return self.store.photos.get(item_id)

    async def get(self, owner_id: UserId, item_id: ItemId) -> ItemPhoto | None:
        found = self.current(item_id)
        return found[1] if found is not None and found[0] == owner_id else None

    async def many(self, owner_id: UserId, item_ids: Sequence[ItemId]) -> dict[ItemId, ItemPhoto]:
        found = {i: await self.get(owner_id, i) for i in item_ids}
        return {i: p for i, p in found.items() if p is not None}

    async def save(
        self, owner_id: UserId, item_id: ItemId, photo: ItemPhoto, *, expected_revision: int | None
    ) -> None:
        current = await self.get(owner_id, item_id)
        if expected_revision is None and current is not None:
            raise StaleVersion(0, current.revision, PHOTO_CHANGED)
        if expected_revision is not None and (current is None or current.revision != expected_revision):
            raise StaleVersion(expected_revision, current.revision if current else 0, PHOTO_CHANGED)
        self.pending[item_id] = (owner_id, photo)

    async def delete(self, owner_id: UserId, item_id: ItemId) -> None:
        if await self.get(owner_id, item_id) is not None:
            self.pending[item_id] = _DELETED

    async def hashes(self, owner_id: UserId) -> dict[ItemId, int]:
        merged = {**self.store.photos, **self.pending}
        return {i: p[1].phash for i, p in merged.items() if p is not None and p[0] == owner_id}

    def commit(self) -> None:
        for item_id, value in self.pending.items():
            if value is None:
                self.store.photos.pop(item_id, None)
            else:
                self.store.photos[item_id] = value
        self.pending.clear()
