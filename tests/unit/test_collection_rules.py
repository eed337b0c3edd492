"""Smart collections: for random rules, the members are exactly what the item list shows for
the same filter; and the seasons an item is given when its owner gives none."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closet.adapters.memory.clock import FixedClock
from closet.adapters.memory.documents import MemoryAuditStore, MemoryDocumentStore
from closet.adapters.memory.store import MemoryDocuments, MemoryStore
from closet.adapters.memory.uow import MemoryUnitOfWork
from closet.application.collections import (
    CollectionChanges,
    CollectionItemsCommand,
    CollectionRef,
    CollectionSpec,
    CreateCollection,
    CreateCollectionCommand,
    DeleteCollection,
    GetCollection,
    ListCollectionItems,
    UpdateCollection,
    UpdateCollectionCommand,
    rules_from_dict,
    rules_to_dict,
)
from closet.application.documents import DocumentSync
from closet.application.errors import StorageUnavailable
from closet.application.filters import FilterSpec
from closet.application.items import AddItem, AddItemCommand, DeleteItem, ItemRef, ListItems, ListItemsCommand
from closet.application.ports.documents import DocumentKind
from closet.application.specs import ItemSpec
from closet.domain.collections import Member, MemberKind
from closet.domain.errors import InvalidValue
from closet.domain.items import Category, ItemDetails, Season, current_season, suggest_seasons
from closet.domain.materials import MaterialShare
from tests.factories import make_user
from tests.strategies import items

RULES = st.builds(
    FilterSpec,
    category=st.lists(st.sampled_from(["top", "outerwear", "knitwear", "dress"]), max_size=2),
    color=st.lists(st.sampled_from(["navy", "red", "white", "black"]), max_size=2),
    season=st.lists(st.sampled_from(["winter", "summer"]), max_size=1),
    status=st.lists(st.sampled_from(["active", "archived"]), max_size=1),
    wear_min=st.none() | st.integers(0, 3),
    wear_max=st.none() | st.integers(0, 3),
    not_worn_days=st.none() | st.integers(1, 500),
    q=st.none() | st.sampled_from(["coat", "wool", "a"]),
)


@given(
    catalogue=st.lists(items(make_user().id), max_size=25),
    rules=RULES,
    sort=st.sampled_from(["name", "-wear_count", "color"]),
)
@settings(max_examples=40)
async def test_smart_members_equal_the_item_list(catalogue: list, rules: FilterSpec, sort: str) -> None:  # type: ignore[type-arg]
    owner = make_user()
    store, clock, docs = MemoryStore(), FixedClock(), MemoryDocuments()
    sync = DocumentSync(
        uow_factory=lambda: MemoryUnitOfWork(store),
        documents=MemoryDocumentStore(docs),
        audit=MemoryAuditStore(docs),
        clock=clock,
    )
    async with MemoryUnitOfWork(store) as uow:
        await uow.users.add(owner)
        for item in catalogue:
            item.owner_id = owner.id
            item.id = uuid.uuid4()  # type: ignore[assignment]
            await uow.items.add(item)
        await uow.commit()
    spec = CollectionSpec(name="smart", rules=rules, sort=sort)
    try:
        made = await CreateCollection(MemoryUnitOfWork(store), clock, sync)(
            CreateCollectionCommand(owner_id=owner.id, spec=spec)
        )
    except InvalidValue:  # rules the item list refuses too (e.g. wear_min > wear_max)
        with pytest.raises(InvalidValue):
            await ListItems(MemoryUnitOfWork(store), clock)(ListItemsCommand(owner_id=owner.id, filter=rules))
        return
    ref = CollectionRef(owner_id=owner.id, collection_id=made.id)
    members = await ListCollectionItems(MemoryUnitOfWork(store), sync, clock)(
        CollectionItemsCommand(ref=ref, filter=FilterSpec(status=("active", "archived")), limit=200)
    )
    listed = await ListItems(MemoryUnitOfWork(store), clock)(
        ListItemsCommand(owner_id=owner.id, filter=rules, sort=sort, limit=200)
    )
    assert [i["id"] for i in members.items] == [i["id"] for i in listed.items]
    assert rules_from_dict(rules_to_dict(rules)) == _normalised(rules)


def _normalised(spec: FilterSpec) -> FilterSpec:
    """What a round trip through the document gives: lists as tuples."""
    return FilterSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec.__dict__.items()})


def details(category: Category, fibre: str | None = None, subcategory: str | None = None) -> ItemDetails:
    materials = (MaterialShare(fibre, Decimal(100)),) if fibre else ()
    return ItemDetails(name="x", category=category, subcategory=subcategory, materials=materials)


def test_suggested_seasons() -> None:
    assert suggest_seasons(details(Category.KNITWEAR, "wool")) == {Season.AUTUMN, Season.WINTER}
    assert suggest_seasons(details(Category.TOP, "linen")) == {Season.SUMMER}
    assert suggest_seasons(details(Category.SWIMWEAR)) == {Season.SUMMER}
    assert suggest_seasons(details(Category.SHOES, subcategory="Sandals")) == {Season.SPRING, Season.SUMMER}
    assert suggest_seasons(details(Category.SHOES, subcategory="Ankle boots")) == {
        Season.AUTUMN,
        Season.WINTER,
    }
    assert suggest_seasons(details(Category.TOP, "cotton")) == frozenset()  # nothing says: all year


def test_current_season_by_hemisphere() -> None:
    assert current_season(date(2026, 1, 15)) is Season.WINTER
    assert current_season(date(2026, 1, 15), southern=True) is Season.SUMMER
    assert current_season(date(2026, 4, 1)) is Season.SPRING
    assert current_season(date(2026, 10, 31), southern=True) is Season.SPRING


async def test_a_smart_collection_whose_rules_cannot_be_read_is_never_read_as_empty() -> None:
    """Its document lost and no change of it left in the outbox: every read and change that needs
    the rules is refused (503) rather than treating the row's empty rules as "every item", and
    nothing is written; new rules, or a delete, need no old ones."""
    owner = make_user()
    store, clock, docs = MemoryStore(), FixedClock(), MemoryDocuments()
    documents = MemoryDocumentStore(docs)

    def new_sync() -> DocumentSync:  # a process of its own: nothing remembered
        return DocumentSync(
            uow_factory=lambda: MemoryUnitOfWork(store),
            documents=documents,
            audit=MemoryAuditStore(docs),
            clock=clock,
        )

    sync = new_sync()
    async with MemoryUnitOfWork(store) as uow:
        await uow.users.add(owner)
        await uow.commit()
    add = AddItem(MemoryUnitOfWork(store), clock, sync)
    top = await add(AddItemCommand(owner_id=owner.id, spec=ItemSpec(name="Tee", category="top")))
    shoe = await add(AddItemCommand(owner_id=owner.id, spec=ItemSpec(name="Boot", category="shoes")))
    create = CreateCollection(MemoryUnitOfWork(store), clock, sync)
    tops = await create(
        CreateCollectionCommand(
            owner_id=owner.id, spec=CollectionSpec(name="Tops", rules=FilterSpec(category=["top"]))
        )
    )
    covered = await create(
        CreateCollectionCommand(
            owner_id=owner.id, spec=CollectionSpec(name="Covered", rules=FilterSpec(category=["top"]))
        )
    )
    cover = CollectionChanges(cover=Member(MemberKind.ITEM, top.id))
    covered_ref = CollectionRef(owner_id=owner.id, collection_id=covered.id, expected_version=1)
    await UpdateCollection(MemoryUnitOfWork(store), clock, sync)(
        UpdateCollectionCommand(ref=covered_ref, changes=cover)
    )
    await sync.flush()
    await documents.purge(DocumentKind.COLLECTION_FILTERS, [tops.id, covered.id])
    async with MemoryUnitOfWork(store) as uow:  # the outbox keeps applied changes for a week only
        await uow.outbox.purge_done(clock.now() + timedelta(days=8))
        await uow.commit()

    sync = new_sync()
    ref = CollectionRef(owner_id=owner.id, collection_id=tops.id)
    with pytest.raises(StorageUnavailable, match="rules cannot be read"):
        await GetCollection(MemoryUnitOfWork(store), sync)(ref)
    with pytest.raises(StorageUnavailable):
        await ListCollectionItems(MemoryUnitOfWork(store), sync, clock)(
            CollectionItemsCommand(ref=ref, filter=FilterSpec())
        )
    update = UpdateCollection(MemoryUnitOfWork(store), clock, sync)
    versioned = CollectionRef(owner_id=owner.id, collection_id=tops.id, expected_version=1)
    with pytest.raises(StorageUnavailable):
        await update(UpdateCollectionCommand(ref=versioned, changes=CollectionChanges(name="Tops!")))
    with pytest.raises(StorageUnavailable):  # deleting the cover would rewrite the collection
        await DeleteItem(MemoryUnitOfWork(store), clock, sync)(ItemRef(owner_id=owner.id, item_id=top.id))
    await sync.flush()
    assert await documents.get(DocumentKind.COLLECTION_FILTERS, owner.id, tops.id) is None  # nothing written
    assert store.collections[tops.id].version == 1 and top.id in store.items

    renewed = await update(
        UpdateCollectionCommand(
            ref=versioned, changes=CollectionChanges(rules=FilterSpec(category=["shoes"]))
        )
    )
    await sync.flush()
    assert renewed.details.rules == rules_to_dict(FilterSpec(category=["shoes"]))
    listed = await ListCollectionItems(MemoryUnitOfWork(store), new_sync(), clock)(
        CollectionItemsCommand(ref=ref, filter=FilterSpec())
    )
    assert [i["id"] for i in listed.items] == [shoe.id]
    await DeleteCollection(MemoryUnitOfWork(store), sync)(
        CollectionRef(owner_id=owner.id, collection_id=covered.id)
    )
    assert covered.id not in store.collections
