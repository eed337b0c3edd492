"""The wear log: a day an item (or a whole outfit) was worn; items' counts follow. Each use case
counts the log and writes the count in one unit of work, on Postgres a SERIALIZABLE one: of two at
once, one is refused and run again (``retries_conflicts``), so no wear goes uncounted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from closet.application.documents import DocumentSync
from closet.application.errors import NotFound, retries_conflicts
from closet.application.outfits.common import OutfitRef, load_outfit
from closet.application.ports.clock import Clock
from closet.application.ports.outfits import WearEvent
from closet.application.ports.uow import UnitOfWork
from closet.domain.errors import InvalidValue
from closet.domain.items import ItemId
from closet.domain.outfits import OutfitId
from closet.domain.users import DEFAULT_TIME_ZONE, UserId


@dataclass(frozen=True, slots=True)
class WearResult:
    worn_on: date
    recorded: list[ItemId]  # items whose wear was new that day
    already: list[ItemId]  # items already worn that day (a repeat is a no-op)


def _day(clock: Clock, worn_on: date | None, zone: str) -> date:
    """``worn_on``, or today where the user is; refused only if that day has begun nowhere yet (a
    user a day ahead of UTC may log their today, whatever their time zone setting says)."""
    day = worn_on or clock.today_in(zone)
    if day > clock.latest_today():
        raise InvalidValue.of("date", "a wear cannot be in the future")
    return day


async def _tally(uow: UnitOfWork, owner_id: UserId, item_ids: Iterable[ItemId]) -> None:
    for item_id in item_ids:
        count, last = await uow.wears.tally(owner_id, item_id)
        await uow.items.set_wear(owner_id, item_id, count, last)


async def _record(
    uow: UnitOfWork,
    clock: Clock,
    owner_id: UserId,
    item_ids: list[ItemId],
    day: date,
    outfit: OutfitId | None,
) -> WearResult:
    recorded: list[ItemId] = []
    already: list[ItemId] = []
    for item_id in item_ids:
        event = WearEvent(item_id=item_id, worn_on=day, outfit_id=outfit, created_at=clock.now())
        (recorded if await uow.wears.add(owner_id, event) else already).append(item_id)
    await _tally(uow, owner_id, recorded)
    return WearResult(day, recorded, already)


@dataclass(frozen=True, kw_only=True)
class WearItemCommand:
    owner_id: UserId
    item_id: ItemId
    worn_on: date | None = None
    time_zone: str = DEFAULT_TIME_ZONE  # the user's: where the default day is today


class WearItem:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    @retries_conflicts
    async def __call__(self, cmd: WearItemCommand) -> WearResult:
        day = _day(self.clock, cmd.worn_on, cmd.time_zone)
        async with self.uow as uow:
            if await uow.items.get(cmd.owner_id, cmd.item_id) is None:
                raise NotFound("item", cmd.item_id)
            result = await _record(uow, self.clock, cmd.owner_id, [cmd.item_id], day, None)
            await uow.commit()
        return result


class UnwearItem:
    """Undo a wear: the item was not worn that day after all."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    @retries_conflicts
    async def __call__(self, cmd: WearItemCommand) -> None:
        assert cmd.worn_on is not None
        async with self.uow as uow:
            if await uow.items.get(cmd.owner_id, cmd.item_id) is None:
                raise NotFound("item", cmd.item_id)
            if not await uow.wears.remove(cmd.owner_id, cmd.item_id, cmd.worn_on):
                raise NotFound(f"wear on {cmd.worn_on} of item", cmd.item_id)
            await _tally(uow, cmd.owner_id, [cmd.item_id])
            await uow.commit()


class ListWears:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def __call__(self, owner_id: UserId, item_id: ItemId) -> list[WearEvent]:
        async with self.uow as uow:
            if await uow.items.get(owner_id, item_id) is None:
                raise NotFound("item", item_id)
            return await uow.wears.for_item(owner_id, item_id)


@dataclass(frozen=True, kw_only=True)
class WearOutfitCommand:
    ref: OutfitRef
    worn_on: date | None = None
    time_zone: str = DEFAULT_TIME_ZONE  # the user's: where the default day is today


class WearOutfit:
    """Every item of the outfit worn that day (once per item and day, however often asked)."""

    def __init__(self, uow: UnitOfWork, clock: Clock, sync: DocumentSync) -> None:
        self.uow, self.clock, self.sync = uow, clock, sync

    @retries_conflicts
    async def __call__(self, cmd: WearOutfitCommand) -> WearResult:
        day = _day(self.clock, cmd.worn_on, cmd.time_zone)
        async with self.uow as uow:
            outfit = await load_outfit(uow, self.sync, cmd.ref)
            result = await _record(uow, self.clock, cmd.ref.owner_id, outfit.details.item_ids, day, outfit.id)
            await uow.commit()
        return result


class UnwearOutfit:
    """Undo an outfit's wear that day: the wears it recorded go (others of the day stay)."""

    def __init__(self, uow: UnitOfWork, sync: DocumentSync) -> None:
        self.uow, self.sync = uow, sync

    @retries_conflicts
    async def __call__(self, cmd: WearOutfitCommand) -> list[ItemId]:
        assert cmd.worn_on is not None
        async with self.uow as uow:
            outfit = await load_outfit(uow, self.sync, cmd.ref)
            owner = cmd.ref.owner_id
            removed = [
                i for i in outfit.details.item_ids if await uow.wears.remove(owner, i, cmd.worn_on, outfit.id)
            ]
            if not removed:
                raise NotFound(f"wear on {cmd.worn_on} of outfit", outfit.id)
            await _tally(uow, owner, removed)
            await uow.commit()
        return removed
