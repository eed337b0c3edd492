"""The transactional outbox: document changes committed with the SQL rows they follow."""

from __future__ import annotations

import uuid
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from closet.application.ports.documents import AuditEntry, DocumentChange, DocumentKind


@dataclass(frozen=True, kw_only=True)
class OutboxMessage:
    id: int
    created_at: datetime
    attempts: int
    change: DocumentChange | None = None
    audit: AuditEntry | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class Backlog:
    pending: int
    oldest: datetime | None
    failing: int


class Outbox(Protocol):
    """Lives in the unit of work: rows are written in the same transaction as the data."""

    @abstractmethod
    async def add_change(self, change: DocumentChange, now: datetime, lease_until: datetime) -> int:
        """Queue a document change; the relay leaves it alone until ``lease_until``."""

    @abstractmethod
    async def add_audit(self, entry: AuditEntry, now: datetime, lease_until: datetime) -> int: ...

    @abstractmethod
    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
        """Due pending rows in id order, leased to the caller until ``lease_until``."""

    @abstractmethod
    async def mark_done(self, ids: Sequence[int], now: datetime) -> None: ...

    @abstractmethod
    async def mark_failed(self, ids: Sequence[int], error: str, retry_at: datetime) -> None: ...

    @abstractmethod
    async def backlog(self) -> Backlog: ...

    @abstractmethod
    async def latest_changes(
        self, kind: DocumentKind, doc_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, DocumentChange]:
        """The newest change queued for each document, done or not (reads and repairs use it)."""

    @abstractmethod
    async def pending_docs(self, kind: DocumentKind) -> set[uuid.UUID]:
        """Documents with a change still waiting to be applied."""

    @abstractmethod
    async def stuck(self, older_than: datetime, min_attempts: int) -> list[OutboxMessage]:
        """Pending rows created before ``older_than`` or tried at least ``min_attempts`` times."""

    @abstractmethod
    async def release(self, ids: Sequence[int], now: datetime) -> None:
        """Make rows due now (doctor --repair retries stuck rows at once)."""

    @abstractmethod
    async def purge_done(self, before: datetime) -> int: ...
