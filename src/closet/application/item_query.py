"""The item list's filter, sort and cursor language, and its reference semantics.

``matches``, ``sort_value`` and ``is_after`` define what a list returns; the memory adapter
runs them directly, the SQL adapter translates them, and a property test proves both agree.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Literal

from closet.domain.colors import color_sort_key
from closet.domain.errors import InvalidValue
from closet.domain.items import (
    Category,
    ClothingItem,
    Condition,
    ItemDetails,
    ItemStatus,
    Season,
)
from closet.domain.sizes import SizeSystem

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
BRAND_FACET_LIMIT = 50

SortValue = str | int | Decimal | date | datetime


class SortField(StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    NAME = "name"
    BRAND = "brand"
    PURCHASE_DATE = "purchase_date"
    PRICE = "price"
    WEAR_COUNT = "wear_count"
    LAST_WORN_AT = "last_worn_at"
    COLOR = "color"


@dataclass(frozen=True, slots=True)
class Sort:
    field: SortField
    descending: bool = False

    @classmethod
    def parse(cls, text: str) -> Sort:
        raw = text.strip()
        descending = raw.startswith("-")
        name = raw.lstrip("+-")
        try:
            return cls(SortField(name), descending)
        except ValueError:
            choices = ", ".join(f.value for f in SortField)
            raise InvalidValue.of(
                "sort", f"unknown sort {text!r}; use one of {choices}, with '-' for descending"
            ) from None

    def __str__(self) -> str:
        return ("-" if self.descending else "") + self.field.value


@dataclass(frozen=True, slots=True)
class SizeFilter:
    label_key: str
    system: SizeSystem | None = None


@dataclass(frozen=True, kw_only=True)
class ItemFilter:
    """Values of one filter are alternatives (OR); different filters all apply (AND)."""

    categories: frozenset[Category] = frozenset()
    subcategories: frozenset[str] = frozenset()
    brands: frozenset[str] = frozenset()
    colors: frozenset[str] = frozenset()
    sizes: frozenset[SizeFilter] = frozenset()
    materials: frozenset[str] = frozenset()
    conditions: frozenset[Condition] = frozenset()
    statuses: frozenset[ItemStatus] = frozenset()
    seasons: frozenset[Season] = frozenset()
    tags: frozenset[str] = frozenset()
    purchased_from: date | None = None
    purchased_to: date | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    terms: tuple[str, ...] = ()
    wear_min: int | None = None
    wear_max: int | None = None
    worn_before: date | None = None  # not worn since this day (never worn included)
    ids: frozenset[uuid.UUID] | None = None  # only these items (a collection's members)
    also: ItemFilter | None = None  # another filter that must match too (a smart collection)

    def without(self, facet: Literal["categories", "colors", "brands"]) -> ItemFilter:
        """This filter with one facet's own values dropped (for that facet's counts)."""
        if facet == "categories":
            return replace(self, categories=frozenset())
        if facet == "colors":
            return replace(self, colors=frozenset())
        return replace(self, brands=frozenset())


@dataclass(frozen=True, slots=True)
class Cursor:
    sort: Sort
    value: SortValue | None
    item_id: uuid.UUID

    def encode(self) -> str:
        payload = [str(self.sort), _dump_value(self.value), self.item_id.hex]
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, sort: Sort) -> Cursor:
        bad = InvalidValue.of("cursor", "is not a cursor this list gave out")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            sort_text, value, item_hex = json.loads(raw)
            item_id = uuid.UUID(hex=item_hex)
            parsed = None if value is None else _load_value(sort.field, value)
        except (ValueError, TypeError, binascii.Error, InvalidOperation, UnicodeDecodeError):
            raise bad from None
        if sort_text != str(sort):
            raise InvalidValue.of("cursor", "belongs to another sort order; start again without it")
        return cls(sort, parsed, item_id)


@dataclass(frozen=True, kw_only=True)
class ItemQuery:
    filter: ItemFilter = field(default_factory=ItemFilter)
    sort: Sort = Sort(SortField.CREATED_AT, descending=True)
    limit: int = DEFAULT_LIMIT
    after: Cursor | None = None


@dataclass(frozen=True, slots=True)
class ItemPage:
    items: list[ClothingItem]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Facets:
    categories: list[FacetCount]
    colors: list[FacetCount]
    brands: list[FacetCount]


# --- projections: derived values stored beside an item so lists can filter and sort -----


def text_key(value: str | None) -> str | None:
    return value.casefold() if value is not None else None


def search_text(details: ItemDetails) -> str:
    parts = [details.name, details.brand or "", *details.tags, details.notes or ""]
    return "\n".join(p for p in parts if p).casefold()


def color_key(details: ItemDetails) -> int | None:
    return color_sort_key(details.colors[0].hex) if details.colors else None


def season_mask(seasons: Iterable[Season]) -> int:
    order = list(Season)
    return sum(1 << order.index(s) for s in set(seasons))


# --- reference semantics ------------------------------------------------------------------


def matches(item: ClothingItem, f: ItemFilter) -> bool:
    d = item.details
    if f.categories and d.category not in f.categories:
        return False
    if f.subcategories and text_key(d.subcategory) not in f.subcategories:
        return False
    if f.brands and text_key(d.brand) not in f.brands:
        return False
    if f.colors and not f.colors.intersection(c.name for c in d.colors):
        return False
    if f.sizes and not any(_size_matches(item, s) for s in f.sizes):
        return False
    if f.materials and not f.materials.intersection(m.fibre for m in d.materials):
        return False
    if f.conditions and d.condition not in f.conditions:
        return False
    if f.statuses and item.status not in f.statuses:
        return False
    if f.seasons and not f.seasons & d.seasons:
        return False
    if f.tags and not f.tags.intersection(d.tags):
        return False
    bought = d.purchase.on if d.purchase else None
    if f.purchased_from and (bought is None or bought < f.purchased_from):
        return False
    if f.purchased_to and (bought is None or bought > f.purchased_to):
        return False
    price = d.purchase.price.amount if d.purchase and d.purchase.price else None
    if f.price_min is not None and (price is None or price < f.price_min):
        return False
    if f.price_max is not None and (price is None or price > f.price_max):
        return False
    text = search_text(d)
    return all(term in text for term in f.terms) and _matches_usage(item, f)


def _matches_usage(item: ClothingItem, f: ItemFilter) -> bool:
    """Wear counts, wear recency, a set of ids, and a second filter."""
    if f.wear_min is not None and item.wear_count < f.wear_min:
        return False
    if f.wear_max is not None and item.wear_count > f.wear_max:
        return False
    if f.worn_before is not None and item.last_worn_at is not None and item.last_worn_at >= f.worn_before:
        return False
    if f.ids is not None and item.id not in f.ids:
        return False
    return f.also is None or matches(item, f.also)


def _size_matches(item: ClothingItem, wanted: SizeFilter) -> bool:
    size = item.details.size
    if size is None or size.label.casefold() != wanted.label_key:
        return False
    return wanted.system is None or wanted.system is size.system


def sort_value(item: ClothingItem, sort_field: SortField) -> SortValue | None:
    d = item.details
    match sort_field:
        case SortField.CREATED_AT:
            return item.created_at
        case SortField.UPDATED_AT:
            return item.updated_at
        case SortField.NAME:
            return d.name.casefold()
        case SortField.BRAND:
            return text_key(d.brand)
        case SortField.PURCHASE_DATE:
            return d.purchase.on if d.purchase else None
        case SortField.PRICE:
            return d.purchase.price.amount if d.purchase and d.purchase.price else None
        case SortField.WEAR_COUNT:
            return item.wear_count
        case SortField.LAST_WORN_AT:
            return item.last_worn_at
        case SortField.COLOR:
            return color_key(d)


def is_after(value: Any, item_id: uuid.UUID, cursor: Cursor) -> bool:
    """Whether a row with this sort value and id comes after the cursor (nulls always last)."""
    desc = cursor.sort.descending
    if cursor.value is None:
        return value is None and (item_id < cursor.item_id if desc else item_id > cursor.item_id)
    if value is None:
        return True
    if value == cursor.value:
        return item_id < cursor.item_id if desc else item_id > cursor.item_id
    return bool(value < cursor.value) if desc else bool(value > cursor.value)


def order(items: Iterable[ClothingItem], sort: Sort) -> list[ClothingItem]:
    keyed = [(sort_value(i, sort.field), i) for i in items]
    present = sorted(
        ((v, i) for v, i in keyed if v is not None),
        key=lambda p: (p[0], p[1].id),
        reverse=sort.descending,
    )
    missing = sorted((i for v, i in keyed if v is None), key=lambda i: i.id, reverse=sort.descending)
    return [i for _, i in present] + missing


def next_cursor(page: list[ClothingItem], has_more: bool, sort: Sort) -> str | None:
    if not has_more or not page:
        return None
    last = page[-1]
    return Cursor(sort, sort_value(last, sort.field), last.id).encode()


def facet_counts(items: Iterable[ClothingItem], f: ItemFilter) -> Facets:
    """Counts for a sidebar: each facet applies every filter but its own."""
    pool = list(items)
    categories: dict[str, int] = {}
    for item in (i for i in pool if matches(i, f.without("categories"))):
        categories[item.details.category.value] = categories.get(item.details.category.value, 0) + 1
    colors: dict[str, int] = {}
    for item in (i for i in pool if matches(i, f.without("colors"))):
        for name in {c.name for c in item.details.colors}:
            colors[name] = colors.get(name, 0) + 1
    brands: dict[str, tuple[str, int]] = {}
    for item in (i for i in pool if matches(i, f.without("brands"))):
        brand = item.details.brand
        if brand is not None:
            label, count = brands.get(brand.casefold(), (brand, 0))
            brands[brand.casefold()] = (min(label, brand), count + 1)
    return Facets(
        categories=ranked(FacetCount(k, k, n) for k, n in categories.items()),
        colors=ranked(FacetCount(k, k, n) for k, n in colors.items()),
        brands=ranked((FacetCount(k, label, n) for k, (label, n) in brands.items()))[:BRAND_FACET_LIMIT],
    )


def ranked(counts: Iterable[FacetCount]) -> list[FacetCount]:
    """Most frequent first; ties by value."""
    return sorted(counts, key=lambda c: (-c.count, c.value))


def _dump_value(value: SortValue | None) -> Any:
    if value is None or isinstance(value, (int, str)):
        return value
    return value.isoformat() if isinstance(value, (date, datetime)) else str(value)


def _load_value(sort_field: SortField, raw: Any) -> SortValue:
    if sort_field in (SortField.CREATED_AT, SortField.UPDATED_AT):
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            raise ValueError("naive timestamp")
        return moment
    if sort_field in (SortField.PURCHASE_DATE, SortField.LAST_WORN_AT):
        return date.fromisoformat(raw)
    if sort_field is SortField.PRICE:
        amount = Decimal(raw)
        if not amount.is_finite():
            raise ValueError("not finite")
        return amount
    if sort_field in (SortField.WEAR_COUNT, SortField.COLOR):
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise TypeError("not an int")
        return raw
    if not isinstance(raw, str):
        raise TypeError("not a string")
    return raw
