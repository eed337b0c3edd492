"""The SQLite driver adapter (``sqlite_driver``): one trip to aiosqlite's thread per statement, none
for a rollback or commit with nothing open, and the DB-API's answers and errors as before."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiosqlite.core
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from closet.adapters.sql.engine import create_engine, create_sqlite_reader


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The functions sent to aiosqlite's thread, in order."""
    sent: list[str] = []
    original = aiosqlite.core.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        sent.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.core.Connection, "_execute", counting)
    return sent


@pytest.fixture
async def engines(tmp_path: Path) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    url = f"sqlite:///{tmp_path / 'driver.db'}"
    writer, reader = create_engine(url), create_sqlite_reader(url)
    async with writer.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)"))
    yield writer, reader
    await writer.dispose()
    await reader.dispose()


async def test_a_read_is_one_trip_and_a_write_transaction_one_per_statement(
    engines: tuple[AsyncEngine, AsyncEngine], trips: list[str]
) -> None:
    writer, reader = engines
    async with reader.connect() as conn:  # opened once, so the counts below are per use
        await conn.execute(text("SELECT 1"))
    async with writer.begin() as conn:
        await conn.execute(text("SELECT 1"))
    trips.clear()
    async with reader.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
    assert trips == ["_run"]  # no cursor opened or closed apart, no rollback at return
    trips.clear()
    async with writer.begin() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
    assert trips == ["_run", "_run", "commit"]  # BEGIN IMMEDIATE, the insert, the commit


async def test_the_cursor_answers_as_the_dbapi_does(engines: tuple[AsyncEngine, AsyncEngine]) -> None:
    writer, reader = engines
    async with writer.begin() as conn:
        inserted = await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
        assert inserted.lastrowid == 1 and inserted.rowcount == 1
        many = await conn.execute(text("INSERT INTO t (name) VALUES (:name)"), [{"name": "b"}, {"name": "c"}])
        assert many.rowcount == 2
        updated = await conn.execute(text("UPDATE t SET name = name || '!' WHERE id > 1"))
        assert updated.rowcount == 2
        returned = await conn.execute(text("INSERT INTO t (name) VALUES ('d') RETURNING id, name"))
        assert returned.all() == [(4, "d")]
    async with reader.connect() as conn:
        result = await conn.execute(text("SELECT id, name FROM t ORDER BY id"))
        assert list(result.keys()) == ["id", "name"]
        assert result.all() == [(1, "a"), (2, "b!"), (3, "c!"), (4, "d")]
        assert (await conn.execute(text("SELECT name FROM t WHERE id = 99"))).first() is None


async def test_errors_are_translated_and_a_failed_transaction_rolls_back(
    engines: tuple[AsyncEngine, AsyncEngine], trips: list[str]
) -> None:
    writer, reader = engines
    async with writer.begin() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('taken')"))
    trips.clear()
    with pytest.raises(IntegrityError):
        async with writer.begin() as conn:
            await conn.execute(text("INSERT INTO t (name) VALUES ('new')"))
            await conn.execute(text("INSERT INTO t (name) VALUES ('taken')"))
    assert trips[-1] == "rollback"  # a transaction was open: it is rolled back, not skipped
    async with reader.connect() as conn:
        names = (await conn.execute(text("SELECT name FROM t ORDER BY id"))).scalars().all()
    assert names == ["taken"]  # nothing of the failed transaction is left
    async with writer.begin() as conn:  # and the connection is usable again
        await conn.execute(text("INSERT INTO t (name) VALUES ('after')"))
