"""DocumentSync: apply after commit, behind the caller (write-behind); hand over to the relay when
the store is down, back off."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import timedelta

import pytest

from closet.adapters.memory.clock import FixedClock
from closet.adapters.memory.documents import MemoryAuditStore, MemoryDocumentStore
from closet.adapters.memory.store import MemoryDocuments, MemoryStore
from closet.adapters.memory.uow import MemoryUnitOfWork
from closet.application import documents as documents_module
from closet.application.documents import (
    BREAKER_COOLDOWN,
    DIRECT_LEASE,
    PUBLISH_CONCURRENCY,
    DocumentSync,
    Queued,
)
from closet.application.ports.documents import DocumentChange, DocumentKind

KIND = DocumentKind.ITEM_TAGS


@pytest.fixture
def parts() -> tuple[MemoryStore, MemoryDocuments, FixedClock, DocumentSync]:
    store, docs, clock = MemoryStore(), MemoryDocuments(), FixedClock()
    sync = DocumentSync(
        lambda: MemoryUnitOfWork(store), MemoryDocumentStore(docs), MemoryAuditStore(docs), clock
    )
    return store, docs, clock, sync


def change(doc: uuid.UUID, version: int, owner: uuid.UUID | None = None) -> DocumentChange:
    return DocumentChange(
        kind=KIND, owner_id=owner or uuid.UUID(int=1), doc_id=doc, version=version, body={"v": version}
    )


async def queue(sync: DocumentSync, store: MemoryStore, *changes: DocumentChange):  # type: ignore[no-untyped-def]
    async with MemoryUnitOfWork(store) as uow:
        queued = await sync.queue(uow, list(changes))
        await uow.commit()
    return queued


async def published(sync: DocumentSync, queued: Queued) -> None:
    """Publish, and wait for it: ``publish`` applies behind the caller's back (write-behind)."""
    await sync.publish(queued)
    await sync.flush()


async def pending(store: MemoryStore) -> int:
    async with MemoryUnitOfWork(store) as uow:
        return (await uow.outbox.backlog()).pending


async def test_publish_applies_and_marks_done(parts) -> None:  # type: ignore[no-untyped-def]
    store, docs, _, sync = parts
    doc = uuid.uuid4()
    await published(sync, await queue(sync, store, change(doc, 1)))
    assert docs.docs[(KIND, doc)]["version"] == 1
    assert await pending(store) == 0


async def test_uncommitted_rows_never_reach_the_outbox(parts) -> None:  # type: ignore[no-untyped-def]
    store, _, _, sync = parts
    async with MemoryUnitOfWork(store) as uow:
        await sync.queue(uow, [change(uuid.uuid4(), 1)])
    assert await pending(store) == 0


async def test_a_down_store_trips_the_breaker_and_the_relay_catches_up(parts) -> None:  # type: ignore[no-untyped-def]
    store, docs, clock, sync = parts
    docs.available = False
    first, second = uuid.uuid4(), uuid.uuid4()
    await published(sync, await queue(sync, store, change(first, 1)))  # fails, trips the breaker
    docs.available = True  # back, but the breaker keeps requests off it for a while
    await published(sync, await queue(sync, store, change(second, 1)))
    assert docs.docs == {} and await pending(store) == 2
    report = await sync.relay_once()  # the relay does not wait for the breaker
    assert (report.applied, report.failed) == (2, 0)
    assert set(docs.docs) == {(KIND, first), (KIND, second)} and await pending(store) == 0
    clock.advance(BREAKER_COOLDOWN)
    third = uuid.uuid4()
    await published(sync, await queue(sync, store, change(third, 1)))
    assert (KIND, third) in docs.docs  # closed again: requests apply directly


async def test_the_relay_backs_off_and_keeps_each_documents_newest(parts) -> None:  # type: ignore[no-untyped-def]
    store, docs, clock, sync = parts
    doc = uuid.uuid4()
    docs.available = False
    for version in (1, 2, 3):
        await published(sync, await queue(sync, store, change(doc, version)))
    report = await sync.relay_once()
    assert report.failed == 3
    async with MemoryUnitOfWork(store) as uow:
        assert (await uow.outbox.backlog()).failing == 3
    docs.available = True
    assert (await sync.relay_once()).applied == 0  # backing off: nothing due yet
    clock.advance(timedelta(seconds=120))
    assert (await sync.drain()).applied == 3
    assert docs.docs[(KIND, doc)]["version"] == 3


async def test_with_a_relay_running_only_the_relay_probes_a_store_that_was_down(parts) -> None:  # type: ignore[no-untyped-def]
    store, docs, clock, sync = parts
    stop = asyncio.Event()
    relay = asyncio.create_task(sync.run_forever(0.01, stop))
    try:
        docs.available = False
        doc = uuid.uuid4()
        await published(sync, await queue(sync, store, change(doc, 1)))  # trips the breaker
        clock.advance(BREAKER_COOLDOWN * 10)
        later = uuid.uuid4()
        await published(sync, await queue(sync, store, change(later, 1)))
        assert docs.docs == {}  # requests still leave it to the relay, however long it has been
        docs.available = True
        clock.advance(timedelta(minutes=5))  # past the relay's backoff
        for _ in range(200):
            if (KIND, later) in docs.docs:
                break
            await asyncio.sleep(0.01)
        assert {(KIND, doc), (KIND, later)} <= set(docs.docs)
        direct = uuid.uuid4()
        await published(sync, await queue(sync, store, change(direct, 1)))
        assert (KIND, direct) in docs.docs  # the relay closed the breaker: requests apply again
    finally:
        stop.set()
        await relay


