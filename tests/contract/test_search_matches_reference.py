"""Property: each SQL search index answers exactly as the reference (the memory index).

Random closets (two owners; items, outfits, templates too, and collections, smart or hand-made;
overlapping names, brands and tags with apostrophes, accents and "ß"), random queries made from
their words — whole, cut to a prefix, or with one typo — used as search text and as prefixes:
SQLite and Postgres return the same hits, scores and suggestions as the memory index over the same
things, before and after some change (items revised and archived; collections renamed, retagged
and redescribed) and some go (outfits, collections). This is what proves the databases' candidate
search never misses a match the reference makes (a near spelling pg_trgm would not find, a word
FTS5 splits differently, a case SQLite cannot fold).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from closet.adapters.memory.search import MemorySearchIndex
from closet.adapters.memory.store import MemoryStore
from closet.adapters.sql.search import SqlSearchIndex
from closet.adapters.sql.uow import SqlUnitOfWork
from closet.application.search_query import words
from closet.domain.collections import Collection, CollectionDetails
from closet.domain.items import ArchiveReason, Category, ClothingItem
from closet.domain.users import User
from tests.contract.test_search_index import make_outfit
from tests.factories import NOW, make_item, make_user

NAMES = [
    "Navy cardigan",
    "cardigan",
    "Levi's 501",
    "T-shirt",
    "Émile dress",
    "Straße coat",
    "summer dress",
    "Dr. Martens boots",
    "co-ord set",
    "a",
]
BRANDS = [None, "Levi's", "levis", "Acme", "ACME", "Cardigan & Co", "Sézane", "H&M", "A.P.C."]
TAGS = ["work", "summer holiday", "cardigan season", "vintage", "second-hand"]
NOTES = [None, "dry clean only", "like a cardigan", "Straße", "levis"]
WORDS = sorted({w for text in [*NAMES, *[b for b in BRANDS if b], *TAGS, "Straße"] for w in words(text)})


@st.composite
def closet_items(draw: st.DrawFn, owner: User) -> ClothingItem:
    return make_item(
        owner,
        name=draw(st.sampled_from(NAMES)),
        brand=draw(st.sampled_from(BRANDS)),
        category=draw(st.sampled_from([Category.TOP, Category.DRESS, Category.SHOES])),
        tags=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=2, unique=True))),
        notes=draw(st.sampled_from(NOTES)),
    )


@st.composite
def collection_details(draw: st.DrawFn, name: str) -> CollectionDetails:
    return CollectionDetails(
        name=name,
        description=draw(st.sampled_from(NOTES)),
        tags=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=2, unique=True))),
        rules={"category": ["top"]} if draw(st.booleans()) else None,
    )


@st.composite
def shelves(draw: st.DrawFn, owner: User, max_size: int) -> list[Collection]:
    """An owner's collections: names unique per owner, ignoring case (as the repositories demand)."""
    names = draw(st.lists(st.sampled_from(NAMES), max_size=max_size, unique_by=str.casefold))
    return [Collection.create(owner.id, draw(collection_details(name)), NOW) for name in names]


def free_name(collection: Collection, wanted: str, shelf: list[Collection]) -> str:
    """``wanted`` unless another of the owner's collections has it (then the current name)."""
    taken = {
        c.details.name.casefold() for c in shelf if c.owner_id == collection.owner_id and c is not collection
    }
    return collection.details.name if wanted.casefold() in taken else wanted


@st.composite
def typed(draw: st.DrawFn) -> str:
    """A word as someone types it: whole, a prefix, or with one typo."""
    word = draw(st.sampled_from(WORDS))
    how = draw(st.sampled_from(["whole", "prefix", "swap", "drop", "add", "change"]))
    i = draw(st.integers(0, max(0, len(word) - 1)))
    letter = draw(st.sampled_from("aeiosrnz"))
    if how == "prefix":
        return word[: i + 1]
    if how == "swap" and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if how == "drop" and len(word) > 1:
        return word[:i] + word[i + 1 :]
    if how == "add":
        return word[:i] + letter + word[i:]
    if how == "change":
        return word[:i] + letter + word[i + 1 :]
    return word


