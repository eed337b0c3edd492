from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from closet.domain.images import ItemPhoto
from closet.domain.items import ItemId
from closet.domain.users import UserId


class PhotoRepository(Protocol):
    """Item photos (keys, sizes, status) in SQL beside their items."""

    @abstractmethod
    async def get(self, owner_id: UserId, item_id: ItemId) -> ItemPhoto | None: ...

    @abstractmethod
    async def save(
        self, owner_id: UserId, item_id: ItemId, photo: ItemPhoto, *, expected_revision: int | None
    ) -> None:
        """Insert (``expected_revision`` None: there must be no photo yet) or replace the photo
        whose revision is ``expected_revision``; raises StaleVersion otherwise."""

    @abstractmethod
    async def many(self, owner_id: UserId, item_ids: Sequence[ItemId]) -> dict[ItemId, ItemPhoto]: ...

    @abstractmethod
    async def delete(self, owner_id: UserId, item_id: ItemId) -> None: ...

    @abstractmethod
    async def hashes(self, owner_id: UserId) -> dict[ItemId, int]:
        """Every photo's perceptual hash in one closet (the duplicate check)."""
