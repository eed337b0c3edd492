"""The outfit renderer: cut-outs scaled, rotated about their centres and composited in order.

Geometry (the canvas contract): a layer's image is scaled by ``scale``, rotated clockwise by
``rotation_deg`` about its centre (the rotated image grows to hold every corner), and placed
with its centre at (x, y) canvas pixels. Rendering at another width scales the whole canvas.
Resampling is done on premultiplied alpha so that edges keep no dark fringe.

Two caches keep warm renders fast: decoded images by blob key, and transformed layers by
(blob, size, angle); both are LRU and bounded in bytes.
"""

from __future__ import annotations

import asyncio
import io
import math
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence

from PIL import Image

from closet.adapters.imaging.decode import guarded, open_checked
from closet.adapters.imaging.processor import ImagingPool
from closet.application.ports.images import (
    EncodedImage,
    ImageLimits,
    ImageStore,
    OutfitRenderer,
    RenderLayer,
)
from closet.domain.images import BlobKey

LARGE_FACTOR = 2  # a layer more than twice the output's size is drawn by its visible part only
PNG_LEVEL = 1  # renders are cached: favour encoding speed over a few % of size
WEBP_QUALITY = 90


class ImageCache:
    """A thread-safe LRU of images, bounded by the bytes their pixels take."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.used = max_bytes, 0
        self._items: OrderedDict[Hashable, Image.Image] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Image.Image | None:
        with self._lock:
            image = self._items.get(key)
            if image is not None:
                self._items.move_to_end(key)
            return image

    def put(self, key: Hashable, image: Image.Image) -> None:
        size = _bytes(image)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = image
            self.used += size
            while self.used > self.max_bytes:
                _key, evicted = self._items.popitem(last=False)
                self.used -= _bytes(evicted)


def _bytes(image: Image.Image) -> int:
    return image.width * image.height * len(image.getbands())


class PillowOutfitRenderer(OutfitRenderer):
    def __init__(self, store: ImageStore, pool: ImagingPool, limits: ImageLimits, cache_bytes: int) -> None:
        self.store, self.pool, self.limits = store, pool, limits
        self.decoded = ImageCache(cache_bytes // 2)
        self.transformed = ImageCache(cache_bytes // 2)

    async def render(
        self,
        size: tuple[int, int],
        background: str | None,
        layers: Sequence[RenderLayer],
        *,
        width: int,
        fmt: str,
    ) -> EncodedImage:
        keys = list(dict.fromkeys(layer.image for layer in layers))
        found = await asyncio.gather(*(self._source(key) for key in keys))  # decoded side by side
        sources = {key: image for key, image in zip(keys, found, strict=True) if image is not None}
        drawn = [layer for layer in layers if layer.image in sources]
        return await self.pool.run(lambda: self._compose(size, background, drawn, sources, width, fmt))

    async def _source(self, key: BlobKey) -> Image.Image | None:
        image = self.decoded.get(key)
        if image is None:
            data = await self.store.get(key)
            if data is None:
                return None  # a blob gone missing: the layer is left out, the render still works
            image = await self.pool.run(lambda: self._decode(data))
            self.decoded.put(key, image)
        return image

    def _decode(self, data: bytes) -> Image.Image:
        opened = open_checked(data, self.limits)
        guarded(opened.image.load)
        return opened.image.convert("RGBA").convert("RGBa")  # premultiplied, for clean resampling

    def _compose(
        self,
        size: tuple[int, int],
        background: str | None,
        layers: Sequence[RenderLayer],
        sources: dict[BlobKey, Image.Image],
        width: int,
        fmt: str,
    ) -> EncodedImage:
        factor = width / size[0]
        out = (width, max(1, round(size[1] * factor)))
        fill = (*_rgb(background), 255) if background else (0, 0, 0, 0)
        canvas = Image.new("RGBA", out, fill)
        for layer in layers:
            source = sources[layer.image]
            scale = layer.scale * factor
            if max(source.width, source.height) * scale > LARGE_FACTOR * max(out):
                _draw_visible_part(canvas, source, layer, factor)  # a huge layer: never built whole
                continue
            image = self._transformed(layer, source, factor)
            left = round(layer.x * factor - image.width / 2)
            top = round(layer.y * factor - image.height / 2)
            paste(canvas, image, left, top)
        return _encode(canvas, fmt, opaque=background is not None)

    def _transformed(self, layer: RenderLayer, source: Image.Image, factor: float) -> Image.Image:
        scale = layer.scale * factor
        target = (max(1, round(source.width * scale)), max(1, round(source.height * scale)))
        angle = round(layer.rotation_deg % 360, 3)
        key = (layer.image, target, angle)
        cached = self.transformed.get(key)
        if cached is not None:
            return cached
        image = source
        if target != source.size:
            image = image.resize(target, Image.Resampling.LANCZOS, reducing_gap=2.0)
        if angle:
            image = image.rotate(-angle, resample=Image.Resampling.BICUBIC, expand=True)
        image = image.convert("RGBA")
        self.transformed.put(key, image)
        return image


def _draw_visible_part(canvas: Image.Image, source: Image.Image, layer: RenderLayer, factor: float) -> None:
    """A layer much larger than the canvas (an enlargement): only the part that lands on the
    canvas is computed, by one affine transform from canvas pixels back to source pixels, so
    the work and memory are bounded by the canvas, whatever the scale. (Enlarging needs no
    anti-aliasing, which is why the ordinary path, which pre-shrinks, is not needed here.)"""
    scale = layer.scale * factor
    angle = math.radians(layer.rotation_deg)
    cos, sin = math.cos(angle), math.sin(angle)
    cx, cy = layer.x * factor, layer.y * factor
    # canvas (u, v) → source (x, y): undo the translation, the clockwise rotation, the scale
    a, b = cos / scale, sin / scale
    d, e = -sin / scale, cos / scale
    c = source.width / 2 - a * cx - b * cy
    f = source.height / 2 - d * cx - e * cy
    drawn = source.transform(
        canvas.size, Image.Transform.AFFINE, (a, b, c, d, e, f), resample=Image.Resampling.BICUBIC
    )
    canvas.alpha_composite(drawn.convert("RGBA"))


def paste(canvas: Image.Image, image: Image.Image, left: int, top: int) -> None:
    """Alpha-composite ``image`` with its top-left at (left, top), clipped to the canvas."""
    x0, y0 = max(0, left), max(0, top)
    x1, y1 = min(canvas.width, left + image.width), min(canvas.height, top + image.height)
    if x0 >= x1 or y0 >= y1:
        return  # wholly off the canvas
    canvas.alpha_composite(image, dest=(x0, y0), source=(x0 - left, y0 - top, x1 - left, y1 - top))


def _rgb(hex_value: str) -> tuple[int, int, int]:
    return int(hex_value[1:3], 16), int(hex_value[3:5], 16), int(hex_value[5:7], 16)


def _encode(canvas: Image.Image, fmt: str, *, opaque: bool) -> EncodedImage:
    image = canvas.convert("RGB") if opaque else canvas
    buffer = io.BytesIO()
    if fmt == "webp":
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=2)
        media_type = "image/webp"
    else:
        image.save(buffer, "PNG", compress_level=PNG_LEVEL)
        media_type = "image/png"
    return EncodedImage(buffer.getvalue(), media_type, image.width, image.height)
