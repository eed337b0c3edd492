"""Shared fixtures: real services (Postgres), SQLite files, and the stores every contract runs on."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from hypothesis import HealthCheck, settings
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from closet.adapters.memory.documents import MemoryAuditStore, MemoryDocumentStore
from closet.adapters.memory.store import MemoryDocuments, MemoryStore
from closet.adapters.memory.uow import MemoryUnitOfWork
from closet.adapters.mongo.client import ensure_indexes, mongo_client
from closet.adapters.mongo.documents import MongoAuditStore, MongoDocumentStore
from closet.adapters.sql.documents import SqlAuditStore, SqlDocumentStore
from closet.adapters.sql.engine import create_engine
from closet.adapters.sql.migrate import upgrade
from closet.adapters.sql.uow import SqlUnitOfWork
from closet.application.ports.documents import AuditStore, DocumentStore
from closet.application.ports.uow import UnitOfWork
from tests.mongo_server import NxServer

# No timing assertions in the suite (a shared CI machine is no stopwatch): Hypothesis's
# deadlines and its "input generation is slow" check are off for every property.
settings.register_profile("closet", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("closet")

REQUIRE_SERVICES = os.environ.get("CLOSET_REQUIRE_SERVICES") == "1"
MONGO_URL = os.environ.get("CLOSET_TEST_MONGO_URL")
POSTGRES_URL = os.environ.get("CLOSET_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

UowFactory = Callable[[], UnitOfWork]


def service_unavailable(reason: str) -> None:
    """Skip, or fail when CI says the services must be there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (CLOSET_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


async def _fresh_database() -> AsyncIterator[str]:
    """A new, migrated Postgres database, dropped afterwards."""
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
async def postgres_url() -> AsyncIterator[str]:
    """The run's shared database: tests in it scope everything by owner."""
    async for url in _fresh_database():
        yield url


@pytest.fixture
async def own_postgres_url() -> AsyncIterator[str]:
    """A database of the test's own, for checks that scan every owner (doctor, relay)."""
    async for url in _fresh_database():
        yield url


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


@pytest.fixture(scope="session")
def nx_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NxServer]:
    """nx-27017, the MongoDB wire-protocol server from PyPI, on a free port."""
    server = NxServer(tmp_path_factory.mktemp("nx-27017"))
    try:
        server.start()
    except (OSError, RuntimeError) as exc:
        service_unavailable(f"cannot start nx-27017: {exc}")
    yield server
    server.stop()


@pytest.fixture
def own_nx_server(tmp_path: Path) -> Iterator[NxServer]:
    """An nx-27017 of the test's own, which it may kill and restart."""
    server = NxServer(tmp_path)
    try:
        server.start()
    except (OSError, RuntimeError) as exc:
        service_unavailable(f"cannot start nx-27017: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mongo_url(request: pytest.FixtureRequest) -> str:
    """A real MongoDB when CLOSET_TEST_MONGO_URL is set, else nx-27017."""
    if MONGO_URL:
        return MONGO_URL
    server: NxServer = request.getfixturevalue("nx_server")
    return server.url


@pytest.fixture(scope="session")
async def mongo_db(mongo_url: str) -> AsyncIterator[AsyncDatabase]:  # type: ignore[type-arg]
    """A database of its own for this run (dropped at the end), with the app's indexes."""
    client = mongo_client(mongo_url, timeout_ms=3000)
    name = f"closet_test_{uuid.uuid4().hex[:10]}"
    db = client.get_database(name)
    try:
        await ensure_indexes(db)
    except PyMongoError as exc:
        await client.close()
        service_unavailable(f"MongoDB at {mongo_url} is unusable: {exc}")
    yield db
    try:
        await client.drop_database(name)
    finally:
        await client.close()


@pytest.fixture(params=["memory", "sqlite", "postgres", "mongo"])
def stores(request: pytest.FixtureRequest) -> tuple[DocumentStore, AuditStore]:
    """The documents and audit stores over each adapter; the contract runs on all four."""
    if request.param == "memory":
        state = MemoryDocuments()
        return MemoryDocumentStore(state), MemoryAuditStore(state)
    if request.param == "mongo":
        db = request.getfixturevalue("mongo_db")
        return MongoDocumentStore(db), MongoAuditStore(db)
    engine: AsyncEngine = request.getfixturevalue(f"{request.param}_engine")
    return SqlDocumentStore(engine), SqlAuditStore(engine)
