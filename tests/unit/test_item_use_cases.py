"""The item and account use cases on the in-memory adapters."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from closet.adapters.memory.blobs import MemoryImageStore
from closet.adapters.memory.clock import FixedClock
from closet.adapters.memory.documents import MemoryAuditStore, MemoryDocumentStore
from closet.adapters.memory.store import MemoryDocuments, MemoryStore
from closet.adapters.memory.uow import MemoryUnitOfWork
from closet.application import items as items_module
from closet.application.documents import DocumentSync
from closet.application.errors import NotFound, StaleVersion, VersionRequired
from closet.application.filters import FilterSpec
from closet.application.items import (
    AddItem,
    AddItemCommand,
    ArchiveItem,
    ArchiveItemCommand,
    DeleteItem,
    GetItem,
    ItemRef,
    ListItems,
    ListItemsCommand,
    RestoreItem,
    UpdateItem,
    UpdateItemCommand,
)
from closet.application.specs import ColorSpec, ItemChanges, ItemSpec, PurchaseSpec
from closet.domain.errors import InvalidValue
from closet.domain.images import ItemPhoto, StoredBlob
from closet.domain.items import ItemId, ItemStatus
from closet.domain.users import UserId

OWNER = UserId(uuid.uuid4())


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def docs() -> MemoryDocuments:
    return MemoryDocuments()


@pytest.fixture
def sync(store: MemoryStore, docs: MemoryDocuments, clock: FixedClock) -> DocumentSync:
    return DocumentSync(
        lambda: MemoryUnitOfWork(store), MemoryDocumentStore(docs), MemoryAuditStore(docs), clock
    )


def uow(store: MemoryStore) -> MemoryUnitOfWork:
    return MemoryUnitOfWork(store)


async def add(store: MemoryStore, clock: FixedClock, sync: DocumentSync, **spec: object) -> uuid.UUID:
    values: dict[str, object] = {"name": "Tee", "category": "top", **spec}
    item = await AddItem(uow(store), clock, sync)(AddItemCommand(owner_id=OWNER, spec=ItemSpec(**values)))  # type: ignore[arg-type]
    return item.id


async def test_add_validates_and_stores(store: MemoryStore, clock: FixedClock, sync: DocumentSync) -> None:
    item_id = await add(store, clock, sync, colors=[ColorSpec(hex="#ff0000")])
    item = await GetItem(uow(store), sync)(ItemRef(owner_id=OWNER, item_id=item_id))
    assert item.details.colors[0].name == "red" and item.created_at == clock.now()
    with pytest.raises(InvalidValue) as caught:
        await add(store, clock, sync, name="", purchase=PurchaseSpec(date=clock.today() + timedelta(days=2)))
    assert {e.field for e in caught.value.errors} == {"name", "purchase.date"}
    assert len(store.items) == 1


async def test_update_needs_the_current_version(
    store: MemoryStore, clock: FixedClock, sync: DocumentSync
) -> None:
    item_id = await add(store, clock, sync)
    update = UpdateItem(uow(store), clock, sync)

    def ref(version: int | None) -> ItemRef:
        return ItemRef(owner_id=OWNER, item_id=item_id, expected_version=version)

    with pytest.raises(VersionRequired):
        await update(UpdateItemCommand(ref=ref(None), changes=ItemChanges(name="New")))
    clock.advance(timedelta(minutes=1))
    changed = await update(UpdateItemCommand(ref=ref(1), changes=ItemChanges(name="New", brand=None)))
    assert (changed.version, changed.details.name, changed.updated_at) == (2, "New", clock.now())
    with pytest.raises(StaleVersion):
        await update(UpdateItemCommand(ref=ref(1), changes=ItemChanges(name="Lost update")))
    with pytest.raises(InvalidValue):
        await update(UpdateItemCommand(ref=ref(2), changes=ItemChanges(category="cape")))
    stored = await GetItem(uow(store), sync)(ItemRef(owner_id=OWNER, item_id=item_id))
    assert (stored.version, stored.details.name) == (2, "New")


async def test_archive_restore_delete(store: MemoryStore, clock: FixedClock, sync: DocumentSync) -> None:
    item_id = await add(store, clock, sync)
    ref = ItemRef(owner_id=OWNER, item_id=item_id)
    archived = await ArchiveItem(uow(store), clock, sync)(ArchiveItemCommand(ref=ref, reason="Donated"))
    assert (archived.status, archived.version) == (ItemStatus.ARCHIVED, 2)
    again = await ArchiveItem(uow(store), clock, sync)(ArchiveItemCommand(ref=ref, reason="donated"))
    assert again.version == 2  # nothing changed
    restored = await RestoreItem(uow(store), clock, sync)(ref)
    assert (restored.status, restored.archive_reason, restored.version) == (ItemStatus.ACTIVE, None, 3)
    with pytest.raises(InvalidValue):
        await ArchiveItem(uow(store), clock, sync)(ArchiveItemCommand(ref=ref, reason="eaten"))
    await DeleteItem(uow(store), clock, sync)(ref)
    with pytest.raises(NotFound):
        await DeleteItem(uow(store), clock, sync)(ref)


async def test_list_validates_its_query(store: MemoryStore, clock: FixedClock, sync: DocumentSync) -> None:
    for name in ("b", "a", "c"):
        await add(store, clock, sync, name=name)
    page = await ListItems(uow(store), FixedClock())(
        ListItemsCommand(owner_id=OWNER, filter=FilterSpec(), sort="name", limit=2)
    )
    assert [i["name"] for i in page.items] == ["a", "b"] and page.next_cursor
    with pytest.raises(InvalidValue) as caught:
        await ListItems(uow(store), FixedClock())(
            ListItemsCommand(owner_id=OWNER, filter=FilterSpec(color=["x"]), sort="nope", limit=0, cursor="?")
        )
    assert {e.field for e in caught.value.errors} == {"color[0]", "sort", "limit"}


async def test_a_purchase_today_anywhere_is_not_in_the_future(
    store: MemoryStore, clock: FixedClock, sync: DocumentSync
) -> None:
    """A day is in the future only once it has begun nowhere: the 23rd, from 10:00 UTC on the 22nd
    (midnight at UTC+14), so a purchase made that morning in Auckland or Tonga is accepted."""
    clock.current = datetime(2026, 11, 22, 9, 59, tzinfo=UTC)
    with pytest.raises(InvalidValue) as caught:
        await add(store, clock, sync, purchase=PurchaseSpec(date=date(2026, 11, 23)))
    assert [e.field for e in caught.value.errors] == ["purchase.date"]
    clock.current = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    assert await add(store, clock, sync, purchase=PurchaseSpec(date=date(2026, 11, 23)))
    with pytest.raises(InvalidValue):
        await add(store, clock, sync, purchase=PurchaseSpec(date=date(2026, 11, 24)))


async def test_relative_filters_count_from_the_owners_today(
    store: MemoryStore, clock: FixedClock, sync: DocumentSync
) -> None:
    """not_worn_days (and season=now) count from the owner's today, in their time zone."""
    clock.current = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)  # already the 23rd in Auckland
    item_id = await add(store, clock, sync)
    async with uow(store) as u:
        await u.items.set_wear(OWNER, ItemId(item_id), 1, date(2026, 11, 12))
        await u.commit()

    async def not_worn_for_ten_days(zone: str) -> list[uuid.UUID]:
        command = ListItemsCommand(owner_id=OWNER, filter=FilterSpec(not_worn_days=10), time_zone=zone)
        return [i["id"] for i in (await ListItems(uow(store), clock)(command)).items]

    assert await not_worn_for_ten_days("UTC") == []  # the 12th is within ten days of the 22nd
    assert await not_worn_for_ten_days("Pacific/Auckland") == [item_id]  # not of the 23rd