queries = st.lists(typed(), min_size=1, max_size=2).map(" ".join)


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> AsyncEngine:
    found: AsyncEngine = request.getfixturevalue(f"{request.param}_engine")
    return found


@pytest.fixture
async def owners(engine: AsyncEngine) -> AsyncIterator[tuple[User, User]]:
    pair = make_user(), make_user()
    async with SqlUnitOfWork(engine) as uow:
        for user in pair:
            await uow.users.add(user)
        await uow.commit()
    yield pair


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), probes=st.lists(queries, min_size=1, max_size=4))
async def test_sql_search_equals_the_reference(
    engine: AsyncEngine, owners: tuple[User, User], data: st.DataObject, probes: list[str]
) -> None:
    mine, theirs = owners
    catalogue = data.draw(st.lists(closet_items(mine), max_size=12))
    catalogue += data.draw(st.lists(closet_items(theirs), max_size=4))
    looks = [
        make_outfit(owner, name, template=template)
        for owner, name, template in data.draw(
            st.lists(st.tuples(st.sampled_from(owners), st.sampled_from(NAMES), st.booleans()), max_size=4)
        )
    ]
    shelf = data.draw(shelves(mine, 4)) + data.draw(shelves(theirs, 2))
    async with SqlUnitOfWork(engine) as uow:
        for item in catalogue:
            await uow.items.add(item)
        for outfit in looks:
            await uow.outfits.add(outfit)
        for collection in shelf:
            await uow.collections.add(collection)
        await uow.commit()
    store = MemoryStore(
        items={i.id: i for i in catalogue},
        outfits={o.id: o for o in looks},
        collections={c.id: c for c in shelf},
    )
    reference = MemorySearchIndex(store)
    index = SqlSearchIndex(engine)

    async def agree() -> None:
        for q in probes:
            assert await index.search(mine.id, q, 50) == await reference.search(mine.id, q, 50), q
            assert await index.suggest(mine.id, q, 10) == await reference.suggest(mine.id, q, 10), q

    try:
        await agree()
        # then some change (their names, brands, tags, notes; archived) and some go
        changed = (
            data.draw(st.lists(st.sampled_from(catalogue), unique_by=id, max_size=4)) if catalogue else []
        )
        gone = data.draw(st.lists(st.sampled_from(looks), unique_by=id, max_size=2)) if looks else []
        retitled = data.draw(st.lists(st.sampled_from(shelf), unique_by=id, max_size=3)) if shelf else []
        dropped = data.draw(st.lists(st.sampled_from(shelf), unique_by=id, max_size=2)) if shelf else []
        async with SqlUnitOfWork(engine) as uow:
            for item in changed:
                revised = data.draw(closet_items(mine))
                item.revise(revised.details, NOW + timedelta(hours=1))
                if data.draw(st.booleans()):
                    item.archive(ArchiveReason.SOLD, NOW + timedelta(hours=1))
                await uow.items.update(item, expected_version=1)
            for outfit in gone:
                await uow.outfits.delete(outfit.owner_id, outfit.id)
                del store.outfits[outfit.id]
            for collection in retitled:
                name = free_name(collection, data.draw(st.sampled_from(NAMES)), shelf)
                details = data.draw(collection_details(name))
                collection.revise(replace(details, rules=collection.details.rules), NOW + timedelta(hours=1))
                await uow.collections.update(collection, expected_version=1)
            for collection in dropped:
                await uow.collections.delete(collection.owner_id, collection.id)
                del store.collections[collection.id]
            await uow.commit()
        await agree()
    finally:
        async with SqlUnitOfWork(engine) as uow:
            for item in catalogue:
                await uow.items.delete(item.owner_id, item.id)
            for outfit in looks:
                await uow.outfits.delete(outfit.owner_id, outfit.id)
            for collection in shelf:
                await uow.collections.delete(collection.owner_id, collection.id)
            await uow.commit()
