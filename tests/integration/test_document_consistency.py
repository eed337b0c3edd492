"""Fault behaviour of the two stores, against Postgres and a MongoDB-wire server (nx-27017).

Each test runs the production profile (Postgres + MongoDB) with a server of its own that it
can kill. The app's own relay is off (CLOSET_RELAY=false); a second container plays
`closet relay` in another process, driven by hand so every step is deterministic.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from closet.adapters.memory.clock import FixedClock
from closet.application.documents import DIRECT_LEASE, DocumentSync, Queued
from closet.application.errors import StorageUnavailable
from closet.application.items import AddItem, AddItemCommand
from closet.application.ports.documents import DocumentChange, DocumentKind, DocumentStore
from closet.application.specs import ItemSpec
from closet.container import Container, build_container
from closet.entrypoints.http.app import create_app
from closet.settings import Settings
from tests.factories import registered
from tests.http.conftest import PASSWORD, SettledClient, coat, settings_for
from tests.mongo_server import NxServer

KIND = DocumentKind.ITEM_TAGS


@pytest.fixture
def mongo(own_nx_server: NxServer) -> NxServer:
    return own_nx_server


@pytest.fixture
def settings(own_postgres_url: str, mongo: NxServer) -> Settings:
    return settings_for(
        "production",
        CLOSET_DATABASE_URL=own_postgres_url,
        CLOSET_MONGO_URL=mongo.url,
        CLOSET_MONGO_DATABASE=f"closet_{uuid.uuid4().hex[:8]}",
        CLOSET_MONGO_TIMEOUT_MS="400",
        CLOSET_RELAY="false",
    )


@pytest.fixture
def app_container(settings: Settings) -> Container:
    return build_container(settings)


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    """The relay process (and the test's view of the stores)."""
    worker = build_container(settings)
    await worker.init_resources()  # type: ignore[misc]
    yield worker
    await worker.shutdown_resources()  # type: ignore[misc]


@pytest.fixture
async def client(app_container: Container) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    app = create_app(app_container.settings(), app_container)
    async with SettledClient(app=app) as test_client:
        yield test_client


async def log_in(client: AsyncTestClient) -> dict[str, str]:  # type: ignore[type-arg]
    email = f"f-{uuid.uuid4().hex[:8]}@example.com"
    await client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "display_name": "F"}
    )
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def assert_documents_match(container: Container, items: Sequence[dict[str, Any]]) -> None:
    """Every item's document is at the item's version with exactly its tags and description."""
    documents: DocumentStore = container.documents()
    for item in items:
        doc = await documents.get(KIND, uuid.UUID(item["owner"]), uuid.UUID(item["id"]))
        assert doc is not None, item["id"]
        assert doc.version == item["version"]
        assert dict(doc.body) == {"tags": item["tags"], "description": item["notes"]}


async def relay_until_empty(container: Container, seconds: float = 30) -> int:
    """What `closet relay` does after an outage: retry (with its backoff) until nothing is left."""
    sync: DocumentSync = container.document_sync()
    applied = 0
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        applied += (await sync.drain()).applied
        async with container.uow() as uow:
            if (await uow.outbox.backlog()).pending == 0:
                return applied
        await asyncio.sleep(0.25)
    raise AssertionError("the relay did not drain the outbox in time")


async def backlog(client: AsyncTestClient) -> int:  # type: ignore[type-arg]
    ready = (await client.get("/ready")).json()
    return int(ready["outbox"]["pending"])


async def test_writes_succeed_while_mongo_is_down_and_the_relay_catches_up(
    client: AsyncTestClient,  # type: ignore[type-arg]
    container: Container,
    mongo: NxServer,
) -> None:
    headers = await log_in(client)
    me = (await client.get("/api/v1/me", headers=headers)).json()
    before = (await client.post("/api/v1/items", json=coat(notes="first"), headers=headers)).json()
    assert await backlog(client) == 0

    mongo.stop()  # MongoDB dies mid-run
    made = []
    for n in range(5):
        created = await client.post(
            "/api/v1/items", json=coat(name=f"Item {n}", notes=f"note {n}"), headers=headers
        )
        assert created.status_code == 201, created.text
        made.append(created.json())
    patched = await client.patch(
        f"/api/v1/items/{before['id']}",
        json={"version": 1, "notes": "changed", "tags": ["x"]},
        headers=headers,
    )
    assert patched.status_code == 200
    # reads still show what the user saved (from the outbox) while MongoDB is away
    seen = (await client.get(f"/api/v1/items/{before['id']}", headers=headers)).json()
    assert (seen["notes"], seen["tags"]) == ("changed", ["x"])
    ready = (await client.get("/ready")).json()
    assert (
        ready["status"] == "unavailable" and {c["name"]: c["ok"] for c in ready["checks"]}["mongo"] is False
    )
    assert ready["outbox"]["pending"] >= 6

    mongo.start()
    assert await relay_until_empty(container) >= 6
    assert await backlog(client) == 0
    latest = [
        (await client.get(f"/api/v1/items/{i['id']}", headers=headers)).json()
        for i in [*made, patched.json()]
    ]
    await assert_documents_match(container, [{**i, "owner": me["id"]} for i in latest])


