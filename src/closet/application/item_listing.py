"""An item as a list shows it: the read model of the item list and of collection listings.

A page of the list is read straight into these plain shapes, without building the item's domain
object first: the rows are already valid (they were written from one), and a 50-item page spent
about 0.6 ms of its CPU making items only to take them apart again for the answer. The detail
read (GetItem) still builds the item. ``listed`` is the definition: a repository that reads rows
straight into this shape must give exactly ``listed(item)`` for the item those rows hold, and the
repository contract tests check it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypedDict

from closet.domain.images import ItemPhoto
from closet.domain.items import ClothingItem, season_names


class ListedColor(TypedDict):
    name: str
    hex: str


class ListedSize(TypedDict):
    system: str
    label: str


class ListedMaterial(TypedDict):
    fibre: str
    percent: Decimal


class ListedPrice(TypedDict):
    amount: Decimal  # quantized to the currency's minor unit
    currency: str


class ListedPurchase(TypedDict):
    date: date | None
    price: ListedPrice | None
    store: str | None


class ListedItem(TypedDict):
    """Everything of an item but its free-text description (which lives in its document)."""

    id: uuid.UUID
    name: str
    category: str
    subcategory: str | None
    brand: str | None
    colors: list[ListedColor]
    size: ListedSize | None
    materials: list[ListedMaterial]
    condition: str | None
    purchase: ListedPurchase | None
    seasons: list[str]  # in the calendar's order
    tags: list[str]
    status: str
    archive_reason: str | None
    archived_at: datetime | None
    wear_count: int
    last_worn_at: date | None
    version: int
    created_at: datetime
    updated_at: datetime
    photo: ItemPhoto | None


@dataclass(frozen=True, slots=True)
class ListingPage:
    items: list[ListedItem]
    next_cursor: str | None


def listed(item: ClothingItem) -> ListedItem:
    d, p = item.details, item.details.purchase
    purchase: ListedPurchase | None = None
    if p is not None:
        price = ListedPrice(amount=p.price.amount, currency=p.price.currency) if p.price else None
        purchase = ListedPurchase(date=p.on, price=price, store=p.store)
    return ListedItem(
        id=item.id,
        name=d.name,
        category=d.category.value,
        subcategory=d.subcategory,
        brand=d.brand,
        colors=[ListedColor(name=c.name, hex=c.hex) for c in d.colors],
        size=ListedSize(system=d.size.system.value, label=d.size.label) if d.size else None,
        materials=[ListedMaterial(fibre=m.fibre, percent=m.percent) for m in d.materials],
        condition=d.condition.value if d.condition else None,
        purchase=purchase,
        seasons=season_names(d.seasons),
        tags=list(d.tags),
        status=item.status.value,
        archive_reason=item.archive_reason.value if item.archive_reason else None,
        archived_at=item.archived_at,
        wear_count=item.wear_count,
        last_worn_at=item.last_worn_at,
        version=item.version,
        created_at=item.created_at,
        updated_at=item.updated_at,
        photo=item.photo,
    )
