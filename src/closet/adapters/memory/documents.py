from __future__ import annotations

import uuid
from collections.abc import Sequence

from closet.adapters.memory.store import MemoryDocuments
from closet.application.errors import StorageUnavailable
from closet.application.ports.documents import (
    AuditEntry,
    AuditStore,
    Document,
    DocumentChange,
    DocumentKind,
    DocumentStore,
    StoredVersion,
)


class MemoryDocumentStore(DocumentStore):
    def __init__(self, state: MemoryDocuments) -> None:
        self.state = state

    def _check(self) -> None:
        if not self.state.available:
            raise StorageUnavailable("the memory documents store is switched off")

    async def apply(self, changes: Sequence[DocumentChange]) -> None:
        self._check()
        for c in changes:
            stored = self.state.docs.get(c.key)
            if stored is None or stored["version"] < c.version:
                self.state.docs[c.key] = {
                    "owner_id": c.owner_id,
                    "version": c.version,
                    "body": dict(c.body) if c.body is not None else None,
                }

    async def get_many(
        self, kind: DocumentKind, owner_id: uuid.UUID, doc_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, Document]:
        self._check()
        found = {}
        for doc_id in doc_ids:
            stored = self.state.docs.get((kind, doc_id))
            if stored is not None and stored["owner_id"] == owner_id and stored["body"] is not None:
                found[doc_id] = Document(
                    kind=kind,
                    owner_id=owner_id,
                    doc_id=doc_id,
                    version=stored["version"],
                    body=stored["body"],
                )
        return found

    async def delete_owner(self, owner_id: uuid.UUID) -> int:
        self._check()
        keys = [k for k, v in self.state.docs.items() if v["owner_id"] == owner_id]
        for key in keys:
            del self.state.docs[key]
        return len(keys)

    async def versions(self, kind: DocumentKind) -> dict[uuid.UUID, StoredVersion]:
        self._check()
        return {
            doc_id: StoredVersion(v["owner_id"], v["version"])
            for (k, doc_id), v in self.state.docs.items()
            if k is kind and v["body"] is not None
        }

    async def purge(self, kind: DocumentKind, doc_ids: Sequence[uuid.UUID]) -> None:
        self._check()
        for doc_id in doc_ids:
            self.state.docs.pop((kind, doc_id), None)


class MemoryAuditStore(AuditStore):
    def __init__(self, state: MemoryDocuments) -> None:
        self.state = state

    async def append(self, entries: Sequence[AuditEntry]) -> None:
        if not self.state.available:
            raise StorageUnavailable("the memory documents store is switched off")
        for entry in entries:
            self.state.audit.setdefault(entry.id, entry)

    async def recent(self, *, actor_id: uuid.UUID | None = None, limit: int = 50) -> list[AuditEntry]:
        entries = [e for e in self.state.audit.values() if actor_id is None or e.actor_id == actor_id]
        return sorted(entries, key=lambda e: (e.at, e.id), reverse=True)[:limit]
