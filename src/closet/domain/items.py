"""The clothing item and its value objects."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import NewType

from closet.domain.colors import Color
from closet.domain.errors import InvalidValue, bounded_text, enum_value
from closet.domain.images import ItemPhoto
from closet.domain.materials import MaterialShare
from closet.domain.money import Money
from closet.domain.sizes import Size
from closet.domain.users import UserId

ItemId = NewType("ItemId", uuid.UUID)

__all__ = ["enum_value"]  # re-exported: the item vocabularies are parsed with it

NAME_MAX = 120
BRAND_MAX = 80
SUBCATEGORY_MAX = 60
STORE_MAX = 120
NOTES_MAX = 4000
TAG_MAX = 40
TAGS_MAX = 50
COLORS_MAX = 8


class Category(StrEnum):
    TOP = "top"
    BOTTOM = "bottom"
    DRESS = "dress"
    OUTERWEAR = "outerwear"
    KNITWEAR = "knitwear"
    SHOES = "shoes"
    BAG = "bag"
    ACCESSORY = "accessory"
    JEWELLERY = "jewellery"
    ACTIVEWEAR = "activewear"
    SWIMWEAR = "swimwear"
    SLEEPWEAR = "sleepwear"
    UNDERWEAR = "underwear"
    OTHER = "other"


class Condition(StrEnum):
    NEW = "new"
    LIKE_NEW = "like_new"
    GOOD = "good"
    FAIR = "fair"
    WORN = "worn"


class ItemStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class ArchiveReason(StrEnum):
    DONATED = "donated"
    SOLD = "sold"
    LOST = "lost"
    DAMAGED = "damaged"
    OTHER = "other"


class Season(StrEnum):
    SPRING = "spring"
    SUMMER = "summer"
    AUTUMN = "autumn"
    WINTER = "winter"


def season_names(seasons: Iterable[Season]) -> list[str]:
    """The seasons' names in the calendar's order, spring first (as ``Season`` declares them)."""
    return list(_season_order(frozenset(seasons)))


@functools.cache
def _season_order(seasons: frozenset[Season]) -> tuple[str, ...]:  # 16 possible sets
    return tuple(s.value for s in Season if s in seasons)


def normalise_tag(value: str) -> str:
    tag = " ".join(value.split()).casefold()
    if not tag:
        raise InvalidValue.of("", "a tag must not be empty")
    if len(tag) > TAG_MAX:
        raise InvalidValue.of("", f"a tag must be at most {TAG_MAX} characters")
    return tag


def normalise_tags(values: Iterable[str]) -> tuple[str, ...]:
    """Trimmed, case-folded, de-duplicated tags in first-seen order; at most 50."""
    tags: dict[str, None] = {}
    for index, value in enumerate(values):
        try:
            tags[normalise_tag(value)] = None
        except InvalidValue as exc:
            raise exc.under(f"[{index}]") from None
    if len(tags) > TAGS_MAX:
        raise InvalidValue.of("", f"at most {TAGS_MAX} tags")
    return tuple(tags)


def distinct_colors(values: Iterable[Color]) -> tuple[Color, ...]:
    """Colours with the primary first; a palette name appears once."""
    seen: dict[str, Color] = {}
    for color in values:
        seen.setdefault(color.name, color)
    if len(seen) > COLORS_MAX:
        raise InvalidValue.of("", f"at most {COLORS_MAX} colours")
    return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class Purchase:
    on: date | None = None
    price: Money | None = None
    store: str | None = None

    @classmethod
    def of(cls, *, on: date | None, price: Money | None, store: str | None, today: date) -> Purchase:
        if on is not None and on > today:
            raise InvalidValue.of("date", "a purchase date cannot be in the future")
        shop = bounded_text(store, field="store", max_len=STORE_MAX) if store else None
        return cls(on, price, shop)


@dataclass(frozen=True, slots=True)
class ItemDetails:
    """Everything about an item that its owner describes (and may edit)."""

    name: str
    category: Category
    subcategory: str | None = None
    brand: str | None = None
    colors: tuple[Color, ...] = ()
    size: Size | None = None
    materials: tuple[MaterialShare, ...] = ()
    condition: Condition | None = None
    purchase: Purchase | None = None
    seasons: frozenset[Season] = frozenset()
    tags: tuple[str, ...] = ()
    notes: str | None = None


@dataclass(slots=True)
class ClothingItem:
    id: ItemId
    owner_id: UserId
    details: ItemDetails
    created_at: datetime
    updated_at: datetime
    status: ItemStatus = ItemStatus.ACTIVE
    archive_reason: ArchiveReason | None = None
    archived_at: datetime | None = None
    wear_count: int = 0
    last_worn_at: date | None = None
    version: int = 1
    photo: ItemPhoto | None = None  # read with the item; written through the photo repository

    @classmethod
    def create(cls, owner_id: UserId, details: ItemDetails, now: datetime) -> ClothingItem:
        return cls(ItemId(uuid.uuid4()), owner_id, details, now, now)

    def revise(self, details: ItemDetails, now: datetime) -> None:
        if details != self.details:
            self.details = details
            self._touch(now)

    def archive(self, reason: ArchiveReason, now: datetime) -> None:
        if self.status is ItemStatus.ARCHIVED and self.archive_reason is reason:
            return
        self.status, self.archive_reason, self.archived_at = ItemStatus.ARCHIVED, reason, now
        self._touch(now)

    def restore(self, now: datetime) -> None:
        if self.status is ItemStatus.ACTIVE:
            return
        self.status, self.archive_reason, self.archived_at = ItemStatus.ACTIVE, None, None
        self._touch(now)

    def _touch(self, now: datetime) -> None:
        self.updated_at = max(now, self.updated_at)
        self.version += 1


_NORTHERN_SEASONS = {
    12: Season.WINTER, 1: Season.WINTER, 2: Season.WINTER,
    3: Season.SPRING, 4: Season.SPRING, 5: Season.SPRING,
    6: Season.SUMMER, 7: Season.SUMMER, 8: Season.SUMMER,
    9: Season.AUTUMN, 10: Season.AUTUMN, 11: Season.AUTUMN,
}  # fmt: skip
_OPPOSITE = {
    Season.WINTER: Season.SUMMER,
    Season.SUMMER: Season.WINTER,
    Season.SPRING: Season.AUTUMN,
    Season.AUTUMN: Season.SPRING,
}


def current_season(today: date, southern: bool = False) -> Season:
    """The meteorological season of ``today``; the southern hemisphere's is the opposite."""
    season = _NORTHERN_SEASONS[today.month]
    return _OPPOSITE[season] if southern else season


_COLD = frozenset({Season.AUTUMN, Season.WINTER})
_WARM = frozenset({Season.SPRING, Season.SUMMER})
_WARM_FIBRES = {"wool", "merino", "cashmere", "alpaca", "mohair", "down", "feather", "fur"}
_COOL_FIBRES = {"linen"}
_COLD_WORDS = {"boots", "boot", "coat", "parka", "puffer", "scarf", "gloves", "beanie", "thermal"}
_WARM_WORDS = {"sandals", "sandal", "shorts", "flip-flops", "tank", "bikini", "espadrilles"}


def suggest_seasons(details: ItemDetails) -> frozenset[Season]:
    """Seasons an item is probably for, from what it is and what it is made of (wool knitwear:
    autumn and winter; linen: summer); empty when nothing says. Used only when the owner gave
    none."""
    fibres = {m.fibre for m in details.materials if m.percent >= 30}
    words = set((details.subcategory or "").casefold().replace("/", " ").split())
    if details.category is Category.SWIMWEAR or fibres & _COOL_FIBRES:
        return frozenset({Season.SUMMER})
    if words & _WARM_WORDS:
        return _WARM
    if fibres & _WARM_FIBRES or words & _COLD_WORDS:
        return _COLD
    return frozenset()
