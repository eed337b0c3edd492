"""The documents port over a JSON table of the SQL database (embedded and Postgres-only)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy import RowMapping, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from closet.adapters.sql.engine import dialect_insert
from closet.adapters.sql.tables import audit_logs, documents
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

CHUNK = 500


@asynccontextmanager
async def _transaction(engine: AsyncEngine, *, read_only: bool = False) -> AsyncIterator[AsyncConnection]:
    """A transaction of its own (the documents store is a separate store, even when it shares
    the database); readers must not queue behind a unit of work's write lock on SQLite."""
    try:
        async with engine.connect() as connection:
            if read_only:  # one statement: autocommit, no BEGIN/COMMIT round trips, no lock
                yield await connection.execution_options(isolation_level="AUTOCOMMIT")
                return
            async with connection.begin():
                yield connection
    except (SQLAlchemyError, OSError) as exc:
        raise StorageUnavailable(f"the documents table is unavailable: {type(exc).__name__}") from exc


class SqlDocumentStore(DocumentStore):
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def apply(self, changes: Sequence[DocumentChange]) -> None:
        now = datetime.now(UTC)
        async with _transaction(self.engine) as conn:
            insert = dialect_insert(conn)
            for start in range(0, len(changes), CHUNK):
                rows = [
                    {
                        "kind": c.kind.value,
                        "doc_id": c.doc_id,
                        "owner_id": c.owner_id,
                        "version": c.version,
                        "deleted": c.body is None,
                        "body": dict(c.body) if c.body is not None else None,
                        "updated_at": now,
                    }
                    for c in changes[start : start + CHUNK]
                ]
                statement = insert(documents).values(rows)
                new = statement.excluded
                await conn.execute(
                    statement.on_conflict_do_update(
                        index_elements=[documents.c.kind, documents.c.doc_id],
                        set_={
                            "owner_id": new.owner_id,
                            "version": new.version,
                            "deleted": new.deleted,
                            "body": new.body,
                            "updated_at": new.updated_at,
                        },
                        where=documents.c.version < new.version,  # never move a document back
                    )
                )

    async def get_many(
        self, kind: DocumentKind, owner_id: uuid.UUID, doc_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, Document]:
        if not doc_ids:
            return {}
        query = select(documents).where(
            documents.c.kind == kind.value,
            documents.c.owner_id == owner_id,
            documents.c.doc_id.in_(list(doc_ids)),
            documents.c.deleted.is_(False),
        )
        async with _transaction(self.engine, read_only=True) as conn:
            rows = (await conn.execute(query)).mappings().all()
        return {r["doc_id"]: _document(r) for r in rows}

    async def delete_owner(self, owner_id: uuid.UUID) -> int:
        async with _transaction(self.engine) as conn:
            result = await conn.execute(delete(documents).where(documents.c.owner_id == owner_id))
        return int(result.rowcount)

    async def versions(self, kind: DocumentKind) -> dict[uuid.UUID, StoredVersion]:
        query = select(documents.c.doc_id, documents.c.owner_id, documents.c.version).where(
            documents.c.kind == kind.value, documents.c.deleted.is_(False)
        )
        async with _transaction(self.engine, read_only=True) as conn:
            rows = (await conn.execute(query)).all()
        return {doc_id: StoredVersion(owner, version) for doc_id, owner, version in rows}

    async def purge(self, kind: DocumentKind, doc_ids: Sequence[uuid.UUID]) -> None:
        async with _transaction(self.engine) as conn:
            for start in range(0, len(doc_ids), CHUNK):
                chunk = list(doc_ids[start : start + CHUNK])
                await conn.execute(
                    delete(documents).where(documents.c.kind == kind.value, documents.c.doc_id.in_(chunk))
                )


def _document(row: RowMapping) -> Document:
    return Document(
        kind=DocumentKind(row["kind"]),
        owner_id=row["owner_id"],
        doc_id=row["doc_id"],
        version=row["version"],
        body=row["body"],
    )


class SqlAuditStore(AuditStore):
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def append(self, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        rows = [
            {
                "id": e.id,
                "at": e.at,
                "actor_id": e.actor_id,
                "action": e.action,
                "resource_type": e.resource_type,
                "resource_id": e.resource_id,
                "outcome": e.outcome,
                "request_id": e.request_id,
                "details": dict(e.details) if e.details else None,
            }
            for e in entries
        ]
        async with _transaction(self.engine) as conn:
            insert = dialect_insert(conn)
            await conn.execute(insert(audit_logs).values(rows).on_conflict_do_nothing(index_elements=["id"]))

    async def recent(self, *, actor_id: uuid.UUID | None = None, limit: int = 50) -> list[AuditEntry]:
        query = select(audit_logs).order_by(audit_logs.c.at.desc(), audit_logs.c.id).limit(limit)
        if actor_id is not None:
            query = query.where(audit_logs.c.actor_id == actor_id)
        async with _transaction(self.engine, read_only=True) as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [
            AuditEntry(
                id=r["id"],
                at=r["at"],
                actor_id=r["actor_id"],
                action=r["action"],
                resource_type=r["resource_type"],
                resource_id=r["resource_id"],
                outcome=r["outcome"],
                request_id=r["request_id"],
                details=r["details"],
            )
            for r in rows
        ]
