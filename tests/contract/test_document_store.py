"""The documents and audit-store contract: memory, SQL (SQLite, Postgres) and MongoDB wire.

Against nx-27017 (no real MongoDB here) ids are stored as UUID strings, which both accept;
nx-27017 does not take binary UUIDs as _id, MongoDB does. Everything else asserted here is
MongoDB's documented behaviour (a versioned upsert that loses to a newer stored version
fails with E11000 and changes nothing).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from closet.adapters.sql.documents import SqlDocumentStore
from closet.adapters.sql.uow import SqlUnitOfWork
from closet.application.ports.documents import (
    AuditEntry,
    AuditStore,
    Document,
    DocumentChange,
    DocumentKind,
    DocumentStore,
    StoredVersion,
)

KIND = DocumentKind.ITEM_TAGS
Stores = tuple[DocumentStore, AuditStore]


def change(owner: uuid.UUID, doc: uuid.UUID, version: int, body: dict | None) -> DocumentChange:  # type: ignore[type-arg]
    return DocumentChange(kind=KIND, owner_id=owner, doc_id=doc, version=version, body=body)


async def test_put_get_and_owner_scoping(stores: Stores) -> None:
    documents, _ = stores
    owner, other, doc = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    body = {"tags": ["wool", "work"], "description": "Dry clean", "nested": {"a": [1, 2.5, None, True]}}
    await documents.put(Document(kind=KIND, owner_id=owner, doc_id=doc, version=1, body=body))
    stored = await documents.get(KIND, owner, doc)
    assert stored == Document(kind=KIND, owner_id=owner, doc_id=doc, version=1, body=body)
    assert await documents.get(KIND, other, doc) is None
    assert await documents.get(DocumentKind.OUTFIT_METADATA, owner, doc) is None


async def test_versioned_upsert_never_moves_back_and_is_idempotent(stores: Stores) -> None:
    documents, _ = stores
    owner, doc = uuid.uuid4(), uuid.uuid4()
    await documents.apply([change(owner, doc, 2, {"tags": ["two"]})])
    await documents.apply([change(owner, doc, 1, {"tags": ["one"]})])  # older arrives late
    await documents.apply([change(owner, doc, 2, {"tags": ["two"]})])  # the same row twice
    got = await documents.get(KIND, owner, doc)
    assert got is not None and (got.version, got.body) == (2, {"tags": ["two"]})
    await documents.apply([change(owner, doc, 3, {"tags": ["three"]})])
    got = await documents.get(KIND, owner, doc)
    assert got is not None and (got.version, got.body) == (3, {"tags": ["three"]})


async def test_delete_leaves_a_tombstone_an_older_put_cannot_revive(stores: Stores) -> None:
    documents, _ = stores
    owner, doc = uuid.uuid4(), uuid.uuid4()
    await documents.apply([change(owner, doc, 1, {"tags": []})])
    await documents.delete(KIND, owner, doc, version=2)
    assert await documents.get(KIND, owner, doc) is None
    await documents.apply([change(owner, doc, 1, {"tags": ["zombie"]})])
    assert await documents.get(KIND, owner, doc) is None
    assert doc not in await documents.versions(KIND)


async def test_batch_apply_get_many_versions_purge_and_delete_owner(stores: Stores) -> None:
    documents, _ = stores
    owner, other = uuid.uuid4(), uuid.uuid4()
    mine = [uuid.uuid4() for _ in range(5)]
    theirs = uuid.uuid4()
    await documents.apply([change(owner, d, n + 1, {"n": n}) for n, d in enumerate(mine)])
    await documents.apply([change(other, theirs, 1, {"n": 99})])
    many = await documents.get_many(KIND, owner, [*mine, theirs, uuid.uuid4()])
    assert sorted(many) == sorted(mine)
    assert [many[d].body["n"] for d in mine] == [0, 1, 2, 3, 4]
    versions = await documents.versions(KIND)
    assert {d: versions[d] for d in mine} == {d: StoredVersion(owner, n + 1) for n, d in enumerate(mine)}
    await documents.purge(KIND, mine[:2])
    assert sorted(await documents.get_many(KIND, owner, mine)) == sorted(mine[2:])
    await documents.apply([change(owner, uuid.uuid4(), 1, {})])
    assert await documents.delete_owner(owner) >= 4
    assert await documents.get_many(KIND, owner, mine) == {}
    assert (await documents.get(KIND, other, theirs)) is not None


async def test_audit_entries_append_once_newest_first(stores: Stores) -> None:
    _, audit = stores
    actor = uuid.uuid4()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    entries = [
        AuditEntry(
            id=uuid.uuid4(),
            at=start + timedelta(minutes=n),
            actor_id=actor,
            action="item.delete",
            resource_type="item",
            resource_id=str(uuid.uuid4()),
            outcome="success",
            request_id=f"req-{n}",
            details={"name": f"item {n}"},
        )
        for n in range(3)
    ]
    await audit.append(entries)
    await audit.append(entries[:1])  # idempotent
    got = await audit.recent(actor_id=actor)
    assert got == list(reversed(entries))
    assert (await audit.recent(actor_id=actor, limit=1)) == [entries[2]]


async def test_sqlite_document_reads_do_not_wait_for_an_open_unit_of_work(sqlite_engine: AsyncEngine) -> None:
    """A unit of work holds SQLite's write lock; reading documents meanwhile (as every item read
    does) must not queue behind it — in one process that wait could only end in a time-out."""
    documents = SqlDocumentStore(sqlite_engine)
    owner, doc = uuid.uuid4(), uuid.uuid4()
    await documents.apply([change(owner, doc, 1, {"tags": []})])
    async with SqlUnitOfWork(sqlite_engine) as uow:
        await uow.outbox.backlog()  # inside the write transaction
        got = await asyncio.wait_for(documents.get_many(KIND, owner, [doc]), timeout=5)
    assert list(got) == [doc]
