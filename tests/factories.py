"""Builders for domain objects in tests."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from closet.domain.colors import Color
from closet.domain.items import Category, ClothingItem, ItemDetails, ItemId, Purchase, Season
from closet.domain.money import Money
from closet.domain.users import User, UserId

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def as_stored(item: ClothingItem) -> ClothingItem:
    """What an item repository gives back: the description lives in the item's document."""
    return replace(item, details=replace(item.details, notes=None))


def make_user(email: str | None = None, name: str = "Ann") -> User:
    return User(
        id=UserId(uuid.uuid4()),
        email=email or f"user-{uuid.uuid4().hex[:10]}@example.com",
        display_name=name,
        password_hash="argon2id-not-a-real-hash",
        created_at=NOW,
    )


def make_details(**overrides: Any) -> ItemDetails:
    values: dict[str, Any] = {
        "name": "Navy wool coat",
        "category": Category.OUTERWEAR,
        "brand": "Acme",
        "colors": (Color.of("navy"),),
        "purchase": Purchase(date(2024, 1, 2), Money.of(Decimal("120.50"), "EUR"), "Shop"),
        "seasons": frozenset({Season.WINTER}),
        "tags": ("warm",),
    }
    values.update(overrides)
    return ItemDetails(**values)


def make_item(owner: User | UserId, **overrides: Any) -> ClothingItem:
    owner_id = owner.id if isinstance(owner, User) else owner
    fields = {k: overrides.pop(k) for k in list(overrides) if k in _ITEM_FIELDS}
    item = ClothingItem(
        id=ItemId(uuid.uuid4()),
        owner_id=owner_id,
        details=make_details(**overrides),
        created_at=NOW,
        updated_at=NOW,
    )
    for name, value in fields.items():
        setattr(item, name, value)
    return item


_ITEM_FIELDS = {
    "id",
    "created_at",
    "updated_at",
    "status",
    "archive_reason",
    "archived_at",
    "wear_count",
    "last_worn_at",
    "version",
}


async def registered(container: Any, email: str, password: str, name: str = "Test") -> User:
    """Register through the app's use case (which answers nothing) and load the new user."""
    from closet.application.accounts import RegisterCommand  # noqa: PLC0415

    await container.register_user()(RegisterCommand(email=email, password=password, display_name=name))
    async with container.uow() as uow:
        user = await uow.users.get_by_email(email)
    assert user is not None
    return user  # type: ignore[no-any-return]
