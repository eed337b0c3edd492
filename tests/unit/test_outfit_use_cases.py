"""Outfit use cases on the in-memory adapters, where time is moved by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from closet.adapters.memory.clock import FixedClock
from closet.adapters.memory.documents import MemoryAuditStore, MemoryDocumentStore
from closet.adapters.memory.store import MemoryDocuments, MemoryStore
from closet.adapters.memory.uow import MemoryUnitOfWork
from closet.application.documents import DocumentSync
from closet.application.errors import NotFound
from closet.application.outfits import (
    CreateOutfit,
    CreateOutfitCommand,
    CreateShare,
    CreateShareCommand,
    OpenShare,
    OutfitRef,
    WearItem,
    WearItemCommand,
)
from closet.application.outfits.specs import CanvasSpec, LayerSpec, OutfitSpec
from closet.domain.errors import InvalidValue
from tests.factories import make_item, make_user


@pytest.fixture
def world() -> tuple[MemoryStore, FixedClock, DocumentSync]:
    store, clock, docs = MemoryStore(), FixedClock(), MemoryDocuments()
    sync = DocumentSync(
        uow_factory=lambda: MemoryUnitOfWork(store),
        documents=MemoryDocumentStore(docs),
        audit=MemoryAuditStore(docs),
        clock=clock,
    )
    return store, clock, sync


async def _outfit(store: MemoryStore, clock: FixedClock, sync: DocumentSync):  # type: ignore[no-untyped-def]
    user = make_user()
    item = make_item(user)
    async with MemoryUnitOfWork(store) as uow:
        await uow.users.add(user)
        await uow.items.add(item)
        await uow.commit()
    spec = OutfitSpec(
        name="Look", canvas=CanvasSpec(width=100, height=100), layers=[LayerSpec(item_id=item.id, x=50, y=50)]
    )
    view = await CreateOutfit(MemoryUnitOfWork(store), clock, sync)(
        CreateOutfitCommand(owner_id=user.id, spec=spec)
    )
    return user, item, view.outfit


async def test_a_share_link_expires(world: tuple[MemoryStore, FixedClock, DocumentSync]) -> None:
    store, clock, sync = world
    user, _item, outfit = await _outfit(store, clock, sync)
    ref = OutfitRef(owner_id=user.id, outfit_id=outfit.id)
    new = await CreateShare(MemoryUnitOfWork(store), clock)(CreateShareCommand(ref=ref, expires_in_days=2))
    open_share = OpenShare(MemoryUnitOfWork(store), clock)
    assert (await open_share(new.token)).owner_name == user.display_name
    assert new.share.token_hash != new.token and len(new.token) >= 32  # kept hashed
    clock.advance(timedelta(days=2, seconds=1))
    with pytest.raises(NotFound):
        await open_share(new.token)


async def test_a_disabled_owner_shares_nothing(world: tuple[MemoryStore, FixedClock, DocumentSync]) -> None:
    store, clock, sync = world
    user, _item, outfit = await _outfit(store, clock, sync)
    ref = OutfitRef(owner_id=user.id, outfit_id=outfit.id)
    new = await CreateShare(MemoryUnitOfWork(store), clock)(CreateShareCommand(ref=ref))
    store.users[user.id].disabled = True
    with pytest.raises(NotFound):
        await OpenShare(MemoryUnitOfWork(store), clock)(new.token)


async def test_wear_dates_follow_the_clock(world: tuple[MemoryStore, FixedClock, DocumentSync]) -> None:
    store, clock, sync = world
    user, item, _made = await _outfit(store, clock, sync)
    wear = WearItem(MemoryUnitOfWork(store), clock)
    with pytest.raises(InvalidValue):
        await wear(
            WearItemCommand(owner_id=user.id, item_id=item.id, worn_on=clock.today() + timedelta(days=1))
        )
    assert (await wear(WearItemCommand(owner_id=user.id, item_id=item.id))).worn_on == clock.today()
    clock.advance(timedelta(days=1))
    await wear(WearItemCommand(owner_id=user.id, item_id=item.id))
    stored = store.items[item.id]
    assert (stored.wear_count, stored.last_worn_at) == (2, clock.today())
