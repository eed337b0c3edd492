"""What a client sends for an outfit, validated into the domain's shapes (every error named)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import partial
from typing import TypeVar

from closet.application.specs import UNSET, Unset
from closet.domain.errors import ErrorCollector, InvalidValue, bounded_text, enum_value
from closet.domain.items import Category, ItemId, Season
from closet.domain.outfits import (
    NOTES_MAX,
    Canvas,
    Layer,
    Occasion,
    OutfitDetails,
    ordered_layers,
    outfit_name,
)

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True, kw_only=True)
class CanvasSpec:
    width: int
    height: int
    background: str | None = None


@dataclass(frozen=True, kw_only=True)
class LayerSpec:
    item_id: uuid.UUID | None = None
    x: float
    y: float
    scale: float = 1.0
    rotation_deg: float = 0.0
    z: int | None = None  # None: its place in the list
    category: str | None = None  # templates only


@dataclass(frozen=True, kw_only=True)
class OutfitSpec:
    name: str
    canvas: CanvasSpec
    layers: Sequence[LayerSpec] = ()
    notes: str | None = None
    seasons: Sequence[str] = ()
    occasions: Sequence[str] = ()


@dataclass(frozen=True, kw_only=True)
class OutfitChanges:
    name: str | Unset = UNSET
    canvas: CanvasSpec | Unset = UNSET
    layers: Sequence[LayerSpec] | Unset = UNSET
    notes: str | Unset | None = UNSET
    seasons: Sequence[str] | Unset = UNSET
    occasions: Sequence[str] | Unset = UNSET


def _layer(spec: LayerSpec, index: int, template: bool) -> Layer:
    category = enum_value(Category, spec.category, "category") if spec.category is not None else None
    if template and spec.item_id is not None:
        raise InvalidValue.of("item_id", "a template's slot holds no item: give the category it takes")
    if template and category is None:
        raise InvalidValue.of("category", "required: the category of item this slot takes")
    if not template and spec.item_id is None:
        raise InvalidValue.of("item_id", "required: the item this layer shows")
    return Layer.of(
        item_id=ItemId(spec.item_id) if spec.item_id is not None else None,
        x=spec.x,
        y=spec.y,
        scale=spec.scale,
        rotation_deg=spec.rotation_deg,
        z=spec.z if spec.z is not None else index,
        category=category if template else None,  # an item's layer shows the item's category
    )


def build_layers(specs: Sequence[LayerSpec], *, template: bool = False) -> tuple[Layer, ...]:
    errors = ErrorCollector()
    layers = [
        errors.attempt(f"layers[{i}]", partial(_layer, spec, i, template)) for i, spec in enumerate(specs)
    ]
    errors.raise_if_any()
    return ordered_layers(layer for layer in layers if layer is not None)


def _canvas(spec: CanvasSpec) -> Canvas:
    return Canvas.of(spec.width, spec.height, spec.background)


def _notes(value: str | None) -> str | None:
    return bounded_text(value, field="notes", max_len=NOTES_MAX) if value else None


def _seasons(values: Sequence[str]) -> frozenset[Season]:
    return frozenset(enum_values(Season, values))


def _occasions(values: Sequence[str]) -> frozenset[Occasion]:
    return frozenset(enum_values(Occasion, values))


def enum_values(kind: type[E], values: Sequence[str]) -> list[E]:
    """Each value a member of ``kind``; every bad one reported (as ``[index]``)."""
    errors = ErrorCollector()
    found = [errors.attempt("", partial(enum_value, kind, v, f"[{i}]")) for i, v in enumerate(values)]
    errors.raise_if_any()
    return [v for v in found if v is not None]


def build_outfit(spec: OutfitSpec) -> OutfitDetails:
    errors = ErrorCollector()
    name = errors.attempt("", lambda: outfit_name(spec.name))
    canvas = errors.attempt("canvas", lambda: _canvas(spec.canvas))
    layers = errors.attempt("", lambda: build_layers(spec.layers))
    notes = errors.attempt("", lambda: _notes(spec.notes))
    seasons = errors.attempt("seasons", lambda: _seasons(spec.seasons))
    occasions = errors.attempt("occasions", lambda: _occasions(spec.occasions))
    errors.raise_if_any()
    assert name is not None and canvas is not None and layers is not None
    return OutfitDetails(name, canvas, layers, notes, seasons or frozenset(), occasions or frozenset())


def apply_outfit_changes(current: OutfitDetails, changes: OutfitChanges, *, template: bool) -> OutfitDetails:
    errors = ErrorCollector()
    updated = current
    if not isinstance(changes.name, Unset):
        name = changes.name
        updated = replace(updated, name=errors.attempt("", lambda: outfit_name(name)) or updated.name)
    if not isinstance(changes.canvas, Unset):
        canvas_spec = changes.canvas
        updated = replace(
            updated, canvas=errors.attempt("canvas", lambda: _canvas(canvas_spec)) or updated.canvas
        )
    if not isinstance(changes.layers, Unset):
        layer_specs = changes.layers
        built = errors.attempt("", lambda: build_layers(layer_specs, template=template))
        updated = replace(updated, layers=built if built is not None else updated.layers)
    if not isinstance(changes.notes, Unset):
        notes = changes.notes
        updated = replace(updated, notes=errors.attempt("", lambda: _notes(notes)))
    if not isinstance(changes.seasons, Unset):
        seasons = changes.seasons
        updated = replace(
            updated, seasons=errors.attempt("seasons", lambda: _seasons(seasons)) or frozenset()
        )
    if not isinstance(changes.occasions, Unset):
        occasions = changes.occasions
        updated = replace(
            updated, occasions=errors.attempt("occasions", lambda: _occasions(occasions)) or frozenset()
        )
    errors.raise_if_any()
    return updated