class CountingStore(MemoryDocumentStore):
    reads = 0

    async def get_many(self, kind, owner_id, doc_ids):  # type: ignore[no-untyped-def]
        self.reads += 1
        return await super().get_many(kind, owner_id, doc_ids)


@pytest.mark.parametrize("rules", [DocumentKind.COLLECTION_FILTERS, DocumentKind.OUTFIT_METADATA])
async def test_collection_rules_and_outfit_notes_are_read_once_per_version(rules: DocumentKind) -> None:
    """A smart collection's rules and an outfit's metadata (its notes) are read from the store once
    per version, then from memory: a document at a version never changes."""
    store, docs, clock = MemoryStore(), MemoryDocuments(), FixedClock()
    counting = CountingStore(docs)
    sync = DocumentSync(lambda: MemoryUnitOfWork(store), counting, MemoryAuditStore(docs), clock)
    owner, doc = uuid.UUID(int=1), uuid.uuid4()

    def rules_change(version: int) -> DocumentChange:
        body = {"rules": {"category": ["top"], "tags": [f"v{version}"]}, "sort": None}
        return DocumentChange(kind=rules, owner_id=owner, doc_id=doc, version=version, body=body)

    await published(sync, await queue(sync, store, rules_change(1)))
    async with MemoryUnitOfWork(store) as uow:
        first = await sync.bodies(uow, rules, owner, {doc: 1})
        first[doc]["rules"]["tags"].append("changed by a caller")  # must not reach the next reader
        again = await sync.bodies(uow, rules, owner, {doc: 1})
    assert again[doc]["rules"]["tags"] == ["v1"] and counting.reads == 1  # the second from memory

    await published(sync, await queue(sync, store, rules_change(2)))  # a change is a new version
    async with MemoryUnitOfWork(store) as uow:
        newer = await sync.bodies(uow, rules, owner, {doc: 2})
    assert newer[doc]["rules"]["tags"] == ["v2"] and counting.reads == 2

    async with MemoryUnitOfWork(store) as uow:  # other kinds are always read from the store
        await sync.bodies(uow, KIND, owner, {doc: 1})
        await sync.bodies(uow, KIND, owner, {doc: 1})
    assert counting.reads == 4


class GatedStore(MemoryDocumentStore):
    """A documents store whose writes wait for ``gate``; counts the writes under way at once."""

    def __init__(self, docs: MemoryDocuments, fail_with: Exception | None = None) -> None:
        super().__init__(docs)
        self.gate, self.fail_with = asyncio.Event(), fail_with
        self.running = self.most = 0

    async def apply(self, changes: Sequence[DocumentChange]) -> None:
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            await self.gate.wait()
            if self.fail_with is not None:
                raise self.fail_with
            await super().apply(changes)
        finally:
            self.running -= 1


def gated(
    fail_with: Exception | None = None,
) -> tuple[MemoryStore, MemoryDocuments, FixedClock, DocumentSync, GatedStore]:
    store, docs, clock = MemoryStore(), MemoryDocuments(), FixedClock()
    gate = GatedStore(docs, fail_with)
    sync = DocumentSync(lambda: MemoryUnitOfWork(store), gate, MemoryAuditStore(docs), clock)
    return store, docs, clock, sync, gate


async def test_publish_returns_at_once_and_reads_see_the_write_meanwhile() -> None:
    """Write-behind: the caller does not wait for the documents store; until the change lands,
    reads take what was saved from the outbox."""
    store, docs, _, sync, gate = gated()
    owner, doc = uuid.UUID(int=1), uuid.uuid4()
    await asyncio.wait_for(sync.publish(await queue(sync, store, change(doc, 1, owner))), timeout=1)
    await asyncio.sleep(0)  # the publish has started, and waits on the store
    assert gate.running == 1 and docs.docs == {} and await pending(store) == 1
    async with MemoryUnitOfWork(store) as uow:
        assert await sync.bodies(uow, KIND, owner, {doc: 1}) == {doc: {"v": 1}}
    gate.gate.set()
    await sync.flush()
    assert docs.docs[(KIND, doc)]["version"] == 1 and await pending(store) == 0


async def test_publishes_run_a_few_at_a_time_and_a_backlog_is_left_to_the_relay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, docs, clock, sync, gate = gated()
    monkeypatch.setattr(documents_module, "PUBLISH_BACKLOG", 6)
    ids = [uuid.uuid4() for _ in range(8)]
    for doc in ids:
        await sync.publish(await queue(sync, store, change(doc, 1)))
    await asyncio.sleep(0)
    assert gate.running == PUBLISH_CONCURRENCY  # the rest wait for a slot
    gate.gate.set()
    await sync.flush()
    assert gate.most == PUBLISH_CONCURRENCY
    assert {d for _, d in docs.docs} == set(ids[:6]) and await pending(store) == 2  # past the backlog
    assert (await sync.relay_once()).applied == 0  # still leased to the requests that queued them
    clock.advance(DIRECT_LEASE)
    assert (await sync.relay_once()).applied == 2 and {d for _, d in docs.docs} == set(ids)


async def test_a_failing_publish_never_reaches_the_caller_and_the_relay_retries(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, docs, clock, sync, gate = gated(fail_with=RuntimeError("a bug in the adapter"))
    doc = uuid.uuid4()
    gate.gate.set()
    await sync.publish(await queue(sync, store, change(doc, 1)))
    await sync.flush()
    assert "background work failed: applying outbox rows" in caplog.text
    assert docs.docs == {} and await pending(store) == 1
    gate.fail_with = None
    clock.advance(DIRECT_LEASE)
    assert (await sync.relay_once()).applied == 1 and (KIND, doc) in docs.docs
