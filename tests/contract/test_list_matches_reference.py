"""Property: every adapter's item list equals a plain in-memory filter + sort.

For random catalogues (two owners, many ties and nulls), random filters, sorts and page
sizes, walking the pages returns exactly the reference sequence: nothing missed, nothing
repeated, nothing of the other owner; the list page's read model (``listing``) gives the same
items as ``listed`` makes them; and the facet counts agree too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from closet.adapters.sql.tables import items as items_table
from closet.application.item_listing import listed
from closet.application.item_query import (
    Cursor,
    ItemFilter,
    ItemQuery,
    Sort,
    facet_counts,
    matches,
    order,
)
from closet.domain.items import ClothingItem
from closet.domain.users import User
from tests.conftest import UowFactory
from tests.factories import as_stored, make_user
from tests.strategies import filters, items, sorts


@pytest.fixture
async def owners(uow_factory: UowFactory) -> AsyncIterator[tuple[User, User]]:
    pair = make_user(), make_user()
    async with uow_factory() as uow:
        for user in pair:
            await uow.users.add(user)
        await uow.commit()
    yield pair


async def _clear(uow_factory: UowFactory, catalogue: list[ClothingItem]) -> None:
    async with uow_factory() as uow:
        conn = getattr(uow, "_conn", None)
        if conn is not None:  # SQL: one statement
            await conn.execute(delete(items_table).where(items_table.c.id.in_([i.id for i in catalogue])))
        else:
            for item in catalogue:
                await uow.items.delete(item.owner_id, item.id)
        await uow.commit()


async def _walk(
    uow_factory: UowFactory, owner: User, f: ItemFilter, sort: Sort, limit: int, read: str = "list"
) -> list:  # type: ignore[type-arg]
    """Every page in turn, read with the repository's ``list`` (items) or ``listing`` (as listed)."""
    seen: list = []  # type: ignore[type-arg]
    cursor: str | None = None
    for _ in range(200):
        async with uow_factory() as uow:
            after = Cursor.decode(cursor, sort) if cursor else None
            query = ItemQuery(filter=f, sort=sort, limit=limit, after=after)
            page = await getattr(uow.items, read)(owner.id, query)
        assert len(page.items) <= limit
        seen += page.items
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("pagination did not end")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), item_filter=filters(), sort=sorts, limit=st.integers(1, 7))
async def test_list_walk_equals_reference(
    uow_factory: UowFactory,
    owners: tuple[User, User],
    data: st.DataObject,
    item_filter: ItemFilter,
    sort: Sort,
    limit: int,
) -> None:
    mine, theirs = owners
    catalogue = data.draw(st.lists(items(mine.id), max_size=18, unique_by=lambda i: i.id))
    catalogue += data.draw(st.lists(items(theirs.id), max_size=4, unique_by=lambda i: i.id))
    catalogue = list({i.id: i for i in catalogue}.values())
    async with uow_factory() as uow:
        for item in catalogue:
            await uow.items.add(item)
        await uow.commit()
    try:
        expected = order((i for i in catalogue if i.owner_id == mine.id and matches(i, item_filter)), sort)
        walked = await _walk(uow_factory, mine, item_filter, sort, limit)
        assert [i.id for i in walked] == [i.id for i in expected]
        assert walked == [as_stored(i) for i in expected]  # every field survived the round trip
        # the list page's read path (rows straight to the listed shape) gives what listed() makes
        # of those items, and its cursors walk the same pages
        walked_listed = await _walk(uow_factory, mine, item_filter, sort, limit, read="listing")
        assert walked_listed == [listed(as_stored(i)) for i in expected]
        async with uow_factory() as uow:
            facets = await uow.items.facets(mine.id, item_filter)
        assert facets == facet_counts((i for i in catalogue if i.owner_id == mine.id), item_filter)
    finally:
        await _clear(uow_factory, catalogue)
