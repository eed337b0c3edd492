"""Keeping the documents store in step with SQL: queue in the transaction, apply after.

A write queues its document changes (and audit entries) in the outbox inside its SQL
transaction, commits, then hands them to ``DocumentSync.publish``, which applies them and marks
their rows done at once but behind the response (write-behind): the request does not wait for the
documents store, whose state it already has in the outbox. If the documents store is down, or the
process stops first, the rows stay pending and ``relay_once`` (run by the relay loop) applies them
later, oldest first, with backoff. Reads merge each document, falling back to the newest queued
change when the store lags or is down, so a client reads what it wrote either way.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import random
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from closet.application.background import Background
from closet.application.errors import StorageUnavailable
from closet.application.ports.clock import Clock
from closet.application.ports.documents import (
    AuditEntry,
    AuditStore,
    Document,
    DocumentChange,
    DocumentKind,
    DocumentStore,
)
from closet.application.ports.outbox import OutboxMessage
from closet.application.ports.uow import UnitOfWork
from closet.domain.items import ClothingItem

log = logging.getLogger(__name__)

DIRECT_LEASE = timedelta(seconds=10)  # the request applies its own rows; the relay waits this long
RELAY_LEASE = timedelta(seconds=60)
BREAKER_COOLDOWN = timedelta(seconds=5)
MAX_BACKOFF_SECONDS = 60.0
OUTBOX_RETENTION = timedelta(days=7)  # applied rows stay this long: reads and repairs use them
PURGE_EVERY = timedelta(hours=1)
# Documents read often and small, kept per process at the version read (see DocumentSync._remember):
# a smart collection's rules, read by every listing of it; an outfit's notes, read by every read of
# the outfit (on the embedded profile that read was a third of GET /api/v1/outfits/{id}'s work).
SETTLED_KINDS = frozenset({DocumentKind.COLLECTION_FILTERS, DocumentKind.OUTFIT_METADATA})
SETTLED_MAX = 4096
# Write-behind publishes run this many at once (each holds a database connection while it marks its
# rows done); past PUBLISH_BACKLOG waiting, rows are left to the relay (their lease runs out).
PUBLISH_CONCURRENCY = 4
PUBLISH_BACKLOG = 10_000


@dataclass(frozen=True, slots=True)
class Queued:
    ids: list[int]
    messages: list[OutboxMessage]


@dataclass(frozen=True, slots=True)
class RelayReport:
    applied: int
    failed: int


def item_document(item: ClothingItem) -> DocumentChange:
    """The ``item_tags`` document of an item: its tags and free-text description."""
    return DocumentChange(
        kind=DocumentKind.ITEM_TAGS,
        owner_id=item.owner_id,
        doc_id=item.id,
        version=item.version,
        body={"tags": list(item.details.tags), "description": item.details.notes},
    )


def item_tombstone(item: ClothingItem) -> DocumentChange:
    return replace(item_document(item), version=item.version + 1, body=None)


def merge_item(item: ClothingItem, body: Mapping[str, Any]) -> ClothingItem:
    """The item as the user saved it: its SQL row plus its document (merged in place)."""
    tags, notes = tuple(body.get("tags", item.details.tags)), body.get("description")
    if tags != item.details.tags or notes != item.details.notes:
        item.details = replace(item.details, tags=tags, notes=notes)
    return item


class DocumentSync:
    """Applies queued changes now when it can, later (relay) when it cannot.

    One instance per process: it holds a small circuit breaker so that, while the
    documents store is down, requests stop waiting on it and leave the work to the relay.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        documents: DocumentStore,
        audit: AuditStore,
        clock: Clock,
    ) -> None:
        self.uow_factory, self.documents, self.audit, self.clock = uow_factory, documents, audit, clock
        self._open_until: datetime | None = None
        self._relay_running = False  # then the relay alone probes a store that was down
        self._settled: OrderedDict[tuple[DocumentKind, uuid.UUID, int], dict[str, Any]] = OrderedDict()
        self._publishing = Background()
        self._slots = asyncio.Semaphore(PUBLISH_CONCURRENCY)

    # --- writing -------------------------------------------------------------------------

    async def queue(
        self, uow: UnitOfWork, changes: Sequence[DocumentChange] = (), audit: Sequence[AuditEntry] = ()
    ) -> Queued:
        """Add rows to the outbox in ``uow``'s transaction (call before its commit)."""
        now = self.clock.now()
        # While the store is known to be down nobody will apply these now: the relay may at once.
        lease = now if self._breaker_open() else now + DIRECT_LEASE
        messages = []
        for change in changes:
            row = await uow.outbox.add_change(change, now, lease)
            messages.append(OutboxMessage(id=row, created_at=now, attempts=0, change=change))
        for entry in audit:
            row = await uow.outbox.add_audit(entry, now, lease)
            messages.append(OutboxMessage(id=row, created_at=now, attempts=0, audit=entry))
        return Queued([m.id for m in messages], messages)

    async def publish(self, queued: Queued) -> None:
        """After commit: apply what was queued, behind the response (it returns at once and never
        fails the request). ``flush`` waits for what is in flight."""
        if not queued.messages or self._breaker_open():
            return
        if len(self._publishing) >= PUBLISH_BACKLOG:  # the store is slow: the relay catches up
            log.warning("documents: %d publishes under way; leaving rows to the relay", len(self._publishing))
            return
        # A failure other than the store's is logged by Background; the rows' lease then runs out
        # and the relay applies them.
        self._publishing.spawn(self._publish_now(queued), f"applying outbox rows {queued.ids[:10]}")

    async def flush(self) -> None:
        """Wait until every publish under way has finished (at shutdown; tests)."""
        await self._publishing.flush()

    async def _publish_now(self, queued: Queued) -> None:
        async with self._slots:
            try:
                await self._apply(queued.messages)
            except StorageUnavailable as exc:
                self._trip(exc)
                await self._settle(queued.ids, error=str(exc)[:500])  # the relay may take them now
                return
            await self._settle(queued.ids, error=None)

    async def _settle(self, ids: list[int], error: str | None) -> None:
        """Record the outcome; if even that fails, the rows' lease runs out and the relay
        re-applies them (applying is idempotent), so the request still succeeds."""
        try:
            async with self.uow_factory() as uow:
                if error is None:
                    await uow.outbox.mark_done(ids, self.clock.now())
                else:
                    await uow.outbox.mark_failed(ids, error, self.clock.now())
                await uow.commit()
        except StorageUnavailable as exc:
            log.warning("could not record outbox rows %s: %s", ids[:10], exc)

    async def record(self, entry: AuditEntry) -> None:
        """An audit entry on its own (e.g. a failed log-in, which writes nothing else)."""
        async with self.uow_factory() as uow:
            queued = await self.queue(uow, audit=[entry])
            await uow.commit()
        await self.publish(queued)

    # --- relaying ------------------------------------------------------------------------

    async def relay_once(self, limit: int = 1000) -> RelayReport:
        """Apply due pending rows, oldest first; a document's rows stay in order."""
        now = self.clock.now()
        async with self.uow_factory() as uow:
            claimed = await uow.outbox.claim(now, now + RELAY_LEASE, limit)
            await uow.commit()
        if not claimed:
            return RelayReport(0, 0)
        try:
            await self._apply(claimed)
        except StorageUnavailable as exc:
            await self._failed(claimed, exc)
            return RelayReport(0, len(claimed))
        async with self.uow_factory() as uow:
            await uow.outbox.mark_done([m.id for m in claimed], self.clock.now())
            await uow.commit()
        self._open_until = None
        return RelayReport(len(claimed), 0)

    async def drain(self, *, batch: int = 1000, max_rounds: int = 1_000_000) -> RelayReport:
        """Relay until nothing is due (or a round fails)."""
        applied = failed = 0
        for _ in range(max_rounds):
            report = await self.relay_once(batch)
            applied, failed = applied + report.applied, failed + report.failed
            if report.applied == 0 or report.failed:
                break
        return RelayReport(applied, failed)

    async def run_forever(self, interval: float, stop: asyncio.Event) -> None:
        """The relay loop started with the app (or by `closet relay`)."""
        self._relay_running = True
        next_purge = self.clock.now()
        try:
            while not stop.is_set():
                try:
                    report = await self.drain()
                    await self._probe_if_open()
                    if self.clock.now() >= next_purge:
                        await self._purge()
                        next_purge = self.clock.now() + PURGE_EVERY
                except StorageUnavailable as exc:  # the SQL side itself is down: wait and retry
                    log.warning("relay: %s", exc)
                    report = RelayReport(0, 1)
                if report.applied:
                    log.info("relay: applied %d pending document changes", report.applied)
                try:
                    await asyncio.wait_for(stop.wait(), timeout=interval)
                except TimeoutError:
                    continue
        finally:
            self._relay_running = False

    async def _probe_if_open(self) -> None:
        """With nothing to relay, one cheap read tells whether a store that was down is back."""
        if self._open_until is None:
            return
        try:
            await self.documents.get(DocumentKind.ITEM_TAGS, uuid.UUID(int=0), uuid.UUID(int=0))
        except StorageUnavailable:
            return
        log.info("relay: the documents store is reachable again")
        self._open_until = None

    async def _purge(self) -> None:
        async with self.uow_factory() as uow:
            purged = await uow.outbox.purge_done(self.clock.now() - OUTBOX_RETENTION)
            await uow.commit()
        if purged:
            log.info("relay: purged %d applied outbox rows older than %s", purged, OUTBOX_RETENTION)

    # --- reading -------------------------------------------------------------------------

    async def item_bodies(
        self, uow: UnitOfWork, items: Sequence[ClothingItem]
    ) -> dict[uuid.UUID, dict[str, Any]]:
        """Each item's document body at the item's version, from the store or the outbox."""
        if not items:
            return {}
        wanted: dict[uuid.UUID, int] = {i.id: i.version for i in items}
        return await self.bodies(uow, DocumentKind.ITEM_TAGS, items[0].owner_id, wanted)

    async def bodies(
        self, uow: UnitOfWork, kind: DocumentKind, owner_id: uuid.UUID, wanted: Mapping[uuid.UUID, int]
    ) -> dict[uuid.UUID, dict[str, Any]]:
        """Documents of one owner at (at least) the given versions: from the store when it is up
        to date, else from the newest queued change (what the user saved)."""
        if not wanted:
            return {}
        known = self._remembered(kind, wanted)
        wanted = {k: v for k, v in wanted.items() if k not in known}
        if not wanted:
            return known
        stored: dict[uuid.UUID, Document] = {}
        if not self._breaker_open():
            try:
                stored = await self.documents.get_many(kind, owner_id, list(wanted))
            except StorageUnavailable as exc:
                self._trip(exc)
        bodies = {k: dict(d.body) for k, d in stored.items() if d.version >= wanted[k]}
        self._remember(kind, {k: stored[k] for k in bodies if stored[k].version == wanted[k]})
        missing = [k for k in wanted if k not in bodies]
        if missing:  # lagging or unreachable store: the queued change has what the user saved
            queued = await uow.outbox.latest_changes(kind, missing)
            bodies |= {k: dict(c.body) for k, c in queued.items() if c.body is not None}
            bodies |= {k: dict(stored[k].body) for k in missing if k not in bodies and k in stored}
        return known | bodies

    def _remembered(
        self, kind: DocumentKind, wanted: Mapping[uuid.UUID, int]
    ) -> dict[uuid.UUID, dict[str, Any]]:
        if kind not in SETTLED_KINDS:
            return {}
        found = {}
        for doc_id, version in wanted.items():
            body = self._settled.get((kind, doc_id, version))
            if body is not None:
                self._settled.move_to_end((kind, doc_id, version))
                found[doc_id] = copy.deepcopy(body)  # callers may change what they get
        return found

    def _remember(self, kind: DocumentKind, documents: Mapping[uuid.UUID, Document]) -> None:
        """A document at a version never changes (every change of it is a new version), so what
        the store held at the version the row names can be kept (only for ``SETTLED_KINDS``)."""
        if kind not in SETTLED_KINDS:
            return
        for doc_id, document in documents.items():
            self._settled[(kind, doc_id, document.version)] = copy.deepcopy(dict(document.body))
            if len(self._settled) > SETTLED_MAX:
                self._settled.popitem(last=False)

    async def with_documents(self, uow: UnitOfWork, items: Sequence[ClothingItem]) -> list[ClothingItem]:
        bodies = await self.item_bodies(uow, items)
        return [merge_item(i, bodies[i.id]) if i.id in bodies else i for i in items]

    # --- internals -----------------------------------------------------------------------

    async def _apply(self, messages: Sequence[OutboxMessage]) -> None:
        latest: dict[tuple[DocumentKind, uuid.UUID], DocumentChange] = {}
        for m in messages:  # versions make only each document's newest change matter
            if m.change is not None:
                current = latest.get(m.change.key)
                if current is None or m.change.version >= current.version:
                    latest[m.change.key] = m.change
        entries = [m.audit for m in messages if m.audit is not None]
        if latest:
            await self.documents.apply(list(latest.values()))
        if entries:
            await self.audit.append(entries)

    async def _failed(self, messages: Sequence[OutboxMessage], exc: Exception) -> None:
        self._trip(exc)
        attempts = max(m.attempts for m in messages) + 1
        delay = min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** min(attempts, 10) * (1 + random.random() / 2))  # noqa: S311
        async with self.uow_factory() as uow:
            retry_at = self.clock.now() + timedelta(seconds=delay)
            await uow.outbox.mark_failed([m.id for m in messages], str(exc)[:500], retry_at)
            await uow.commit()

    def _breaker_open(self) -> bool:
        if self._open_until is None:
            return False
        # With a relay in this process, requests never wait on a store that was down: the
        # relay finds out when it is back. Without one, requests try again after a cooldown.
        return self._relay_running or self.clock.now() < self._open_until

    def _trip(self, exc: Exception) -> None:
        log.warning("documents store unavailable, the relay will catch up: %s", exc)
        self._open_until = self.clock.now() + BREAKER_COOLDOWN
