"""Outfits, renders, shares and the wear log in memory (staged until commit, like the rest)."""

from __future__ import annotations

import copy
import uuid
from dataclasses import replace
from datetime import date, datetime

from closet.adapters.memory.store import MemoryStore
from closet.application.errors import StaleVersion
from closet.application.ports.outfits import (
    OutfitPage,
    OutfitQuery,
    OutfitRepository,
    OutfitToRender,
    ShareLink,
    ShareRepository,
    StoredRender,
    WearEvent,
    WearRepository,
)
from closet.domain.images import BlobKey
from closet.domain.items import ItemId
from closet.domain.outfits import Outfit, OutfitId
from closet.domain.users import UserId


class MemoryOutfitRepository(OutfitRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.pending: dict[OutfitId, Outfit | None] = {}
        self.renders: dict[OutfitId, dict[str, tuple[str, StoredRender]]] = {}

    def _all(self) -> dict[OutfitId, Outfit]:
        merged = {**self.store.outfits, **self.pending}
        return {k: v for k, v in merged.items() if v is not None}

    def _renders(self, outfit_id: OutfitId) -> dict[str, tuple[str, StoredRender]]:
        if outfit_id not in self.renders:
            self.renders[outfit_id] = dict(self.store.renders.get(outfit_id, {}))
        return self.renders[outfit_id]

    async def add(self, outfit: Outfit) -> None:
        self.pending[outfit.id] = copy.copy(outfit)

    async def get(self, owner_id: UserId, outfit_id: OutfitId) -> Outfit | None:
        found = self._all().get(outfit_id)
        if found is None or found.owner_id != owner_id:
            return None
        return _row(found)

    async def get_to_render(self, owner_id: UserId, outfit_id: OutfitId) -> OutfitToRender | None:
        outfit = await self.get(owner_id, outfit_id)
        if outfit is None:
            return None
        images = {
            item_id: found[1].drawn
            for item_id in outfit.details.item_ids
            if (found := self.store.photos.get(item_id)) is not None and found[0] == owner_id
        }
        return OutfitToRender(outfit, images)

    async def update(self, outfit: Outfit, expected_version: int) -> None:
        current = await self.get(outfit.owner_id, outfit.id)
        if current is None or current.version != expected_version:
            raise StaleVersion(expected_version, current.version if current else 0)
        self.pending[outfit.id] = copy.copy(outfit)

    async def delete(self, owner_id: UserId, outfit_id: OutfitId) -> list[BlobKey] | None:
        if await self.get(owner_id, outfit_id) is None:
            return None
        self.pending[outfit_id] = None
        released = [render.key for _shape, render in self._renders(outfit_id).values()]
        self.renders[outfit_id] = {}
        return released

    async def list(self, owner_id: UserId, query: OutfitQuery) -> OutfitPage:
        f = query.filter
        chosen = [
            o
            for o in self._all().values()
            if o.owner_id == owner_id
            and o.is_template == f.is_template
            and (not f.seasons or f.seasons & o.details.seasons)
            and (not f.occasions or f.occasions & o.details.occasions)
            and (f.item_id is None or f.item_id in o.details.item_ids)
        ]
        chosen.sort(key=lambda o: (o.created_at, o.id), reverse=True)
        if query.after is not None:
            chosen = [o for o in chosen if (o.created_at, o.id) < query.after]
        return OutfitPage([_row(o) for o in chosen[: query.limit]], len(chosen) > query.limit)

    async def containing(self, owner_id: UserId, item_id: ItemId) -> list[Outfit]:
        return [
            _row(o) for o in self._all().values() if o.owner_id == owner_id and item_id in o.details.item_ids
        ]

    async def versions(self) -> dict[OutfitId, tuple[UserId, int]]:
        return {k: (v.owner_id, v.version) for k, v in self._all().items()}

    async def count(self, owner_id: UserId) -> int:
        return sum(1 for o in self._all().values() if o.owner_id == owner_id and not o.is_template)

    async def get_render(self, outfit_id: OutfitId, render_key: str) -> StoredRender | None:
        found = self._renders(outfit_id).get(render_key)
        return found[1] if found else None

    async def save_render(self, outfit_id: OutfitId, render_key: str, render: StoredRender) -> list[BlobKey]:
        shape = f"{render.media_type}:{render.width}"
        renders = self._renders(outfit_id)
        stale = [k for k, (s, _r) in renders.items() if s == shape]
        released = [renders.pop(k)[1].key for k in stale]
        renders[render_key] = (shape, render)
        return released

    def commit(self) -> None:
        for outfit_id, outfit in self.pending.items():
            if outfit is None:
                self.store.outfits.pop(outfit_id, None)
                self.store.renders.pop(outfit_id, None)
            else:
                self.store.outfits[outfit_id] = copy.copy(outfit)
        for outfit_id, renders in self.renders.items():
            if outfit_id in self.store.outfits:
                self.store.renders[outfit_id] = renders
        self.pending.clear()
        self.renders.clear()

    def drop_item(self, item_id: ItemId) -> None:
        """As the foreign key cascades in SQL: a deleted item's layers go."""
        for outfit in list(self._all().values()):
            if item_id in outfit.details.item_ids:
                layers = tuple(la for la in outfit.details.layers if la.item_id != item_id)
                self.pending[outfit.id] = replace(outfit, details=replace(outfit.details, layers=layers))


def _row(outfit: Outfit) -> Outfit:
    """What the SQL row holds: the notes live in the outfit's document; layers come back in z
    order, as from SQL."""
    layers = tuple(sorted(outfit.details.layers, key=lambda la: la.z))
    return replace(outfit, details=replace(outfit.details, notes=None, layers=layers))


class MemoryShareRepository(ShareRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.pending: dict[uuid.UUID, ShareLink] = {}

    def _all(self) -> dict[uuid.UUID, ShareLink]:
        live = {k: v for k, v in self.store.shares.items() if v.outfit_id in self.store.outfits}
        return {**live, **self.pending}

    async def add(self, share: ShareLink) -> None:
        self.pending[share.id] = share

    async def by_token_hash(self, token_hash: str) -> ShareLink | None:
        return next((s for s in self._all().values() if s.token_hash == token_hash), None)

    async def for_outfit(self, owner_id: UserId, outfit_id: OutfitId) -> list[ShareLink]:
        found = [s for s in self._all().values() if s.owner_id == owner_id and s.outfit_id == outfit_id]
        return sorted(found, key=lambda s: s.created_at, reverse=True)

    async def revoke(self, owner_id: UserId, share_id: uuid.UUID, now: datetime) -> bool:
        share = self._all().get(share_id)
        if share is None or share.owner_id != owner_id or share.revoked_at is not None:
            return False
        self.pending[share_id] = replace(share, revoked_at=now)
        return True

    def commit(self) -> None:
        self.store.shares.update(self.pending)
        self.pending.clear()


class MemoryWearRepository(WearRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.pending: dict[tuple[ItemId, date], tuple[UserId, WearEvent] | None] = {}

    def _all(self) -> dict[tuple[ItemId, date], tuple[UserId, WearEvent]]:
        merged = {**self.store.wears, **self.pending}
        live = set(self.store.items)
        return {k: v for k, v in merged.items() if v is not None and k[0] in live}

    async def add(self, owner_id: UserId, event: WearEvent) -> bool:
        key = (event.item_id, event.worn_on)
        if key in self._all():
            return False
        self.pending[key] = (owner_id, event)
        return True

    async def remove(
        self, owner_id: UserId, item_id: ItemId, worn_on: date, outfit_id: OutfitId | None = None
    ) -> bool:
        found = self._all().get((item_id, worn_on))
        if (
            found is None
            or found[0] != owner_id
            or (outfit_id is not None and found[1].outfit_id != outfit_id)
        ):
            return False
        self.pending[(item_id, worn_on)] = None
        return True

    async def for_item(self, owner_id: UserId, item_id: ItemId) -> list[WearEvent]:
        found = [e for (i, _d), (o, e) in self._all().items() if i == item_id and o == owner_id]
        return sorted(found, key=lambda e: e.worn_on, reverse=True)

    async def tally(self, owner_id: UserId, item_id: ItemId) -> tuple[int, date | None]:
        days = [e.worn_on for e in await self.for_item(owner_id, item_id)]
        return len(days), max(days, default=None)

    def commit(self) -> None:
        for key, value in self.pending.items():
            if value is None:
                self.store.wears.pop(key, None)
            else:
                self.store.wears[key] = value
        self.pending.clear()
