"""Smart collections: for random rules, the members are exactly what the item list shows for
the same filter; and the seasons an item is given when its owner gives none."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closet.adapters.memory.clock import FixedClock
from closet.adapters.memory.documents import MemoryAuditStore, MemoryDocumentStore
from closet.adapters.memory.store import MemoryDocuments, MemoryStore
from closet.adapters.memory.uow import MemoryUnitOfWork
from closet.application.collections import (
    CollectionItemsCommand,
    CollectionRef,
    CollectionSpec,
    CreateCollection,
    CreateCollectionCommand,
    ListCollectionItems,
    rules_from_dict,
    rules_to_dict,
)
from closet.application.documents import DocumentSync
from closet.application.filters import FilterSpec
from closet.application.items import ListItems, ListItemsCommand
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
