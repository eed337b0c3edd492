"""The search migration on databases that already hold a closet: it indexes what is there, and it
goes down and up again cleanly, on SQLite and on Postgres."""

from __future__ import annotations

from collections.abc import Callable
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
from tests.contract.test_search_index import make_outfit
from tests.factories import make_item, make_user

SEARCH_REVISION = "0007"  # 0007_search.py


def before_search() -> str:
    down = ScriptDirectory.from_config(alembic_config()).get_revision(SEARCH_REVISION).down_revision
    assert isinstance(down, str)
    return down


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


async def test_sqlite_indexes_an_existing_closet(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'closet.db'}")
    try:
        await migrate(engine, command.upgrade, before_search())
        await check_backfill_and_round_trip(engine)
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_postgres_indexes_an_existing_closet(own_postgres_url: str) -> None:
    engine = create_engine(own_postgres_url)
    try:
        await migrate(engine, command.downgrade, before_search())  # the fixture's is at the head
        await check_backfill_and_round_trip(engine)
    finally:
        await engine.dispose()
