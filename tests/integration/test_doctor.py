"""`closet doctor` finds exactly the drift seeded into Postgres + MongoDB wire, and repairs it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from closet.application.collections import CollectionSpec, CreateCollectionCommand
from closet.application.documents import item_document
from closet.application.filters import FilterSpec
from closet.application.items import AddItemCommand
from closet.application.outfits import CreateOutfitCommand
from closet.application.outfits.specs import CanvasSpec, LayerSpec, OutfitSpec
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


async def test_doctor_checks_outfit_and_collection_documents_too(
    container: Container, env: dict[str, str]
) -> None:
    """Every kind of document: an outfit's notes and a smart collection's rules, which live only in
    their documents, survive a rebuild from an old document; a smart collection whose rules are
    known nowhere any more is reported as lost and left alone, not written as "matches everything"."""
    user = await registered(container, f"d-{uuid.uuid4().hex[:6]}@example.com", PASSWORD, "D")
    item = await container.add_item()(
        AddItemCommand(owner_id=user.id, spec=ItemSpec(name="Shirt", category="top"))
    )
    spec = OutfitSpec(
        name="Sunday",
        canvas=CanvasSpec(width=400, height=500),
        layers=[LayerSpec(item_id=item.id, x=200, y=250, rotation_deg=5)],
        notes="for Sundays",
    )
    outfit = (await container.create_outfit()(CreateOutfitCommand(owner_id=user.id, spec=spec))).outfit
    create = container.create_collection()
    tops, knits, favourites = [
        await create(CreateCollectionCommand(owner_id=user.id, spec=collection))
        for collection in (
            CollectionSpec(name="Tops", rules=FilterSpec(category=["top"]), sort="-created_at"),
            CollectionSpec(name="Knits", rules=FilterSpec(category=["knitwear"])),
            CollectionSpec(name="Favourites"),
        )
    ]
    await container.document_sync().flush()
    documents = container.documents()
    assert (await container.doctor().check()).total == 0
    outfit_doc = await documents.get(DocumentKind.OUTFIT_METADATA, user.id, outfit.id)
    tops_doc = await documents.get(DocumentKind.COLLECTION_FILTERS, user.id, tops.id)
    assert outfit_doc is not None and tops_doc is not None and tops_doc.body["rules"]
    async with container.uow() as uow:  # the outbox forgets applied changes after a week
        await uow.outbox.purge_done(container.clock().now() + timedelta(days=1))
        await uow.commit()

    # the rows move on without their documents (outfit, Tops); documents vanish (Knits,
    # Favourites); a stray outfit document appears
    async with container.uow() as uow:
        saved_outfit, saved_tops = (
            await uow.outfits.get(user.id, outfit.id),
            await uow.collections.get(user.id, tops.id),
        )
        assert saved_outfit is not None and saved_tops is not None
        saved_outfit.version = saved_tops.version = 2
        await uow.outfits.update(saved_outfit, expected_version=1)
        await uow.collections.update(saved_tops, expected_version=1)
        await uow.commit()
    await documents.purge(DocumentKind.COLLECTION_FILTERS, [knits.id, favourites.id])
    orphan = uuid.uuid4()
    stray = DocumentChange(
        kind=DocumentKind.OUTFIT_METADATA, owner_id=user.id, doc_id=orphan, version=1, body={}
    )
    await documents.apply([stray])

    report = await container.doctor().check()
    assert report.kinds[DocumentKind.OUTFIT_METADATA].orphans == [orphan]
    assert report.kinds[DocumentKind.OUTFIT_METADATA].stale == [outfit.id]
    assert report.kinds[DocumentKind.COLLECTION_FILTERS].missing == sorted([knits.id, favourites.id])
    assert report.kinds[DocumentKind.COLLECTION_FILTERS].stale == [tops.id]
    assert report.kinds[DocumentKind.ITEM_TAGS].total == 0 and report.total == 5
    found = doctor_cli(env)
    assert found.returncode == 3, found.stderr
    assert "collection_filters:  0 with no row, 2 missing, 1 at another version" in found.stdout

    repaired = doctor_cli(env, "--repair")
    assert repaired.returncode == 3, repaired.stdout + repaired.stderr  # Knits is lost
    assert "after repair: 1" in repaired.stdout
    assert "cannot be rebuilt (collection_filters" in repaired.stdout and str(knits.id) in repaired.stdout
    after = await container.doctor().check()
    assert after.missing == [knits.id] and after.total == 1
    assert await documents.get(DocumentKind.COLLECTION_FILTERS, user.id, knits.id) is None
    assert await documents.get(DocumentKind.OUTFIT_METADATA, user.id, orphan) is None
    rebuilt_outfit = await documents.get(DocumentKind.OUTFIT_METADATA, user.id, outfit.id)
    assert rebuilt_outfit is not None and rebuilt_outfit.version == 2
    assert rebuilt_outfit.body == outfit_doc.body  # the notes too
    rebuilt_tops = await documents.get(DocumentKind.COLLECTION_FILTERS, user.id, tops.id)
    assert rebuilt_tops is not None and rebuilt_tops.version == 2 and rebuilt_tops.body == tops_doc.body
    rebuilt_favourites = await documents.get(DocumentKind.COLLECTION_FILTERS, user.id, favourites.id)
    assert rebuilt_favourites is not None and rebuilt_favourites.body["rules"] is None
