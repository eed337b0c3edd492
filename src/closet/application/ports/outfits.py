"""Outfits, their renders, share links and the wear log, in SQL."""

from __future__ import annotations

import uuid
from abc import abstractmethod
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from closet.domain.images import BlobKey
from closet.domain.items import ItemId, Season
from closet.domain.outfits import Occasion, Outfit, OutfitId
from closet.domain.users import UserId


@dataclass(frozen=True, slots=True, kw_only=True)
class OutfitFilter:
    seasons: frozenset[Season] = frozenset()
    occasions: frozenset[Occasion] = frozenset()
    item_id: ItemId | None = None
    is_template: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class OutfitQuery:
    filter: OutfitFilter
    limit: int
    after: tuple[datetime, uuid.UUID] | None = None  # keyset: newest first, ties by id


@dataclass(frozen=True, slots=True)
class OutfitPage:
    outfits: list[Outfit]
    has_more: bool


@dataclass(frozen=True, slots=True)
class StoredRender:
    key: BlobKey
    media_type: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class OutfitToRender:
    """An outfit and, for each of its items that has a photo, the image it is drawn with
    (``ItemPhoto.drawn``): what a render reads, and all that its cache key needs."""

    outfit: Outfit
    images: dict[ItemId, BlobKey]


class OutfitRepository(Protocol):
    @abstractmethod
    async def add(self, outfit: Outfit) -> None: ...

    @abstractmethod
    async def get(self, owner_id: UserId, outfit_id: OutfitId) -> Outfit | None:
        """The outfit's row and layers (its notes live in its document)."""

    @abstractmethod
    async def get_to_render(self, owner_id: UserId, outfit_id: OutfitId) -> OutfitToRender | None:
        """``get``, and the image each of the outfit's items is drawn with, read together (one
        round trip on SQL that reads only the photos' image columns: a render's cache hit is
        this read)."""

    @abstractmethod
    async def update(self, outfit: Outfit, expected_version: int) -> None: ...

    @abstractmethod
    async def delete(self, owner_id: UserId, outfit_id: OutfitId) -> list[BlobKey] | None:
        """Deletes the outfit; answers the blob keys of its renders (theirs to release), or None
        if there was no such outfit to delete (another request deleted it meanwhile)."""

    @abstractmethod
    async def containing(self, owner_id: UserId, item_id: ItemId) -> list[Outfit]: ...

    @abstractmethod
    async def count(self, owner_id: UserId) -> int:
        """The owner's outfits (templates are not counted)."""

    @abstractmethod
    async def versions(self) -> dict[OutfitId, tuple[UserId, int]]:
        """Every outfit's and template's owner and version, across owners: for the consistency
        check only."""

    @abstractmethod
    async def get_render(self, outfit_id: OutfitId, render_key: str) -> StoredRender | None: ...

    @abstractmethod
    async def save_render(self, outfit_id: OutfitId, render_key: str, render: StoredRender) -> list[BlobKey]:
        """Keeps this render; drops the outfit's renders of the same shape that are now stale
        (answers their blob keys, to release)."""

    @abstractmethod  # last: below it, ``list`` would name this method, not the type
    async def list(self, owner_id: UserId, query: OutfitQuery) -> OutfitPage: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class ShareLink:
    id: uuid.UUID
    token_hash: str
    outfit_id: OutfitId
    owner_id: UserId
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


class ShareRepository(Protocol):
    @abstractmethod
    async def add(self, share: ShareLink) -> None: ...

    @abstractmethod
    async def by_token_hash(self, token_hash: str) -> ShareLink | None: ...

    @abstractmethod
    async def for_outfit(self, owner_id: UserId, outfit_id: OutfitId) -> list[ShareLink]: ...

    @abstractmethod
    async def revoke(self, owner_id: UserId, share_id: uuid.UUID, now: datetime) -> bool: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class WearEvent:
    item_id: ItemId
    worn_on: date
    outfit_id: OutfitId | None
    created_at: datetime


class WearRepository(Protocol):
    @abstractmethod
    async def add(self, owner_id: UserId, event: WearEvent) -> bool:
        """Records the wear unless the item was already worn that day (answers whether it did)."""

    @abstractmethod
    async def remove(
        self, owner_id: UserId, item_id: ItemId, worn_on: date, outfit_id: OutfitId | None = None
    ) -> bool: ...

    @abstractmethod
    async def for_item(self, owner_id: UserId, item_id: ItemId) -> list[WearEvent]:
        """Newest first."""

    @abstractmethod
    async def tally(self, owner_id: UserId, item_id: ItemId) -> tuple[int, date | None]:
        """How often the item was worn, and when last."""
