from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from closet.domain.collections import Collection, CollectionId, Member
from closet.domain.users import UserId


class CollectionRepository(Protocol):
    """Collections (SQL) with their members in order. A smart collection's rules live in its
    ``collection_filters`` document, merged in by the use cases."""

    @abstractmethod
    async def add(self, collection: Collection) -> None:
        """Raises Conflict if the owner has a collection of that name (case-insensitive)."""

    @abstractmethod
    async def get(self, owner_id: UserId, collection_id: CollectionId) -> Collection | None: ...

    @abstractmethod
    async def update(self, collection: Collection, expected_version: int) -> None:
        """Raises StaleVersion, or Conflict for a name the owner already uses."""

    @abstractmethod
    async def delete(self, owner_id: UserId, collection_id: CollectionId) -> bool: ...

    @abstractmethod
    async def all(self, owner_id: UserId) -> list[Collection]:
        """The owner's collections by name (without their members)."""

    @abstractmethod
    async def versions(self) -> dict[CollectionId, tuple[UserId, int]]:
        """Every collection's owner and version, across owners: for the consistency check only."""

    @abstractmethod
    async def holding(self, owner_id: UserId, member: Member) -> list[Collection]:
        """The owner's collections that hold ``member``."""
