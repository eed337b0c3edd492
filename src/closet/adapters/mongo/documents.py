"""The documents port on MongoDB: one collection per kind, versioned upserts.

Ids are stored as canonical UUID strings (`_id`, `owner_id`), which every MongoDB accepts
and which nx-27017, the wire-compatible test server, also handles (it rejects binary UUIDs).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from pymongo import DESCENDING, InsertOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, PyMongoError

from closet.adapters.audit_json import audit_from_json, audit_to_json
from closet.adapters.mongo.client import AUDIT_COLLECTION, ensure_indexes
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

T = TypeVar("T")
DUPLICATE_KEY = 11000


async def _guard(operation: Callable[[], Awaitable[T]]) -> T:
    try:
        return await operation()
    except PyMongoError as exc:
        raise StorageUnavailable(f"MongoDB is unavailable: {type(exc).__name__}") from exc


def _only_duplicates(error: BulkWriteError) -> bool:
    """An upsert that lost to a newer stored version fails with E11000: that is the point."""
    problems = error.details.get("writeErrors", [])
    return (
        bool(problems)
        and all(p.get("code") == DUPLICATE_KEY for p in problems)
        and not error.details.get("writeConcernErrors")
    )


class MongoDocumentStore(DocumentStore):
    def __init__(self, db: AsyncDatabase) -> None:  # type: ignore[type-arg]
        self.db = db
        self._indexed = False

    async def _ensure_indexes(self) -> None:
        """Created at start when MongoDB is up; otherwise by the first write that reaches it."""
        if not self._indexed:
            await ensure_indexes(self.db)
            self._indexed = True

    async def apply(self, changes: Sequence[DocumentChange]) -> None:
        await _guard(self._ensure_indexes)
        now = datetime.now(UTC)
        by_kind: dict[DocumentKind, list[UpdateOne]] = {}
        for c in changes:
            fields = {
                "owner_id": str(c.owner_id),
                "version": c.version,
                "deleted": c.body is None,
                "body": dict(c.body) if c.body is not None else None,
                "updated_at": now,
            }
            # Matches only an older stored version; against a newer one the upsert's insert
            # collides on _id (E11000) and nothing changes.
            by_kind.setdefault(c.kind, []).append(
                UpdateOne(
                    {"_id": str(c.doc_id), "version": {"$lt": c.version}}, {"$set": fields}, upsert=True
                )
            )
        for kind, operations in by_kind.items():
            await _guard(lambda k=kind, ops=operations: self._bulk(k, ops))  # type: ignore[misc]

    async def _bulk(self, kind: DocumentKind, operations: list[UpdateOne]) -> None:
        try:
            await self.db[kind.value].bulk_write(operations, ordered=False)
        except BulkWriteError as exc:
            if not _only_duplicates(exc):
                raise

    async def get_many(
        self, kind: DocumentKind, owner_id: uuid.UUID, doc_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, Document]:
        if not doc_ids:
            return {}
        query = {"_id": {"$in": [str(d) for d in doc_ids]}, "owner_id": str(owner_id), "deleted": False}

        async def fetch() -> list[dict[str, Any]]:
            return [d async for d in self.db[kind.value].find(query)]

        found = await _guard(fetch)
        return {
            uuid.UUID(d["_id"]): Document(
                kind=kind, owner_id=owner_id, doc_id=uuid.UUID(d["_id"]), version=d["version"], body=d["body"]
            )
            for d in found
        }

    async def delete_owner(self, owner_id: uuid.UUID) -> int:
        total = 0
        for kind in DocumentKind:
            result = await _guard(lambda k=kind: self.db[k.value].delete_many({"owner_id": str(owner_id)}))  # type: ignore[misc]
            total += result.deleted_count
        return total

    async def versions(self, kind: DocumentKind) -> dict[uuid.UUID, StoredVersion]:
        async def fetch() -> list[dict[str, Any]]:
            cursor = self.db[kind.value].find({"deleted": False}, {"_id": 1, "owner_id": 1, "version": 1})
            return [d async for d in cursor]

        return {
            uuid.UUID(d["_id"]): StoredVersion(uuid.UUID(d["owner_id"]), d["version"])
            for d in await _guard(fetch)
        }

    async def purge(self, kind: DocumentKind, doc_ids: Sequence[uuid.UUID]) -> None:
        ids = [str(d) for d in doc_ids]
        await _guard(lambda: self.db[kind.value].delete_many({"_id": {"$in": ids}}))


class MongoAuditStore(AuditStore):
    def __init__(self, db: AsyncDatabase) -> None:  # type: ignore[type-arg]
        self.collection = db[AUDIT_COLLECTION]

    async def append(self, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        operations = [InsertOne({"_id": str(e.id), **audit_to_json(e)}) for e in entries]

        async def insert() -> None:
            try:
                await self.collection.bulk_write(operations, ordered=False)
            except BulkWriteError as exc:  # already stored: appending is idempotent
                if not _only_duplicates(exc):
                    raise

        await _guard(insert)

    async def recent(self, *, actor_id: uuid.UUID | None = None, limit: int = 50) -> list[AuditEntry]:
        query = {"actor_id": str(actor_id)} if actor_id else {}

        async def fetch() -> list[dict[str, Any]]:
            cursor = self.collection.find(query).sort([("at", DESCENDING), ("_id", 1)]).limit(limit)
            return [d async for d in cursor]

        return [audit_from_json(d) for d in await _guard(fetch)]
