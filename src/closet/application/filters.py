"""The item filter as clients send it (strings), and its validated form."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from string import hexdigits
from typing import TypeVar

from closet.application.item_query import ItemFilter, SizeFilter
from closet.application.ports.clock import Clock
from closet.domain.colors import Color, canonical_name
from closet.domain.errors import ErrorCollector, InvalidValue
from closet.domain.items import (
    Category,
    Condition,
    ItemStatus,
    Season,
    current_season,
    enum_value,
    normalise_tag,
)
from closet.domain.materials import canonical_fibre
from closet.domain.money import MAX_AMOUNT
from closet.domain.sizes import Size

T = TypeVar("T")
Q_MAX = 200
VALUES_MAX = 50


@dataclass(frozen=True, kw_only=True)
class FilterSpec:
    category: Sequence[str] = ()
    subcategory: Sequence[str] = ()
    brand: Sequence[str] = ()
    color: Sequence[str] = ()
    size: Sequence[str] = ()
    material: Sequence[str] = ()
    condition: Sequence[str] = ()
    status: Sequence[str] = ()
    season: Sequence[str] = ()
    tag: Sequence[str] = ()
    purchased_from: date | None = None
    purchased_to: date | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    q: str | None = None
    wear_min: int | None = None
    wear_max: int | None = None
    not_worn_days: int | None = None  # not worn in the last N days (never worn included)


@dataclass(frozen=True, kw_only=True)
class FilterContext:
    """What some filters are relative to: today, and the owner's hemisphere (season=now)."""

    today: date
    southern: bool = False

    @classmethod
    def owners(cls, clock: Clock, *, time_zone: str, southern: bool) -> FilterContext:
        """The owner's: today where they are (their time zone), and their hemisphere."""
        return cls(today=clock.today_in(time_zone), southern=southern)


def build_filter(spec: FilterSpec, context: FilterContext | None = None) -> ItemFilter:
    errors = ErrorCollector()
    today = context.today if context is not None else None

    def season(value: str) -> Season:
        if value.strip().casefold() == "now":
            if today is None:
                raise InvalidValue.of("", "'now' needs a date to resolve")
            return current_season(today, context.southern if context else False)
        return enum_value(Season, value, "")

    def each(name: str, values: Sequence[str], parse: Callable[[str], T]) -> frozenset[T]:
        if len(values) > VALUES_MAX:
            errors.add(name, f"at most {VALUES_MAX} values")
            return frozenset()
        out = (errors.attempt(f"{name}[{i}]", partial(parse, v)) for i, v in enumerate(values))
        return frozenset(v for v in out if v is not None)

    result = ItemFilter(
        categories=each("category", spec.category, lambda v: enum_value(Category, v, "")),
        subcategories=each("subcategory", spec.subcategory, _key),
        brands=each("brand", spec.brand, _key),
        colors=each("color", spec.color, _color),
        sizes=each("size", spec.size, _size),
        materials=each("material", spec.material, _fibre),
        conditions=each("condition", spec.condition, lambda v: enum_value(Condition, v, "")),
        statuses=each("status", spec.status, lambda v: enum_value(ItemStatus, v, "")),
        seasons=each("season", spec.season, season),
        tags=each("tag", spec.tag, normalise_tag),
        purchased_from=spec.purchased_from,
        purchased_to=spec.purchased_to,
        price_min=_amount(errors, "price_min", spec.price_min),
        price_max=_amount(errors, "price_max", spec.price_max),
        terms=_terms(errors, spec.q),
        wear_min=_count(errors, "wear_min", spec.wear_min),
        wear_max=_count(errors, "wear_max", spec.wear_max),
        worn_before=_worn_before(errors, spec.not_worn_days, today),
    )
    if result.purchased_from and result.purchased_to and result.purchased_from > result.purchased_to:
        errors.add("purchased_from", "must not be after purchased_to")
    if result.price_min is not None and result.price_max is not None and result.price_min > result.price_max:
        errors.add("price_min", "must not be more than price_max")
    if result.wear_min is not None and result.wear_max is not None and result.wear_min > result.wear_max:
        errors.add("wear_min", "must not be more than wear_max")
    errors.raise_if_any()
    return result


def _count(errors: ErrorCollector, name: str, value: int | None) -> int | None:
    if value is not None and not 0 <= value <= 1_000_000:
        errors.add(name, "must be a whole number from 0 to 1000000")
        return None
    return value


def _worn_before(errors: ErrorCollector, days: int | None, today: date | None) -> date | None:
    if days is None:
        return None
    if not 1 <= days <= 36_500:
        errors.add("not_worn_days", "must be a number of days from 1 to 36500")
        return None
    if today is None:
        errors.add("not_worn_days", "needs a date to count from")
        return None
    return today - timedelta(days=days)


def _key(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise InvalidValue.of("", "must not be empty")
    return text.casefold()


def _color(value: str) -> str:
    """A palette name, or a hex mapped to its nearest palette colour."""
    try:
        return Color.of(hex=value).name if _looks_like_hex(value) else canonical_name(value)
    except InvalidValue as exc:
        raise InvalidValue.of("", exc.errors[0].message) from None


def _looks_like_hex(value: str) -> bool:
    digits = value.strip().removeprefix("#")
    return value.strip().startswith("#") or (len(digits) == 6 and all(c in hexdigits for c in digits))


def _fibre(value: str) -> str:
    try:
        return canonical_fibre(value)
    except InvalidValue as exc:
        raise InvalidValue.of("", exc.errors[0].message) from None


def _size(value: str) -> SizeFilter:
    """``system:label`` for one system, or a bare label that matches in any system."""
    system, sep, label = value.partition(":")
    if sep:
        size = Size.of(system, label)
        return SizeFilter(size.label.casefold(), size.system)
    for guess in _BARE_LABEL_SYSTEMS:  # "m" → "M", "32x34" → "W32 L34", "38,5" → "38.5"
        try:
            return SizeFilter(Size.of(guess, value).label.casefold())
        except InvalidValue:
            continue
    return SizeFilter(_key(value))


_BARE_LABEL_SYSTEMS = ("letter", "jeans", "shoe_eu")


def _amount(errors: ErrorCollector, name: str, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or value < 0 or value >= MAX_AMOUNT:
        errors.add(name, f"must be a number from 0 to {MAX_AMOUNT}")
        return None
    if value != value.quantize(Decimal("0.0001")):
        errors.add(name, "at most four decimal places")
        return None
    return value


def _terms(errors: ErrorCollector, q: str | None) -> tuple[str, ...]:
    if q is None:
        return ()
    if len(q) > Q_MAX:
        errors.add("q", f"must be at most {Q_MAX} characters")
        return ()
    return tuple(dict.fromkeys(q.casefold().split()))
