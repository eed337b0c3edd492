"""Use cases of the clothing catalogue."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from closet.application.audit import audit_entry
from closet.application.collection_documents import drop_member
from closet.application.documents import DocumentSync, Queued, item_document, item_tombstone
from closet.application.errors import (
    NotFound,
    StaleVersion,
    VersionRequired,
    retries_contention,
    unless_versioned,
)
from closet.application.filters import FilterContext, FilterSpec, build_filter
from closet.application.item_listing import ListingPage
from closet.application.item_query import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Cursor,
    Facets,
    ItemQuery,
    Sort,
)
from closet.application.outfits.common import outfit_document
from closet.application.ports.clock import Clock
from closet.application.ports.documents import DocumentChange, DocumentKind
from closet.application.ports.images import ImageStore
from closet.application.ports.uow import UnitOfWork
from closet.application.specs import ItemChanges, ItemSpec, apply_changes, build_details
from closet.domain.collections import Member, MemberKind
from closet.domain.errors import ErrorCollector
from closet.domain.items import ArchiveReason, ClothingItem, ItemDetails, ItemId, enum_value, suggest_seasons
from closet.domain.users import DEFAULT_TIME_ZONE, UserId


@dataclass(frozen=True, kw_only=True)
class AddItemCommand:
    owner_id: UserId
    spec: ItemSpec


class AddItem:
    def __init__(self, uow: UnitOfWork, clock: Clock, sync: DocumentSync) -> None:
        self.uow, self.clock, self.sync = uow, clock, sync

    @retries_contention
    async def __call__(self, cmd: AddItemCommand) -> ClothingItem:
        details = with_suggested_seasons(build_details(cmd.spec, self.clock.latest_today()))
        item = ClothingItem.create(cmd.owner_id, details, self.clock.now())
        async with self.uow as uow:
            await uow.items.add(item)
            queued = await self.sync.queue(uow, [item_document(item)])
            await uow.commit()
        await self.sync.publish(queued)
        return item


def with_suggested_seasons(details: ItemDetails) -> ItemDetails:
    """An item given no seasons gets the ones its category and materials suggest."""
    if details.seasons:
        return details
    return replace(details, seasons=suggest_seasons(details))


@dataclass(frozen=True, kw_only=True)
class ItemRef:
    owner_id: UserId
    item_id: ItemId
    expected_version: int | None = None


class GetItem:
    def __init__(self, uow: UnitOfWork, sync: DocumentSync) -> None:
        self.uow, self.sync = uow, sync

    async def __call__(self, ref: ItemRef) -> ClothingItem:
        async with self.uow as uow:
            return await load_item(uow, self.sync, ref)


@dataclass(frozen=True, kw_only=True)
class UpdateItemCommand:
    ref: ItemRef
    changes: ItemChanges


class UpdateItem:
    def __init__(self, uow: UnitOfWork, clock: Clock, sync: DocumentSync) -> None:
        self.uow, self.clock, self.sync = uow, clock, sync

    @retries_contention
    async def __call__(self, cmd: UpdateItemCommand) -> ClothingItem:
        if cmd.ref.expected_version is None:
            raise VersionRequired()
        async with self.uow as uow:
            item = await load_item(uow, self.sync, cmd.ref)
            loaded = item.version
            item.revise(apply_changes(item.details, cmd.changes, self.clock.latest_today()), self.clock.now())
            await save_item(uow, self.sync, item, loaded)
        return item


@dataclass(frozen=True, kw_only=True)
class ArchiveItemCommand:
    ref: ItemRef
    reason: str


class ArchiveItem:
    def __init__(self, uow: UnitOfWork, clock: Clock, sync: DocumentSync) -> None:
        self.uow, self.clock, self.sync = uow, clock, sync

    async def __call__(self, cmd: ArchiveItemCommand) -> ClothingItem:
        reason = enum_value(ArchiveReason, cmd.reason, "reason")
        return await unless_versioned(
            functools.partial(self._archive, cmd.ref, reason), cmd.ref.expected_version
        )

    async def _archive(self, ref: ItemRef, reason: ArchiveReason) -> ClothingItem:
        async with self.uow as uow:
            item = await load_item(uow, self.sync, ref)
            loaded = item.version
            item.archive(reason, self.clock.now())
            await save_item(uow, self.sync, item, loaded)
        return item


class RestoreItem:
    def __init__(self, uow: UnitOfWork, clock: Clock, sync: DocumentSync) -> None:
        self.uow, self.clock, self.sync = uow, clock, sync

    async def __call__(self, ref: ItemRef) -> ClothingItem:
        return await unless_versioned(functools.partial(self._restore, ref), ref.expected_version)

    async def _restore(self, ref: ItemRef) -> ClothingItem:
        async with self.uow as uow:
            item = await load_item(uow, self.sync, ref)
            loaded = item.version
            item.restore(self.clock.now())
            await save_item(uow, self.sync, item, loaded)
        return item


class DeleteItem:
    """Deletes the row (its photo row with it); its document follows through the outbox; its
    photo's blobs lose a reference; the audit log records it."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, sync: DocumentSync, images: ImageStore | None = None
    ) -> None:
        self.uow, self.clock, self.sync, self.images = uow, clock, sync, images

    async def __call__(self, ref: ItemRef) -> None:
        item, queued = await unless_versioned(functools.partial(self._delete, ref), ref.expected_version)
        await self.sync.publish(queued)
        if self.images is not None and item.photo is not None:
            for key in item.photo.blob_keys():
                await self.images.release(key)

    async def _delete(self, ref: ItemRef) -> tuple[ClothingItem, Queued]:
        async with self.uow as uow:
            item = await load_item(uow, self.sync, ref)
            changed = await _drop_from_outfits(uow, self.sync, item, self.clock.now())
            member = Member(MemberKind.ITEM, item.id)
            changed += await drop_member(uow, self.sync, ref.owner_id, member, self.clock.now())
            if not await uow.items.delete(ref.owner_id, ref.item_id):
                raise NotFound("item", ref.item_id)  # deleted meanwhile by another request: write nothing
            entry = audit_entry(
                self.clock,
                actor_id=ref.owner_id,
                action="item.delete",
                resource_type="item",
                resource_id=item.id,
                details={"name": item.details.name, "version": item.version},
            )
            queued = await self.sync.queue(uow, [item_tombstone(item), *changed], [entry])
            await uow.commit()
        return item, queued


