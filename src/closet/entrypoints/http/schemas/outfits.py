"""Outfit wire types (outfits, templates, shares, the wear log) and their translation."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from closet.application.outfits.crud import OutfitView
from closet.application.outfits.shares import SharedOutfit
from closet.application.outfits.specs import CanvasSpec, LayerSpec, OutfitChanges, OutfitSpec
from closet.application.outfits.wear import WearResult
from closet.application.ports.outfits import ShareLink, WearEvent
from closet.application.specs import UNSET as SPEC_UNSET
from closet.domain.items import season_names
from closet.domain.outfits import Outfit

Name = Annotated[str, Meta(max_length=500, examples=["Monday office"])]
Words = Annotated[list[Annotated[str, Meta(max_length=20)]], Meta(max_length=10)]
OCCASION_ORDER = ("casual", "work", "formal", "party", "sport", "travel", "other")


class CanvasIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    width: int = 1080
    height: int = 1350
    background: Annotated[str, Meta(max_length=20, examples=["#ffffff", "transparent"])] | None = None


class LayerIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    item_id: uuid.UUID | None = None
    x: float
    y: float
    scale: float = 1.0
    rotation_deg: float = 0.0
    z: int | None = None
    category: Annotated[str, Meta(max_length=40)] | None = None


class OutfitCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    canvas: CanvasIn = msgspec.field(default_factory=CanvasIn)
    layers: Annotated[list[LayerIn], Meta(max_length=100)] = []
    notes: Annotated[str, Meta(max_length=8000)] | None = None
    seasons: Words = []
    occasions: Words = []


class OutfitPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | UnsetType = UNSET
    canvas: CanvasIn | UnsetType = UNSET
    layers: Annotated[list[LayerIn], Meta(max_length=100)] | UnsetType = UNSET
    notes: Annotated[str, Meta(max_length=8000)] | UnsetType | None = UNSET
    seasons: Words | UnsetType = UNSET
    occasions: Words | UnsetType = UNSET
    version: int | UnsetType = UNSET


class CanvasOut(msgspec.Struct):
    width: int
    height: int
    background: str | None


class LayerOut(msgspec.Struct):
    item_id: uuid.UUID | None
    category: str | None
    x: float
    y: float
    scale: float
    rotation_deg: float
    z: int
    item_name: str | None  # what the layer shows (None: a template slot)
    archived: bool  # the item was archived after the outfit was made: it stays, marked


class OutfitRead(msgspec.Struct):
    id: uuid.UUID
    name: str
    canvas: CanvasOut
    layers: list[LayerOut]
    notes: str | None
    seasons: list[str]
    occasions: list[str]
    is_template: bool
    template_id: uuid.UUID | None
    image_url: str | None  # None for a template (slots have nothing to draw)
    version: int
    created_at: datetime
    updated_at: datetime


class OutfitSummary(msgspec.Struct):
    id: uuid.UUID
    name: str
    canvas: CanvasOut
    layer_count: int
    item_ids: list[uuid.UUID]
    seasons: list[str]
    occasions: list[str]
    is_template: bool
    image_url: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class OutfitList(msgspec.Struct):
    items: list[OutfitSummary]
    next_cursor: str | None


class DuplicateIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | None = None


class TemplateCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    outfit_id: uuid.UUID
    name: Name


class TemplateFill(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    fill: Annotated[dict[str, uuid.UUID], Meta(max_length=100)] = {}  # slot index → item id


class ShareCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    expires_in_days: int | None = None


class ShareRead(msgspec.Struct):
    id: uuid.UUID
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    active: bool


class NewShareRead(ShareRead):
    token: str  # shown once
    url: str
    image_url: str


class SharedLayer(msgspec.Struct):
    name: str | None
    category: str | None
    z: int


class SharedOutfitRead(msgspec.Struct):
    name: str
    owner: str  # the owner's display name, nothing else about them
    canvas: CanvasOut
    layers: list[SharedLayer]
    image_url: str


class WearIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    date: date | None = None  # default: today


class WearRead(msgspec.Struct):
    date: date
    recorded: list[uuid.UUID]
    already: list[uuid.UUID]


class WearEventRead(msgspec.Struct):
    date: date
    outfit_id: uuid.UUID | None


def _canvas(body: CanvasIn) -> CanvasSpec:
    return CanvasSpec(width=body.width, height=body.height, background=body.background)


def _layers(layers: list[LayerIn]) -> list[LayerSpec]:
    return [
        LayerSpec(
            item_id=la.item_id,
            x=la.x,
            y=la.y,
            scale=la.scale,
            rotation_deg=la.rotation_deg,
            z=la.z,
            category=la.category,
        )
        for la in layers
    ]


def outfit_spec(body: OutfitCreate) -> OutfitSpec:
    return OutfitSpec(
        name=body.name,
        canvas=_canvas(body.canvas),
        layers=_layers(body.layers),
        notes=body.notes,
        seasons=body.seasons,
        occasions=body.occasions,
    )


def outfit_changes(body: OutfitPatch) -> OutfitChanges:
    def sent(value: object, convert: object = None) -> object:
        if isinstance(value, UnsetType):
            return SPEC_UNSET
        return convert(value) if callable(convert) else value

    return OutfitChanges(
        name=sent(body.name),  # type: ignore[arg-type]
        canvas=sent(body.canvas, _canvas),  # type: ignore[arg-type]
        layers=sent(body.layers, _layers),  # type: ignore[arg-type]
        notes=sent(body.notes),  # type: ignore[arg-type]
        seasons=sent(body.seasons),  # type: ignore[arg-type]
        occasions=sent(body.occasions),  # type: ignore[arg-type]
    )


def _ordered(values: frozenset[str], order: tuple[str, ...]) -> list[str]:
    return [v for v in order if v in values]


def _canvas_out(outfit: Outfit) -> CanvasOut:
    c = outfit.details.canvas
    return CanvasOut(c.width, c.height, c.background)


def image_url(outfit: Outfit) -> str | None:
    return None if outfit.is_template else f"/api/v1/outfits/{outfit.id}/image"


def outfit_read(view: OutfitView) -> OutfitRead:
    o, archived = view.outfit, view.archived
    layers = [
        LayerOut(
            item_id=la.item_id,
            category=(la.category.value if la.category else None)
            or (view.items[la.item_id].details.category.value if la.item_id in view.items else None),
            x=la.x,
            y=la.y,
            scale=la.scale,
            rotation_deg=la.rotation_deg,
            z=la.z,
            item_name=view.items[la.item_id].details.name if la.item_id in view.items else None,
            archived=la.item_id in archived,
        )
        for la in o.details.layers
    ]
    return OutfitRead(
        id=o.id,
        name=o.details.name,
        canvas=_canvas_out(o),
        layers=layers,
        notes=o.details.notes,
        seasons=season_names(o.details.seasons),  # type: ignore[arg-type]
        occasions=_ordered({x.value for x in o.details.occasions}, OCCASION_ORDER),  # type: ignore[arg-type]
        is_template=o.is_template,
        template_id=o.template_id,
        image_url=image_url(o),
        version=o.version,
        created_at=o.created_at,
        updated_at=o.updated_at,
    )


def outfit_summary(o: Outfit) -> OutfitSummary:
    return OutfitSummary(
        id=o.id,
        name=o.details.name,
        canvas=_canvas_out(o),
        layer_count=len(o.details.layers),
        item_ids=list(o.details.item_ids),
        seasons=season_names(o.details.seasons),  # type: ignore[arg-type]
        occasions=_ordered({x.value for x in o.details.occasions}, OCCASION_ORDER),  # type: ignore[arg-type]
        is_template=o.is_template,
        image_url=image_url(o),
        version=o.version,
        created_at=o.created_at,
        updated_at=o.updated_at,
    )


def share_read(share: ShareLink, now: datetime) -> ShareRead:
    return ShareRead(share.id, share.created_at, share.expires_at, share.revoked_at, share.usable(now))


def shared_read(shared: SharedOutfit, token: str) -> SharedOutfitRead:
    view = shared.view
    layers = [
        SharedLayer(
            name=view.items[la.item_id].details.name if la.item_id in view.items else None,
            category=view.items[la.item_id].details.category.value if la.item_id in view.items else None,
            z=la.z,
        )
        for la in view.outfit.details.layers
    ]
    return SharedOutfitRead(
        name=view.outfit.details.name,
        owner=shared.owner_name,
        canvas=_canvas_out(view.outfit),
        layers=layers,
        image_url=f"/s/{token}/image",
    )


def wear_read(result: WearResult) -> WearRead:
    return WearRead(result.worn_on, list(result.recorded), list(result.already))


def wear_event_read(event: WearEvent) -> WearEventRead:
    return WearEventRead(event.worn_on, event.outfit_id)
