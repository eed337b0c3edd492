"""Templates: an outfit's layout kept with slots (a category each) instead of items."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from closet.application.documents import DocumentSync
from closet.application.errors import retries_contention
from closet.application.outfits.common import OutfitRef, load_outfit, owned_items
from closet.application.outfits.crud import OutfitView, add_outfit
from closet.application.ports.clock import Clock
from closet.application.ports.uow import UnitOfWork
from closet.domain.errors import ErrorCollector
from closet.domain.items import ItemId
from closet.domain.outfits import check_slots


@dataclass(frozen=True, kw_only=True)
class SaveTemplateCommand:
    ref: OutfitRef  # the outfit whose layout becomes a template
    name: str


class SaveTemplate:
    def __init__(self, uow: UnitOfWork, clock: Clock, sync: DocumentSync) -> None:
        self.uow, self.clock, self.sync = uow, clock, sync

    @retries_contention
    async def __call__(self, cmd: SaveTemplateCommand) -> OutfitView:
        async with self.uow as uow:
            outfit = await load_outfit(uow, self.sync, cmd.ref)
            items = await owned_items(uow, cmd.ref.owner_id, outfit.details.item_ids)
        categories = {item_id: item.details.category for item_id, item in items.items()}
        template = outfit.as_template(cmd.name, categories, self.clock.now())
        return await add_outfit(self.uow, self.sync, template)


@dataclass(frozen=True, kw_only=True)
class FillTemplateCommand:
    ref: OutfitRef  # the template
    name: str
    fill: Mapping[int, uuid.UUID]  # slot index (back to front) → item; slots left out stay empty


class FillTemplate:
    def __init__(self, uow: UnitOfWork, clock: Clock, sync: DocumentSync) -> None:
        self.uow, self.clock, self.sync = uow, clock, sync

    @retries_contention
    async def __call__(self, cmd: FillTemplateCommand) -> OutfitView:
        async with self.uow as uow:
            template = await load_outfit(uow, self.sync, cmd.ref)
        errors = ErrorCollector()
        errors.attempt("", lambda: check_slots(list(cmd.fill), len(template.details.layers)))
        errors.raise_if_any()
        outfit = template.filled(cmd.name, {i: ItemId(v) for i, v in cmd.fill.items()}, self.clock.now())
        return await add_outfit(self.uow, self.sync, outfit)
