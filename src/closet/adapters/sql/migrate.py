"""Schema migrations (Alembic), run on an engine the app already has."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

SCRIPT_LOCATION = Path(__file__).parent / "migrations"


class SchemaOutOfDate(RuntimeError):
    """The database is not at the schema this code needs."""


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def pending_revisions(engine: AsyncEngine) -> tuple[set[str], set[str]]:
    """(current, head) revisions; equal when the database is up to date."""

    def read(connection: Connection) -> set[str]:
        return set(MigrationContext.configure(connection).get_current_heads())

    async with engine.connect() as conn:
        current = await conn.run_sync(read)
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    return current, heads


async def ensure_current(engine: AsyncEngine, *, migrate: bool) -> None:
    """Migrate (embedded default) or refuse to run on an out-of-date schema."""
    current, heads = await pending_revisions(engine)
    if current == heads:
        return
    if migrate:
        await upgrade(engine)
        return
    raise SchemaOutOfDate(
        f"the database schema is at {sorted(current) or 'nothing'} but this version needs "
        f"{sorted(heads)}; run `closet migrate` first"
    )