class FailingOnce(DocumentStore):
    """A documents store whose next apply fails, as if the process died right after commit."""

    def __init__(self, inner: DocumentStore) -> None:
        self.inner, self.fail_next = inner, True

    async def apply(self, changes: Sequence[DocumentChange]) -> None:
        if self.fail_next:
            self.fail_next = False
            raise StorageUnavailable("simulated crash between commit and apply")
        await self.inner.apply(changes)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    get = property(lambda self: self.inner.get)  # type: ignore[assignment]
    get_many = property(lambda self: self.inner.get_many)  # type: ignore[assignment]
    delete_owner = property(lambda self: self.inner.delete_owner)  # type: ignore[assignment]
    versions = property(lambda self: self.inner.versions)  # type: ignore[assignment]
    purge = property(lambda self: self.inner.purge)  # type: ignore[assignment]


async def test_a_crash_between_commit_and_apply_loses_nothing(
    app_container: Container,
    container: Container,
) -> None:
    real = app_container.documents()
    app_container.documents.override(providers.Object(FailingOnce(real)))
    app_container.document_sync.reset()
    app = create_app(app_container.settings(), app_container)
    async with SettledClient(app=app) as client:
        await _crash_then_relay(client, container)


async def _crash_then_relay(client: AsyncTestClient, container: Container) -> None:  # type: ignore[type-arg]
    real = container.documents()
    headers = await log_in(client)
    me = (await client.get("/api/v1/me", headers=headers)).json()
    created = await client.post("/api/v1/items", json=coat(notes="keep me"), headers=headers)
    assert created.status_code == 201
    item = created.json()
    assert await real.get(KIND, uuid.UUID(me["id"]), uuid.UUID(item["id"])) is None
    assert await backlog(client) >= 1
    report = await container.document_sync().drain()
    assert report.failed == 0
    await assert_documents_match(container, [{**item, "owner": me["id"]}])
    assert await backlog(client) == 0


async def test_duplicates_and_late_older_rows_end_at_the_newest_version(container: Container) -> None:
    sync: DocumentSync = container.document_sync()
    owner, doc = uuid.uuid4(), uuid.uuid4()

    def row(version: int, tags: list[str]) -> DocumentChange:
        return DocumentChange(kind=KIND, owner_id=owner, doc_id=doc, version=version, body={"tags": tags})

    async with container.uow() as uow:
        older = await sync.queue(uow, [row(1, ["old"])])
        newer = await sync.queue(uow, [row(2, ["new"])])
        await uow.commit()
    for queued in (newer, newer, older):  # the same row applied twice, then an older version late
        await sync.publish(queued)
        await sync.flush()
    got = await container.documents().get(KIND, owner, doc)
    assert got is not None and (got.version, got.body) == (2, {"tags": ["new"]})


class DiesAfterCommit(DocumentSync):
    """The process is killed right after the SQL commit: nothing is applied or recorded."""

    async def publish(self, queued: Queued) -> None:
        return None


async def test_a_process_killed_after_commit_loses_nothing(settings: Settings, container: Container) -> None:
    dying = build_container(settings)
    await dying.init_resources()  # type: ignore[misc]
    try:
        sync = DiesAfterCommit(dying.uow, dying.documents(), dying.audit_store(), dying.clock())
        user = await registered(dying, f"k-{uuid.uuid4().hex[:6]}@example.com", PASSWORD, "K")
        add = AddItem(dying.uow(), dying.clock(), sync)
        item = await add(
            AddItemCommand(
                owner_id=user.id,
                spec=ItemSpec(name="Scarf", category="accessory", tags=["wool"], notes="hand-knitted"),
            )
        )
    finally:
        await dying.shutdown_resources()  # type: ignore[misc]
    assert await container.documents().get(KIND, user.id, item.id) is None
    # The row is leased to the dead request for a short while; once that passes, the relay runs it.
    later = FixedClock(container.clock().now() + DIRECT_LEASE + timedelta(seconds=1))
    relay = DocumentSync(container.uow, container.documents(), container.audit_store(), later)
    assert (await relay.drain()).applied >= 1
    item_view = {
        "id": str(item.id),
        "owner": str(user.id),
        "version": 1,
        "tags": ["wool"],
        "notes": "hand-knitted",
    }
    await assert_documents_match(container, [item_view])
