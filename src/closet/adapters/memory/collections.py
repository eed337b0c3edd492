from __future__ import annotations

import copy
from dataclasses import replace

from closet.adapters.memory.store import MemoryStore
from closet.application.errors import Conflict, StaleVersion
from closet.application.ports.collections import CollectionRepository
from closet.domain.collections import Collection, CollectionId, Member
from closet.domain.users import UserId


class MemoryCollectionRepository(CollectionRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.pending: dict[CollectionId, Collection | None] = {}

    def _all(self) -> dict[CollectionId, Collection]:
        merged = {**self.store.collections, **self.pending}
        return {k: v for k, v in merged.items() if v is not None}

    def _check_name(self, collection: Collection) -> None:
        key = collection.details.name.casefold()
        for other in self._all().values():
            if (
                other.owner_id == collection.owner_id
                and other.id != collection.id
                and other.details.name.casefold() == key
            ):
                raise Conflict(f"you already have a collection named {collection.details.name!r}")

    async def add(self, collection: Collection) -> None:
        self._check_name(collection)
        self.pending[collection.id] = copy.deepcopy(collection)

    async def get(self, owner_id: UserId, collection_id: CollectionId) -> Collection | None:
        found = self._all().get(collection_id)
        if found is None or found.owner_id != owner_id:
            return None
        return _row(found)

    async def update(self, collection: Collection, expected_version: int) -> None:
        current = await self.get(collection.owner_id, collection.id)
        if current is None or current.version != expected_version:
            raise StaleVersion(expected_version, current.version if current else 0)
        self._check_name(collection)
        self.pending[collection.id] = copy.deepcopy(collection)

    async def delete(self, owner_id: UserId, collection_id: CollectionId) -> bool:
        if await self.get(owner_id, collection_id) is None:
            return False
        self.pending[collection_id] = None
        return True

    async def all(self, owner_id: UserId) -> list[Collection]:
        found = [_row(c) for c in self._all().values() if c.owner_id == owner_id]
        return sorted(found, key=lambda c: (c.details.name.casefold(), c.id))

    async def versions(self) -> dict[CollectionId, tuple[UserId, int]]:
        return {k: (v.owner_id, v.version) for k, v in self._all().items()}

    async def holding(self, owner_id: UserId, member: Member) -> list[Collection]:
        return [
            _row(c)
            for c in self._all().values()
            if c.owner_id == owner_id and (member in c.members or c.details.cover == member)
        ]

    def commit(self) -> None:
        for key, value in self.pending.items():
            if value is None:
                self.store.collections.pop(key, None)
            else:
                self.store.collections[key] = value
        self.pending.clear()


def _row(collection: Collection) -> Collection:
    """What SQL holds: whether it is smart, but not its rules and sort (they live in the
    collection's document): empty rules for a smart one, as the SQL adapter reads ``is_smart``."""
    copied = copy.deepcopy(collection)
    copied.details = replace(copied.details, rules={} if collection.details.smart else None, sort=None)
    return copied
