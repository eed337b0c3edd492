"""Engines for the two databases, set up the same way everywhere (app, CLI, tests)."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from closet.adapters.sql import sqlite_driver


def async_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``sqlite:///`` URLs; choose the async drivers."""
    parsed = make_url(url)
    driver = {"postgresql": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite"}.get(
        parsed.drivername, parsed.drivername
    )
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def create_engine(url: str, *, pool_size: int = 20, echo: bool = False) -> AsyncEngine:
    """An engine for ``url``; on Postgres a pool of up to ``pool_size`` connections, each kept once
    opened. With overflow instead (connections beyond the kept ones, closed as they come back),
    a worker under steady concurrent load opened and closed Postgres connections all the time:
    each a TLS attempt, a new server process, and its catalogue caches warmed again. At 32 clients
    that halved a worker's throughput on the list page (bench/items_list.py). A request beyond the
    pool waits for a connection, which costs nothing while it waits."""
    full = async_url(url)
    if full.startswith("sqlite"):
        engine = create_async_engine(
            full, echo=echo, connect_args={"timeout": 30}, module=sqlite_driver.dbapi(), **_JSON
        )
        _configure_sqlite(engine, writes=True)
        return engine
    return create_async_engine(full, echo=echo, pool_size=pool_size, max_overflow=0, **_JSON)


def serializable(engine: AsyncEngine) -> AsyncEngine:
    """The engine for the units of work that read, decide and write (the container's
    ``serial_uow``): on Postgres the same pool, each transaction SERIALIZABLE. Under the default
    READ COMMITTED such a unit of work can interleave with another and both commit on what they
    read: wear counts that lose wears, a member added to a collection as the thing is deleted, a
    session refreshed back to life as every session is logged out. SERIALIZABLE makes Postgres
    refuse one of the two (SQLSTATE 40001), and the use case runs it again (``errors.retries_conflicts``).
    SQLite runs one writer at a time already: its engine is returned as it is."""
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="SERIALIZABLE")


def dialect_insert(conn: AsyncConnection) -> Any:
    """The connection's dialect's ``insert``: the generic one has no ON CONFLICT."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def uses_sqlite(url: str) -> bool:
    return async_url(url).startswith("sqlite")


def create_sqlite_reader(url: str) -> AsyncEngine:
    """SQLite connections for reads only, in autocommit from the moment they open: a read-only
    unit of work then costs no isolation change at checkout (a trip to aiosqlite's thread; a
    signed-in request's session check went from about 1.1 to 0.6 ms), and, with ``sqlite_driver``,
    no rollback at return and one trip per statement. In WAL mode they never wait for a writer.
    (On Postgres those are no round trips: the readers share the engine.)"""
    engine = create_async_engine(
        async_url(url),
        connect_args={"timeout": 30},
        module=sqlite_driver.dbapi(),
        isolation_level="AUTOCOMMIT",
        pool_reset_on_return=None,
        **_JSON,
    )
    _configure_sqlite(engine, writes=False)
    return engine


def _encode_json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


# JSON columns are decoded for every row of every list page: msgspec is several times faster
# than the standard library at it.
_JSON: dict[str, Any] = {"json_serializer": _encode_json, "json_deserializer": msgspec.json.decode}


def _configure_sqlite(engine: AsyncEngine, *, writes: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy drive transactions itself so BEGIN IMMEDIATE below takes effect.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    if not writes:
        return

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front, so a read-then-write transaction never fails
        # half-way with SQLITE_BUSY; readers run in autocommit (read-only units of work, document
        # reads) and, in WAL mode, never wait for a writer, not even one in the same process.
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return
        connection.exec_driver_sql("BEGIN IMMEDIATE")
