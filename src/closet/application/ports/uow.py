from __future__ import annotations

from abc import abstractmethod
from types import TracebackType
from typing import Protocol, Self

from closet.application.ports.collections import CollectionRepository
from closet.application.ports.items import ItemRepository
from closet.application.ports.jobs import JobRepository
from closet.application.ports.outbox import Outbox
from closet.application.ports.outfits import OutfitRepository, ShareRepository, WearRepository
from closet.application.ports.photos import PhotoRepository
from closet.application.ports.sessions import AccountTokenRepository, SessionRepository
from closet.application.ports.users import UserRepository


class UnitOfWork(Protocol):
    """One transaction: opened on enter, rolled back on exit unless ``commit()`` ran."""

    items: ItemRepository
    users: UserRepository
    outbox: Outbox
    sessions: SessionRepository
    account_tokens: AccountTokenRepository
    photos: PhotoRepository
    jobs: JobRepository
    outfits: OutfitRepository
    shares: ShareRepository
    wears: WearRepository
    collections: CollectionRepository

    @abstractmethod
    async def __aenter__(self) -> Self: ...

    @abstractmethod
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    @abstractmethod
    async def commit(self) -> None: ...
