"""The search index contract: memory, SQLite (FTS5) and Postgres (full-text + pg_trgm) agree.

Each test writes items, outfits and collections through the unit of work, as the app does, and
reads through the index: the SQL indexes are kept by triggers, so what is written is what is
searched. Collections (smart or hand-made) are found by name, tags and description (as notes) and
suggest their names and tags.

Typo tolerance met on all three: a query word of four letters or more matches a word one edit
away (changed, added, dropped, or two neighbours swapped: "cardgian", "cardigna", "levs"), in
names, brands and tags; shorter words match as prefixes only; apostrophes never count ("levis"
and "levi's" are the same word).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from closet.adapters.memory.search import MemorySearchIndex
from closet.adapters.memory.store import MemoryStore
from closet.adapters.memory.uow import MemoryUnitOfWork
from closet.adapters.sql.search import SqlSearchIndex
from closet.adapters.sql.uow import SqlUnitOfWork
from closet.application.ports.search import SearchIndex
from closet.application.ports.uow import UnitOfWork
from closet.domain.collections import Collection, CollectionDetails, Member, MemberKind
from closet.domain.colors import Color
from closet.domain.items import ArchiveReason, Category, ClothingItem
from closet.domain.materials import composition
from closet.domain.outfits import Canvas, Outfit, OutfitDetails
from closet.domain.users import User, UserId
from tests.factories import NOW, make_details, make_item, make_user


@dataclass
class Backend:
    uow: Callable[[], UnitOfWork]
    index: SearchIndex


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """The unit of work that writes and the index that reads, over one store."""
    if request.param == "memory":
        store = MemoryStore()
        return Backend(lambda: MemoryUnitOfWork(store), MemorySearchIndex(store))
    engine: AsyncEngine = request.getfixturevalue(f"{request.param}_engine")
    return Backend(lambda: SqlUnitOfWork(engine), SqlSearchIndex(engine))


def make_outfit(owner: User, name: str, *, template: bool = False) -> Outfit:
    details = OutfitDetails(name=name, canvas=Canvas(800, 1000))
    return Outfit.create(owner.id, details, NOW, is_template=template)


def make_collection(
    owner: User,
    name: str,
    *,
    description: str | None = None,
    tags: tuple[str, ...] = (),
    smart: bool = False,
) -> Collection:
    rules: dict[str, object] | None = {"category": ["knitwear"]} if smart else None
    details = CollectionDetails(name=name, description=description, tags=tags, rules=rules)
    return Collection.create(owner.id, details, NOW)


async def add(backend: Backend, *things: User | ClothingItem | Outfit | Collection) -> None:
    async with backend.uow() as uow:
        for thing in things:
            if isinstance(thing, User):
                await uow.users.add(thing)
            elif isinstance(thing, ClothingItem):
                await uow.items.add(thing)
            elif isinstance(thing, Collection):
                await uow.collections.add(thing)
            else:
                await uow.outfits.add(thing)
        await uow.commit()


async def titles(backend: Backend, owner: User, q: str) -> list[tuple[str, float, str]]:
    return [(h.title, h.score, h.field) for h in await backend.index.search(owner.id, q, 20)]


@dataclass
class Closet:
    ann: User
    bob: User
    grey: ClothingItem  # "cardigan" in the name
    jumper: ClothingItem  # in the brand
    vest: ClothingItem  # in a tag
    wrap: ClothingItem  # in the notes
    jeans: ClothingItem  # Levi's
    weather: Outfit  # an outfit with it in the name


@pytest.fixture
async def closet(backend: Backend) -> Closet:
    ann, bob = make_user(), make_user()
    c = Closet(
        ann,
        bob,
        grey=make_item(ann, name="Grey cardigan", brand="Acme", tags=()),
        jumper=make_item(ann, name="Wool jumper", brand="Cardigan & Co", tags=("warm",)),
        vest=make_item(ann, name="Knit vest", brand=None, tags=("cardigan season",)),
        wrap=make_item(ann, name="Wrap top", brand="acme", tags=(), notes="Wear it like a cardigan"),
        jeans=make_item(ann, name="Straight jeans", brand="Levi's", tags=("denim",)),
        weather=make_outfit(ann, "Cardigan weather"),
    )
    theirs = [
        make_item(bob, name="Bob's cardigan", brand="Secretbrand", tags=("bobonly",)),
        make_outfit(bob, "Cardigan for Bob"),
    ]
    await add(backend, ann, bob)
    await add(backend, c.grey, c.jumper, c.vest, c.wrap, c.jeans, c.weather, *theirs)
    return c


async def test_ranking_is_name_then_brand_then_tags_then_notes(backend: Backend, closet: Closet) -> None:
    assert await titles(backend, closet.ann, "cardigan") == [
        ("Cardigan weather", 8.0, "name"),  # ties by title
        ("Grey cardigan", 8.0, "name"),
        ("Wool jumper", 4.0, "brand"),
        ("Knit vest", 2.0, "tags"),
        ("Wrap top", 1.0, "notes"),
    ]
    hits = await backend.index.search(closet.ann.id, "cardigan", 20)
    assert [(h.kind, h.id) for h in hits[:2]] == [("outfit", closet.weather.id), ("item", closet.grey.id)]
    assert not any(h.archived for h in hits)


async def test_exact_beats_prefix_and_every_word_must_match(backend: Backend, closet: Closet) -> None:
    assert await titles(backend, closet.ann, "CARD") == [
        ("Cardigan weather", 6.4, "name"),
        ("Grey cardigan", 6.4, "name"),
        ("Wool jumper", 3.2, "brand"),
        ("Knit vest", 1.6, "tags"),
        ("Wrap top", 0.8, "notes"),
    ]
    assert await titles(backend, closet.ann, "grey cardigan") == [("Grey cardigan", 16.0, "name")]
    assert await titles(backend, closet.ann, "cardigan acme") == [
        ("Grey cardigan", 12.0, "name"),
        ("Wrap top", 5.0, "brand"),
    ]
    assert await titles(backend, closet.ann, "cardigan levis") == []
    assert await titles(backend, closet.ann, "acme") == [
        ("Grey cardigan", 4.0, "brand"),
        ("Wrap top", 4.0, "brand"),
    ]


async def test_one_typo_is_forgiven_in_names_brands_and_tags(backend: Backend, closet: Closet) -> None:
    expected = [
        ("Cardigan weather", 4.8, "name"),
        ("Grey cardigan", 4.8, "name"),
        ("Wool jumper", 2.4, "brand"),
        ("Knit vest", 1.2, "tags"),  # and not "Wrap top": typos do not count in the notes
    ]
    assert await titles(backend, closet.ann, "cardgian") == expected  # two letters swapped
    assert await titles(backend, closet.ann, "cardigna") == expected
    assert await titles(backend, closet.ann, "kardigan") == expected  # one changed
    assert await titles(backend, closet.ann, "cardiganz") == expected  # one added
    assert await titles(backend, closet.ann, "levs") == [("Straight jeans", 2.4, "brand")]  # one dropped
    assert await titles(backend, closet.ann, "crdgan") == []  # two edits
    assert await titles(backend, closet.ann, "lvi") == []  # three letters: no typos
    assert await titles(backend, closet.ann, "stright jeans") == [("Straight jeans", 12.8, "name")]


async def test_apostrophes_and_case_do_not_count(backend: Backend, closet: Closet) -> None:
    for q in ("levis", "Levi's", "LEVI’S", "levi"):
        hits = await titles(backend, closet.ann, q)
        assert [t for t, _, f in hits] == ["Straight jeans"], q
        assert hits[0][2] == "brand"


async def test_another_owners_things_are_never_found(backend: Backend, closet: Closet) -> None:
    for q in ("bob", "secretbrand", "bobonly", "secretbrnd"):
        assert await backend.index.search(closet.ann.id, q, 20) == [], q
    theirs = await titles(backend, closet.bob, "cardigan")
    assert theirs == [("Bob's cardigan", 8.0, "name"), ("Cardigan for Bob", 8.0, "name")]


@pytest.mark.parametrize(
    "q",
    ['"', "AND (", "*", "NEAR(a b)", "{name}: x", "name:cardigan", "'", "%_", "\\", "🧥", "-card", "a OR b"],
)
async def test_query_syntax_in_user_text_is_just_text(backend: Backend, closet: Closet, q: str) -> None:
    hits = await backend.index.search(closet.ann.id, q, 20)
    suggestions = await backend.index.suggest(closet.ann.id, q, 10)
    assert isinstance(hits, list) and isinstance(suggestions, list)
    if q == "name:cardigan":  # the words "name" and "cardigan", both required
        assert hits == []


async def test_archived_items_are_found_and_marked_after_active_ties(backend: Backend) -> None:
    owner = make_user()
    old = make_item(owner, name="A navy coat", brand=None, tags=())
    new = make_item(owner, name="B navy coat", brand=None, tags=())
    await add(backend, owner, old, new)
    old.archive(ArchiveReason.DONATED, NOW + timedelta(hours=1))
    async with backend.uow() as uow:
        await uow.items.update(old, expected_version=1)
        await uow.commit()
    hits = await backend.index.search(owner.id, "navy coat", 20)
    assert [(h.title, h.archived) for h in hits] == [("B navy coat", False), ("A navy coat", True)]
    assert [s.text for s in await backend.index.suggest(owner.id, "a nav", 10)] == ["A navy coat"]


async def test_changes_and_deletes_are_reflected(backend: Backend) -> None:
    owner = make_user()
    item = make_item(owner, name="Red dress", brand="Zara", tags=("party",))
    outfit = make_outfit(owner, "Party look")
    template = make_outfit(owner, "Party template", template=True)
    await add(backend, owner, item, outfit, template)
    assert [t for t, *_ in await titles(backend, owner, "party")] == ["Party look", "Red dress"]

    item.revise(make_details(name="Green dress", brand="Mango", tags=("office",)), NOW + timedelta(hours=1))
    outfit.revise(replace(outfit.details, name="Office look"), NOW + timedelta(hours=1))
    async with backend.uow() as uow:
        await uow.items.update(item, expected_version=1)
        await uow.outfits.update(outfit, expected_version=1)
        await uow.commit()
    assert await titles(backend, owner, "party") == []
    assert await titles(backend, owner, "zara") == []
    assert [t for t, *_ in await titles(backend, owner, "office")] == ["Office look", "Green dress"]
    assert [s.text for s in await backend.index.suggest(owner.id, "zar", 10)] == []
    assert [s.text for s in await backend.index.suggest(owner.id, "man", 10)] == ["Mango"]

    async with backend.uow() as uow:
        assert await uow.items.delete(owner.id, item.id)
        await uow.outfits.delete(owner.id, outfit.id)
        await uow.commit()
    assert await titles(backend, owner, "office") == []
    assert await titles(backend, owner, "dress") == []
    assert await backend.index.suggest(owner.id, "o", 10) == []  # nothing left to count
    assert await backend.index.search(owner.id, "template", 20) == []  # templates are not searched


async def test_suggestions_complete_words_and_count_per_owner(backend: Backend, closet: Closet) -> None:
    ann = closet.ann
    suggestions = await backend.index.suggest(ann.id, "car", 10)
    assert [(s.text, s.kind, s.count) for s in suggestions] == [
        ("Cardigan weather", "name", 1),  # the same count: names, brands, tags… then by text
        ("Grey cardigan", "name", 1),
        ("Cardigan & Co", "brand", 1),
        ("cardigan season", "tag", 1),
    ]
    # case variants are one suggestion ("Acme" ×1 and "acme" ×1), shown in the smallest spelling
    assert [(s.text, s.kind, s.count) for s in await backend.index.suggest(ann.id, "ac", 10)] == [
        ("Acme", "brand", 2)
    ]
    # categories, colours and materials, counted: make_details gives outerwear and navy
    assert [(s.text, s.kind, s.count) for s in await backend.index.suggest(ann.id, "o", 10)] == [
        ("outerwear", "category", 5)
    ]
    assert [(s.text, s.kind, s.count) for s in await backend.index.suggest(ann.id, "NAV", 10)] == [
        ("navy", "color", 5)
    ]
    # words inside values, and several words in a row
    assert [s.text for s in await backend.index.suggest(ann.id, "season", 10)] == ["cardigan season"]
    assert [s.text for s in await backend.index.suggest(ann.id, "cardigan s", 10)] == ["cardigan season"]
    assert [s.text for s in await backend.index.suggest(ann.id, "co", 10)] == ["Cardigan & Co"]
    assert [s.text for s in await backend.index.suggest(ann.id, "ardigan", 10)] == []  # not a word start


async def test_suggestions_never_show_another_owners_values(backend: Backend, closet: Closet) -> None:
    for prefix in ("secret", "bobo", "bob", "b"):
        texts = [s.text for s in await backend.index.suggest(closet.ann.id, prefix, 10)]
        assert not any("Secretbrand" in t or "bobonly" in t or "Bob" in t for t in texts), prefix
    assert [s.text for s in await backend.index.suggest(closet.bob.id, "secret", 10)] == ["Secretbrand"]


async def test_at_most_the_limit_most_frequent_first(backend: Backend) -> None:
    owner = make_user()
    wool = composition([("wool", Decimal(100))])
    made = [
        make_item(
            owner,
            name=f"Shirt {n:02}",
            brand="Sandro" if n % 2 else "Sezane",
            category=Category.TOP,
            colors=(Color.of("white"),),
            materials=wool if n < 3 else (),
            tags=("summer",) if n < 5 else (),
        )
        for n in range(14)
    ]
    await add(backend, owner, *made)
    found = await backend.index.suggest(owner.id, "s", 10)
    assert len(found) == 10
    assert [(s.text, s.kind, s.count) for s in found[:4]] == [
        ("Sandro", "brand", 7),
        ("Sezane", "brand", 7),
        ("summer", "tag", 5),
        ("Shirt 00", "name", 1),
    ]
    assert [s.text for s in found[4:]] == [f"Shirt {n:02}" for n in range(1, 7)]
    assert len(await backend.index.suggest(owner.id, "s", 3)) == 3
    assert len(await backend.index.search(owner.id, "shirt", 5)) == 5


async def test_an_empty_closet_and_unknown_owner(backend: Backend) -> None:
    nobody = UserId(make_user().id)
    assert await backend.index.search(nobody, "coat", 20) == []
    assert await backend.index.suggest(nobody, "c", 10) == []


# --- collections -------------------------------------------------------------------------------


@dataclass
class Shelf:
    """Ann's closet with collections beside items and outfits, and Bob's collection."""

    ann: User
    bob: User
    trip: Collection  # hand-made: "weekend" in the name
    smart: Collection  # smart: "weekend" in a tag
    notes: Collection  # "weekend" in the description only
    item: ClothingItem  # an item tagged "weekend" too


@pytest.fixture
async def shelf(backend: Backend) -> Shelf:
    ann, bob = make_user(), make_user()
    s = Shelf(
        ann,
        bob,
        trip=make_collection(ann, "Weekend trip", tags=("travel",), description="Two nights away"),
        smart=make_collection(ann, "Cosy knits", tags=("weekend", "winter"), smart=True),
        notes=make_collection(ann, "Office", description="Nothing for the weekend"),
        item=make_item(ann, name="Rain jacket", brand="Acme", tags=("weekend", "travel")),
    )
    theirs = make_collection(bob, "Bob's weekend secrets", tags=("bobtag",), description="secretword")
    await add(backend, ann, bob)
    await add(backend, s.item, s.trip, s.smart, s.notes, theirs)
    return s


async def test_collections_are_found_by_name_tags_and_description(backend: Backend, shelf: Shelf) -> None:
    hits = await backend.index.search(shelf.ann.id, "weekend", 20)
    assert [(h.kind, h.id, h.title, h.score, h.field, h.archived) for h in hits] == [
        ("collection", shelf.trip.id, "Weekend trip", 8.0, "name", False),
        ("collection", shelf.smart.id, "Cosy knits", 2.0, "tags", False),  # smart ones too
        ("item", shelf.item.id, "Rain jacket", 2.0, "tags", False),
        ("collection", shelf.notes.id, "Office", 1.0, "notes", False),  # the description, as notes
    ]
    assert await titles(backend, shelf.ann, "nights") == [("Weekend trip", 1.0, "notes")]
    assert await titles(backend, shelf.ann, "weekend travel") == [
        ("Weekend trip", 10.0, "name"),
        ("Rain jacket", 4.0, "tags"),
    ]
    # typos are forgiven in names and tags, not in the description
    assert await titles(backend, shelf.ann, "weeknd") == [
        ("Weekend trip", 4.8, "name"),
        ("Cosy knits", 1.2, "tags"),
        ("Rain jacket", 1.2, "tags"),
    ]
    assert await titles(backend, shelf.ann, "nihgts") == []


async def test_collection_names_and_tags_are_suggested(backend: Backend, shelf: Shelf) -> None:
    found = await backend.index.suggest(shelf.ann.id, "wee", 10)
    # "weekend" tags an item and a collection: both count
    assert [(s.text, s.kind, s.count) for s in found] == [("weekend", "tag", 2), ("Weekend trip", "name", 1)]
    found = await backend.index.suggest(shelf.ann.id, "cos", 10)
    assert [(s.text, s.kind, s.count) for s in found] == [("Cosy knits", "name", 1)]
    found = await backend.index.suggest(shelf.ann.id, "trav", 10)
    assert [(s.text, s.kind, s.count) for s in found] == [("travel", "tag", 2)]
    assert await backend.index.suggest(shelf.ann.id, "two", 10) == []  # descriptions are not values


async def test_another_owners_collections_are_never_found(backend: Backend, shelf: Shelf) -> None:
    for q in ("secrets", "bobtag", "secretword", "secrts", "bob"):
        assert await backend.index.search(shelf.ann.id, q, 20) == [], q
        assert await backend.index.suggest(shelf.ann.id, q, 10) == [], q
    assert await titles(backend, shelf.bob, "weekend") == [("Bob's weekend secrets", 8.0, "name")]
    assert [s.text for s in await backend.index.suggest(shelf.bob.id, "we", 10)] == ["Bob's weekend secrets"]


async def test_collection_renames_changes_and_deletes_are_reflected(backend: Backend, shelf: Shelf) -> None:
    ann, trip, later = shelf.ann, shelf.trip, NOW + timedelta(hours=1)
    trip.revise(replace(trip.details, name="City break", tags=("city",), description="Museums"), later)
    async with backend.uow() as uow:
        await uow.collections.update(trip, expected_version=1)
        await uow.commit()
    assert [(h.kind, h.title) for h in await backend.index.search(ann.id, "city", 20)] == [
        ("collection", "City break")
    ]
    assert await titles(backend, ann, "museums") == [("City break", 1.0, "notes")]
    assert await titles(backend, ann, "nights") == []
    assert "Weekend trip" not in [h.title for h in await backend.index.search(ann.id, "weekend", 20)]
    assert [(s.text, s.count) for s in await backend.index.suggest(ann.id, "wee", 10)] == [("weekend", 2)]
    assert [(s.text, s.count) for s in await backend.index.suggest(ann.id, "trav", 10)] == [("travel", 1)]
    assert [(s.text, s.kind) for s in await backend.index.suggest(ann.id, "ci", 10)] == [
        ("City break", "name"),
        ("city", "tag"),
    ]

    # members come and go (a new version of the row) without changing what is found or counted
    trip.add([Member(MemberKind.ITEM, shelf.item.id)], later)
    async with backend.uow() as uow:
        await uow.collections.update(trip, expected_version=2)
        await uow.commit()
    assert [(h.title, h.score) for h in await backend.index.search(ann.id, "city", 20)] == [
        ("City break", 8.0)
    ]
    assert [(s.text, s.count) for s in await backend.index.suggest(ann.id, "ci", 10)] == [
        ("City break", 1),
        ("city", 1),
    ]

    async with backend.uow() as uow:
        assert await uow.collections.delete(ann.id, trip.id)
        assert await uow.collections.delete(ann.id, shelf.smart.id)
        await uow.commit()
    assert await backend.index.search(ann.id, "city", 20) == []
    assert await backend.index.suggest(ann.id, "ci", 10) == []
    assert await backend.index.suggest(ann.id, "cos", 10) == []
    assert [(s.text, s.count) for s in await backend.index.suggest(ann.id, "wee", 10)] == [("weekend", 1)]
    assert [h.title for h in await backend.index.search(ann.id, "weekend", 20)] == ["Rain jacket", "Office"]
    assert await titles(backend, shelf.bob, "weekend") == [("Bob's weekend secrets", 8.0, "name")]
