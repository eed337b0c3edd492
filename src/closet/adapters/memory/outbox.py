from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from closet.adapters.memory.store import MemoryStore, OutboxRow
from closet.application.ports.documents import AuditEntry, DocumentChange, DocumentKind
from closet.application.ports.outbox import Backlog, Outbox, OutboxMessage


class MemoryOutbox(Outbox):
    """Rows added in a unit of work reach the store on commit; updates apply at once."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.pending: list[OutboxRow] = []

    def _add(self, values: dict[str, Any], now: datetime, lease_until: datetime) -> int:
        row = OutboxRow(self.store.next_outbox_id, {**values, "created_at": now, "next_at": lease_until})
        row.values.update(attempts=0, done_at=None, last_error=None)
        self.store.next_outbox_id += 1
        self.pending.append(row)
        return row.id

    async def add_change(self, change: DocumentChange, now: datetime, lease_until: datetime) -> int:
        return self._add({"change": change}, now, lease_until)

    async def add_audit(self, entry: AuditEntry, now: datetime, lease_until: datetime) -> int:
        return self._add({"audit": entry}, now, lease_until)

    def commit(self) -> None:
        for row in self.pending:
            self.store.outbox[row.id] = row
        self.pending.clear()

    def _rows(self, *, pending: bool = True) -> list[OutboxRow]:
        rows = sorted(self.store.outbox.values(), key=lambda r: r.id)
        return [r for r in rows if (r.values["done_at"] is None) == pending] if pending else rows

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
        due = [r for r in self._rows() if r.values["next_at"] <= now][:limit]
        for row in due:
            row.values["next_at"] = lease_until
        return [_message(r) for r in due]

    async def mark_done(self, ids: Sequence[int], now: datetime) -> None:
        for i in ids:
            if i in self.store.outbox:
                self.store.outbox[i].values["done_at"] = now

    async def mark_failed(self, ids: Sequence[int], error: str, retry_at: datetime) -> None:
        for i in ids:
            row = self.store.outbox.get(i)
            if row is not None and row.values["done_at"] is None:
                row.values.update(attempts=row.values["attempts"] + 1, last_error=error, next_at=retry_at)

    async def backlog(self) -> Backlog:
        rows = self._rows()
        oldest = min((r.values["created_at"] for r in rows), default=None)
        return Backlog(len(rows), oldest, sum(1 for r in rows if r.values["attempts"] > 0))

    async def latest_changes(
        self, kind: DocumentKind, doc_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, DocumentChange]:
        wanted, found = set(doc_ids), {}
        for row in [*self._rows(pending=False), *self.pending]:
            change = row.values.get("change")
            if change is not None and change.kind is kind and change.doc_id in wanted:
                found[change.doc_id] = change
        return found

    async def pending_docs(self, kind: DocumentKind) -> set[uuid.UUID]:
        changes = (r.values.get("change") for r in self._rows())
        return {c.doc_id for c in changes if c is not None and c.kind is kind}

    async def stuck(self, older_than: datetime, min_attempts: int) -> list[OutboxMessage]:
        return [
            _message(r)
            for r in self._rows()
            if r.values["created_at"] < older_than or r.values["attempts"] >= min_attempts
        ]

    async def release(self, ids: Sequence[int], now: datetime) -> None:
        for i in ids:
            if i in self.store.outbox:
                self.store.outbox[i].values["next_at"] = now

    async def purge_done(self, before: datetime) -> int:
        old = [
            i for i, r in self.store.outbox.items() if r.values["done_at"] and r.values["done_at"] < before
        ]
        for i in old:
            del self.store.outbox[i]
        return len(old)


def _message(row: OutboxRow) -> OutboxMessage:
    v = row.values
    message = OutboxMessage(
        id=row.id, created_at=v["created_at"], attempts=v["attempts"], last_error=v["last_error"]
    )
    return replace(message, change=v.get("change"), audit=v.get("audit"))