async def test_two_deletes_of_one_item_at_once_delete_it_once(
    store: MemoryStore,
    clock: FixedClock,
    sync: DocumentSync,
    docs: MemoryDocuments,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two requests may both load an item before either deletes it (on Postgres the second then
    waits for the first's row lock, and its DELETE finds nothing). The second must answer 404 and
    write nothing: before, it went on, recorded a second deletion, and released the photo's blobs
    again. Blobs are shared by content, so that took them from another item still using them."""
    images = MemoryImageStore()
    first_item, other_item = await add(store, clock, sync), await add(store, clock, sync, name="Twin")
    for item_id in (first_item, other_item):  # the same photo on both: each blob held twice
        blobs = [
            StoredBlob(await images.put(data), "image/jpeg", 8, 8) for data in (b"photo", b"t256", b"t512")
        ]
        async with uow(store) as unit:
            photo = ItemPhoto(blobs[0], blobs[1], blobs[2], phash=0, uploaded_at=clock.now())
            await unit.photos.save(OWNER, ItemId(item_id), photo, expected_revision=None)
            await unit.commit()
    assert [await images.references(b.key) for b in blobs] == [2, 2, 2]

    gates, arrived, both_loaded = [asyncio.Event(), asyncio.Event()], 0, asyncio.Event()
    loaded = items_module._drop_from_outfits

    async def after_the_load(*args: Any) -> Any:  # both requests have loaded the item here
        nonlocal arrived
        gate, arrived = gates[arrived % 2], arrived + 1
        if arrived == 2:
            both_loaded.set()
        await gate.wait()
        return await loaded(*args)

    monkeypatch.setattr(items_module, "_drop_from_outfits", after_the_load)
    ref = ItemRef(owner_id=OWNER, item_id=first_item)
    first = asyncio.ensure_future(DeleteItem(uow(store), clock, sync, images)(ref))
    second = asyncio.ensure_future(DeleteItem(uow(store), clock, sync, images)(ref))
    await both_loaded.wait()
    gates[0].set()
    await first
    gates[1].set()
    with pytest.raises(NotFound):
        await second
    await sync.flush()
    assert [await images.references(b.key) for b in blobs] == [1, 1, 1]  # the other item's photo stays
    deletions = [e for e in docs.audit.values() if e.action == "item.delete"]
    assert len(deletions) == 1
