"""Collections: items and outfits grouped by hand (ordered), or by saved rules (smart)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import NewType

from closet.domain.errors import InvalidValue, bounded_text
from closet.domain.items import Season
from closet.domain.users import UserId

CollectionId = NewType("CollectionId", uuid.UUID)
NAME_MAX = 80
DESCRIPTION_MAX = 2000
ENTRIES_MAX = 2000


class MemberKind(StrEnum):
    ITEM = "item"
    OUTFIT = "outfit"


@dataclass(frozen=True, slots=True)
class Member:
    kind: MemberKind
    id: uuid.UUID


def collection_name(value: str) -> str:
    name = bounded_text(value, field="name", max_len=NAME_MAX, required=True)
    assert name is not None
    return name


@dataclass(frozen=True, slots=True)
class CollectionDetails:
    name: str
    description: str | None = None
    tags: tuple[str, ...] = ()
    seasons: frozenset[Season] = frozenset()
    cover: Member | None = None  # one of its members
    rules: dict[str, object] | None = None  # a smart collection's saved filter (FilterSpec fields)
    sort: str | None = None  # a smart collection's saved sort

    @property
    def smart(self) -> bool:
        return self.rules is not None


@dataclass(slots=True)
class Collection:
    id: CollectionId
    owner_id: UserId
    details: CollectionDetails
    created_at: datetime
    updated_at: datetime
    members: list[Member] = field(default_factory=list)  # in their manual order
    version: int = 1

    @classmethod
    def create(cls, owner_id: UserId, details: CollectionDetails, now: datetime) -> Collection:
        return cls(CollectionId(uuid.uuid4()), owner_id, details, now, now)

    def revise(self, details: CollectionDetails, now: datetime) -> None:
        if details.cover is not None and details.cover not in self.members and not details.smart:
            raise InvalidValue.of("cover", "the cover must be one of the collection's members")
        if details != self.details:
            self.details = details
            self._touch(now)

    def add(self, members: Iterable[Member], now: datetime) -> list[Member]:
        """Appends the members not in it yet (answers those)."""
        self._manual("add to")
        present = set(self.members)
        added = [m for m in dict.fromkeys(members) if m not in present]
        if len(self.members) + len(added) > ENTRIES_MAX:
            raise InvalidValue.of("members", f"a collection holds at most {ENTRIES_MAX} members")
        if added:
            self.members.extend(added)
            self._touch(now)
        return added

    def remove(self, members: Iterable[Member], now: datetime) -> list[Member]:
        """Removes members (never the items or outfits themselves); answers those it held."""
        gone = set(members)
        removed = [m for m in self.members if m in gone]
        cover_gone = self.details.cover in gone  # a smart collection's cover is not a stored member
        if removed:
            self.members = [m for m in self.members if m not in gone]
        if cover_gone:
            self.details = replace(self.details, cover=None)
        if removed or cover_gone:
            self._touch(now)
        return removed

    def reorder(self, order: Sequence[Member], now: datetime) -> None:
        """The members in a new order: the same members, each once."""
        self._manual("reorder")
        if (
            len(order) != len(self.members)
            or set(order) != set(self.members)
            or len(set(order)) != len(order)
        ):
            raise InvalidValue.of("order", "must list every member of the collection exactly once")
        if list(order) != self.members:
            self.members = list(order)
            self._touch(now)

    def _manual(self, action: str) -> None:
        if self.details.smart:
            raise InvalidValue.of(
                "members", f"a smart collection's members follow its rules: you cannot {action} it"
            )

    def _touch(self, now: datetime) -> None:
        self.updated_at = max(now, self.updated_at)
        self.version += 1
