"""Collection wire types."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, UnsetType

from closet.application.collections import CollectionChanges, CollectionSpec, rules_from_dict
from closet.application.filters import FilterSpec
from closet.application.specs import UNSET as SPEC_UNSET
from closet.domain.collections import Collection, Member, MemberKind
from closet.domain.errors import ErrorCollector, enum_value
from closet.domain.items import season_names

Name = Annotated[str, Meta(max_length=300, examples=["Winter work"])]
Words = Annotated[list[Annotated[str, Meta(max_length=200)]], Meta(max_length=100)]
Values = Annotated[list[Annotated[str, Meta(max_length=100)]], Meta(max_length=50)]


class RulesIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The item list's filter language (the same names as its query parameters)."""

    category: Values = []
    subcategory: Values = []
    brand: Values = []
    color: Values = []
    size: Values = []
    material: Values = []
    condition: Values = []
    status: Values = []
    season: Values = []
    tag: Values = []
    purchased_from: date | None = None
    purchased_to: date | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    q: Annotated[str, Meta(max_length=500)] | None = None
    wear_min: int | None = None
    wear_max: int | None = None
    not_worn_days: int | None = None


class MemberIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: Annotated[str, Meta(examples=["item", "outfit"], max_length=20)]
    id: uuid.UUID


class CollectionCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    description: Annotated[str, Meta(max_length=5000)] | None = None
    tags: Words = []
    seasons: Annotated[list[Annotated[str, Meta(max_length=20)]], Meta(max_length=8)] = []
    rules: RulesIn | None = None  # set: a smart collection
    sort: Annotated[str, Meta(max_length=40, examples=["color", "-last_worn_at"])] | None = None


class CollectionPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | UnsetType = UNSET
    description: Annotated[str, Meta(max_length=5000)] | UnsetType | None = UNSET
    tags: Words | UnsetType = UNSET
    seasons: Annotated[list[Annotated[str, Meta(max_length=20)]], Meta(max_length=8)] | UnsetType = UNSET
    cover: MemberIn | UnsetType | None = UNSET
    rules: RulesIn | UnsetType | None = UNSET
    sort: Annotated[str, Meta(max_length=40)] | UnsetType | None = UNSET
    version: int | UnsetType = UNSET


class MembersIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    add: Annotated[list[MemberIn], Meta(max_length=2000)] = []
    remove: Annotated[list[MemberIn], Meta(max_length=2000)] = []
    order: Annotated[list[MemberIn], Meta(max_length=2000)] | None = None  # the full new order
    version: int | None = None


class MemberOut(msgspec.Struct):
    kind: str
    id: uuid.UUID


class CollectionRead(msgspec.Struct):
    id: uuid.UUID
    name: str
    description: str | None
    tags: list[str]
    seasons: list[str]
    smart: bool
    rules: dict[str, Any] | None
    sort: str | None
    cover: MemberOut | None
    members: list[MemberOut]  # in their manual order (empty for a smart collection)
    version: int
    created_at: datetime
    updated_at: datetime


class CollectionSummary(msgspec.Struct):
    id: uuid.UUID
    name: str
    tags: list[str]
    seasons: list[str]
    smart: bool
    member_count: int
    cover: MemberOut | None
    version: int
    updated_at: datetime


def member(body: MemberIn) -> Member:
    return Member(enum_value(MemberKind, body.kind, "kind"), body.id)


def rules(body: RulesIn) -> FilterSpec:
    return rules_from_dict(msgspec.to_builtins(body))


def collection_spec(body: CollectionCreate) -> CollectionSpec:
    return CollectionSpec(
        name=body.name,
        description=body.description,
        tags=body.tags,
        seasons=body.seasons,
        rules=rules(body.rules) if body.rules is not None else None,
        sort=body.sort,
    )


def collection_changes(body: CollectionPatch) -> CollectionChanges:
    def sent(value: object, convert: Any = None) -> Any:
        if isinstance(value, UnsetType):
            return SPEC_UNSET
        return convert(value) if convert is not None and value is not None else value

    return CollectionChanges(
        name=sent(body.name),
        description=sent(body.description),
        tags=sent(body.tags),
        seasons=sent(body.seasons),
        cover=sent(body.cover, member),
        rules=sent(body.rules, rules),
        sort=sent(body.sort),
    )


def _member_out(m: Member | None) -> MemberOut | None:
    return MemberOut(m.kind.value, m.id) if m else None


def collection_read(c: Collection) -> CollectionRead:
    d = c.details
    return CollectionRead(
        id=c.id,
        name=d.name,
        description=d.description,
        tags=list(d.tags),
        seasons=season_names(d.seasons),
        smart=d.smart,
        rules=d.rules,
        sort=d.sort,
        cover=_member_out(d.cover),
        members=[MemberOut(m.kind.value, m.id) for m in c.members],
        version=c.version,
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def collection_summary(c: Collection) -> CollectionSummary:
    d = c.details
    return CollectionSummary(
        id=c.id,
        name=d.name,
        tags=list(d.tags),
        seasons=season_names(d.seasons),
        smart=c.details.smart,
        member_count=len(c.members),
        cover=_member_out(d.cover),
        version=c.version,
        updated_at=c.updated_at,
    )


def members(bodies: list[MemberIn], field: str) -> list[Member]:
    errors = ErrorCollector()
    found = [errors.attempt(f"{field}[{i}]", partial(member, body)) for i, body in enumerate(bodies)]
    errors.raise_if_any()
    return [m for m in found if m is not None]
