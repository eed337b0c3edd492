from __future__ import annotations

from dataclasses import dataclass, field

from closet.domain.items import ClothingItem, ItemId
from closet.domain.users import User, UserId


@dataclass
class MemoryStore:
    """What the memory adapters hold; one instance plays the role of a database."""

    users: dict[UserId, User] = field(default_factory=dict)
    items: dict[ItemId, ClothingItem] = field(default_factory=dict)
