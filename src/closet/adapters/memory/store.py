from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from closet.application.ports.documents import AuditEntry, DocumentKind
from closet.domain.items import ClothingItem, ItemId
from closet.domain.sessions import AccountToken, RefreshToken, Session, SessionId
from closet.domain.users import User, UserId


@dataclass
class OutboxRow:
    id: int
    values: dict[str, Any]


@dataclass
class MemoryStore:
    """What the memory adapters hold; one instance plays the role of a database."""

    users: dict[UserId, User] = field(default_factory=dict)
    items: dict[ItemId, ClothingItem] = field(default_factory=dict)
    outbox: dict[int, OutboxRow] = field(default_factory=dict)
    next_outbox_id: int = 1
    sessions: dict[SessionId, Session] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    account_tokens: dict[str, AccountToken] = field(default_factory=dict)


@dataclass
class MemoryDocuments:
    """The memory documents store; ``available`` False makes it fail like a server that is down."""

    docs: dict[tuple[DocumentKind, uuid.UUID], dict[str, Any]] = field(default_factory=dict)
    audit: dict[uuid.UUID, AuditEntry] = field(default_factory=dict)
    available: bool = True
