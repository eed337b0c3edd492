"""Outfit use cases on the in-memory adapters, where time is moved by hand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from closet.adapters.imaging.render import RecentRenders
from closet.adapters.memory.blobs import MemoryImageStore
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
    RenderCommand,
    RenderOutfit,
    WearItem,
    WearItemCommand,
)
from closet.application.outfits.specs import CanvasSpec, LayerSpec, OutfitSpec
from closet.application.ports.images import EncodedImage, OutfitRenderer, RenderLayer
from closet.domain.errors import InvalidValue
from closet.domain.images import BlobKey
from tests.contract.test_photo_and_job_repositories import photo
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
            WearItemCommand(owner_id=user.id, item_id=item.id, worn_on=clock.today() + timedelta(days=2))
        )
    assert (await wear(WearItemCommand(owner_id=user.id, item_id=item.id))).worn_on == clock.today()
    clock.advance(timedelta(days=1))
    await wear(WearItemCommand(owner_id=user.id, item_id=item.id))
    stored = store.items[item.id]
    assert (stored.wear_count, stored.last_worn_at) == (2, clock.today())


async def test_the_default_day_is_today_where_the_user_is(
    world: tuple[MemoryStore, FixedClock, DocumentSync],
) -> None:
    store, clock, sync = world
    user, item, _made = await _outfit(store, clock, sync)
    wear = WearItem(MemoryUnitOfWork(store), clock)
    clock.current = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)  # 09:00 on the 23rd in Auckland (UTC+13)
    in_auckland = WearItemCommand(owner_id=user.id, item_id=item.id, time_zone="Pacific/Auckland")
    assert (await wear(in_auckland)).worn_on == date(2026, 11, 23)
    clock.current = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 21:00 on the 22nd in Los Angeles
    in_la = WearItemCommand(owner_id=user.id, item_id=item.id, time_zone="America/Los_Angeles")
    assert (await wear(in_la)).worn_on == date(2026, 11, 22)
    assert (await wear(WearItemCommand(owner_id=user.id, item_id=item.id))).worn_on == date(
        2026, 11, 23
    )  # UTC


async def test_a_day_begun_anywhere_may_be_logged(
    world: tuple[MemoryStore, FixedClock, DocumentSync],
) -> None:
    """Whatever the user's setting says: a user a day ahead of UTC may log their today. A day that
    has begun nowhere (after today at UTC+14) is refused."""
    store, clock, sync = world
    user, item, _made = await _outfit(store, clock, sync)
    wear = WearItem(MemoryUnitOfWork(store), clock)
    clock.current = datetime(2026, 11, 22, 9, 59, tzinfo=UTC)  # 23:59 on the 22nd at UTC+14
    with pytest.raises(InvalidValue) as caught:
        await wear(WearItemCommand(owner_id=user.id, item_id=item.id, worn_on=date(2026, 11, 23)))
    assert [e.field for e in caught.value.errors] == ["date"]
    clock.current = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # the 23rd has begun in Kiritimati
    result = await wear(WearItemCommand(owner_id=user.id, item_id=item.id, worn_on=date(2026, 11, 23)))
    assert result.worn_on == date(2026, 11, 23)
    with pytest.raises(InvalidValue):
        await wear(WearItemCommand(owner_id=user.id, item_id=item.id, worn_on=date(2026, 11, 24)))


class CountingRenderer(OutfitRenderer):
    def __init__(self) -> None:
        self.calls = 0

    async def render(
        self,
        size: tuple[int, int],
        background: str | None,
        layers: Sequence[RenderLayer],
        *,
        width: int,
        fmt: str,
    ) -> EncodedImage:
        self.calls += 1
        data = f"render {self.calls}: {size} {[la.image for la in layers]} {width} {fmt}".encode()
        return EncodedImage(data, "image/png", width, width)


class CountingStore(MemoryImageStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    async def get(self, key: BlobKey) -> bytes | None:
        self.reads += 1
        return await super().get(key)


@pytest.mark.parametrize("kept_in_memory", [True, False])
async def test_a_render_is_drawn_once_per_inputs_and_served_again(
    world: tuple[MemoryStore, FixedClock, DocumentSync], kept_in_memory: bool
) -> None:
    """Drawn once for each set of inputs; served again from memory (no lookup, no blob read) or,
    with the memory cache off, from the stored blob; never across owners."""
    store, clock, sync = world
    user, item, outfit = await _outfit(store, clock, sync)
    renderer, blobs = CountingRenderer(), CountingStore()
    recent = RecentRenders(64 * 1024 if kept_in_memory else 0)
    render = RenderOutfit(MemoryUnitOfWork(store), MemoryUnitOfWork(store), renderer, blobs, recent)
    command = RenderCommand(ref=OutfitRef(owner_id=user.id, outfit_id=outfit.id))
    first = await render(command)
    again = await render(command)
    assert renderer.calls == 1 and again.data == first.data and again.key == first.key
    assert blobs.reads == (0 if kept_in_memory else 1)
    assert (await render(RenderCommand(ref=command.ref, known=first.key))).not_modified

    other = make_user()
    async with MemoryUnitOfWork(store) as uow:
        await uow.users.add(other)
        await uow.commit()
    with pytest.raises(NotFound):  # the render is in memory, but it is not theirs
        await render(RenderCommand(ref=OutfitRef(owner_id=other.id, outfit_id=outfit.id)))

    async with MemoryUnitOfWork(store) as uow:  # the item gets a photo: it is drawn now
        await uow.photos.save(user.id, item.id, photo("p"), expected_revision=None)
        await uow.commit()
    changed = await render(command)
    assert renderer.calls == 2 and changed.key != first.key and changed.data != first.data
    assert (await render(command)).data == changed.data and renderer.calls == 2
