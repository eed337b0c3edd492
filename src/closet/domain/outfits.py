"""The outfit: a canvas of garment layers, and templates (layouts whose layers are slots)."""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import NewType

from closet.domain.colors import parse_hex
from closet.domain.errors import ErrorCollector, InvalidValue, bounded_text
from closet.domain.items import Category, ItemId, Season
from closet.domain.users import UserId

OutfitId = NewType("OutfitId", uuid.UUID)

NAME_MAX = 120
NOTES_MAX = 4000
CANVAS_MAX = 4096
LAYERS_MAX = 60
SCALE_MIN, SCALE_MAX = 0.05, 10.0
ROTATION_LIMIT = 360.0
POSITION_LIMIT = 3 * CANVAS_MAX  # a layer may hang off the canvas, not wander off to infinity
Z_LIMIT = 10_000


class Occasion(StrEnum):
    CASUAL = "casual"
    WORK = "work"
    FORMAL = "formal"
    PARTY = "party"
    SPORT = "sport"
    TRAVEL = "travel"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Canvas:
    width: int
    height: int
    background: str | None = None  # "#rrggbb", or None: transparent

    @classmethod
    def of(cls, width: int, height: int, background: str | None) -> Canvas:
        errors = ErrorCollector()
        for name, value in (("width", width), ("height", height)):
            if not 1 <= value <= CANVAS_MAX:
                errors.add(name, f"must be between 1 and {CANVAS_MAX} pixels")
        colour = None
        if background is not None and background.strip().lower() != "transparent":
            colour = errors.attempt("background", lambda: parse_hex(background))
        errors.raise_if_any()
        return cls(width, height, colour)

    def render_size(self, width: int) -> tuple[int, int]:
        """The size of a render ``width`` pixels wide; neither side may pass the canvas limit."""
        height = max(1, round(self.height * width / self.width))
        if not 1 <= width <= CANVAS_MAX or height > CANVAS_MAX:
            raise InvalidValue.of(
                "width",
                f"at this width the image would be {width}×{height}; each side is at most {CANVAS_MAX}",
            )
        return width, height


@dataclass(frozen=True, slots=True)
class Layer:
    """One garment on the canvas: the centre of its image at (x, y) canvas pixels, scaled, then
    rotated clockwise by ``rotation_deg`` (as on screen) about that centre. ``z`` orders the
    layers (higher is in front). A template's layers are slots: a category, no item."""

    item_id: ItemId | None
    x: float
    y: float
    scale: float = 1.0
    rotation_deg: float = 0.0
    z: int = 0
    category: Category | None = None

    @classmethod
    def of(
        cls,
        *,
        item_id: ItemId | None,
        x: float,
        y: float,
        scale: float,
        rotation_deg: float,
        z: int,
        category: Category | None = None,
    ) -> Layer:
        errors = ErrorCollector()
        for name, value in (("x", x), ("y", y)):
            if not math.isfinite(value) or abs(value) > POSITION_LIMIT:
                errors.add(name, f"must be a number between -{POSITION_LIMIT} and {POSITION_LIMIT}")
        if not math.isfinite(scale) or not SCALE_MIN <= scale <= SCALE_MAX:
            errors.add("scale", f"must be between {SCALE_MIN} and {SCALE_MAX}")
        if not math.isfinite(rotation_deg) or abs(rotation_deg) > ROTATION_LIMIT:
            errors.add("rotation_deg", f"must be between -{ROTATION_LIMIT:g} and {ROTATION_LIMIT:g}")
        if abs(z) > Z_LIMIT:
            errors.add("z", f"must be between -{Z_LIMIT} and {Z_LIMIT}")
        if item_id is None and category is None:
            errors.add("item_id", "a layer needs an item (or, in a template, a category)")
        errors.raise_if_any()
        return cls(item_id, float(x), float(y), float(scale), float(rotation_deg), z, category)


