"""`closet doctor` finds exactly the drift seeded into Postgres + MongoDB wire, and repairs it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from closet.application.documents import item_document
from closet.application.items import AddItemCommand
from closet.application.ports.documents import DocumentChange, DocumentKind
from closet.application.specs import ItemSpec
from closet.container import Container, build_container
from closet.settings import Settings
from tests.factories import registered
from tests.http.conftest import PASSWORD, settings_for
from tests.mongo_server import NxServer

KIND = DocumentKind.ITEM_TAGS


@pytest.fixture
def mongo(own_nx_server: NxServer) -> NxServer:
    return own_nx_server


@pytest.fixture
def env(own_postgres_url: str, mongo: NxServer) -> dict[str, str]:
    return {
        "CLOSET_PROFILE": "production",
        "CLOSET_DATABASE_URL": own_postgres_url,
        "CLOSET_MONGO_URL": mongo.url,
        "CLOSET_MONGO_DATABASE": f"closet_{uuid.uuid4().hex[:8]}",
        "CLOSET_MONGO_TIMEOUT_MS": "1000",
        "CLOSET_RELAY": "false",
    }


@pytest.fixture
async def container(env: dict[str, str]) -> AsyncIterator[Container]:
    settings: Settings = settings_for("production", **env)
    worker = build_container(settings)
    await worker.init_resources()  # type: ignore[misc]
    yield worker
    await worker.shutdown_resources()  # type: ignore[misc]


def doctor_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "closet.entrypoints.cli", "doctor", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_doctor_finds_each_kind_of_drift_and_repairs_it(
    container: Container, env: dict[str, str]
) -> None:
    user = await registered(container, f"d-{uuid.uuid4().hex[:6]}@example.com", PASSWORD, "D")
    add = container.add_item()
    made = [
        await add(AddItemCommand(owner_id=user.id, spec=ItemSpec(name=f"Item {n}", category="top",
                                                                  tags=[f"t{n}"], notes=f"note {n}")))
        for n in range(5)
    ]  # fmt: skip
    documents = container.documents()
    clean = await container.doctor().check()
    assert clean.total == 0, clean

    # 1. a document with no SQL row
    orphan = uuid.uuid4()
    await documents.apply([DocumentChange(kind=KIND, owner_id=user.id, doc_id=orphan, version=1, body={})])
    # 2. an SQL row whose document is gone
    missing = made[0]
    await documents.purge(KIND, [missing.id])
    # 3. an SQL row moved on without its document
    stale = made[1]
    async with container.uow() as uow:
        stale.revise(stale.details, container.clock().now())  # no change: force a version anyway
        stale.version = 2
        await uow.items.update(stale, expected_version=1)
        await uow.commit()
    # 4. an outbox row that keeps failing
    stuck_item = made[2]
    stuck_item.version = 2
    async with container.uow() as uow:
        await uow.items.update(stuck_item, expected_version=1)
        row = await uow.outbox.add_change(
            item_document(stuck_item), container.clock().now(), container.clock().now()
        )
        for _ in range(5):
            await uow.outbox.mark_failed([row], "boom", container.clock().now() + timedelta(hours=1))
        await uow.commit()

    report = await container.doctor().check()
    assert report.orphans == [orphan]
    assert report.missing == [missing.id]
    assert report.stale == sorted([stale.id, stuck_item.id])  # its document lags until the row applies
    assert report.stuck == [row]

    found = doctor_cli(env)
    assert found.returncode == 3, found.stderr
    assert "documents with no SQL row:        1" in found.stdout
    assert "outbox rows stuck:                1" in found.stdout

    repaired = doctor_cli(env, "--repair")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "after repair: 0" in repaired.stdout
    after = await container.doctor().check()
    assert after.total == 0 and after.in_flight == 0

    for item in made:
        async with container.uow() as uow:
            row_now = await uow.items.get(user.id, item.id)
        doc = await documents.get(KIND, user.id, item.id)
        assert row_now is not None and doc is not None
        assert doc.version == row_now.version
        n = made.index(item)
        assert doc.body == {"tags": [f"t{n}"], "description": f"note {n}"}  # descriptions survived
    assert await documents.get(KIND, user.id, orphan) is None
