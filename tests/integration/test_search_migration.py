"""The search migrations on databases that already hold a closet: they index what is there (0007
items and outfits, 0008 collections), and they go down and up again cleanly, on SQLite and on
Postgres."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from closet.adapters.sql.engine import create_engine
from closet.adapters.sql.migrate import alembic_config
from closet.adapters.sql.search import SqlSearchIndex
from closet.adapters.sql.uow import SqlUnitOfWork
from tests.contract.test_search_index import make_collection, make_outfit
from tests.factories import NOW, make_item, make_user

SEARCH_REVISION = "0007"  # 0007_search.py
COLLECTIONS_REVISION = "0008"  # 0008_search_collections.py


def revision_before(revision: str) -> str:
    down = ScriptDirectory.from_config(alembic_config()).get_revision(revision).down_revision
    assert isinstance(down, str)
    return down


def before_search() -> str:
    return revision_before(SEARCH_REVISION)


async def migrate(engine: AsyncEngine, step: Callable[..., Any], revision: str) -> None:
    def run(connection: Connection) -> None:
        step(alembic_config(connection), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def search_tables(engine: AsyncEngine) -> set[str]:
    sql = (
        "SELECT name FROM sqlite_master WHERE name LIKE 'search%'"
        if engine.dialect.name == "sqlite"
        else "SELECT tablename FROM pg_tables WHERE tablename LIKE 'search%'"
    )
    async with engine.connect() as conn:
        return {name for (name,) in await conn.exec_driver_sql(sql)}


async def check_backfill_and_round_trip(engine: AsyncEngine) -> None:
    ann, bob = make_user(), make_user()
    coat = make_item(ann, name="Navy wool coat", brand="Levi's", tags=("winter",), notes="dry clean only")
    old = make_item(ann, name="Old coat", brand="Levi's", tags=())
    theirs = make_item(bob, name="Bob's coat", brand="Secretbrand", tags=())
    async with SqlUnitOfWork(engine) as uow:
        await uow.users.add(ann)
        await uow.users.add(bob)
        for item in (coat, old, theirs):
            await uow.items.add(item)
        await uow.outfits.add(make_outfit(ann, "Coat day"))
        await uow.outfits.add(make_outfit(ann, "Coat template", template=True))
        await uow.commit()

    await migrate(engine, command.upgrade, "head")
    index = SqlSearchIndex(engine)

    async def check() -> None:
        hits = await index.search(ann.id, "coat", 20)
        assert [(h.title, h.kind) for h in hits] == [
            ("Coat day", "outfit"),
            ("Navy wool coat", "item"),
            ("Old coat", "item"),
        ]
        assert [h.title for h in await index.search(ann.id, "dry clean", 20)] == ["Navy wool coat"]
        assert [h.title for h in await index.search(ann.id, "levs", 20)] == ["Navy wool coat", "Old coat"]
        suggestions = await index.suggest(ann.id, "le", 10)
        assert [(s.text, s.kind, s.count) for s in suggestions] == [("Levi's", "brand", 2)]
        assert await index.suggest(ann.id, "secret", 10) == []

    await check()
    # and the triggers keep it current from here on
    async with SqlUnitOfWork(engine) as uow:
        await uow.items.delete(ann.id, old.id)
        await uow.commit()
    assert [s.count for s in await index.suggest(ann.id, "levi", 10)] == [1]
    async with SqlUnitOfWork(engine) as uow:
        await uow.items.add(old)
        await uow.commit()

    await migrate(engine, command.downgrade, before_search())
    assert await search_tables(engine) == set()
    async with SqlUnitOfWork(engine) as uow:  # the closet itself is untouched, and writable
        assert await uow.items.get(ann.id, coat.id) is not None
        await uow.items.delete(bob.id, theirs.id)
        await uow.commit()
    await migrate(engine, command.upgrade, "head")
    await check()


async def checked_from(
    url: str, direction: Callable[..., Any], revision: str, check: Callable[[AsyncEngine], Awaitable[None]]
) -> None:
    """Migrate the database at ``url`` (up or down) to ``revision``, then run ``check`` on it."""
    engine = create_engine(url)
    try:
        await migrate(engine, direction, revision)
        await check(engine)
    finally:
        await engine.dispose()


async def test_sqlite_indexes_an_existing_closet(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'closet.db'}"
    await checked_from(url, command.upgrade, before_search(), check_backfill_and_round_trip)


@pytest.mark.postgres
async def test_postgres_indexes_an_existing_closet(own_postgres_url: str) -> None:
    # the fixture's database is at the head: down to before search first
    await checked_from(own_postgres_url, command.downgrade, before_search(), check_backfill_and_round_trip)


# --- 0008: collections -----------------------------------------------------------------------


async def rows(engine: AsyncEngine, sql: str) -> set[tuple[Any, ...]]:
    async with engine.connect() as conn:
        return {tuple(r) for r in await conn.exec_driver_sql(sql)}


async def collection_triggers_and_functions(engine: AsyncEngine) -> set[str]:
    """What 0008 makes besides rows: its triggers, and on Postgres its functions."""
    if engine.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_collections%'"
        return {name for (name,) in await rows(engine, sql)}
    triggers = "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'search_collections%'"
    functions = "SELECT proname FROM pg_proc WHERE proname LIKE 'closet_search%collection%'"
    return {name for (name,) in await rows(engine, triggers) | await rows(engine, functions)}


VOCABULARY = "SELECT owner_id, kind, value, key, n FROM search_vocabulary WHERE kind <> 'word'"
WORDS = "SELECT owner_id, value FROM search_vocabulary WHERE kind = 'word'"  # Postgres only


async def check_collections_backfill_and_downgrade(engine: AsyncEngine) -> None:
    """From 0007, on a closet whose collections are not indexed yet, up to 0008 and back."""
    ann, bob = make_user(), make_user()
    shirt = make_item(ann, name="Linen shirt", brand=None, tags=("travel",))
    trip = make_collection(ann, "Weekend trip", tags=("travel",), description="Two nights in Lisbon")
    knits = make_collection(ann, "Knits", tags=("weekend",), smart=True)
    theirs = make_collection(bob, "Bob's weekend", tags=("bobtag",))
    async with SqlUnitOfWork(engine) as uow:
        await uow.users.add(ann)
        await uow.users.add(bob)
        await uow.items.add(shirt)
        for collection in (trip, knits, theirs):
            await uow.collections.add(collection)
        await uow.commit()
    index = SqlSearchIndex(engine)
    assert await index.search(ann.id, "weekend", 20) == []  # at 0007, collections are not indexed
    vocabulary_at_0007, words_at_0007 = await rows(engine, VOCABULARY), await rows(engine, WORDS)
    assert ("travel", 1) in {(value, n) for (_, kind, value, _, n) in vocabulary_at_0007 if kind == "tag"}

    await migrate(engine, command.upgrade, COLLECTIONS_REVISION)
    assert len(await collection_triggers_and_functions(engine)) == (
        3 if engine.dialect.name == "sqlite" else 5
    )

    async def check(knits_name: str) -> None:
        hits = await index.search(ann.id, "weekend", 20)
        assert [(h.kind, h.id, h.title, h.field) for h in hits] == [
            ("collection", trip.id, "Weekend trip", "name"),
            ("collection", knits.id, knits_name, "tags"),
        ]
        assert [(h.id, h.field) for h in await index.search(ann.id, "lisbon", 20)] == [(trip.id, "notes")]
        assert [h.id for h in await index.search(ann.id, "weeknd trip", 20)] == [trip.id]  # one typo
        suggestions = await index.suggest(ann.id, "trav", 10)
        assert [(s.text, s.kind, s.count) for s in suggestions] == [("travel", "tag", 2)]  # item + collection
        suggestions = await index.suggest(ann.id, "wee", 10)
        assert [(s.text, s.kind, s.count) for s in suggestions] == [
            ("Weekend trip", "name", 1),
            ("weekend", "tag", 1),
        ]
        assert await index.search(ann.id, "bob", 20) == [] and await index.suggest(ann.id, "bob", 10) == []

    await check("Knits")
    async with SqlUnitOfWork(engine) as uow:  # and the triggers keep it current from here on
        assert await uow.collections.delete(bob.id, theirs.id)
        await uow.commit()
    assert await index.search(bob.id, "weekend", 20) == []

    await migrate(engine, command.downgrade, revision_before(COLLECTIONS_REVISION))
    assert await collection_triggers_and_functions(engine) == set()
    assert await rows(engine, "SELECT doc_id FROM search_documents WHERE kind = 'collection'") == set()
    # the counts are the items' and outfits' alone again
    assert await rows(engine, VOCABULARY) == vocabulary_at_0007
    assert await rows(engine, WORDS) >= words_at_0007  # Postgres' word set only grows (0007)
    assert await index.search(ann.id, "weekend", 20) == []
    assert [(s.text, s.count) for s in await index.suggest(ann.id, "trav", 10)] == [("travel", 1)]
    async with SqlUnitOfWork(engine) as uow:  # the collections themselves are untouched, and writable
        found = await uow.collections.get(ann.id, knits.id)
        assert found is not None and found.details.tags == ("weekend",)
        found.revise(replace(found.details, name="Cosy knits"), NOW + timedelta(hours=1))
        await uow.collections.update(found, expected_version=1)
        await uow.commit()
    assert await index.search(ann.id, "cosy", 20) == []  # not indexed at 0007

    await migrate(engine, command.upgrade, "head")
    await check("Cosy knits")
    assert [h.id for h in await index.search(ann.id, "cosy", 20)] == [knits.id]


async def test_sqlite_indexes_existing_collections(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'closet.db'}"
    before = revision_before(COLLECTIONS_REVISION)
    await checked_from(url, command.upgrade, before, check_collections_backfill_and_downgrade)


@pytest.mark.postgres
async def test_postgres_indexes_existing_collections(own_postgres_url: str) -> None:
    before = revision_before(COLLECTIONS_REVISION)
    await checked_from(own_postgres_url, command.downgrade, before, check_collections_backfill_and_downgrade)