def ordered_layers(layers: Iterable[Layer]) -> tuple[Layer, ...]:
    """Layers back to front; each z once."""
    ordered = tuple(sorted(layers, key=lambda layer: layer.z))
    if len(ordered) > LAYERS_MAX:
        raise InvalidValue.of("layers", f"at most {LAYERS_MAX} layers")
    seen: set[int] = set()
    for index, layer in enumerate(ordered):
        if layer.z in seen:
            raise InvalidValue.of(
                f"layers[{index}].z", f"z {layer.z} is used twice: each layer needs its own"
            )
        seen.add(layer.z)
    return ordered


@dataclass(frozen=True, slots=True)
class OutfitDetails:
    """Everything about an outfit that its owner describes."""

    name: str
    canvas: Canvas
    layers: tuple[Layer, ...] = ()
    notes: str | None = None
    seasons: frozenset[Season] = frozenset()
    occasions: frozenset[Occasion] = frozenset()

    @property
    def item_ids(self) -> list[ItemId]:
        return list(dict.fromkeys(layer.item_id for layer in self.layers if layer.item_id is not None))

    def layout_hash(self) -> str:
        """A digest of what a render depends on in the outfit itself (canvas and layers)."""
        layout = {
            "canvas": [self.canvas.width, self.canvas.height, self.canvas.background],
            "layers": [[str(la.item_id), la.x, la.y, la.scale, la.rotation_deg, la.z] for la in self.layers],
        }
        return hashlib.sha256(json.dumps(layout, separators=(",", ":")).encode()).hexdigest()


def outfit_name(value: str) -> str:
    name = bounded_text(value, field="name", max_len=NAME_MAX, required=True)
    assert name is not None
    return name


@dataclass(slots=True)
class Outfit:
    id: OutfitId
    owner_id: UserId
    details: OutfitDetails
    created_at: datetime
    updated_at: datetime
    is_template: bool = False
    template_id: OutfitId | None = None
    version: int = 1

    @classmethod
    def create(
        cls,
        owner_id: UserId,
        details: OutfitDetails,
        now: datetime,
        *,
        is_template: bool = False,
        template_id: OutfitId | None = None,
    ) -> Outfit:
        return cls(OutfitId(uuid.uuid4()), owner_id, details, now, now, is_template, template_id)

    def revise(self, details: OutfitDetails, now: datetime) -> None:
        if details != self.details:
            self.details = details
            self.updated_at = max(now, self.updated_at)
            self.version += 1

    def as_template(self, name: str, categories: dict[ItemId, Category], now: datetime) -> Outfit:
        """This layout with its items turned into slots of their categories."""
        slots = tuple(
            replace(layer, item_id=None, category=categories.get(layer.item_id, Category.OTHER))
            if layer.item_id is not None
            else layer
            for layer in self.details.layers
        )
        details = replace(self.details, name=outfit_name(name), layers=slots)
        return Outfit.create(self.owner_id, details, now, is_template=True)

    def filled(self, name: str, fill: dict[int, ItemId], now: datetime) -> Outfit:
        """An outfit from this template: slot ``i`` (back to front) holds ``fill[i]``; slots
        left out stay empty and are dropped."""
        layers: list[Layer] = []
        for index, slot in enumerate(self.details.layers):
            if index in fill:  # the item's own category is what the layer shows now
                layers.append(replace(slot, item_id=fill[index], category=None))
        details = replace(self.details, name=outfit_name(name), layers=tuple(layers))
        return Outfit.create(self.owner_id, details, now, template_id=self.id)

    def duplicate(self, name: str, now: datetime) -> Outfit:
        details = replace(self.details, name=outfit_name(name))
        return Outfit.create(
            self.owner_id, details, now, is_template=self.is_template, template_id=self.template_id
        )


def check_slots(fill: Sequence[int], slots: int) -> None:
    for index in fill:
        if not 0 <= index < slots:
            raise InvalidValue.of(f"fill.{index}", f"the template has slots 0 to {slots - 1}")
