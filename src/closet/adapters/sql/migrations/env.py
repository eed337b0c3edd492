"""Alembic environment: runs on the connection `closet migrate` hands it.

For autogenerate during development, pass a URL instead:
    alembic -c <(printf '[alembic]\nscript_location=src/closet/adapters/sql/migrations\n') \
        -x url=sqlite:///dev.db revision --autogenerate -m "..."
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from closet.adapters.sql import search_tables  # noqa: F401 (adds the search tables to ``metadata``)
from closet.adapters.sql.engine import create_engine
from closet.adapters.sql.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("give a database: alembic -x url=... (or use `closet migrate`)")
    asyncio.run(_run_from_url(url))
