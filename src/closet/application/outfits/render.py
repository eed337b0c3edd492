"""The outfit as an image: rendered on demand, cached by everything the render depends on."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from enum import StrEnum

from closet.application.errors import Contention, NotFound, StorageUnavailable
from closet.application.outfits.common import OutfitRef
from closet.application.ports.images import (
    EncodedImage,
    ImageStore,
    OutfitRenderer,
    RenderedCache,
    RenderLayer,
)
from closet.application.ports.outfits import StoredRender
from closet.application.ports.uow import UnitOfWork
from closet.domain.errors import ErrorCollector, enum_value
from closet.domain.images import BlobKey
from closet.domain.outfits import CANVAS_MAX, Outfit

log = logging.getLogger(__name__)


class RenderFormat(StrEnum):
    PNG = "png"
    WEBP = "webp"


MIN_WIDTH = 16
_MEDIA_TYPES = {RenderFormat.PNG: "image/png", RenderFormat.WEBP: "image/webp"}
# Part of every render key: a change to how renders are drawn (resampling, encoding) changes it,
# so no client or cache keeps a render made the old way under a key that is still current.
RENDERING = "2"


@dataclass(frozen=True, kw_only=True)
class RenderCommand:
    ref: OutfitRef
    fmt: str = "png"
    width: int | None = None  # None: the canvas width
    known: str | None = None  # the key the client holds (If-None-Match): no bytes if it is current


@dataclass(frozen=True, slots=True)
class RenderedOutfit:
    key: str  # what the render was made from (a strong ETag)
    media_type: str
    data: bytes
    file_name: str
    not_modified: bool = False  # the client's copy is current: ``data`` is empty


def render_key(outfit: Outfit, images: list[BlobKey | None], fmt: str, width: int) -> str:
    """Changes exactly when the render would: the layout, an item's image, the format or size,
    or the way renders are drawn (``RENDERING``)."""
    parts = [RENDERING, outfit.details.layout_hash(), fmt, str(width), *(str(k) for k in images)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def file_name(name: str, fmt: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:60] or "outfit"
    return f"{stem}.{fmt}"


class RenderOutfit:
    def __init__(
        self,
        reader: UnitOfWork,
        writer: UnitOfWork,
        renderer: OutfitRenderer,
        store: ImageStore,
        recent: RenderedCache,
    ) -> None:
        self.reader, self.writer, self.renderer, self.store = reader, writer, renderer, store
        self.recent = recent

    async def __call__(self, cmd: RenderCommand) -> RenderedOutfit:
        errors = ErrorCollector()
        fmt = errors.attempt("format", lambda: enum_value(RenderFormat, cmd.fmt, "")) or RenderFormat.PNG
        if cmd.width is not None and not MIN_WIDTH <= cmd.width <= CANVAS_MAX:
            errors.add("width", f"must be between {MIN_WIDTH} and {CANVAS_MAX}")
        errors.raise_if_any()
        async with self.reader as uow:
            found = await uow.outfits.get_to_render(cmd.ref.owner_id, cmd.ref.outfit_id)
            if found is None or found.outfit.is_template != cmd.ref.template:
                raise NotFound("outfit", cmd.ref.outfit_id)
            outfit = found.outfit
            layers = outfit.details.layers
            images = [found.images.get(la.item_id) if la.item_id else None for la in layers]
            width = cmd.width or outfit.details.canvas.width
            outfit.details.canvas.render_size(width)  # refuses a width that makes a giant image
            key = render_key(outfit, images, fmt.value, width)
            name = file_name(outfit.details.name, fmt.value)
            if cmd.known == key:  # the client's copy was made from exactly these inputs
                return RenderedOutfit(key, _MEDIA_TYPES[fmt], b"", name, not_modified=True)
            if (recent := self.recent.get(key)) is not None:  # drawn from these same inputs
                return RenderedOutfit(key, recent.media_type, recent.data, name)
            stored = await uow.outfits.get_render(outfit.id, key)
        if stored is not None and (data := await self.store.get(stored.key)) is not None:
            self.recent.put(key, EncodedImage(data, stored.media_type, stored.width, stored.height))
            return RenderedOutfit(key, stored.media_type, data, name)
        drawn = [
            RenderLayer(image, la.x, la.y, la.scale, la.rotation_deg)
            for la, image in zip(layers, images, strict=True)
            if image is not None  # an item without a photo has nothing to draw yet
        ]
        canvas = outfit.details.canvas
        image = await self.renderer.render(
            (canvas.width, canvas.height), canvas.background, drawn, width=width, fmt=fmt.value
        )
        await self._keep(outfit, key, image)
        self.recent.put(key, image)
        return RenderedOutfit(key, image.media_type, image.data, name)

    async def _keep(self, outfit: Outfit, key: str, image: EncodedImage) -> None:
        """Cache the render (best effort: a render that cannot be cached is still served)."""
        blob = await self.store.put(image.data)
        released = [blob]
        try:
            async with self.writer as uow:
                render = StoredRender(blob, image.media_type, image.width, image.height)
                released = await uow.outfits.save_render(outfit.id, key, render)
                await uow.commit()
        except Contention:  # the outfit deleted meanwhile, or the same picture stored by another
            log.info("outfit render %s not cached: the outfit changed meanwhile", outfit.id)
        except StorageUnavailable as exc:
            log.warning("outfit render %s not cached: %s", outfit.id, exc)
        for stale in released:
            await self.store.release(stale)
