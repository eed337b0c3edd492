"""Connections: read-only units of work, and no pool deadlock under concurrent reads."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from closet.adapters.sql.engine import create_engine
from closet.adapters.sql.uow import SqlUnitOfWork
from closet.application.items import AddItemCommand, ItemRef
from closet.application.specs import ItemSpec
from closet.container import build_container
from tests.factories import registered
from tests.http.conftest import PASSWORD, settings_for


async def test_a_read_only_unit_of_work_reads_and_cannot_commit(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        async with SqlUnitOfWork(engine, read_only=True) as uow:
            assert await uow.users.get(uuid.uuid4()) is None  # type: ignore[arg-type]
            with pytest.raises(RuntimeError):
                await uow.commit()
    finally:
        await engine.dispose()


async def test_many_concurrent_reads_on_a_tiny_pool_never_deadlock(postgres_url: str) -> None:
    """An item read holds its connection while it reads the item's document; with one pool for
    both, enough concurrent reads would each hold one connection and wait forever for a second."""
    container = build_container(
        settings_for("postgres", CLOSET_DATABASE_URL=postgres_url, CLOSET_DB_POOL_SIZE="1")
    )
    await container.init_resources()  # type: ignore[misc]
    try:
        user = await registered(container, f"pool-{uuid.uuid4().hex[:6]}@example.com", PASSWORD, "P")
        item = await container.add_item()(
            AddItemCommand(owner_id=user.id, spec=ItemSpec(name="Tee", category="top", notes="n"))
        )
        ref = ItemRef(owner_id=user.id, item_id=item.id)
        got = await asyncio.wait_for(
            asyncio.gather(*(container.get_item()(ref) for _ in range(12))), timeout=20
        )
        assert all(i.details.notes == "n" for i in got)
    finally:
        await container.shutdown_resources()  # type: ignore[misc]
