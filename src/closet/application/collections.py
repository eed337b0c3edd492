"""Collections: CRUD, members (bulk add and remove, manual order, a cover), and smart
collections whose saved rules (the item list's filter language) are evaluated live."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from closet.application.collection_documents import collection_document, with_rules
from closet.application.documents import DocumentSync
from closet.application.errors import (
    NotFound,
    StaleVersion,
    VersionRequired,
    retries_contention,
    unless_versioned,
)
from closet.application.filters import FilterContext, FilterSpec, build_filter
from closet.application.item_listing import ListingPage
from closet.application.item_query import DEFAULT_LIMIT, ItemQuery, Sort
from closet.application.items import ListItemsCommand, build_query
from closet.application.outfits.specs import enum_values
from closet.application.ports.clock import Clock
from closet.application.ports.uow import UnitOfWork
from closet.application.specs import UNSET, Unset
from closet.domain.collections import (
    DESCRIPTION_MAX,
    Collection,
    CollectionDetails,
    CollectionId,
    Member,
    MemberKind,
    collection_name,
)
from closet.domain.errors import ErrorCollector, bounded_text
from closet.domain.items import ItemId, Season, normalise_tags
from closet.domain.outfits import OutfitId
from closet.domain.users import DEFAULT_TIME_ZONE, UserId

_DATES = {"purchased_from", "purchased_to"}
_DECIMALS = {"price_min", "price_max"}


def rules_to_dict(spec: FilterSpec) -> dict[str, Any]:
    """A filter as a document: only the fields set, in JSON types."""
    return {name: _json(value) for name, value in asdict(spec).items() if value not in (None, (), [])}


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return list(value)
    return value


def rules_from_dict(body: Mapping[str, Any]) -> FilterSpec:
    known = {f.name for f in fields(FilterSpec)}
    given = {name: value for name, value in body.items() if name in known and value is not None}
    return FilterSpec(**{name: _python(name, value) for name, value in given.items()})


def _python(name: str, value: Any) -> Any:
    if name in _DATES and isinstance(value, str):
        return date.fromisoformat(value)
    if name in _DECIMALS and isinstance(value, str | int | float):
        return Decimal(str(value))
    return tuple(value) if isinstance(value, list) else value


@dataclass(frozen=True, kw_only=True)
class CollectionSpec:
    name: str
    description: str | None = None
    tags: Sequence[str] = ()
    seasons: Sequence[str] = ()
    rules: FilterSpec | None = None  # set: a smart collection
    sort: str | None = None


@dataclass(frozen=True, kw_only=True)
class CollectionChanges:
    name: str | Unset = UNSET
    description: str | Unset | None = UNSET
    tags: Sequence[str] | Unset = UNSET
    seasons: Sequence[str] | Unset = UNSET
    cover: Member | Unset | None = UNSET
    rules: FilterSpec | Unset | None = UNSET
    sort: str | Unset | None = UNSET


def _rules(spec: FilterSpec, today: date) -> dict[str, Any]:
    build_filter(spec, FilterContext(today=today))  # every rule checked now, not when listing
    return rules_to_dict(spec)


def _sort(value: str | None) -> str | None:
    return str(Sort.parse(value)) if value else None


def build_collection(spec: CollectionSpec, today: date) -> CollectionDetails:
    errors = ErrorCollector()
    name = errors.attempt("", lambda: collection_name(spec.name))
    description = errors.attempt("", lambda: _description(spec.description))
    tags = errors.attempt("tags", lambda: normalise_tags(spec.tags))
    seasons = errors.attempt("seasons", lambda: frozenset(enum_values(Season, spec.seasons)))
    given = spec.rules
    rules = errors.attempt("rules", lambda: _rules(given, today)) if given is not None else None
    sort = errors.attempt("", lambda: _sort(spec.sort))  # Sort.parse names the field
    errors.raise_if_any()
    assert name is not None
    return CollectionDetails(name, description, tags or (), seasons or frozenset(), None, rules, sort)


def _description(value: str | None) -> str | None:
    return bounded_text(value, field="description", max_len=DESCRIPTION_MAX) if value else None


def apply_collection_changes(
    current: CollectionDetails, c: CollectionChanges, today: date
) -> CollectionDetails:
    errors = ErrorCollector()
    out = current
    if not isinstance(c.name, Unset):
        name = c.name
        out = replace(out, name=errors.attempt("", lambda: collection_name(name)) or out.name)
    if not isinstance(c.description, Unset):
        text = c.description
        out = replace(out, description=errors.attempt("", lambda: _description(text)))
    if not isinstance(c.tags, Unset):
        tags = c.tags
        out = replace(out, tags=errors.attempt("tags", lambda: normalise_tags(tags)) or ())
    if not isinstance(c.seasons, Unset):
        seasons = c.seasons
        found = errors.attempt("seasons", lambda: frozenset(enum_values(Season, seasons)))
        out = replace(out, seasons=found or frozenset())
    if not isinstance(c.cover, Unset):
        out = replace(out, cover=c.cover)
    if not isinstance(c.rules, Unset):
        rules = c.rules
        out = replace(out, rules=errors.attempt("rules", lambda: _rules(rules, today)) if rules else None)
    if not isinstance(c.sort, Unset):
        sort = c.sort
        out = replace(out, sort=errors.attempt("", lambda: _sort(sort)))
    errors.raise_if_any()
    return out


@dataclass(frozen=True, kw_only=True)
class CollectionRef:
    owner_id: UserId
    collection_id: CollectionId
    expected_version: int | None = None


async def load_collection(
    uow: UnitOfWork, sync: DocumentSync, ref: CollectionRef, *, rules_needed: bool = True
) -> Collection:
    """The collection, with a smart one's rules and sort (``with_rules``), at the version asked."""
    collection = await uow.collections.get(ref.owner_id, ref.collection_id)
    if collection is None:
        raise NotFound("collection", ref.collection_id)
    if ref.expected_version is not None and ref.expected_version != collection.version:
        raise StaleVersion(ref.expected_version, collection.version)
    return await with_rules(uow, sync, collection, rules_needed=rules_needed)