async def _drop_from_outfits(
    uow: UnitOfWork, sync: DocumentSync, item: ClothingItem, now: datetime
) -> list[DocumentChange]:
    """A deleted item leaves every outfit it was in (a new version of each, and its document)."""
    changed = []
    outfits = await uow.outfits.containing(item.owner_id, item.id)
    wanted: dict[uuid.UUID, int] = {o.id: o.version for o in outfits}
    bodies = await sync.bodies(uow, DocumentKind.OUTFIT_METADATA, item.owner_id, wanted)
    for outfit in outfits:
        loaded, notes = outfit.version, bodies.get(outfit.id, {}).get("notes")
        layers = tuple(layer for layer in outfit.details.layers if layer.item_id != item.id)
        outfit.details = replace(outfit.details, notes=notes)
        outfit.revise(replace(outfit.details, layers=layers), now)
        await uow.outfits.update(outfit, expected_version=loaded)
        changed.append(outfit_document(outfit))
    return changed


@dataclass(frozen=True, kw_only=True)
class ListItemsCommand:
    owner_id: UserId
    filter: FilterSpec
    sort: str = "-created_at"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    southern: bool = False  # the owner's hemisphere, for season=now
    time_zone: str = DEFAULT_TIME_ZONE  # the owner's: the today that not_worn_days and season=now count from


class ListItems:
    """A page of the list: one indexed SQL query over the rows and their projections.

    The items come without their free-text description (it lives in the documents store);
    a detail read (GetItem) has it.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, cmd: ListItemsCommand) -> ListingPage:
        context = FilterContext.owners(self.clock, time_zone=cmd.time_zone, southern=cmd.southern)
        query = build_query(cmd, context)
        async with self.uow as uow:
            return await uow.items.listing(cmd.owner_id, query)


def build_query(cmd: ListItemsCommand, context: FilterContext | None = None) -> ItemQuery:
    errors = ErrorCollector()
    item_filter = errors.attempt("", lambda: build_filter(cmd.filter, context))
    sort = errors.attempt("", lambda: Sort.parse(cmd.sort))
    if not 1 <= cmd.limit <= MAX_LIMIT:
        errors.add("limit", f"must be between 1 and {MAX_LIMIT}")
    after = None
    if cmd.cursor is not None and sort is not None:
        after = errors.attempt("", lambda: Cursor.decode(cmd.cursor or "", sort))
    errors.raise_if_any()
    assert item_filter is not None and sort is not None
    return ItemQuery(filter=item_filter, sort=sort, limit=cmd.limit, after=after)


@dataclass(frozen=True, kw_only=True)
class ItemFacetsCommand:
    owner_id: UserId
    filter: FilterSpec
    southern: bool = False
    time_zone: str = DEFAULT_TIME_ZONE


class ItemFacets:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, cmd: ItemFacetsCommand) -> Facets:
        context = FilterContext.owners(self.clock, time_zone=cmd.time_zone, southern=cmd.southern)
        item_filter = build_filter(cmd.filter, context)
        async with self.uow as uow:
            return await uow.items.facets(cmd.owner_id, item_filter)


async def load_item(uow: UnitOfWork, sync: DocumentSync, ref: ItemRef) -> ClothingItem:
    """The item as saved: its row merged with its document; checks the expected version."""
    item = await uow.items.get(ref.owner_id, ref.item_id)
    if item is None:
        raise NotFound("item", ref.item_id)
    if ref.expected_version is not None and ref.expected_version != item.version:
        raise StaleVersion(ref.expected_version, item.version)
    [merged] = await sync.with_documents(uow, [item])
    return merged


async def save_item(uow: UnitOfWork, sync: DocumentSync, item: ClothingItem, loaded_version: int) -> None:
    """Write the item and its document if the change did anything (the version is re-checked)."""
    if item.version != loaded_version:
        await uow.items.update(item, expected_version=loaded_version)
        queued = await sync.queue(uow, [item_document(item)])
        await uow.commit()
        await sync.publish(queued)
