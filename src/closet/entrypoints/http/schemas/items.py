"""Item wire types and their translation to and from the application's shapes."""

from __future__ import annotations

import typing
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, UnsetType

from closet.application import item_query, specs
from closet.application.item_listing import ListedItem, listed
from closet.domain.items import ClothingItem
from closet.entrypoints.http.schemas.photos import PhotoRead, photo_read

Text = Annotated[str, Meta(max_length=4000)]


class ColorIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, Meta(max_length=40)] | None = None
    hex: Annotated[str, Meta(max_length=7)] | None = None


class SizeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    system: Annotated[str, Meta(max_length=20, examples=["letter", "eu", "jeans", "shoe_eu"])]
    label: Annotated[str, Meta(max_length=20, examples=["M", "38", "W32 L34"])]


class MaterialIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    fibre: Annotated[str, Meta(max_length=40)]
    percent: Decimal


class PriceIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    amount: Decimal
    currency: Annotated[str, Meta(max_length=3, examples=["EUR"])]


class PurchaseIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    date: date | None = None
    price: PriceIn | None = None
    store: Annotated[str, Meta(max_length=200)] | None = None


class ItemCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, Meta(max_length=500, examples=["Navy wool coat"])]
    category: Annotated[str, Meta(max_length=40, examples=["outerwear"])]
    subcategory: Annotated[str, Meta(max_length=200)] | None = None
    brand: Annotated[str, Meta(max_length=200)] | None = None
    colors: Annotated[list[ColorIn], Meta(max_length=20)] = []
    size: SizeIn | None = None
    materials: Annotated[list[MaterialIn], Meta(max_length=20)] = []
    condition: Annotated[str, Meta(max_length=20)] | None = None
    purchase: PurchaseIn | None = None
    seasons: Annotated[list[Annotated[str, Meta(max_length=20)]], Meta(max_length=8)] = []
    tags: Annotated[list[Annotated[str, Meta(max_length=200)]], Meta(max_length=100)] = []
    notes: Text | None = None


class ItemPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Only the fields sent change; ``null`` clears an optional field."""

    version: int | UnsetType = UNSET
    name: Annotated[str, Meta(max_length=500)] | UnsetType = UNSET
    category: Annotated[str, Meta(max_length=40)] | UnsetType = UNSET
    subcategory: Annotated[str, Meta(max_length=200)] | UnsetType | None = UNSET
    brand: Annotated[str, Meta(max_length=200)] | UnsetType | None = UNSET
    colors: Annotated[list[ColorIn], Meta(max_length=20)] | UnsetType = UNSET
    size: SizeIn | UnsetType | None = UNSET
    materials: Annotated[list[MaterialIn], Meta(max_length=20)] | UnsetType = UNSET
    condition: Annotated[str, Meta(max_length=20)] | UnsetType | None = UNSET
    purchase: PurchaseIn | UnsetType | None = UNSET
    seasons: Annotated[list[Annotated[str, Meta(max_length=20)]], Meta(max_length=8)] | UnsetType = UNSET
    tags: Annotated[list[Annotated[str, Meta(max_length=200)]], Meta(max_length=100)] | UnsetType = UNSET
    notes: Text | UnsetType | None = UNSET


class ArchiveIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: Annotated[str, Meta(max_length=20, examples=["donated"])]
    version: int | None = None


class RestoreIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    version: int | None = None


class ColorOut(msgspec.Struct):
    name: str
    hex: str


class SizeOut(msgspec.Struct):
    system: str
    label: str


class MaterialOut(msgspec.Struct):
    fibre: str
    percent: Decimal


class PriceOut(msgspec.Struct):
    amount: Decimal
    currency: str


class PurchaseOut(msgspec.Struct):
    date: date | None
    price: PriceOut | None
    store: str | None


class ItemSummary(msgspec.Struct):
    """An item as lists show it: everything but the free-text description (which lives in the
    item's document; a page of the list is one SQL query)."""

    id: uuid.UUID
    name: str
    category: str
    subcategory: str | None
    brand: str | None
    colors: list[ColorOut]
    size: SizeOut | None
    materials: list[MaterialOut]
    condition: str | None
    purchase: PurchaseOut | None
    seasons: list[str]
    tags: list[str]
    status: str
    archive_reason: str | None
    archived_at: datetime | None
    wear_count: int
    last_worn_at: date | None
    version: int
    created_at: datetime
    updated_at: datetime
    photo: PhotoRead | None  # None until a photo is uploaded


class ItemRead(ItemSummary):
    """One item, whole: its row and its document."""

    notes: str | None


class ItemList(msgspec.Struct):
    items: list[ItemSummary]
    next_cursor: str | None


class FacetOut(msgspec.Struct):
    value: str
    label: str
    count: int


class FacetsRead(msgspec.Struct):
    categories: list[FacetOut]
    colors: list[FacetOut]
    brands: list[FacetOut]


def item_summaries(items: list[ListedItem]) -> list[ItemSummary]:
    """The wire form of listed items (a page of the list: msgspec converts them all at once)."""
    return msgspec.convert([_with_photo(i) for i in items], list[ItemSummary])


def item_read(item: ClothingItem) -> ItemRead:
    return msgspec.convert({**_with_photo(listed(item)), "notes": item.details.notes}, ItemRead)


def _with_photo(item: ListedItem) -> dict[str, Any] | ListedItem:
    photo = item["photo"]
    return item if photo is None else {**item, "photo": photo_read(item["id"], photo)}


def facets_read(facets: item_query.Facets) -> FacetsRead:
    def out(counts: list[item_query.FacetCount]) -> list[FacetOut]:
        return [FacetOut(c.value, c.label, c.count) for c in counts]

    return FacetsRead(out(facets.categories), out(facets.colors), out(facets.brands))


def item_spec(body: ItemCreate) -> specs.ItemSpec:
    return msgspec.convert(msgspec.to_builtins(body), specs.ItemSpec)


_SPEC_TYPES = typing.get_type_hints(specs.ItemSpec)


def item_changes(body: ItemPatch) -> specs.ItemChanges:
    """Only the fields the client sent, each in its ItemSpec shape."""
    sent = msgspec.to_builtins(body)  # UNSET fields are left out
    sent.pop("version", None)
    return specs.ItemChanges(
        **{name: msgspec.convert(value, _SPEC_TYPES[name] | None) for name, value in sent.items()}
    )
