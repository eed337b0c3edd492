"""Hypothesis strategies: catalogues, filters and sorts with deliberate collisions.

Values are drawn from small pools so that ties, nulls and shared brands happen often:
that is where ordering and pagination bugs live.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from closet.application.item_query import ItemFilter, SizeFilter, Sort, SortField
from closet.domain.colors import PALETTE, Color
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
)
from closet.domain.materials import MaterialShare
from closet.domain.money import Money
from closet.domain.sizes import Size, SizeSystem
from closet.domain.users import UserId

BASE = datetime(2025, 1, 1, tzinfo=UTC)
NAMES = ["Coat", "coat", "Blazer", "Ärmel top", "zebra tee", "Jeans", "jeans 2", "Émile dress", "a"]
BRANDS = ["Acme", "acme", "ACME", "Zara", "Uniqlo", "Émoi", "cos"]
TAGS = ["work", "summer", "party", "favourite", "travel"]
FIBRES = ["cotton", "wool", "elastane", "linen", "silk"]
SIZES = [Size.of("letter", "M"), Size.of("letter", "S"), Size.of("eu", "38"), Size.of("shoe_eu", "38")]
COLOR_NAMES = ["black", "navy", "red", "white", "beige", "green"]


@st.composite
def details(draw: st.DrawFn) -> ItemDetails:
    colors = draw(st.lists(st.sampled_from(COLOR_NAMES), max_size=3, unique=True))
    fibres = draw(st.lists(st.sampled_from(FIBRES), max_size=2, unique=True))
    materials: tuple[MaterialShare, ...] = ()
    if len(fibres) == 1:
        materials = (MaterialShare(fibres[0], Decimal(100)),)
    elif len(fibres) == 2:
        materials = (MaterialShare(fibres[0], Decimal(95)), MaterialShare(fibres[1], Decimal(5)))
    price = draw(st.none() | st.sampled_from(["0", "9.99", "10.00", "120.50", "55"]))
    bought = draw(st.none() | st.dates(date(2024, 1, 1), date(2024, 1, 20)))
    purchase = None
    if price is not None or bought is not None:
        money = Money.of(Decimal(price), "EUR") if price is not None else None
        purchase = Purchase(bought, money, None)
    return ItemDetails(
        name=draw(st.sampled_from(NAMES)),
        category=draw(st.sampled_from(list(Category)[:5])),
        subcategory=draw(st.none() | st.sampled_from(["Parka", "parka", "T-shirt"])),
        brand=draw(st.none() | st.sampled_from(BRANDS)),
        colors=tuple(Color(n, PALETTE[n]) for n in colors),
        size=draw(st.none() | st.sampled_from(SIZES)),
        materials=materials,
        condition=draw(st.none() | st.sampled_from(list(Condition))),
        purchase=purchase,
        seasons=frozenset(draw(st.lists(st.sampled_from(list(Season)), max_size=2))),
        tags=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=2, unique=True))),
        notes=draw(st.none() | st.sampled_from(["lovely wool", "needs repair", "Gift"])),
    )


@st.composite
def items(draw: st.DrawFn, owner_id: UserId) -> ClothingItem:
    created = BASE + timedelta(minutes=draw(st.integers(0, 5)))
    archived = draw(st.booleans()) and draw(st.booleans())
    return ClothingItem(
        id=ItemId(uuid.UUID(int=draw(st.integers(1, 2**128 - 1)))),
        owner_id=owner_id,
        details=draw(details()),
        created_at=created,
        updated_at=created + timedelta(seconds=draw(st.integers(0, 3))),
        status=ItemStatus.ARCHIVED if archived else ItemStatus.ACTIVE,
        archive_reason=ArchiveReason.SOLD if archived else None,
        archived_at=created if archived else None,
        wear_count=draw(st.integers(0, 3)),
        last_worn_at=draw(st.none() | st.dates(date(2025, 3, 1), date(2025, 3, 4))),
    )


def subset(values: list[str]) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(values), max_size=2)


@st.composite
def filters(draw: st.DrawFn, nested: bool = True) -> ItemFilter:
    """Mostly-empty filters: each field is set with modest probability. ``also`` (a second
    filter, as a smart collection's rules under a listing's filter) one level deep."""

    def pick(strategy: st.SearchStrategy, empty: object) -> object:  # type: ignore[type-arg]
        return draw(strategy) if draw(st.integers(0, 3)) == 0 else empty

    price_min = pick(st.sampled_from([Decimal(0), Decimal("9.99"), Decimal(50)]), None)
    return ItemFilter(
        categories=pick(st.frozensets(st.sampled_from(list(Category)[:5]), max_size=2), frozenset()),
        subcategories=pick(subset(["parka", "t-shirt"]), frozenset()),
        brands=pick(subset(["acme", "zara", "émoi"]), frozenset()),
        colors=pick(subset(COLOR_NAMES), frozenset()),
        sizes=pick(
            st.frozensets(
                st.sampled_from([SizeFilter("m"), SizeFilter("38"), SizeFilter("38", SizeSystem.EU)]),
                max_size=2,
            ),
            frozenset(),
        ),
        materials=pick(subset(FIBRES), frozenset()),
        conditions=pick(st.frozensets(st.sampled_from(list(Condition)), max_size=2), frozenset()),
        statuses=pick(st.frozensets(st.sampled_from(list(ItemStatus)), max_size=1), frozenset()),
        seasons=pick(st.frozensets(st.sampled_from(list(Season)), max_size=2), frozenset()),
        tags=pick(subset(TAGS), frozenset()),
        purchased_from=pick(st.dates(date(2024, 1, 1), date(2024, 1, 20)), None),
        purchased_to=pick(st.dates(date(2024, 1, 5), date(2024, 1, 25)), None),
        price_min=price_min,
        price_max=pick(st.sampled_from([Decimal("9.99"), Decimal(100)]), None),
        terms=pick(
            st.lists(st.sampled_from(["coat", "wool", "acme", "é", "a", "%", "_", "/"]), max_size=2).map(
                tuple
            ),
            (),
        ),
        wear_min=pick(st.integers(0, 3), None),
        wear_max=pick(st.integers(0, 3), None),
        worn_before=pick(st.dates(date(2025, 3, 1), date(2025, 3, 5)), None),
        also=pick(filters(nested=False), None) if nested else None,
    )  # type: ignore[arg-type]


sorts = st.builds(Sort, st.sampled_from(list(SortField)), st.booleans())
