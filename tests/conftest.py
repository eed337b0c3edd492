"""Shared fixtures: real services (Postgres), SQLite files, and the stores every contract runs on."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from closet.adapters.memory.store import MemoryStore
from closet.adapters.memory.uow import MemoryUnitOfWork
from closet.adapters.sql.engine import create_engine
from closet.adapters.sql.migrate import upgrade
from closet.adapters.sql.uow import SqlUnitOfWork
from closet.application.ports.uow import UnitOfWork

REQUIRE_SERVICES = os.environ.get("CLOSET_REQUIRE_SERVICES") == "1"
POSTGRES_URL = os.environ.get("CLOSET_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

UowFactory = Callable[[], UnitOfWork]


def service_unavailable(reason: str) -> None:
    """Skip, or fail when CI says the services must be there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (CLOSET_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
async def postgres_url() -> AsyncIterator[str]:
    """A fresh, migrated database for this test run, dropped at the end."""
    admin_url = make_url(POSTGRES_URL)
    try:
        admin = await asyncpg.connect(
            admin_url.set(drivername="postgresql").render_as_string(False), timeout=5
        )
    except (OSError, asyncpg.PostgresError) as exc:
        service_unavailable(f"Postgres at {POSTGRES_URL} is unreachable: {exc}")
    name = f"closet_test_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    try:
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
async def postgres_engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(postgres_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    path = tmp_path_factory.mktemp("sqlite") / "closet.db"
    engine = create_engine(f"sqlite:///{path}")
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def uow_factory(request: pytest.FixtureRequest) -> UowFactory:
    """A unit-of-work factory over each adapter; every contract test runs on all three."""
    if request.param == "memory":
        store = MemoryStore()
        return lambda: MemoryUnitOfWork(store)
    engine: AsyncEngine = request.getfixturevalue(f"{request.param}_engine")
    return lambda: SqlUnitOfWork(engine)