async def _save(uow: UnitOfWork, sync: DocumentSync, collection: Collection, loaded: int) -> None:
    if collection.version != loaded:
        await uow.collections.update(collection, expected_version=loaded)
        queued = await sync.queue(uow, [collection_document(collection)])
        await uow.commit()
        await sync.publish(queued)


async def check_members(uow: UnitOfWork, owner_id: UserId, members: Sequence[Member], field: str) -> None:
    """Each member is the owner's item or outfit (another owner's reads as missing)."""
    errors = ErrorCollector()
    for index, member in enumerate(members):
        if member.kind is MemberKind.ITEM:
            found = await uow.items.get(owner_id, ItemId(member.id)) is not None
        else:
            outfit = await uow.outfits.get(owner_id, OutfitId(member.id))
            found = outfit is not None and not outfit.is_template
        if not found:
            errors.add(f"{field}[{index}]", f"no {member.kind.value} {member.id} in your closet")
    errors.raise_if_any()


@dataclass(frozen=True, kw_only=True)
class CreateCollectionCommand:
    owner_id: UserId
    spec: CollectionSpec


class CreateCollection:
    def __init__(self, uow: UnitOfWork, clock: Clock, sync: DocumentSync) -> None:
        self.uow, self.clock, self.sync = uow, clock, sync

    @retries_contention
    async def __call__(self, cmd: CreateCollectionCommand) -> Collection:
        details = build_collection(cmd.spec, self.clock.today())
        collection = Collection.create(cmd.owner_id, details, self.clock.now())
        async with self.uow as uow:
            await uow.collections.add(collection)
            queued = await self.sync.queue(uow, [collection_document(collection)])
            await uow.commit()
        await self.sync.publish(queued)
        return collection


class GetCollection:
    def __init__(self, uow: UnitOfWork, sync: DocumentSync) -> None:
        self.uow, self.sync = uow, sync

    async def __call__(self, ref: CollectionRef) -> Collection:
        async with self.uow as uow:
            return await load_collection(uow, self.sync, ref)


class ListCollections:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def __call__(self, owner_id: UserId) -> list[Collection]:
        async with self.uow as uow:
            return await uow.collections.all(owner_id)


@dataclass(frozen=True, kw_only=True)
class UpdateCollectionCommand:
    ref: CollectionRef
    changes: CollectionChanges


class UpdateCollection:
    def __init__(self, uow: UnitOfWork, clock: Clock, sync: DocumentSync) -> None:
        self.uow, self.clock, self.sync = uow, clock, sync

    @retries_contention
    async def __call__(self, cmd: UpdateCollectionCommand) -> Collection:
        if cmd.ref.expected_version is None:
            raise VersionRequired()
        async with self.uow as uow:
            new_rules = not isinstance(cmd.changes.rules, Unset)  # the old ones are not needed then
            collection = await load_collection(uow, self.sync, cmd.ref, rules_needed=not new_rules)
            loaded = collection.version
            details = apply_collection_changes(collection.details, cmd.changes, self.clock.today())
            if details.cover is not None and details.smart:
                await check_members(uow, cmd.ref.owner_id, [details.cover], "cover")
            if details.smart and not collection.details.smart and collection.members:
                collection.remove(list(collection.members), self.clock.now())  # rules replace the list
            collection.revise(details, self.clock.now())
            await _save(uow, self.sync, collection, loaded)
        return collection


