from __future__ import annotations

import logging
from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from closet.adapters.sql.collections import SqlCollectionRepository
from closet.adapters.sql.items import SqlItemRepository
from closet.adapters.sql.jobs import SqlJobRepository
from closet.adapters.sql.outbox import SqlOutbox
from closet.adapters.sql.outfits import SqlOutfitRepository
from closet.adapters.sql.photos import SqlPhotoRepository
from closet.adapters.sql.sessions import SqlAccountTokenRepository, SqlSessionRepository
from closet.adapters.sql.users import SqlUserRepository
from closet.adapters.sql.wear import SqlShareRepository, SqlWearRepository
from closet.application.errors import Contention, StorageUnavailable
from closet.application.ports.uow import UnitOfWork

log = logging.getLogger(__name__)
_UNAVAILABLE = "the database is unavailable; try again shortly"
# SQLSTATEs of a unit of work that ran into another: Postgres could not serialize the two, they
# deadlocked, or a row it refers to was deleted by one that committed first (the use cases check
# that what they refer to exists, so only a concurrent delete gets past them). Running it again
# answers as if the two had run one after the other.
CONTENTION_STATES = frozenset({"40001", "40P01", "23503"})


def contention(exc: BaseException) -> bool:
    """Postgres by SQLSTATE; SQLite (one writer at a time) only by a foreign key: a row that a
    unit of work read before its write began was deleted by another write in between."""
    if not isinstance(exc, DBAPIError):
        return False
    if getattr(exc.orig, "sqlstate", None) in CONTENTION_STATES:
        return True
    return isinstance(exc, IntegrityError) and "FOREIGN KEY constraint failed" in str(exc.orig)


class SqlUnitOfWork(UnitOfWork):
    """A connection and a transaction per unit of work; rolled back unless committed.

    ``read_only`` units (the read use cases) run each statement on its own, in autocommit:
    no BEGIN and ROLLBACK round trips, and no write lock taken on SQLite. Their engine may be in
    autocommit already (``autocommit_engine``, SQLite's readers): then nothing is switched.
    """

    def __init__(self, engine: AsyncEngine, read_only: bool = False, autocommit_engine: bool = False) -> None:
        self.engine, self.read_only, self.autocommit_engine = engine, read_only, autocommit_engine
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        try:
            self._conn = await self.engine.connect()
            if self.read_only and not self.autocommit_engine:
                self._conn = await self._conn.execution_options(isolation_level="AUTOCOMMIT")
            else:
                await self._conn.begin()
        except (SQLAlchemyError, OSError) as exc:
            await self._close()
            log.warning("database connection failed: %s", exc)
            raise StorageUnavailable(_UNAVAILABLE) from exc
        self.items = SqlItemRepository(self._conn)
        self.users = SqlUserRepository(self._conn)
        self.outbox = SqlOutbox(self._conn)
        self.sessions = SqlSessionRepository(self._conn)
        self.account_tokens = SqlAccountTokenRepository(self._conn)
        self.photos = SqlPhotoRepository(self._conn)
        self.jobs = SqlJobRepository(self._conn)
        self.outfits = SqlOutfitRepository(self._conn)
        self.shares = SqlShareRepository(self._conn)
        self.wears = SqlWearRepository(self._conn)
        self.collections = SqlCollectionRepository(self._conn)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._close()
        if exc is not None and contention(exc):
            log.info("a unit of work ran into another: %s", exc)
            raise Contention() from exc
        if isinstance(exc, (SQLAlchemyError, OSError)):
            log.warning("database error: %s", exc)
            raise StorageUnavailable(_UNAVAILABLE) from exc

    async def commit(self) -> None:
        assert self._conn is not None, "commit() outside 'async with'"
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        await self._conn.commit()

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if conn.in_transaction() and not self.autocommit_engine:
                await conn.rollback()
            await conn.close()
        except (SQLAlchemyError, OSError) as exc:  # a dead connection: the server rolls back
            log.warning("closing a database connection failed: %s", exc)
            await conn.invalidate()
