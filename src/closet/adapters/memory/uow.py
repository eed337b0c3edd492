from __future__ import annotations

import copy
from types import TracebackType
from typing import Self

from closet.adapters.memory.collections import MemoryCollectionRepository
from closet.adapters.memory.items import MemoryItemRepository
from closet.adapters.memory.jobs import MemoryJobRepository
from closet.adapters.memory.outbox import MemoryOutbox
from closet.adapters.memory.outfits import MemoryOutfitRepository, MemoryShareRepository, MemoryWearRepository
from closet.adapters.memory.photos import MemoryPhotoRepository
from closet.adapters.memory.sessions import MemoryAccountTokenRepository, MemorySessionRepository
from closet.adapters.memory.store import MemoryStore
from closet.adapters.memory.users import MemoryUserRepository
from closet.application.ports.uow import UnitOfWork


class MemoryUnitOfWork(UnitOfWork):
    """Changes are staged on copies and reach the store only on ``commit()``."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    async def __aenter__(self) -> Self:
        self.photos = MemoryPhotoRepository(self.store)
        self.items = MemoryItemRepository(self.store, self.photos)
        self.jobs = MemoryJobRepository(self.store)
        self.outfits = MemoryOutfitRepository(self.store)
        self.shares = MemoryShareRepository(self.store)
        self.wears = MemoryWearRepository(self.store)
        self.items.outfits = self.outfits
        self.collections = MemoryCollectionRepository(self.store)
        self.users = MemoryUserRepository(self.store)
        self.outbox = MemoryOutbox(self.store)
        self.sessions = MemorySessionRepository(self.store)
        self.account_tokens = MemoryAccountTokenRepository(self.store)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.items.pending.clear()
        self.users.pending.clear()
        self.outbox.pending.clear()
        self.photos.pending.clear()
        self.jobs.pending.clear()
        self.outfits.pending.clear()
        self.outfits.renders.clear()
        self.shares.pending.clear()
        self.wears.pending.clear()
        self.collections.pending.clear()

    async def commit(self) -> None:
        self.items.check_versions()
        for item_id, item in self.items.pending.items():
            if item is None:
                self.store.items.pop(item_id, None)
            else:
                self.store.items[item_id] = copy.copy(item)
        for user_id, user in self.users.pending.items():
            self.store.users[user_id] = copy.copy(user)
        self.outbox.commit()
        self.photos.commit()
        self.jobs.commit()
        self.outfits.commit()
        self.shares.commit()
        self.wears.commit()
        self.collections.commit()
        self.sessions.commit()
        self.account_tokens.commit()
        self.items.pending.clear()
        self.users.pending.clear()
