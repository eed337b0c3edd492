"""`closet doctor`: find drift between SQL and the documents store, and repair it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from closet.application.documents import DocumentSync, item_document
from closet.application.ports.clock import Clock
from closet.application.ports.documents import DocumentChange, DocumentKind, DocumentStore, StoredVersion
from closet.application.ports.uow import UnitOfWork
from closet.domain.items import ItemId
from closet.domain.users import UserId

STUCK_AFTER = timedelta(minutes=10)
STUCK_ATTEMPTS = 5


@dataclass(frozen=True, kw_only=True)
class DriftReport:
    orphans: list[uuid.UUID] = field(default_factory=list)  # documents with no SQL row
    missing: list[uuid.UUID] = field(default_factory=list)  # SQL rows with no document
    stale: list[uuid.UUID] = field(default_factory=list)  # documents at another version (or owner)
    stuck: list[int] = field(default_factory=list)  # outbox rows that do not get applied
    in_flight: int = 0  # changes queued recently: not drift, the relay is on it

    @property
    def total(self) -> int:
        return len(self.orphans) + len(self.missing) + len(self.stale) + len(self.stuck)


@dataclass(frozen=True, slots=True)
class Repair:
    before: DriftReport
    after: DriftReport


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
        kind = DocumentKind.ITEM_TAGS
        async with self.uow_factory() as uow:
            rows = await uow.items.versions()
            stuck = await uow.outbox.stuck(self.clock.now() - STUCK_AFTER, STUCK_ATTEMPTS)
            queued = await uow.outbox.pending_docs(kind)
        docs = await self.documents.versions(kind)
        stuck_docs = {m.change.doc_id for m in stuck if m.change is not None}
        settling = queued - stuck_docs  # recent changes the relay has not applied yet
        return DriftReport(
            orphans=sorted(d for d in docs.keys() - rows.keys() if d not in settling),
            missing=sorted(i for i in rows.keys() - docs.keys() if i not in settling),
            stale=sorted(
                i
                for i in rows.keys() & docs.keys()
                if i not in settling and _differs(rows[ItemId(i)], docs[i])
            ),
            stuck=[m.id for m in stuck],
            in_flight=len(settling),
        )

    async def repair(self) -> Repair:
        before = await self.check()
        if before.stuck:
            async with self.uow_factory() as uow:
                await uow.outbox.release(before.stuck, self.clock.now())
                await uow.commit()
            await self.sync.drain()
        if before.orphans:
            await self.documents.purge(DocumentKind.ITEM_TAGS, before.orphans)
        broken = before.missing + before.stale
        if broken:
            changes = await self._rebuild(broken)  # before purging: stale documents still help
            await self.documents.purge(DocumentKind.ITEM_TAGS, before.stale)  # ahead-of-SQL ones too
            await self.documents.apply(changes)
        return Repair(before, await self.check())

    async def _rebuild(self, item_ids: list[uuid.UUID]) -> list[DocumentChange]:
        """Each document as SQL says it should be: the queued change of that version if the
        outbox still has it; else the row's tags with the newest description still known
        (from a queued change or the stale document)."""
        changes = []
        async with self.uow_factory() as uow:
            rows = await uow.items.versions()
            queued = await uow.outbox.latest_changes(DocumentKind.ITEM_TAGS, item_ids)
            for item_id in item_ids:
                owner, version = rows[ItemId(item_id)]
                change = queued.get(item_id)
                if change is not None and change.version == version and change.body is not None:
                    changes.append(change)
                    continue
                item = await uow.items.get(UserId(owner), ItemId(item_id))
                if item is None:
                    continue
                known = change.body if change is not None and change.body is not None else None
                if known is None:
                    stored = await self.documents.get(DocumentKind.ITEM_TAGS, owner, item_id)
                    known = stored.body if stored is not None else None
                changes.append(merge_known(item_document(item), known))
        return changes


def merge_known(change: DocumentChange, known: Mapping[str, Any] | None) -> DocumentChange:
    """Keep what only the document knew (the description) when rebuilding from SQL."""
    if known is None or change.body is None:
        return change
    return replace(change, body={**change.body, "description": known.get("description")})


def _differs(row: tuple[UserId, int], doc: StoredVersion) -> bool:
    owner, version = row
    return doc.version != version or doc.owner_id != owner
