from __future__ import annotations

from abc import abstractmethod
from datetime import date
from typing import Protocol

from closet.application.item_listing import ListingPage
from closet.application.item_query import Facets, ItemFilter, ItemPage, ItemQuery
from closet.domain.items import ClothingItem, ItemId
from closet.domain.users import UserId


class ItemRepository(Protocol):
    @abstractmethod
    async def add(self, item: ClothingItem) -> None: ...

    @abstractmethod
    async def get(self, owner_id: UserId, item_id: ItemId) -> ClothingItem | None: ...

    @abstractmethod
    async def update(self, item: ClothingItem, expected_version: int) -> None:
        """Save ``item``; raises StaleVersion if the stored version is not ``expected_version``."""

    @abstractmethod
    async def delete(self, owner_id: UserId, item_id: ItemId) -> bool: ...

    @abstractmethod
    async def set_wear(self, owner_id: UserId, item_id: ItemId, count: int, last: date | None) -> None:
        """The wear log's tally: usage, not a change of the item (its version stays)."""

    @abstractmethod
    async def list(self, owner_id: UserId, query: ItemQuery) -> ItemPage: ...

    @abstractmethod
    async def listing(self, owner_id: UserId, query: ItemQuery) -> ListingPage:
        """The same page as ``list``, each item as lists show it (``item_listing.listed``)."""

    @abstractmethod
    async def facets(self, owner_id: UserId, item_filter: ItemFilter) -> Facets:
        """Counts per category, colour and brand; each facet ignores its own filter."""

    @abstractmethod
    async def count(self, owner_id: UserId) -> int: ...

    @abstractmethod
    async def versions(self) -> dict[ItemId, tuple[UserId, int]]:
        """Every item's owner and version, across owners: for the consistency check only."""