class DeleteCollection:
    """The collection goes; its members (items, outfits) stay."""

    def __init__(self, uow: UnitOfWork, sync: DocumentSync) -> None:
        self.uow, self.sync = uow, sync

    @retries_contention
    async def __call__(self, ref: CollectionRef) -> None:
        async with self.uow as uow:
            collection = await load_collection(uow, self.sync, ref, rules_needed=False)
            if not await uow.collections.delete(ref.owner_id, ref.collection_id):
                raise NotFound("collection", ref.collection_id)  # deleted meanwhile by another request
            tombstone = replace(collection_document(collection), version=collection.version + 1, body=None)
            queued = await self.sync.queue(uow, [tombstone])
            await uow.commit()
        await self.sync.publish(queued)


@dataclass(frozen=True, kw_only=True)
class MembersCommand:
    ref: CollectionRef
    add: Sequence[Member] = ()
    remove: Sequence[Member] = ()
    order: Sequence[Member] | None = None  # the full new order (needs the version)


class ChangeMembers:
    """Bulk add and remove (the version is checked when given), or a new manual order."""

    def __init__(self, uow: UnitOfWork, clock: Clock, sync: DocumentSync) -> None:
        self.uow, self.clock, self.sync = uow, clock, sync

    async def __call__(self, cmd: MembersCommand) -> Collection:
        if cmd.order is not None and cmd.ref.expected_version is None:
            raise VersionRequired()
        return await unless_versioned(partial(self._change, cmd), cmd.ref.expected_version)

    async def _change(self, cmd: MembersCommand) -> Collection:
        async with self.uow as uow:
            collection = await load_collection(uow, self.sync, cmd.ref)
            loaded, now = collection.version, self.clock.now()
            if cmd.add:
                await check_members(uow, cmd.ref.owner_id, cmd.add, "add")
                collection.add(cmd.add, now)
            if cmd.remove:
                collection.remove(cmd.remove, now)
            if cmd.order is not None:
                collection.reorder(cmd.order, now)
            await _save(uow, self.sync, collection, loaded)
        return collection


@dataclass(frozen=True, kw_only=True)
class CollectionItemsCommand:
    ref: CollectionRef
    filter: FilterSpec
    sort: str | None = None  # None: the saved sort (smart), the manual order (hand-made)
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    southern: bool = False  # the owner's hemisphere, for season=now (in the rules or the filter)
    time_zone: str = DEFAULT_TIME_ZONE  # the owner's: the today that relative rules count from


class ListCollectionItems:
    """A collection's items with the item list's whole filter and sort set on top: a smart
    collection's rules and the request's filter both apply; a hand-made one's members are
    listed in their manual order unless a sort is asked for."""

    def __init__(self, uow: UnitOfWork, sync: DocumentSync, clock: Clock) -> None:
        self.uow, self.sync, self.clock = uow, sync, clock

    async def __call__(self, cmd: CollectionItemsCommand) -> ListingPage:
        async with self.uow as uow:
            collection = await load_collection(uow, self.sync, cmd.ref)
            context = FilterContext.owners(self.clock, time_zone=cmd.time_zone, southern=cmd.southern)
            details = collection.details
            sort = cmd.sort or details.sort or "-created_at"
            base = ListItemsCommand(
                owner_id=cmd.ref.owner_id, filter=cmd.filter, sort=sort, limit=cmd.limit, cursor=cmd.cursor
            )
            query = build_query(base, context)
            if details.rules is not None:
                rules = build_filter(rules_from_dict(details.rules), context)
                return await uow.items.listing(
                    cmd.ref.owner_id, replace(query, filter=replace(query.filter, also=rules))
                )
            members = [ItemId(m.id) for m in collection.members if m.kind is MemberKind.ITEM]
            query = replace(query, filter=replace(query.filter, ids=frozenset(members)))
            if cmd.sort is not None:
                return await uow.items.listing(cmd.ref.owner_id, query)
            return await self._manual_order(uow, cmd.ref.owner_id, members, query)

    async def _manual_order(
        self, uow: UnitOfWork, owner_id: UserId, members: list[ItemId], query: ItemQuery
    ) -> ListingPage:
        """All matching members in the collection's order (a collection is bounded: one page)."""
        everything = replace(query, limit=len(members) or 1, after=None)
        page = await uow.items.listing(owner_id, everything)
        by_id = {i["id"]: i for i in page.items}
        return ListingPage([by_id[m] for m in members if m in by_id], None)
