"""The documents store: metadata documents beside the SQL rows (MongoDB, or a JSON table)."""

from __future__ import annotations

import uuid
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

JsonObject = Mapping[str, Any]


class DocumentKind(StrEnum):
    ITEM_TAGS = "item_tags"  # tags, free-text description, image-processing data of an item
    OUTFIT_METADATA = "outfit_metadata"  # canvas and layers of an outfit
    COLLECTION_FILTERS = "collection_filters"  # saved smart rules and sort of a collection


@dataclass(frozen=True, kw_only=True)
class Document:
    kind: DocumentKind
    owner_id: uuid.UUID
    doc_id: uuid.UUID
    version: int
    body: JsonObject


@dataclass(frozen=True, kw_only=True)
class DocumentChange:
    """Set a document to ``body`` at ``version``, or delete it (``body`` None).

    Applying a change is idempotent and never moves a document back: a change whose
    version is not newer than what is stored (a deletion leaves a versioned tombstone)
    changes nothing.
    """

    kind: DocumentKind
    owner_id: uuid.UUID
    doc_id: uuid.UUID
    version: int
    body: JsonObject | None

    @property
    def key(self) -> tuple[DocumentKind, uuid.UUID]:
        return self.kind, self.doc_id


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    """Who did what to which resource, and how it went. Never a password or a token."""

    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    action: str
    resource_type: str
    resource_id: str | None
    outcome: str
    request_id: str | None = None
    details: JsonObject | None = None


@dataclass(frozen=True, slots=True)
class StoredVersion:
    owner_id: uuid.UUID
    version: int


class DocumentStore(Protocol):
    @abstractmethod
    async def apply(self, changes: Sequence[DocumentChange]) -> None:
        """Apply changes (at most one per document); raises StorageUnavailable."""

    async def put(self, document: Document) -> None:
        await self.apply(
            [
                DocumentChange(
                    kind=document.kind,
                    owner_id=document.owner_id,
                    doc_id=document.doc_id,
                    version=document.version,
                    body=document.body,
                )
            ]
        )

    async def delete(self, kind: DocumentKind, owner_id: uuid.UUID, doc_id: uuid.UUID, version: int) -> None:
        await self.apply(
            [DocumentChange(kind=kind, owner_id=owner_id, doc_id=doc_id, version=version, body=None)]
        )

    async def get(self, kind: DocumentKind, owner_id: uuid.UUID, doc_id: uuid.UUID) -> Document | None:
        return (await self.get_many(kind, owner_id, [doc_id])).get(doc_id)

    @abstractmethod
    async def get_many(
        self, kind: DocumentKind, owner_id: uuid.UUID, doc_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, Document]: ...

    @abstractmethod
    async def delete_owner(self, owner_id: uuid.UUID) -> int:
        """Remove every document of an owner (tombstones included); returns how many."""

    @abstractmethod
    async def versions(self, kind: DocumentKind) -> dict[uuid.UUID, StoredVersion]:
        """Every live document of a kind: what the consistency check compares with SQL."""

    @abstractmethod
    async def purge(self, kind: DocumentKind, doc_ids: Sequence[uuid.UUID]) -> None:
        """Remove documents outright (repairing orphans)."""


class AuditStore(Protocol):
    @abstractmethod
    async def append(self, entries: Sequence[AuditEntry]) -> None:
        """Store entries; an entry whose id is already stored is skipped (idempotent)."""

    @abstractmethod
    async def recent(self, *, actor_id: uuid.UUID | None = None, limit: int = 50) -> list[AuditEntry]:
        """Newest first."""
