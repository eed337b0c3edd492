"""Migrations: the embedded default migrates itself; Postgres must be migrated first."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from closet.adapters.sql.engine import create_engine
from closet.adapters.sql.migrate import SchemaOutOfDate, ensure_current, pending_revisions
from closet.entrypoints.http.app import create_app
from tests.http.conftest import settings_for


@pytest.fixture
async def empty_postgres(postgres_url: str) -> AsyncIterator[str]:
    """A database with no tables at all."""
    admin = make_url(postgres_url).set(drivername="postgresql")
    conn = await asyncpg.connect(admin.render_as_string(hide_password=False))
    name = f"closet_empty_{uuid.uuid4().hex[:10]}"
    await conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def test_app_refuses_an_unmigrated_postgres(empty_postgres: str) -> None:
    engine = create_engine(empty_postgres)
    try:
        with pytest.raises(SchemaOutOfDate, match="closet migrate"):
            await ensure_current(engine, migrate=False)
    finally:
        await engine.dispose()
    app = create_app(settings_for("postgres", CLOSET_DATABASE_URL=empty_postgres))
    with pytest.raises(BaseExceptionGroup) as caught:  # the lifespan start-up fails
        async with AsyncTestClient(app=app):
            pass
    assert caught.group_contains(SchemaOutOfDate, match="closet migrate", depth=None)


def test_cli_migrate_then_serve_check(empty_postgres: str, tmp_path: Path) -> None:
    env = {"CLOSET_PROFILE": "postgres", "CLOSET_DATABASE_URL": empty_postgres, "PATH": ""}
    cli = [sys.executable, "-m", "closet.entrypoints.cli"]
    done = subprocess.run([*cli, "migrate"], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout
    bad = subprocess.run(
        [*cli, "serve"],
        env={**env, "CLOSET_PORT": "x"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and "CLOSET_PORT" in bad.stderr and "Traceback" not in bad.stderr


async def test_embedded_profile_migrates_itself(tmp_path: Path) -> None:
    settings = settings_for("embedded", CLOSET_DATA_DIR=str(tmp_path / "data"))
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await client.get("/ready")).json()["status"] == "ready"
    engine = create_engine(settings.database_url)
    try:
        current, heads = await pending_revisions(engine)
    finally:
        await engine.dispose()
    assert current == heads


@pytest.fixture(params=["sqlite", "postgres"])
def migrated_engine(request: pytest.FixtureRequest) -> AsyncEngine:
    engine: AsyncEngine = request.getfixturevalue(f"{request.param}_engine")
    return engine


def is_drift(kind: str, table: str, column: str | None) -> bool:
    """A difference autogenerate reports that is a real one. Indexes only the migrations declare
    (dialect-specific ones, like the DESC NULLS LAST index and the outbox's partial index) are
    extra, not missing: ``remove_index`` is not a drift. Neither is the search index's storage
    for one database only (search_tables.py lists it: the FTS5 tables on SQLite, the tsvector
    column on Postgres)."""
    from closet.adapters.sql.search_tables import (  # noqa: PLC0415
        POSTGRES_ONLY_COLUMNS,
        SQLITE_ONLY_TABLES,
    )

    if table == "alembic_version" or kind == "remove_index":
        return False
    if kind == "remove_table":
        return table not in SQLITE_ONLY_TABLES
    return not (kind == "remove_column" and (table, column) in POSTGRES_ONLY_COLUMNS)


def described(diff: Any) -> tuple[str, str, str | None]:
    """(kind, table, column) of one of autogenerate's differences."""
    if isinstance(diff, list):  # column changes come as a list of one
        diff = diff[0]
    kind = diff[0]
    if kind in ("add_table", "remove_table"):
        return kind, diff[1].name, None
    if kind in ("add_index", "remove_index", "add_constraint", "remove_constraint"):
        return kind, diff[1].table.name, diff[1].name
    if kind in ("add_column", "remove_column"):
        return kind, diff[2], diff[3].name
    if kind.startswith("modify_"):
        return kind, diff[2], diff[3]
    return kind, str(diff), None


async def test_migrations_build_exactly_the_tables_the_code_uses(migrated_engine: AsyncEngine) -> None:
    """The migrations are written by hand: Alembic's autogenerate finds nothing missing."""
    from alembic.autogenerate import compare_metadata  # noqa: PLC0415
    from alembic.migration import MigrationContext  # noqa: PLC0415

    from closet.adapters.sql import search_tables  # noqa: F401, PLC0415 (adds its tables to metadata)
    from closet.adapters.sql.tables import metadata  # noqa: PLC0415

    def differences(sync_conn: object) -> list[object]:
        context = MigrationContext.configure(sync_conn, opts={"compare_type": False})  # type: ignore[arg-type]
        return [d for d in compare_metadata(context, metadata) if is_drift(*described(d))]

    async with migrated_engine.connect() as conn:
        assert await conn.run_sync(differences) == []


# `alembic revision --autogenerate` as env.py runs it, in a process of its own (so that nothing
# this test process imported can stand in for what env.py imports); it prints the differences
# and writes no revision file.
AUTOGENERATE = """
import asyncio, json, sys
from alembic import command
from closet.adapters.sql.engine import create_engine
from closet.adapters.sql.migrate import alembic_config
from tests.integration.test_migrations import described

async def main(url):
    engine, found = create_engine(url), []
    def capture(context, revision, directives):
        found.extend(described(d) for d in directives[0].upgrade_ops.as_diffs())
        directives[:] = []
    def run(conn):
        command.revision(alembic_config(conn), autogenerate=True, process_revision_directives=capture)
    async with engine.connect() as conn:
        await conn.run_sync(run)
    await engine.dispose()
    print(json.dumps(found))

asyncio.run(main(sys.argv[1]))
"""


def test_autogenerate_through_env_sees_every_table(migrated_engine: AsyncEngine) -> None:
    """env.py hands autogenerate a ``metadata`` with the search tables (search_tables.py) on it,
    and compares types: a revision autogenerated now would be empty."""
    url = migrated_engine.url.render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, "-c", AUTOGENERATE, url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 0, done.stderr
    found = [tuple(d) for d in json.loads(done.stdout.strip().splitlines()[-1])]
    assert ("remove_table", "search_documents", None) not in found  # what env.py once missed
    assert [d for d in found if is_drift(*d)] == []
