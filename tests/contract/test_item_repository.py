"""The item repository contract: memory, SQLite and Postgres give the same answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from closet.application.errors import StaleVersion
from closet.application.item_query import Cursor, ItemFilter, ItemQuery, Sort, SortField
from closet.domain.colors import Color
from closet.domain.items import ArchiveReason, Category, ItemStatus, Season
from closet.domain.materials import composition
from closet.domain.sizes import Size
from tests.conftest import UowFactory
from tests.factories import NOW, as_stored, make_details, make_item, make_user


async def _owner(uow_factory: UowFactory):  # type: ignore[no-untyped-def]
    user = make_user()
    async with uow_factory() as uow:
        await uow.users.add(user)
        await uow.commit()
    return user


async def test_round_trip_keeps_every_field(uow_factory: UowFactory) -> None:
    owner = await _owner(uow_factory)
    item = make_item(
        owner,
        subcategory="Parka",
        colors=(Color.of("navy"), Color.of(hex="#ff0000")),
        size=Size.of("jeans", "32x34"),
        materials=composition([("wool", Decimal("80")), ("nylon", Decimal("20"))]),
        seasons=frozenset({Season.WINTER, Season.AUTUMN}),
        tags=("warm", "work"),
        notes="dry clean only",
        wear_count=3,
        last_worn_at=date(2026, 5, 1),
    )
    async with uow_factory() as uow:
        await uow.items.add(item)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.items.get(owner.id, item.id)
    assert loaded == as_stored(item)


async def test_times_come_back_in_utc(uow_factory: UowFactory) -> None:
    # read back (item and list page) as the same instant with tzinfo UTC: SQLite's text is
    # converted, and on Postgres asyncpg reads timestamptz as UTC itself (no conversion runs there)
    owner = await _owner(uow_factory)
    created = datetime(2026, 3, 1, 7, 30, 15, 123456, tzinfo=UTC)
    item = replace(make_item(owner), created_at=created, updated_at=created)
    async with uow_factory() as uow:
        await uow.items.add(item)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.items.get(owner.id, item.id)
        page = await uow.items.listing(owner.id, ItemQuery())
    assert loaded is not None
    [listed] = page.items
    for value in (loaded.created_at, loaded.updated_at, listed["created_at"], listed["updated_at"]):
        assert value == created and value.tzinfo is UTC
        assert value.utcoffset() == timedelta(0)


async def test_uncommitted_work_is_rolled_back(uow_factory: UowFactory) -> None:
    owner = await _owner(uow_factory)
    item = make_item(owner)
    async with uow_factory() as uow:
        await uow.items.add(item)
    async with uow_factory() as uow:
        assert await uow.items.get(owner.id, item.id) is None


async def test_another_owner_cannot_see_change_or_delete(uow_factory: UowFactory) -> None:
    alice, bob = await _owner(uow_factory), await _owner(uow_factory)
    item = make_item(alice)
    async with uow_factory() as uow:
        await uow.items.add(item)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.items.get(bob.id, item.id) is None
        assert await uow.items.delete(bob.id, item.id) is False
        assert (await uow.items.list(bob.id, ItemQuery())).items == []
        assert await uow.items.count(bob.id) == 0
        facets = await uow.items.facets(bob.id, ItemFilter())
        assert facets.categories == facets.colors == facets.brands == []
        stolen = replace(item, owner_id=bob.id, version=2)
        with pytest.raises(StaleVersion):
            await uow.items.update(stolen, expected_version=1)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.items.get(alice.id, item.id) == as_stored(item)


async def test_update_checks_the_version(uow_factory: UowFactory) -> None:
    owner = await _owner(uow_factory)
    item = make_item(owner)
    async with uow_factory() as uow:
        await uow.items.add(item)
        await uow.commit()
    item.revise(make_details(name="Renamed", colors=(Color.of("red"),)), NOW + timedelta(hours=1))
    async with uow_factory() as uow:
        await uow.items.update(item, expected_version=1)
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.items.get(owner.id, item.id)
        assert stored is not None and stored.version == 2 and stored.details.name == "Renamed"
        page = await uow.items.list(owner.id, ItemQuery(filter=ItemFilter(colors=frozenset({"red"}))))
        assert [i.id for i in page.items] == [item.id]  # projections follow the update
        with pytest.raises(StaleVersion):
            await uow.items.update(item, expected_version=1)


async def test_archive_status_and_delete(uow_factory: UowFactory) -> None:
    owner = await _owner(uow_factory)
    item = make_item(owner)
    async with uow_factory() as uow:
        await uow.items.add(item)
        await uow.commit()
    item.archive(ArchiveReason.DONATED, NOW)
    async with uow_factory() as uow:
        await uow.items.update(item, expected_version=1)
        await uow.commit()
    async with uow_factory() as uow:
        archived = ItemQuery(filter=ItemFilter(statuses=frozenset({ItemStatus.ARCHIVED})))
        assert [i.id for i in (await uow.items.list(owner.id, archived)).items] == [item.id]
        assert await uow.items.delete(owner.id, item.id) is True
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.items.get(owner.id, item.id) is None
        assert await uow.items.count(owner.id) == 0


async def test_pages_walk_without_gaps_or_repeats(uow_factory: UowFactory) -> None:
    owner = await _owner(uow_factory)
    made = [
        make_item(owner, name=f"Item {n % 4}", brand=None if n % 3 == 0 else "Acme", wear_count=n % 2)
        for n in range(11)
    ]
    async with uow_factory() as uow:
        for item in made:
            await uow.items.add(item)
        await uow.commit()
    for sort in (Sort(SortField.NAME), Sort(SortField.BRAND, True), Sort(SortField.WEAR_COUNT)):
        seen, cursor = [], None
        async with uow_factory() as uow:
            while True:
                after = Cursor.decode(cursor, sort) if cursor else None
                page = await uow.items.list(owner.id, ItemQuery(sort=sort, limit=3, after=after))
                seen += [i.id for i in page.items]
                cursor = page.next_cursor
                if cursor is None:
                    break
        assert sorted(seen) == sorted(i.id for i in made) and len(seen) == len(set(seen))


async def test_facets_count_per_category_colour_and_brand(uow_factory: UowFactory) -> None:
    owner = await _owner(uow_factory)
    rows = [
        make_item(owner, category=Category.TOP, brand="Acme", colors=(Color.of("red"), Color.of("navy"))),
        make_item(owner, category=Category.TOP, brand="acme", colors=(Color.of("red"),)),
        make_item(owner, category=Category.SHOES, brand="Zara", colors=()),
    ]
    async with uow_factory() as uow:
        for item in rows:
            await uow.items.add(item)
        await uow.commit()
    async with uow_factory() as uow:
        facets = await uow.items.facets(owner.id, ItemFilter(categories=frozenset({Category.TOP})))
    # the category facet ignores the category filter; the others apply it
    assert [(c.value, c.count) for c in facets.categories] == [("top", 2), ("shoes", 1)]
    assert [(c.value, c.count) for c in facets.colors] == [("red", 2), ("navy", 1)]
    assert [(c.value, c.label, c.count) for c in facets.brands] == [("acme", "Acme", 2)]
