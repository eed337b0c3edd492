"""Two requests that change the same thing at once, on the memory adapters, with the interleaving
forced: both load what they change before either writes (as two workers can on Postgres, where
the second then waits for the first's row lock and finds its change made).

- A delete that finds its thing already gone answers 404 and writes nothing, and never releases the
  blobs the first delete released (blobs are shared by content: that would take them from others).
- A change the caller sent no version for is tried again after another request's change to the same
  row: the conflict is the server's bookkeeping, and a 412 would blame a version never sent.
- A change sent with a version still answers 412: that is what the version is for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from closet.adapters.memory.blobs import MemoryImageStore
from closet.adapters.memory.clock import FixedClock
from closet.adapters.memory.documents import MemoryAuditStore, MemoryDocumentStore
from closet.adapters.memory.store import MemoryDocuments, MemoryStore
from closet.adapters.memory.uow import MemoryUnitOfWork
from closet.application import collections as collections_module
from closet.application import items as items_module
from closet.application.collections import (
    ChangeMembers,
    CollectionRef,
    CollectionSpec,
    CreateCollection,
    CreateCollectionCommand,
    DeleteCollection,
    MembersCommand,
)
from closet.application.documents import DocumentSync
from closet.application.errors import NotFound, StaleVersion
from closet.application.items import ArchiveItem, ArchiveItemCommand, ItemRef
from closet.application.outfits import crud as outfits_module
from closet.application.outfits.common import OutfitRef
from closet.application.outfits.crud import CreateOutfit, CreateOutfitCommand, DeleteOutfit
from closet.application.outfits.specs import CanvasSpec, LayerSpec, OutfitSpec
from closet.application.ports.outfits import StoredRender
from closet.domain.collections import Member, MemberKind
from closet.domain.items import ArchiveReason
from closet.domain.users import User
from tests.factories import make_item, make_user


class World:
    def __init__(self) -> None:
        self.store, self.clock, self.docs = MemoryStore(), FixedClock(), MemoryDocuments()
        self.sync = DocumentSync(
            uow_factory=self.uow,
            documents=MemoryDocumentStore(self.docs),
            audit=MemoryAuditStore(self.docs),
            clock=self.clock,
        )
        self.images = MemoryImageStore()

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store)

    async def user_with_item(self) -> tuple[User, Any]:
        user = make_user()
        item = make_item(user)
        async with self.uow() as uow:
            await uow.users.add(user)
            await uow.items.add(item)
            await uow.commit()
        return user, item


async def both_after(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, first: Awaitable[Any], second: Awaitable[Any]
) -> tuple[Any, Any]:
    """Runs ``first`` and ``second`` until both have been through ``module.name`` (their load), then
    lets the first finish, then the second. Answers their results or errors."""
    gates, arrived, both_there = [asyncio.Event(), asyncio.Event()], 0, asyncio.Event()
    original: Callable[..., Awaitable[Any]] = getattr(module, name)

    async def gated(*args: Any, **kwargs: Any) -> Any:
        nonlocal arrived
        loaded = await original(*args, **kwargs)
        gate, arrived = gates[min(arrived, 1)], arrived + 1
        if arrived == 2:
            both_there.set()
        await gate.wait()
        return loaded

    monkeypatch.setattr(module, name, gated)
    tasks = [asyncio.ensure_future(first), asyncio.ensure_future(second)]
    await both_there.wait()
    gates[0].set()
    done_first = await asyncio.gather(tasks[0], return_exceptions=True)
    gates[1].set()
    done_second = await asyncio.gather(tasks[1], return_exceptions=True)
    return done_first[0], done_second[0]


async def test_two_deletes_of_one_outfit_release_its_renders_once(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World()
    user, item = await world.user_with_item()
    spec = OutfitSpec(
        name="Look", canvas=CanvasSpec(width=100, height=100), layers=[LayerSpec(item_id=item.id, x=50, y=50)]
    )
    create = CreateOutfit(world.uow(), world.clock, world.sync)
    looks = [(await create(CreateOutfitCommand(owner_id=user.id, spec=spec))).outfit for _ in range(2)]
    key = None
    for look in looks:  # the same picture stored for both: its blob held twice
        key = await world.images.put(b"the rendered png")
        async with world.uow() as uow:
            await uow.outfits.save_render(look.id, "render-key", StoredRender(key, "image/png", 100, 100))
            await uow.commit()
    assert key is not None and await world.images.references(key) == 2

    ref = OutfitRef(owner_id=user.id, outfit_id=looks[0].id)
    delete = DeleteOutfit(world.uow(), world.sync, world.images, world.clock)
    again = DeleteOutfit(world.uow(), world.sync, world.images, world.clock)
    first, second = await both_after(monkeypatch, outfits_module, "load_outfit", delete(ref), again(ref))
    assert first is None and isinstance(second, NotFound)
    assert await world.images.references(key) == 1  # the other outfit's render stays


async def test_two_deletes_of_one_collection_delete_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World()
    user, _item = await world.user_with_item()
    shelf = await CreateCollection(world.uow(), world.clock, world.sync)(
        CreateCollectionCommand(owner_id=user.id, spec=CollectionSpec(name="Shelf"))
    )
    ref = CollectionRef(owner_id=user.id, collection_id=shelf.id)
    delete, again = (DeleteCollection(world.uow(), world.sync) for _ in range(2))
    first, second = await both_after(
        monkeypatch, collections_module, "load_collection", delete(ref), again(ref)
    )
    assert first is None and isinstance(second, NotFound)


@pytest.mark.parametrize("versioned", [False, True])
async def test_two_additions_to_one_collection_at_once(
    monkeypatch: pytest.MonkeyPatch, versioned: bool
) -> None:
    """Without a version both additions land (the second is tried again on the first's result);
    with one, the second answers 412, having changed nothing."""
    world = World()
    user, item = await world.user_with_item()
    other = make_item(user)
    async with world.uow() as uow:
        await uow.items.add(other)
        await uow.commit()
    shelf = await CreateCollection(world.uow(), world.clock, world.sync)(
        CreateCollectionCommand(owner_id=user.id, spec=CollectionSpec(name="Shelf"))
    )
    ref = CollectionRef(
        owner_id=user.id, collection_id=shelf.id, expected_version=shelf.version if versioned else None
    )
    change, again = (ChangeMembers(world.uow(), world.clock, world.sync) for _ in range(2))
    first, second = await both_after(
        monkeypatch,
        collections_module,
        "load_collection",
        change(MembersCommand(ref=ref, add=[Member(MemberKind.ITEM, item.id)])),
        again(MembersCommand(ref=ref, add=[Member(MemberKind.ITEM, other.id)])),
    )
    assert not isinstance(first, Exception)
    async with world.uow() as uow:
        stored = await uow.collections.get(user.id, shelf.id)
    assert stored is not None
    if versioned:
        assert isinstance(second, StaleVersion)
        assert {m.id for m in stored.members} == {item.id}
    else:
        assert not isinstance(second, Exception), second
        assert {m.id for m in stored.members} == {item.id, other.id}


async def test_an_archive_without_a_version_is_applied_after_a_change_made_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two archives of one item at once, with other reasons and no version: both apply, the last
    reason stays."""
    world = World()
    user, item = await world.user_with_item()
    ref = ItemRef(owner_id=user.id, item_id=item.id)
    archive, again = (ArchiveItem(world.uow(), world.clock, world.sync) for _ in range(2))
    first, second = await both_after(
        monkeypatch,
        items_module,
        "load_item",
        archive(ArchiveItemCommand(ref=ref, reason="sold")),
        again(ArchiveItemCommand(ref=ref, reason="donated")),
    )
    assert not isinstance(first, Exception) and not isinstance(second, Exception), second
    assert world.store.items[item.id].archive_reason is ArchiveReason.DONATED
