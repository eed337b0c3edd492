"""Translation between ClothingItem and its rows (the data mapper)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, RowMapping

from closet.adapters.sql.photos import PHOTO_COLUMNS, photo_from_row
from closet.adapters.sql.tables import items
from closet.application.item_listing import (
    ListedColor,
    ListedItem,
    ListedMaterial,
    ListedPrice,
    ListedPurchase,
    ListedSize,
)
from closet.application.item_query import color_key, search_text, season_mask, text_key
from closet.domain.colors import Color
from closet.domain.items import (
    ArchiveReason,
    Category,
    ClothingItem,
    Condition,
    ItemDetails,
    ItemId,
    ItemStatus,
    Purchase,
    Season,
    season_names,
)
from closet.domain.materials import MaterialShare
from closet.domain.money import Money, minor_units
from closet.domain.sizes import Size, SizeSystem
from closet.domain.users import UserId

_SEASONS = list(Season)
# Decoding runs for every row of every page: table look-ups instead of per-row work.
_SEASON_SETS = [
    frozenset(s for i, s in enumerate(_SEASONS) if mask & (1 << i)) for mask in range(1 << len(_SEASONS))
]
_SEASON_NAMES = [tuple(season_names(s)) for s in _SEASON_SETS]
_CATEGORIES = {c.value: c for c in Category}


@lru_cache(maxsize=4096)
def _color(name: str, hex_value: str) -> Color:  # value objects are immutable: share them
    return Color(name, hex_value)


@lru_cache(maxsize=4096)
def _share(fibre: str, percent: str) -> MaterialShare:
    return MaterialShare(fibre, Decimal(percent))


@lru_cache(maxsize=64)
def _cent(currency: str) -> Decimal:  # the currency's minor unit: 0.01 for EUR, 1 for JPY
    return Decimal(1).scaleb(-minor_units(currency))


_CONDITIONS = {c.value: c for c in Condition}
_STATUSES = {s.value: s for s in ItemStatus}
_REASONS = {r.value: r for r in ArchiveReason}
_SYSTEMS = {s.value: s for s in SizeSystem}


def to_row(item: ClothingItem) -> dict[str, Any]:
    d = item.details
    purchase = d.purchase or Purchase()
    return {
        "id": item.id,
        "owner_id": item.owner_id,
        "name": d.name,
        "name_key": d.name.casefold(),
        "category": d.category.value,
        "subcategory": d.subcategory,
        "subcategory_key": text_key(d.subcategory),
        "brand": d.brand,
        "brand_key": text_key(d.brand),
        "colors": [{"name": c.name, "hex": c.hex} for c in d.colors],
        "color_sort": color_key(d),
        "size_system": d.size.system.value if d.size else None,
        "size_label": d.size.label if d.size else None,
        "size_key": d.size.label.casefold() if d.size else None,
        "materials": [{"fibre": m.fibre, "percent": str(m.percent)} for m in d.materials],
        "condition": d.condition.value if d.condition else None,
        "purchase_date": purchase.on,
        "price_amount": purchase.price.amount if purchase.price else None,
        "price_currency": purchase.price.currency if purchase.price else None,
        "purchase_store": purchase.store,
        "seasons": season_mask(d.seasons),
        "tags": list(d.tags),
        "search_text": search_text(d),
        "status": item.status.value,
        "archive_reason": item.archive_reason.value if item.archive_reason else None,
        "archived_at": item.archived_at,
        "wear_count": item.wear_count,
        "last_worn_at": item.last_worn_at,
        "version": item.version,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def projection_rows(item: ClothingItem) -> dict[str, list[dict[str, Any]]]:
    d, base = item.details, {"item_id": item.id, "owner_id": item.owner_id}
    return {
        "color": [{**base, "color": c.name} for c in d.colors],
        "tag": [{**base, "tag": t} for t in d.tags],
        "fibre": [{**base, "fibre": m.fibre} for m in d.materials],
    }


def from_row(row: RowMapping) -> ClothingItem:
    price = None
    if row["price_amount"] is not None:
        currency = row["price_currency"]
        amount: Decimal = row["price_amount"]
        price = Money(amount.quantize(_cent(currency)), currency)
    purchase = None
    if row["purchase_date"] is not None or price is not None or row["purchase_store"] is not None:
        purchase = Purchase(row["purchase_date"], price, row["purchase_store"])
    details = ItemDetails(
        name=row["name"],
        category=_CATEGORIES[row["category"]],
        subcategory=row["subcategory"],
        brand=row["brand"],
        colors=tuple(_color(c["name"], c["hex"]) for c in row["colors"]),
        size=Size(_SYSTEMS[row["size_system"]], row["size_label"]) if row["size_system"] else None,
        materials=tuple(_share(m["fibre"], m["percent"]) for m in row["materials"]),
        condition=_CONDITIONS[row["condition"]] if row["condition"] else None,
        purchase=purchase,
        seasons=_SEASON_SETS[row["seasons"]],
        tags=tuple(row["tags"]),
        notes=None,  # the description lives in the item's document (DocumentSync merges it)
    )
    return ClothingItem(
        id=ItemId(row["id"]),
        owner_id=UserId(row["owner_id"]),
        details=details,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        status=_STATUSES[row["status"]],
        archive_reason=_REASONS[row["archive_reason"]] if row["archive_reason"] else None,
        archived_at=row["archived_at"],
        wear_count=row["wear_count"],
        last_worn_at=row["last_worn_at"],
        version=row["version"],
        photo=photo_from_row(row, "photo_") if "photo_original_key" in row else None,
    )


# The columns an item is read from, in order: its own (not those that only filter and sort; search_text
# holds the whole description), then its photo's. listed_from_row reads them by position.
_DERIVED = {"name_key", "subcategory_key", "brand_key", "size_key", "color_sort", "search_text"}
READ_COLUMNS = [c for c in items.c if c.name not in _DERIVED] + PHOTO_COLUMNS
_AT = {c.key: i for i, c in enumerate(READ_COLUMNS)}
(
    _ID, _NAME, _CATEGORY, _SUBCATEGORY, _BRAND, _COLORS, _SIZE_SYSTEM, _SIZE_LABEL, _MATERIALS,
    _CONDITION, _PURCHASE_DATE, _PRICE_AMOUNT, _PRICE_CURRENCY, _PURCHASE_STORE, _SEASONS, _TAGS, _STATUS,
    _ARCHIVE_REASON, _ARCHIVED_AT, _WEAR_COUNT, _LAST_WORN_AT, _VERSION, _CREATED_AT, _UPDATED_AT, _PHOTO,
) = (
    _AT[name]
    for name in (
        "id", "name", "category", "subcategory", "brand", "colors", "size_system", "size_label", "materials",
        "condition", "purchase_date", "price_amount", "price_currency", "purchase_store", "seasons", "tags",
        "status", "archive_reason", "archived_at", "wear_count", "last_worn_at", "version", "created_at",
        "updated_at", "photo_original_key",
    )
)  # fmt: skip


def listed_from_row(row: Row[Any]) -> ListedItem:
    """``item_listing.listed(from_row(row))``, read straight from a row of ``READ_COLUMNS`` (the
    list page's path: by position, with no item built; about 3× faster than from_row). The shapes
    are written as dict displays: calling a TypedDict costs three times as much, and this runs for
    every item of every page."""
    price: ListedPrice | None = None
    if (amount := row[_PRICE_AMOUNT]) is not None:
        currency = row[_PRICE_CURRENCY]
        price = {"amount": amount.quantize(_cent(currency)), "currency": currency}
    purchase: ListedPurchase | None = None
    if row[_PURCHASE_DATE] is not None or price is not None or row[_PURCHASE_STORE] is not None:
        purchase = {"date": row[_PURCHASE_DATE], "price": price, "store": row[_PURCHASE_STORE]}
    system = row[_SIZE_SYSTEM]
    colors: list[ListedColor] = [{"name": c["name"], "hex": c["hex"]} for c in row[_COLORS]]
    materials: list[ListedMaterial] = [
        {"fibre": m["fibre"], "percent": _share(m["fibre"], m["percent"]).percent} for m in row[_MATERIALS]
    ]
    size: ListedSize | None = {"system": system, "label": row[_SIZE_LABEL]} if system else None
    return {
        "id": row[_ID],
        "name": row[_NAME],
        "category": row[_CATEGORY],
        "subcategory": row[_SUBCATEGORY],
        "brand": row[_BRAND],
        "colors": colors,
        "size": size,
        "materials": materials,
        "condition": row[_CONDITION],
        "purchase": purchase,
        "seasons": list(_SEASON_NAMES[row[_SEASONS]]),
        "tags": list(row[_TAGS]),
        "status": row[_STATUS],
        "archive_reason": row[_ARCHIVE_REASON],
        "archived_at": row[_ARCHIVED_AT],
        "wear_count": row[_WEAR_COUNT],
        "last_worn_at": row[_LAST_WORN_AT],
        "version": row[_VERSION],
        "created_at": row[_CREATED_AT],
        "updated_at": row[_UPDATED_AT],
        "photo": None if row[_PHOTO] is None else photo_from_row(row._mapping, "photo_"),
    }
