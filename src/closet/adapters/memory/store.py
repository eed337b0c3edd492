from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from closet.application.ports.documents import AuditEntry, DocumentKind
from closet.application.ports.jobs import Job, JobState
from closet.application.ports.outfits import ShareLink, StoredRender, WearEvent
from closet.domain.collections import Collection, CollectionId
from closet.domain.images import ItemPhoto
from closet.domain.items import ClothingItem, ItemId
from closet.domain.outfits import Outfit, OutfitId
from closet.domain.sessions import AccountToken, RefreshToken, Session, SessionId
from closet.domain.users import User, UserId


@dataclass
class OutboxRow:
    id: int
    values: dict[str, Any]


@dataclass(frozen=True)
class StoredJob:
    job: Job
    state: JobState
    last_error: str | None = None


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
    photos: dict[ItemId, tuple[UserId, ItemPhoto]] = field(default_factory=dict)
    jobs: dict[uuid.UUID, StoredJob] = field(default_factory=dict)
    outfits: dict[OutfitId, Outfit] = field(default_factory=dict)
    renders: dict[OutfitId, dict[str, tuple[str, StoredRender]]] = field(default_factory=dict)
    shares: dict[uuid.UUID, ShareLink] = field(default_factory=dict)
    wears: dict[tuple[ItemId, date], tuple[UserId, WearEvent]] = field(default_factory=dict)
    collections: dict[CollectionId, Collection] = field(default_factory=dict)


@dataclass
class MemoryDocuments:
    """The memory documents store; ``available`` False makes it fail like a server that is down."""

    docs: dict[tuple[DocumentKind, uuid.UUID], dict[str, Any]] = field(default_factory=dict)
    audit: dict[uuid.UUID, AuditEntry] = field(default_factory=dict)
    available: bool = True
