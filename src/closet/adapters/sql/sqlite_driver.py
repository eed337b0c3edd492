"""SQLAlchemy's aiosqlite adapter, with each statement in one trip to the connection's thread.

aiosqlite runs a SQLite connection on a thread of its own; every call on it is a trip there and back
(a queue, then a future resolved through the event loop), about 60 µs. SQLAlchemy's adapter makes
four per statement: open a cursor, execute, fetch all rows, close the cursor. So a one-row read cost
about 360 µs, where one trip doing all four costs about 60 (bench: a signed-in request on the
embedded profile makes two or three such reads).

``OneTripCursor`` sends the whole statement as one function: cursor, execute (or executemany), the
rows if any, and the cursor's description, row count and last row id, then closes it. SQLAlchemy's
cursor contract (``description``, ``rowcount``, ``lastrowid``, ``fetch*``) is served from what came
back. Errors are SQLite's own, raised from the trip, so SQLAlchemy translates them as before.
Server-side cursors (streaming) keep SQLAlchemy's adapter.

It relies on two of aiosqlite's internals, ``Connection._execute`` (queue a function on the
connection's thread) and ``Connection._conn`` (the sqlite3 connection there), the same ones
SQLAlchemy's own aiosqlite dialect uses. ``create_engine`` passes ``dbapi()`` as the dialect's
``module``; the rest of the dialect is SQLAlchemy's.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT

_Outcome = tuple[Any, int, int | None, list[Any], bool]
# description, rowcount, lastrowid, rows, and whether a transaction is open after the statement


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    """On the connection's thread: the whole statement, its cursor opened and closed."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows, connection.in_transaction
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ("_outcome",)

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No cursor is opened here (SQLAlchemy's adapter opens one: a trip); each execute opens
        # and closes its own on the connection's thread.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._outcome: _Outcome = (None, -1, None, [], False)

    @property
    def description(self) -> Any:
        return self._outcome[0]

    @property
    def rowcount(self) -> int:
        return self._outcome[1]

    @property
    def lastrowid(self) -> int:
        return self._outcome[2]  # type: ignore[return-value]  # None before any insert, as sqlite3's

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._trip(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        await self._trip(operation, seq_of_parameters, many=True)

    async def _trip(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        adapted: OneTripConnection = self._adapt_connection  # type: ignore[assignment]
        async with adapted._execute_mutex:
            adapted.in_transaction = None  # unknown until the statement is done
            self._outcome = await connection._execute(  # type: ignore[no-untyped-call]
                _run, connection._conn, operation, parameters, many
            )
            adapted.in_transaction = self._outcome[4]
        self._rows = collections.deque(self._outcome[3])

    async def _async_soft_close(self) -> None:
        return  # the cursor was closed on the connection's thread, with the statement

    def close(self) -> None:
        self._rows.clear()

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None

    def nextset(self) -> None:
        return None


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """Also skips the trip for a rollback or commit with no transaction open: SQLAlchemy rolls back
    every connection it returns to the pool, even in autocommit (the readers), where SQLite has
    nothing to undo. Whether one is open is known after every statement this adapter runs (every
    statement on the connection goes through it); None means unknown, and then the trip is made."""

    __slots__ = ("in_transaction",)
    _cursor_cls = OneTripCursor  # type: ignore[assignment]

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.in_transaction: bool | None = None

    def rollback(self) -> None:
        self._end(super().rollback)

    def commit(self) -> None:
        self._end(super().commit)

    def _end(self, end: Callable[[], None]) -> None:
        if self.in_transaction is not False:
            self.in_transaction = None  # unknown if ending it fails
            end()
            self.in_transaction = False


class _OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def dbapi() -> _OneTripDBAPI:
    """The DB-API module to give ``create_async_engine`` (``module=``) for ``sqlite+aiosqlite``."""
    return _OneTripDBAPI(aiosqlite, sqlite3)
