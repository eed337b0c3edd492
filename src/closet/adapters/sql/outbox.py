from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from closet.adapters.audit_json import audit_from_json, audit_to_json
from closet.adapters.sql.tables import outbox
from closet.application.ports.documents import AuditEntry, DocumentChange, DocumentKind
from closet.application.ports.outbox import Backlog, Outbox, OutboxMessage

AUDIT = "audit"
_PENDING = outbox.c.done_at.is_(None)


class SqlOutbox(Outbox):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def _add(self, values: dict[str, Any], now: datetime, lease_until: datetime) -> int:
        row = {**values, "created_at": now, "next_attempt_at": lease_until, "attempts": 0}
        new_id = await self.conn.scalar(insert(outbox).values(row).returning(outbox.c.id))
        return int(new_id)  # type: ignore[arg-type]

    async def add_change(self, change: DocumentChange, now: datetime, lease_until: datetime) -> int:
        values = {
            "kind": change.kind.value,
            "owner_id": change.owner_id,
            "doc_id": change.doc_id,
            "version": change.version,
            "body": dict(change.body) if change.body is not None else None,
        }
        return await self._add(values, now, lease_until)

    async def add_audit(self, entry: AuditEntry, now: datetime, lease_until: datetime) -> int:
        values = {"kind": AUDIT, "owner_id": entry.actor_id, "doc_id": entry.id, "version": 1}
        return await self._add({**values, "body": audit_to_json(entry)}, now, lease_until)

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
        query = (
            select(outbox).where(_PENDING, outbox.c.next_attempt_at <= now).order_by(outbox.c.id).limit(limit)
        )
        if self.conn.dialect.name == "postgresql":  # several relays share the work
            query = query.with_for_update(skip_locked=True)
        rows = (await self.conn.execute(query)).mappings().all()
        if rows:
            await self.conn.execute(
                update(outbox)
                .where(outbox.c.id.in_([r["id"] for r in rows]))
                .values(next_attempt_at=lease_until)
            )
        return [_message(r) for r in rows]

    async def mark_done(self, ids: Sequence[int], now: datetime) -> None:
        if ids:
            await self.conn.execute(update(outbox).where(outbox.c.id.in_(list(ids))).values(done_at=now))

    async def mark_failed(self, ids: Sequence[int], error: str, retry_at: datetime) -> None:
        if ids:
            await self.conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(list(ids)), _PENDING)
                .values(attempts=outbox.c.attempts + 1, last_error=error, next_attempt_at=retry_at)
            )

    async def backlog(self) -> Backlog:
        row = (
            await self.conn.execute(
                select(
                    func.count(),
                    func.min(outbox.c.created_at),
                    func.count().filter(outbox.c.attempts > 0),
                ).where(_PENDING)
            )
        ).one()
        return Backlog(int(row[0]), row[1], int(row[2]))

    async def latest_changes(
        self, kind: DocumentKind, doc_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, DocumentChange]:
        if not doc_ids:
            return {}
        newest = (
            select(func.max(outbox.c.id))
            .where(outbox.c.kind == kind.value, outbox.c.doc_id.in_(list(doc_ids)))
            .group_by(outbox.c.doc_id)
        )
        rows = (await self.conn.execute(select(outbox).where(outbox.c.id.in_(newest)))).mappings().all()
        return {r["doc_id"]: _change(r) for r in rows}

    async def pending_docs(self, kind: DocumentKind) -> set[uuid.UUID]:
        query = select(outbox.c.doc_id).where(_PENDING, outbox.c.kind == kind.value).distinct()
        return set((await self.conn.execute(query)).scalars())

    async def stuck(self, older_than: datetime, min_attempts: int) -> list[OutboxMessage]:
        query = (
            select(outbox)
            .where(_PENDING, or_(outbox.c.created_at < older_than, outbox.c.attempts >= min_attempts))
            .order_by(outbox.c.id)
        )
        return [_message(r) for r in (await self.conn.execute(query)).mappings().all()]

    async def release(self, ids: Sequence[int], now: datetime) -> None:
        if ids:
            await self.conn.execute(
                update(outbox).where(outbox.c.id.in_(list(ids)), _PENDING).values(next_attempt_at=now)
            )

    async def purge_done(self, before: datetime) -> int:
        result = await self.conn.execute(
            delete(outbox).where(and_(outbox.c.done_at.is_not(None), outbox.c.done_at < before))
        )
        return int(result.rowcount)


def _change(row: RowMapping) -> DocumentChange:
    return DocumentChange(
        kind=DocumentKind(row["kind"]),
        owner_id=row["owner_id"],
        doc_id=row["doc_id"],
        version=row["version"],
        body=row["body"],
    )


def _message(row: RowMapping) -> OutboxMessage:
    common = {"id": row["id"], "created_at": row["created_at"], "attempts": row["attempts"]}
    if row["kind"] == AUDIT:
        return OutboxMessage(**common, audit=audit_from_json(row["body"]), last_error=row["last_error"])
    return OutboxMessage(**common, change=_change(row), last_error=row["last_error"])
