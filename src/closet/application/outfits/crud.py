"""Creating, reading, changing, listing, duplicating and deleting outfits (and templates)."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from closet.application.collection_documents import drop_member
from closet.application.documents import DocumentSync, Queued
from closet.application.errors import NotFound, VersionRequired, retries_contention, unless_versioned
from closet.application.outfits.common import (
    OutfitRef,
    check_items,
    load_outfit,
    outfit_document,
    outfit_tombstone,
    owned_items,
    save_outfit,
)
from closet.application.outfits.specs import (
    OutfitChanges,
    OutfitSpec,
    apply_outfit_changes,
    build_outfit,
    enum_values,
)
from closet.application.ports.clock import Clock
from closet.application.ports.images import ImageStore
from closet.application.ports.outfits import OutfitFilter, OutfitQuery
from closet.application.ports.uow import UnitOfWork
from closet.domain.collections import Member, MemberKind
from closet.domain.errors import ErrorCollector, InvalidValue
from closet.domain.images import BlobKey
from closet.domain.items import ClothingItem, ItemId, ItemStatus, Season
from closet.domain.outfits import Occasion, Outfit
from closet.domain.users import UserId

MAX_LIMIT, DEFAULT_LIMIT = 200, 50


@dataclass(frozen=True, slots=True)
class OutfitView:
    """An outfit with what its layers show: the items (an archived one stays, marked so)."""

    outfit: Outfit
    items: dict[ItemId, ClothingItem]

    @property
    def archived(self) -> set[ItemId]:
        return {i for i, item in self.items.items() if item.status is ItemStatus.ARCHIVED}


@dataclass(frozen=True, kw_only=True)
class CreateOutfitCommand:
    owner_id: UserId
    spec: OutfitSpec


class CreateOutfit:
    def __init__(self, uow: UnitOfWork, clock: Clock, sync: DocumentSync) -> None:
        self.uow, self.clock, self.sync = uow, clock, sync

    @retries_contention
    async def __call__(self, cmd: CreateOutfitCommand) -> OutfitView:
        outfit = Outfit.create(cmd.owner_id, build_outfit(cmd.spec), self.clock.now())
        return await add_outfit(self.uow, self.sync, outfit)


async def add_outfit(uow: UnitOfWork, sync: DocumentSync, outfit: Outfit) -> OutfitView:
    async with uow:
        items = await check_items(uow, outfit)
        await uow.outfits.add(outfit)
        queued = await sync.queue(uow, [outfit_document(outfit)])
        await uow.commit()
    await sync.publish(queued)
    return OutfitView(outfit, items)


class GetOutfit:
    def __init__(self, uow: UnitOfWork, sync: DocumentSync) -> None:
        self.uow, self.sync = uow, sync

    async def __call__(self, ref: OutfitRef) -> OutfitView:
        async with self.uow as uow:
            outfit = await load_outfit(uow, self.sync, ref)
            return OutfitView(outfit, await owned_items(uow, ref.owner_id, outfit.details.item_ids))


@dataclass(frozen=True, kw_only=True)
class UpdateOutfitCommand:
    ref: OutfitRef
    changes: OutfitChanges


class UpdateOutfit:
    def __init__(self, uow: UnitOfWork, clock: Clock, sync: DocumentSync) -> None:
        self.uow, self.clock, self.sync = uow, clock, sync

    @retries_contention
    async def __call__(self, cmd: UpdateOutfitCommand) -> OutfitView:
        if cmd.ref.expected_version is None:
            raise VersionRequired()
        async with self.uow as uow:
            outfit = await load_outfit(uow, self.sync, cmd.ref)
            loaded = outfit.version
            changed = apply_outfit_changes(outfit.details, cmd.changes, template=outfit.is_template)
            outfit.revise(changed, self.clock.now())
            items = await check_items(uow, outfit)
            await save_outfit(uow, self.sync, outfit, loaded)
        return OutfitView(outfit, items)


class DuplicateOutfit:
    def __init__(self, uow: UnitOfWork, clock: Clock, sync: DocumentSync) -> None:
        self.uow, self.clock, self.sync = uow, clock, sync

    @retries_contention
    async def __call__(self, ref: OutfitRef, name: str | None = None) -> OutfitView:
        async with self.uow as uow:
            source = await load_outfit(uow, self.sync, ref)
        copy = source.duplicate(name or _copy_name(source.details.name), self.clock.now())
        return await add_outfit(self.uow, self.sync, copy)


def _copy_name(name: str) -> str:
    suffix = " (copy)"
    return name[: 120 - len(suffix)] + suffix


class DeleteOutfit:
    """The row and layers go; the document follows through the outbox; renders are released."""

    def __init__(self, uow: UnitOfWork, sync: DocumentSync, images: ImageStore, clock: Clock) -> None:
        self.uow, self.sync, self.images, self.clock = uow, sync, images, clock

    async def __call__(self, ref: OutfitRef) -> None:
        released, queued = await unless_versioned(partial(self._delete, ref), ref.expected_version)
        await self.sync.publish(queued)
        for key in released:
            await self.images.release(key)

    async def _delete(self, ref: OutfitRef) -> tuple[list[BlobKey], Queued]:
        async with self.uow as uow:
            outfit = await load_outfit(uow, self.sync, ref)
            member = Member(MemberKind.OUTFIT, outfit.id)
            changed = await drop_member(uow, self.sync, ref.owner_id, member, self.clock.now())
            released = await uow.outfits.delete(ref.owner_id, ref.outfit_id)
            if released is None:  # deleted meanwhile by another request: write nothing, release nothing
                raise NotFound("template" if ref.template else "outfit", ref.outfit_id)
            queued = await self.sync.queue(uow, [outfit_tombstone(outfit), *changed])
            await uow.commit()
        return released, queued


@dataclass(frozen=True, kw_only=True)
class ListOutfitsCommand:
    owner_id: UserId
    seasons: list[str] = field(default_factory=list)
    occasions: list[str] = field(default_factory=list)
    item_id: str | None = None
    is_template: bool = False
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class OutfitListPage:
    outfits: list[Outfit]
    next_cursor: str | None


class ListOutfits:
    """Newest first, keyset-paginated; filters: season, occasion, contains item, template."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def __call__(self, cmd: ListOutfitsCommand) -> OutfitListPage:
        errors = ErrorCollector()
        seasons = errors.attempt("season", partial(enum_values, Season, cmd.seasons)) or []
        occasions = errors.attempt("occasion", partial(enum_values, Occasion, cmd.occasions)) or []
        item_id = errors.attempt("item", lambda: _uuid(cmd.item_id, "")) if cmd.item_id else None
        if not 1 <= cmd.limit <= MAX_LIMIT:
            errors.add("limit", f"must be between 1 and {MAX_LIMIT}")
        after = errors.attempt("cursor", lambda: decode_cursor(cmd.cursor)) if cmd.cursor else None
        errors.raise_if_any()
        outfit_filter = OutfitFilter(
            seasons=frozenset(s for s in seasons if s),
            occasions=frozenset(o for o in occasions if o),
            item_id=ItemId(item_id) if item_id else None,
            is_template=cmd.is_template,
        )
        async with self.uow as uow:
            page = await uow.outfits.list(
                cmd.owner_id, OutfitQuery(filter=outfit_filter, limit=cmd.limit, after=after)
            )
        last = page.outfits[-1] if page.outfits and page.has_more else None
        return OutfitListPage(page.outfits, encode_cursor(last.created_at, last.id) if last else None)


def _uuid(value: str | None, field_name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        raise InvalidValue.of(field_name, f"{(value or '')[:40]!r} is not a UUID") from None


def encode_cursor(at: datetime, outfit_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{outfit_id}".encode()).decode().rstrip("=")


def decode_cursor(value: str | None) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode((value or "") + "=" * (-len(value or "") % 4)).decode()
        at, outfit_id = raw.split("|")
        parsed = datetime.fromisoformat(at)
        if parsed.tzinfo is None:
            raise ValueError("naive")
        return parsed, uuid.UUID(outfit_id)
    except (ValueError, UnicodeDecodeError):
        raise InvalidValue.of("", "is not a cursor this list gave out") from None
