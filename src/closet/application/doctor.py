"""`closet doctor`: find drift between SQL and the documents store, and repair it.

Every kind of document is checked: items' ``item_tags``, outfits' ``outfit_metadata`` and
collections' ``collection_filters``. A document is rebuilt from its SQL row, with what only the
document held (an item's description, an outfit's notes, a smart collection's rules and sort) taken
from the outbox's change of that document or from the old document. A smart collection whose rules
are known nowhere any more cannot be rebuilt: writing it with no rules would make it match every
item, so it is reported as lost and left alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, cast

from closet.application.collection_documents import collection_document
from closet.application.documents import DocumentSync, item_document
from closet.application.outfits.common import outfit_document
from closet.application.ports.clock import Clock
from closet.application.ports.documents import DocumentChange, DocumentKind, DocumentStore, StoredVersion
from closet.application.ports.uow import UnitOfWork
from closet.domain.collections import CollectionId
from closet.domain.items import ItemId
from closet.domain.outfits import OutfitId
from closet.domain.users import UserId

STUCK_AFTER = timedelta(minutes=10)
STUCK_ATTEMPTS = 5

# By id; each repository keys by its own NewType of UUID, so its map is cast, not copied (every row).
Versions = Mapping[uuid.UUID, tuple[UserId, int]]


@dataclass(frozen=True, kw_only=True)
class KindDrift:
    orphans: list[uuid.UUID] = field(default_factory=list)  # documents with no SQL row
    missing: list[uuid.UUID] = field(default_factory=list)  # SQL rows with no document
    stale: list[uuid.UUID] = field(default_factory=list)  # documents at another version (or owner)

    @property
    def total(self) -> int:
        return len(self.orphans) + len(self.missing) + len(self.stale)


@dataclass(frozen=True, kw_only=True)
class DriftReport:
    kinds: dict[DocumentKind, KindDrift] = field(default_factory=dict)
    stuck: list[int] = field(default_factory=list)  # outbox rows that do not get applied
    in_flight: int = 0  # changes queued recently: not drift, the relay is on it

    @property
    def orphans(self) -> list[uuid.UUID]:
        return sorted(i for drift in self.kinds.values() for i in drift.orphans)

    @property
    def missing(self) -> list[uuid.UUID]:
        return sorted(i for drift in self.kinds.values() for i in drift.missing)

    @property
    def stale(self) -> list[uuid.UUID]:
        return sorted(i for drift in self.kinds.values() for i in drift.stale)

    @property
    def total(self) -> int:
        return sum(drift.total for drift in self.kinds.values()) + len(self.stuck)


@dataclass(frozen=True, slots=True)
class Repair:
    before: DriftReport
    after: DriftReport
    lost: dict[DocumentKind, list[uuid.UUID]] = field(default_factory=dict)  # could not be rebuilt


@dataclass(frozen=True, slots=True)
class _Kind:
    """How one kind of document is checked against SQL and rebuilt from it."""

    kind: DocumentKind
    versions: Callable[[UnitOfWork], Awaitable[Versions]]
    from_sql: Callable[[UnitOfWork, UserId, uuid.UUID], Awaitable[DocumentChange | None]]
    kept: tuple[str, ...]  # body fields only the document holds
    needs_kept: Callable[[DocumentChange], bool]  # unwritable without them


async def _item_versions(uow: UnitOfWork) -> Versions:
    return cast(Versions, await uow.items.versions())


async def _item_from_sql(uow: UnitOfWork, owner: UserId, doc_id: uuid.UUID) -> DocumentChange | None:
    item = await uow.items.get(owner, ItemId(doc_id))
    return None if item is None else item_document(item)


async def _outfit_versions(uow: UnitOfWork) -> Versions:
    return cast(Versions, await uow.outfits.versions())


async def _outfit_from_sql(uow: UnitOfWork, owner: UserId, doc_id: uuid.UUID) -> DocumentChange | None:
    outfit = await uow.outfits.get(owner, OutfitId(doc_id))
    return None if outfit is None else outfit_document(outfit)


async def _collection_versions(uow: UnitOfWork) -> Versions:
    return cast(Versions, await uow.collections.versions())


async def _collection_from_sql(uow: UnitOfWork, owner: UserId, doc_id: uuid.UUID) -> DocumentChange | None:
    collection = await uow.collections.get(owner, CollectionId(doc_id))
    return None if collection is None else collection_document(collection)


def _never(_change: DocumentChange) -> bool:
    return False


def _smart(change: DocumentChange) -> bool:
    return change.body is not None and change.body.get("rules") is not None


KINDS = (
    _Kind(DocumentKind.ITEM_TAGS, _item_versions, _item_from_sql, ("description",), _never),
    _Kind(DocumentKind.OUTFIT_METADATA, _outfit_versions, _outfit_from_sql, ("notes",), _never),
    _Kind(
        DocumentKind.COLLECTION_FILTERS, _collection_versions, _collection_from_sql, ("rules", "sort"), _smart
    ),
)


class Doctor:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        documents: DocumentStore,
        sync: DocumentSync,
        clock: Clock,
    ) -> None:
        self.uow_factory, self.documents, self.sync, self.clock = uow_factory, documents, sync, clock

    async def check(self) -> DriftReport:
        async with self.uow_factory() as uow:
            stuck = await uow.outbox.stuck(self.clock.now() - STUCK_AFTER, STUCK_ATTEMPTS)
            found = [
                (spec, await spec.versions(uow), await uow.outbox.pending_docs(spec.kind)) for spec in KINDS
            ]
        stuck_docs = {m.change.doc_id for m in stuck if m.change is not None}
        kinds, in_flight = {}, 0
        for spec, rows, queued in found:
            docs = await self.documents.versions(spec.kind)
            settling = queued - stuck_docs  # recent changes the relay has not applied yet
            kinds[spec.kind] = KindDrift(
                orphans=sorted(d for d in docs.keys() - rows.keys() if d not in settling),
                missing=sorted(i for i in rows.keys() - docs.keys() if i not in settling),
                stale=sorted(
                    i for i in rows.keys() & docs.keys() if i not in settling and _differs(rows[i], docs[i])
                ),
            )
            in_flight += len(settling)
        return DriftReport(kinds=kinds, stuck=[m.id for m in stuck], in_flight=in_flight)

    async def repair(self) -> Repair:
        before = await self.check()
        if before.stuck:
            async with self.uow_factory() as uow:
                await uow.outbox.release(before.stuck, self.clock.now())
                await uow.commit()
            await self.sync.drain()
        lost: dict[DocumentKind, list[uuid.UUID]] = {}
        for spec in KINDS:
            drift = before.kinds.get(spec.kind, KindDrift())
            if drift.orphans:
                await self.documents.purge(spec.kind, drift.orphans)
            broken = drift.missing + drift.stale
            if not broken:
                continue
            changes = await self._rebuild(spec, broken)  # before purging: stale documents still help
            rebuilt = {change.doc_id for change in changes}
            if unrecoverable := sorted(set(broken) - rebuilt):
                lost[spec.kind] = unrecoverable
            # ahead-of-SQL documents too: a store keeps the newer version of a document
            await self.documents.purge(spec.kind, [i for i in drift.stale if i in rebuilt])
            await self.documents.apply(changes)
        return Repair(before, await self.check(), lost)

    async def _rebuild(self, spec: _Kind, doc_ids: list[uuid.UUID]) -> list[DocumentChange]:
        """Each document as SQL says it should be: the queued change of that version if the
        outbox still has it; else the row's document with the newest of what only the document
        held (from a queued change or the stale document). None for a document that cannot be
        written without what is known nowhere any more (a smart collection's rules)."""
        changes = []
        async with self.uow_factory() as uow:
            rows = await spec.versions(uow)
            queued = await uow.outbox.latest_changes(spec.kind, doc_ids)
            for doc_id in doc_ids:
                owner, version = rows[doc_id]
                change = queued.get(doc_id)
                if change is not None and change.version == version and change.body is not None:
                    changes.append(change)
                    continue
                from_sql = await spec.from_sql(uow, owner, doc_id)
                if from_sql is None:
                    continue
                known = change.body if change is not None and change.body is not None else None
                if known is None:
                    stored = await self.documents.get(spec.kind, owner, doc_id)
                    known = stored.body if stored is not None else None
                if known is None and spec.needs_kept(from_sql):
                    continue  # lost: see the module's docstring
                changes.append(merge_known(from_sql, known, spec.kept))
        return changes


def merge_known(
    change: DocumentChange, known: Mapping[str, Any] | None, kept: tuple[str, ...]
) -> DocumentChange:
    """Keep what only the document knew (``kept``) when rebuilding from SQL."""
    if known is None or change.body is None:
        return change
    return replace(change, body={**change.body, **{name: known.get(name) for name in kept}})


def _differs(row: tuple[UserId, int], doc: StoredVersion) -> bool:
    owner, version = row
    return doc.version != version or doc.owner_id != owner
