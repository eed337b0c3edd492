"""Plain input shapes for the item use cases, and their translation into domain values.

Entrypoints fill these from whatever they decode (JSON, CSV, CLI); every rule lives in
the domain, and every error comes back naming its field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import partial
from typing import TypeVar

from closet.domain.colors import Color
from closet.domain.errors import ErrorCollector, bounded_text
from closet.domain.items import (
    BRAND_MAX,
    NAME_MAX,
    NOTES_MAX,
    SUBCATEGORY_MAX,
    Category,
    Condition,
    ItemDetails,
    Purchase,
    Season,
    distinct_colors,
    enum_value,
    normalise_tags,
)
from closet.domain.materials import MaterialShare, composition
from closet.domain.money import Money
from closet.domain.sizes import Size

T = TypeVar("T")
S = TypeVar("S")


class Unset(Enum):
    UNSET = "UNSET"


UNSET = Unset.UNSET


@dataclass(frozen=True, kw_only=True)
class ColorSpec:
    name: str | None = None
    hex: str | None = None


@dataclass(frozen=True, kw_only=True)
class SizeSpec:
    system: str
    label: str


@dataclass(frozen=True, kw_only=True)
class MaterialSpec:
    fibre: str
    percent: Decimal


@dataclass(frozen=True, kw_only=True)
class PriceSpec:
    amount: Decimal
    currency: str


@dataclass(frozen=True, kw_only=True)
class PurchaseSpec:
    date: date | None = None
    price: PriceSpec | None = None
    store: str | None = None


@dataclass(frozen=True, kw_only=True)
class ItemSpec:
    name: str
    category: str
    subcategory: str | None = None
    brand: str | None = None
    colors: Sequence[ColorSpec] = ()
    size: SizeSpec | None = None
    materials: Sequence[MaterialSpec] = ()
    condition: str | None = None
    purchase: PurchaseSpec | None = None
    seasons: Sequence[str] = ()
    tags: Sequence[str] = ()
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class ItemChanges:
    """A partial update: fields left UNSET keep their value; None clears an optional one."""

    name: str | Unset = UNSET
    category: str | Unset = UNSET
    subcategory: str | Unset | None = UNSET
    brand: str | Unset | None = UNSET
    colors: Sequence[ColorSpec] | Unset = UNSET
    size: SizeSpec | Unset | None = UNSET
    materials: Sequence[MaterialSpec] | Unset = UNSET
    condition: str | Unset | None = UNSET
    purchase: PurchaseSpec | Unset | None = UNSET
    seasons: Sequence[str] | Unset = UNSET
    tags: Sequence[str] | Unset = UNSET
    notes: str | Unset | None = UNSET


def build_details(spec: ItemSpec, today: date) -> ItemDetails:
    return _Builder(today).details(spec)


def apply_changes(current: ItemDetails, changes: ItemChanges, today: date) -> ItemDetails:
    """The details after ``changes``; validates only what was sent."""
    b = _Builder(today)
    result = ItemDetails(
        name=_keep(changes.name, current.name, b.name),
        category=_keep(changes.category, current.category, b.category),
        subcategory=_keep(changes.subcategory, current.subcategory, b.subcategory),
        brand=_keep(changes.brand, current.brand, b.brand),
        colors=_keep(changes.colors, current.colors, b.colors),
        size=_keep(changes.size, current.size, b.size),
        materials=_keep(changes.materials, current.materials, b.materials),
        condition=_keep(changes.condition, current.condition, b.condition),
        purchase=_keep(changes.purchase, current.purchase, b.purchase),
        seasons=_keep(changes.seasons, current.seasons, b.seasons),
        tags=_keep(changes.tags, current.tags, b.tags),
        notes=_keep(changes.notes, current.notes, b.notes),
    )
    b.errors.raise_if_any()
    return result


def _keep(sent: S | Unset, current: T, build: Callable[[S], T]) -> T:
    return current if isinstance(sent, Unset) else build(sent)


class _Builder:
    """Turns specs into domain values, collecting every error with its field path."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.errors = ErrorCollector()

    def details(self, spec: ItemSpec) -> ItemDetails:
        result = ItemDetails(
            name=self.name(spec.name),
            category=self.category(spec.category),
            subcategory=self.subcategory(spec.subcategory),
            brand=self.brand(spec.brand),
            colors=self.colors(spec.colors),
            size=self.size(spec.size),
            materials=self.materials(spec.materials),
            condition=self.condition(spec.condition),
            purchase=self.purchase(spec.purchase),
            seasons=self.seasons(spec.seasons),
            tags=self.tags(spec.tags),
            notes=self.notes(spec.notes),
        )
        self.errors.raise_if_any()
        return result

    def name(self, value: str) -> str:
        result = self.errors.attempt(
            "name", lambda: bounded_text(value, field="", max_len=NAME_MAX, required=True)
        )
        return result or ""

    def category(self, value: str) -> Category:
        return self.errors.attempt("category", lambda: enum_value(Category, value, "")) or Category.OTHER

    def subcategory(self, value: str | None) -> str | None:
        return self._text("subcategory", value, SUBCATEGORY_MAX)

    def brand(self, value: str | None) -> str | None:
        return self._text("brand", value, BRAND_MAX)

    def notes(self, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if len(value) > NOTES_MAX:
            self.errors.add("notes", f"must be at most {NOTES_MAX} characters")
        return value.strip()

    def colors(self, values: Sequence[ColorSpec]) -> tuple[Color, ...]:
        built = [
            self.errors.attempt(f"colors[{i}]", partial(Color.of, c.name, c.hex))
            for i, c in enumerate(values)
        ]
        return self.errors.attempt("colors", lambda: distinct_colors(c for c in built if c)) or ()

    def size(self, value: SizeSpec | None) -> Size | None:
        if value is None:
            return None
        return self.errors.attempt("size", lambda: Size.of(value.system, value.label))

    def materials(self, values: Sequence[MaterialSpec]) -> tuple[MaterialShare, ...]:
        pairs = [(m.fibre, m.percent) for m in values]
        return self.errors.attempt("materials", lambda: composition(pairs)) or ()

    def condition(self, value: str | None) -> Condition | None:
        if value is None:
            return None
        return self.errors.attempt("condition", lambda: enum_value(Condition, value, ""))

    def purchase(self, value: PurchaseSpec | None) -> Purchase | None:
        if value is None or (value.date is None and value.price is None and not value.store):
            return None  # an empty purchase is no purchase
        price = None
        if value.price is not None:
            p = value.price
            price = self.errors.attempt("purchase.price", lambda: Money.of(p.amount, p.currency))
        return self.errors.attempt(
            "purchase",
            lambda: Purchase.of(on=value.date, price=price, store=value.store, today=self.today),
        )

    def seasons(self, values: Sequence[str]) -> frozenset[Season]:
        built = (
            self.errors.attempt(f"seasons[{i}]", partial(enum_value, Season, s, ""))
            for i, s in enumerate(values)
        )
        return frozenset(s for s in built if s is not None)

    def tags(self, values: Sequence[str]) -> tuple[str, ...]:
        return self.errors.attempt("tags", lambda: normalise_tags(values)) or ()

    def _text(self, field_name: str, value: str | None, max_len: int) -> str | None:
        if value is None:
            return None
        return self.errors.attempt(field_name, lambda: bounded_text(value, field="", max_len=max_len))
