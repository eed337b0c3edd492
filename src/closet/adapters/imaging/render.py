"""The outfit renderer: cut-outs scaled, rotated about their centres and composited in order.

Geometry (the canvas contract): a layer's image is scaled by ``scale``, rotated clockwise by
``rotation_deg`` about its centre (the rotated image grows to hold every corner), and placed
with its centre at (x, y) canvas pixels. Rendering at another width scales the whole canvas.
Resampling is done on premultiplied alpha so that edges keep no dark fringe.

The work runs on the imaging pool, side by side: each source is decoded (Pillow, with the upload's
checks) and each layer scaled (OpenCV: several times faster than Pillow's resize and rotate, and it
releases the GIL) as soon as its source is there, top layer first. A layer is turned only in the
tiles that can show some of the garment, lie on the canvas and are not hidden under the layers
above it (``tiles_of``, ``Cover``), so each waits for the layers above to be scaled, never turned.
Then the canvas is drawn in horizontal bands, each composited (Pillow's paste with a mask) and
compressed (``png.py``) on its own, and the PNG is put together from the bands. No pool thread ever
waits for another pool task.

Two caches keep warm renders fast: decoded images by blob key, and turned layers by (blob, size,
angle), with the tiles computed so far; both are LRU and bounded in bytes.
"""

from __future__ import annotations

import asyncio
import functools
import io
import math
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import numpy as np
from PIL import Image

from closet.adapters.imaging import png
from closet.adapters.imaging.decode import guarded, open_checked
from closet.adapters.imaging.processor import ImagingPool
from closet.application.ports.images import (
    EncodedImage,
    ImageLimits,
    ImageStore,
    OutfitRenderer,
    RenderedCache,
    RenderLayer,
)
from closet.domain.images import BlobKey

LARGE_FACTOR = 2  # a layer more than twice the output's size is drawn by its visible part only
BANDS = 4  # the canvas is composited and compressed in this many bands, side by side
WEBP_QUALITY = 90
WEBP_METHOD = 0  # measured: 2/3 of method 2's time for 7 % more bytes at the same quality
SHRINK = "INTER_LINEAR"  # down to half size: 7× faster than area averaging, and nearer Lanczos
TURN = "INTER_CUBIC"  # rotation; bilinear would take a quarter of the time, but visibly softens
TILE = 32  # a turned layer is computed in tiles this big, and only those that see some of the garment
Span = tuple[int, int, int, int]  # left, top, right, bottom: a part of a turned layer, in its pixels
QUARTER_TURNS = {90.0: "ROTATE_90_CLOCKWISE", 180.0: "ROTATE_180", 270.0: "ROTATE_90_COUNTERCLOCKWISE"}


class _OpenCV:
    """OpenCV, imported by the first render that needs it: it adds about 30 MB to a process, which
    the processes that never render (``closet jobs``; a server until someone renders) need not
    carry (bench/image_ingest.py's peak RSS)."""

    _module: Any = None

    def __getattr__(self, name: str) -> Any:
        module = _OpenCV._module
        if module is None:
            import cv2  # noqa: PLC0415 - deliberately late, see the class docstring

            # The pool already runs layers and bands side by side: OpenCV's own threads would
            # only compete with it (measured). Process-wide; nothing else here uses OpenCV.
            cv2.setNumThreads(1)
            _OpenCV._module = module = cv2
        return getattr(module, name)


cv2 = _OpenCV()


class _Weighed(Protocol):
    @property
    def nbytes(self) -> int: ...


V = TypeVar("V", bound=_Weighed)
TransformKey = tuple[BlobKey, tuple[int, int], float]  # the blob, the size it is scaled to, the angle


class ImageCache(Generic[V]):
    """A thread-safe LRU of images, bounded by the bytes their pixels take."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.used = max_bytes, 0
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            image = self._items.get(key)
            if image is not None:
                self._items.move_to_end(key)
            return image

    def put(self, key: Hashable, image: V, *, replace: bool = False) -> None:
        """Keep ``image`` under ``key``; one already kept there stays, unless ``replace``."""
        if image.nbytes > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                if not replace:
                    return
                self.used -= self._items.pop(key).nbytes
            self._items[key] = image
            self.used += image.nbytes
            while self.used > self.max_bytes:
                _key, evicted = self._items.popitem(last=False)
                self.used -= evicted.nbytes


class RecentRenders(RenderedCache):
    """Finished renders by render key, in memory, least recently used first out, bounded by their
    bytes (``CLOSET_RENDERED_CACHE_MB``; 0 keeps none)."""

    def __init__(self, max_bytes: int) -> None:
        self._cache: ImageCache[EncodedImage] = ImageCache(max_bytes)

    def get(self, key: str) -> EncodedImage | None:
        return self._cache.get(key)

    def put(self, key: str, image: EncodedImage) -> None:
        self._cache.put(key, image)


@dataclass(frozen=True, slots=True)
class Drawn:
    """A transformed layer, ready to paste: its straight colour (alpha 255) and its alpha as a mask.
    Pasting the colour through the mask is "over" on an opaque canvas and, on a transparent one kept
    premultiplied, "over" in premultiplied terms: one Pillow call that releases the GIL."""

    colour: Image.Image  # RGBA, alpha 255 everywhere
    mask: Image.Image  # L

    @property
    def size(self) -> tuple[int, int]:
        return self.colour.size

    @property
    def nbytes(self) -> int:
        return self.colour.width * self.colour.height * 5


@dataclass(frozen=True, slots=True)
class Tiles:
    """A turned layer's ``TILE``-square tiles as they will come out, known before any is computed
    (``tiles_of``): a row-by-column grid each, in the turned box, from its top-left."""

    size: tuple[int, int]  # the turned box: width, height
    visible: np.ndarray  # bool: the tile can show some of the garment
    solid: np.ndarray  # bool: every pixel of the tile comes out opaque, hiding whatever is below it

    @property
    def nbytes(self) -> int:
        return self.visible.nbytes + self.solid.nbytes


@dataclass(frozen=True, slots=True)
class Turned:
    """A layer scaled and turned as far as it has been computed: the tiles in ``done``; the others
    are transparent in ``drawn``. Its first render turns only the tiles that show there (``Cover``);
    the next render that draws it finishes it (``PillowOutfitRenderer._turn``)."""

    drawn: Drawn
    tiles: Tiles
    done: np.ndarray  # bool, as ``tiles.visible``

    @property
    def whole(self) -> bool:
        """Every visible tile is done: any render can use it as it is."""
        return not (self.tiles.visible & ~self.done).any()

    @property
    def nbytes(self) -> int:
        return self.drawn.nbytes + self.tiles.nbytes + self.done.nbytes


@dataclass(frozen=True, slots=True)
class Prepared:
    """A layer about to be turned: its cache key, its source (decoded), the scaled image if this
    render scaled it, what the cache held of it; its tiles and where its turned box goes."""

    key: TransformKey
    source: np.ndarray
    resized: np.ndarray | None
    cached: Turned | None
    tiles: Tiles
    left: int
    top: int


@dataclass(frozen=True, slots=True)
class Placed:
    drawn: Drawn
    left: int
    top: int


@dataclass(frozen=True, slots=True)
class Huge:
    """A layer drawn by its visible part, band by band (see ``_visible_part``)."""

    source: np.ndarray
    layer: RenderLayer
    factor: float


class PillowOutfitRenderer(OutfitRenderer):
    def __init__(
        self,
        store: ImageStore,
        pool: ImagingPool,
        limits: ImageLimits,
        cache_bytes: int,
        *,
        cull: bool = True,
    ) -> None:
        """``cull=False`` turns every tile that can show some garment, hidden or off the canvas or
        not (the renders are the same but for a level here and there; the tests compare them)."""
        self.store, self.pool, self.limits, self.cull = store, pool, limits, cull
        self.decoded: ImageCache[np.ndarray] = ImageCache(cache_bytes // 2)
        self.transformed: ImageCache[Turned] = ImageCache(cache_bytes // 2)

    async def render(
        self,
        size: tuple[int, int],
        background: str | None,
        layers: Sequence[RenderLayer],
        *,
        width: int,
        fmt: str,
    ) -> EncodedImage:
        factor = width / size[0]
        out = (width, max(1, round(size[1] * factor)))
        placed = await self._placed(layers, factor, out)
        if fmt == "webp":
            compose = functools.partial(self._compose, out, background, placed, 0)
            return await self.pool.run(lambda: _encode_webp(compose(), opaque=bool(background)))
        bands = png.row_ranges(out[1], BANDS)
        work = [
            functools.partial(self._band, out[0], background, placed, rows, last=rows == bands[-1])
            for rows in bands
        ]
        strips = await asyncio.gather(*(self.pool.run(band) for band in work))
        data = png.assemble(out[0], out[1], 3 if background else 4, strips)
        return EncodedImage(data, "image/png", out[0], out[1])

    async def _placed(
        self, layers: Sequence[RenderLayer], factor: float, out: tuple[int, int]
    ) -> list[Placed | Huge]:
        """The layers ready to composite, in drawing order. From the top layer down, each is turned
        only in the tiles that show on the canvas and are not hidden under the layers above it
        (``Cover``); so the sources are decoded, and the layers scaled, top first, side by side."""
        top_first = layers[::-1]
        keys = dict.fromkeys(layer.image for layer in top_first)
        sources = {key: asyncio.ensure_future(self._source(key)) for key in keys}
        preparing = [
            asyncio.ensure_future(self._prepare(layer, sources[layer.image], factor, out))
            for layer in top_first
        ]
        cover = Cover(out, hides=self.cull)
        finishing: list[asyncio.Future[Placed] | Huge | None] = []
        try:
            for future in preparing:
                prepared = await future
                if isinstance(prepared, Prepared):
                    needed = None  # a layer turned whole needs no more
                    if prepared.cached is None or not prepared.cached.whole:
                        needed = cover.take(prepared.tiles, prepared.left, prepared.top)
                    else:
                        cover.hide(prepared.tiles, prepared.left, prepared.top)
                    finishing.append(asyncio.ensure_future(self._finish(prepared, needed)))
                else:
                    finishing.append(prepared)
            found = [await item if isinstance(item, asyncio.Future) else item for item in finishing]
        except BaseException:  # e.g. a damaged blob: the rest is no longer wanted
            tasks = [
                task
                for task in (*sources.values(), *preparing, *finishing)
                if isinstance(task, asyncio.Future)
            ]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)  # their errors read, not left to the GC
            raise
        return [item for item in reversed(found) if item is not None]  # a blob gone missing: left out

    async def _source(self, key: BlobKey) -> np.ndarray | None:
        image = self.decoded.get(key)
        if image is None:
            data = await self.store.get(key)
            if data is None:
                return None
            image = await self.pool.run(lambda: self._decode(data))
            self.decoded.put(key, image)
        return image

    def _decode(self, data: bytes) -> np.ndarray:
        """The blob's pixels, premultiplied (for clean resampling). Cut-outs, which the app writes
        with ``png.py``, take its decoder (about a third of Pillow's time); anything else Pillow."""
        pixels = None
        if data.startswith(png.SIGNATURE) and len(data) <= self.limits.max_bytes:
            pixels = guarded(lambda: png.decode_png(data, self.limits.max_pixels))
        if pixels is None:  # not ours, or too big: open_checked refuses it as it would any image
            opened = open_checked(data, self.limits)
            guarded(opened.image.load)
            image = opened.image if opened.image.mode == "RGBA" else opened.image.convert("RGBA")
            pixels = np.asarray(image)
        elif pixels.shape[2] == 3:
            pixels = cv2.cvtColor(pixels, cv2.COLOR_RGB2RGBA)
        return cv2.cvtColor(pixels, cv2.COLOR_RGBA2mRGBA)

    async def _prepare(
        self,
        layer: RenderLayer,
        source: asyncio.Future[np.ndarray | None],
        factor: float,
        out: tuple[int, int],
    ) -> Prepared | Huge | None:
        image = await source
        if image is None:
            return None
        if max(image.shape[:2]) * layer.scale * factor > LARGE_FACTOR * max(out):
            return Huge(image, layer, factor)  # never built whole
        key = _transform_key(layer, image, factor)
        cached = self.transformed.get(key)
        if cached is None:
            resized, tiles = await self.pool.run(functools.partial(_scaled, image, key))
        else:  # scaled again only if this render needs tiles it does not hold
            resized, tiles = None, cached.tiles
        left = round(layer.x * factor - tiles.size[0] / 2)
        top = round(layer.y * factor - tiles.size[1] / 2)
        return Prepared(key, image, resized, cached, tiles, left, top)

    async def _finish(self, prepared: Prepared, needed: np.ndarray | None) -> Placed:
        turned = prepared.cached
        if turned is None or (needed is not None and (needed & ~turned.done).any()):
            turned = await self.pool.run(functools.partial(self._turn, prepared, needed, turned))
        return Placed(turned.drawn, prepared.left, prepared.top)

    def _turn(self, prepared: Prepared, needed: np.ndarray | None, done: Turned | None) -> Turned:
        """The layer turned: the first time, in the ``needed`` tiles only; when a later render needs
        tiles that were left out, in every visible tile ``done`` lacks. Skipping hidden tiles makes
        an outfit's first render fast; a layer that needs more is being reused (its outfit edited,
        or in another outfit), and once whole it serves any render as it is. Kept in the cache."""
        _image, target, angle = prepared.key
        visible = prepared.tiles.visible
        todo = visible if needed is None else needed
        if done is not None:  # needed more than it holds: every visible tile it lacks
            todo = visible & ~done.done
        resized = prepared.resized if prepared.resized is not None else resize(prepared.source, target)
        image, spans = turn(resized, angle, todo)
        if angle in QUARTER_TURNS or not angle:  # turned whole, exactly
            computed = np.ones_like(todo)
        else:
            computed = todo if done is None else todo | done.done
        drawn = _drawn(image, spans, done.drawn if done is not None else None)
        turned = Turned(drawn, prepared.tiles, computed)
        self.transformed.put(prepared.key, turned, replace=True)
        return turned

    def _band(
        self,
        width: int,
        background: str | None,
        placed: Sequence[Placed | Huge],
        rows: tuple[int, int],
        *,
        last: bool,
    ) -> png.Strip:
        canvas = self._compose((width, rows[1] - rows[0]), background, placed, rows[0])
        return _encode_strip(canvas, first=rows[0] == 0, last=last)

    def _compose(
        self, size: tuple[int, int], background: str | None, placed: Sequence[Placed | Huge], top: int
    ) -> Image.Image:
        """The canvas's rows from ``top`` on, ``size`` big: RGB on a background colour, else RGBA
        holding premultiplied colour (``_pixels`` makes it straight)."""
        if background:
            canvas = Image.new("RGB", size, _rgb(background))
        else:
            canvas = Image.new("RGBA", size, (0, 0, 0, 0))
        for item in placed:
            if isinstance(item, Huge):
                drawn = _visible_part(item, size, top)
                canvas.paste(drawn.colour, (0, 0), drawn.mask)
            elif item.top - top < size[1] and item.top + item.drawn.size[1] > top:  # it reaches the band
                canvas.paste(item.drawn.colour, (item.left, item.top - top), item.drawn.mask)  # clipped
        return canvas


def _transform_key(layer: RenderLayer, source: np.ndarray, factor: float) -> TransformKey:
    scale = layer.scale * factor
    height, width = source.shape[:2]
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    return layer.image, target, round(layer.rotation_deg % 360, 3) % 360


def resize(image: np.ndarray, target: tuple[int, int]) -> np.ndarray:
    """``image`` (premultiplied) resized to ``target`` (width, height): bilinear down to half size,
    which averages all it drops, area averaging below that, bicubic to enlarge."""
    height, width = image.shape[:2]
    if target == (width, height):
        return image
    scale = max(target[0] / width, target[1] / height)
    interpolation = getattr(cv2, SHRINK) if scale >= 0.5 else cv2.INTER_AREA
    return cv2.resize(image, target, interpolation=interpolation if scale < 1 else cv2.INTER_CUBIC)


def _scaled(source: np.ndarray, key: TransformKey) -> tuple[np.ndarray, Tiles]:
    """The source scaled as ``key`` says, and how its tiles will stand once turned."""
    _image, target, angle = key
    resized = resize(source, target)
    return resized, tiles_of(resized, angle)


def turn(image: np.ndarray, angle: float, needed: np.ndarray | None = None) -> tuple[np.ndarray, list[Span]]:
    """``image`` (premultiplied) turned ``angle`` degrees clockwise, grown to hold its corners; and
    the parts of it that were computed: the ``needed`` tiles (default: every visible one, see
    ``tiles_of``); the rest is transparent. Quarter turns and none are done whole, exactly."""
    if angle in QUARTER_TURNS:
        turned = cv2.rotate(image, getattr(cv2, QUARTER_TURNS[angle]))  # exact, as Pillow's rotate was
        return turned, [_whole(turned)]
    if not angle:
        return image, [_whole(image)]
    matrix, size = rotation((image.shape[1], image.shape[0]), angle)
    turned = np.zeros((size[1], size[0], 4), np.uint8)
    spans = spans_of(_flags(image, matrix, size)[0] if needed is None else needed, size)
    interpolation = getattr(cv2, TURN)
    for left, top, right, bottom in spans:
        moved = matrix.copy()  # the same map, from the span's own pixels (its top-left is 0, 0)
        moved[:, 2] += matrix[:, 0] * left + matrix[:, 1] * top
        _warp(image, moved, (right - left, bottom - top), interpolation, out=turned[top:bottom, left:right])
    return turned, spans


def tiles_of(image: np.ndarray, angle: float) -> Tiles:
    """How the tiles of ``image`` (premultiplied) turned ``angle`` degrees will stand.

    A cut-out is about 40 % transparent inside its box (bench/outfit_render.py's garments: 22-51 %),
    and a turn costs as much per transparent pixel as per opaque one, so only the visible tiles are
    ever computed; the rest stay zero, which is what they would be. On an outfit the garments
    overlap, and a tile under an upper layer's solid tiles is not computed either (``Cover``).

    Both are read off the source, not the turn. A tile's footprint there is every pixel that the
    cubic filter could read for it (4×4 around each point it maps back to, with a pixel to spare for
    OpenCV's fixed-point coordinates): the tile is visible if some of those pixels have alpha (the
    image is premultiplied, so no alpha means no colour either), and solid if all of them are inside
    the source and opaque (OpenCV's cubic weights sum exactly to one, so the tile's alpha is 255).
    Both sums come from summed-area tables. A span's pixels are computed from its own origin, so one
    may differ by a level from the same pixel of one whole turn (OpenCV rounds each pixel's source
    position to a 32nd of a pixel, from a row start and a column offset)."""
    matrix, size = rotation((image.shape[1], image.shape[0]), angle)
    return Tiles(size, *_flags(image, matrix, size))


def _flags(image: np.ndarray, matrix: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The visible and the solid tiles of ``image`` turned by ``matrix`` into ``size`` (``tiles_of``)."""
    height, width = image.shape[:2]
    table = cv2.integral(cv2.LUT(cv2.extractChannel(image, 3), _SEEN_AND_OPAQUE))
    lefts, tops = np.meshgrid(np.arange(0, size[0], TILE), np.arange(0, size[1], TILE))
    rights, bottoms = np.minimum(lefts + TILE, size[0]) - 1, np.minimum(tops + TILE, size[1]) - 1
    corners = ((lefts, tops), (rights, tops), (lefts, bottoms), (rights, bottoms))
    xs = np.stack([matrix[0, 0] * u + matrix[0, 1] * v + matrix[0, 2] for u, v in corners])
    ys = np.stack([matrix[1, 0] * u + matrix[1, 1] * v + matrix[1, 2] for u, v in corners])
    x0, x1 = np.floor(xs.min(axis=0)).astype(np.int64) - 2, np.floor(xs.max(axis=0)).astype(np.int64) + 4
    y0, y1 = np.floor(ys.min(axis=0)).astype(np.int64) - 2, np.floor(ys.max(axis=0)).astype(np.int64) + 4
    cx0, cx1, cy0, cy1 = (
        np.clip(x0, 0, width),
        np.clip(x1, 0, width),
        np.clip(y0, 0, height),
        np.clip(y1, 0, height),
    )

    inside = table[cy1, cx1] - table[cy0, cx1] - table[cy1, cx0] + table[cy0, cx0]
    visible = inside > 0
    solid = inside == 2 * (x1 - x0) * (y1 - y0)  # the whole footprint opaque, none of it off the source
    return visible, solid


# each alpha counted 0 if transparent, 1 if partly opaque and 2 if opaque: one sum over a footprint
# says both whether any of it shows (> 0) and whether all of it is opaque (twice its area)
_SEEN_AND_OPAQUE = np.array([0] + [1] * 254 + [2], np.uint8)


def spans_of(tiles: np.ndarray, size: tuple[int, int]) -> list[Span]:
    """The ``tiles`` that are set, as runs along each row, in pixels of a box of ``size``."""
    edges = np.diff(np.pad(tiles, ((0, 0), (1, 1))).view(np.int8), axis=1)
    rows, starts = np.nonzero(edges == 1)  # row by row, left to right: each run's start and end
    _rows, ends = np.nonzero(edges == -1)
    return [
        (start * TILE, row * TILE, min(end * TILE, size[0]), min((row + 1) * TILE, size[1]))
        for row, start, end in zip(rows.tolist(), starts.tolist(), ends.tolist(), strict=True)
    ]


class Cover:
    """What the layers taken so far, from the top down, hide on the canvas: each of their solid
    tiles. ``take`` answers which tiles of the next layer down are needed (visible, on the canvas,
    and not wholly hidden), then adds that layer's solid tiles (``hide``). A hidden pixel would be
    painted over by an opaque one whatever it held, so leaving it out changes nothing in the picture.
    ``hides=False`` needs every visible tile."""

    def __init__(self, size: tuple[int, int], *, hides: bool = True) -> None:
        self.size, self.hides = size, hides
        self.hidden = np.zeros((size[1], size[0]), np.uint8)
        self.empty = True

    def take(self, tiles: Tiles, left: int, top: int) -> np.ndarray:
        """The tiles of a layer with its turned box at (``left``, ``top``) that it needs to turn;
        then what it hides is added."""
        needed = self._needed(tiles, left, top)
        self.hide(tiles, left, top)
        return needed

    def _needed(self, tiles: Tiles, left: int, top: int) -> np.ndarray:
        if not self.hides:
            return tiles.visible.copy()
        width, height = self.size
        rows, columns = tiles.visible.shape
        xs, ys = left + np.arange(columns) * TILE, top + np.arange(rows) * TILE
        x0, x1 = np.clip(xs, 0, width), np.clip(np.minimum(xs + TILE, left + tiles.size[0]), 0, width)
        y0, y1 = np.clip(ys, 0, height), np.clip(np.minimum(ys + TILE, top + tiles.size[1]), 0, height)
        needed = tiles.visible & (y1 > y0)[:, None] & (x1 > x0)[None, :]
        if needed.any() and not self.empty:
            box = self.hidden[y0[0] : y1[-1], x0[0] : x1[-1]]
            table = cv2.integral(box)
            a0, a1, b0, b1 = x0 - x0[0], x1 - x0[0], y0 - y0[0], y1 - y0[0]
            hidden = (
                table[np.ix_(b1, a1)] - table[np.ix_(b0, a1)] - table[np.ix_(b1, a0)] + table[np.ix_(b0, a0)]
            )
            needed &= hidden < (y1 - y0)[:, None] * (x1 - x0)[None, :]
        return needed

    def hide(self, tiles: Tiles, left: int, top: int) -> None:
        """Add the solid tiles of a layer with its turned box at (``left``, ``top``)."""
        if not self.hides:
            return
        width, height = self.size
        for span_left, span_top, span_right, span_bottom in spans_of(tiles.solid, tiles.size):
            top_, bottom = max(top + span_top, 0), min(top + span_bottom, height)
            left_, right = max(left + span_left, 0), min(left + span_right, width)
            if bottom > top_ and right > left_:
                self.hidden[top_:bottom, left_:right] = 1
                self.empty = False


def rotation(size: tuple[int, int], angle: float) -> tuple[np.ndarray, tuple[int, int]]:
    """Pillow's ``rotate(-angle, expand=True)`` for an image of ``size``: the size of the turned
    image, and the map from its pixels back to the source's, as OpenCV takes it (pixel centres on
    whole numbers, where Pillow puts them on halves), so the geometry is exactly Pillow's."""
    width, height = size
    radians = -math.radians(-angle % 360.0)  # as Pillow: rotate(-angle) turns clockwise by angle
    a, b = round(math.cos(radians), 15), round(math.sin(radians), 15)
    d, e = -b, a
    c = a * -width / 2 + b * -height / 2 + width / 2
    f = d * -width / 2 + e * -height / 2 + height / 2
    xs = [a * x + b * y + c for x, y in ((0, 0), (width, 0), (width, height), (0, height))]
    ys = [d * x + e * y + f for x, y in ((0, 0), (width, 0), (width, height), (0, height))]
    if angle % 90 == 0:  # Pillow turns these exactly, without the sums (whose rounding can add a pixel)
        turned = (height, width) if angle % 180 else (width, height)
    else:
        turned = (math.ceil(max(xs)) - math.floor(min(xs)), math.ceil(max(ys)) - math.floor(min(ys)))
    dx, dy = -(turned[0] - width) / 2, -(turned[1] - height) / 2
    return _opencv_map(a, b, a * dx + b * dy + c, d, e, d * dx + e * dy + f), turned


def _visible_part(item: Huge, size: tuple[int, int], top: int) -> Drawn:
    """A layer much larger than the canvas (an enlargement): only the part that lands on the band
    is computed, by one affine transform from canvas pixels back to source pixels, so the work and
    memory are bounded by the canvas, whatever the scale. (Enlarging needs no anti-aliasing, which
    is why the ordinary path, which pre-shrinks, is not needed here.) Its top-left is the band's."""
    layer, source = item.layer, item.source
    scale = layer.scale * item.factor
    angle = math.radians(layer.rotation_deg)
    cos, sin = math.cos(angle), math.sin(angle)
    cx, cy = layer.x * item.factor, layer.y * item.factor - top
    # canvas (u, v) → source (x, y): undo the translation, the clockwise rotation, the scale
    a, b = cos / scale, sin / scale
    d, e = -sin / scale, cos / scale
    c = source.shape[1] / 2 - a * cx - b * cy
    f = source.shape[0] / 2 - d * cx - e * cy
    return _drawn(_warp(source, _opencv_map(a, b, c, d, e, f), size, cv2.INTER_CUBIC))


def _opencv_map(a: float, b: float, c: float, d: float, e: float, f: float) -> np.ndarray:
    """An affine map in Pillow's coordinates (pixel centres at +0.5) in OpenCV's (at +0)."""
    return np.array([[a, b, c + (a + b) / 2 - 0.5], [d, e, f + (d + e) / 2 - 0.5]])


def _warp(
    image: np.ndarray,
    matrix: np.ndarray,
    size: tuple[int, int],
    interpolation: int,
    out: np.ndarray | None = None,
) -> np.ndarray:
    return cv2.warpAffine(
        image,
        matrix,
        size,
        dst=out,
        flags=interpolation | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0, 0),  # outside the source is transparent
    )


def _drawn(
    premultiplied: np.ndarray, spans: Sequence[Span] | None = None, base: Drawn | None = None
) -> Drawn:
    """The layer as ``Drawn``, from its premultiplied pixels; only ``spans`` of them (default: all)
    are converted, onto a copy of ``base`` if given. Elsewhere both arrays stay zero (or as in
    ``base``): a mask of 0 leaves the canvas as it is."""
    height, width = premultiplied.shape[:2]
    if base is None:
        colour, mask = np.zeros((height, width, 4), np.uint8), np.zeros((height, width), np.uint8)
    else:
        colour, mask = np.array(base.colour), np.array(base.mask)
    for left, top, right, bottom in [_whole(premultiplied)] if spans is None else spans:
        part = premultiplied[top:bottom, left:right]
        cv2.cvtColor(part, cv2.COLOR_mRGBA2RGBA, dst=colour[top:bottom, left:right])
        cv2.extractChannel(part, 3, dst=mask[top:bottom, left:right])
        colour[top:bottom, left:right, 3] = 255
    return Drawn(Image.fromarray(colour), Image.fromarray(mask))  # both share the arrays' memory


def _whole(image: np.ndarray) -> Span:
    return 0, 0, image.shape[1], image.shape[0]


def _pixels(canvas: Image.Image) -> np.ndarray:
    """A canvas from ``_compose`` as straight RGB or RGBA pixels."""
    pixels = np.asarray(canvas)
    return pixels if canvas.mode == "RGB" else cv2.cvtColor(pixels, cv2.COLOR_mRGBA2RGBA)


def _encode_strip(canvas: Image.Image, *, first: bool, last: bool) -> png.Strip:
    return png.compress_strip(_pixels(canvas), first=first, last=last)


def _encode_webp(canvas: Image.Image, *, opaque: bool) -> EncodedImage:
    image = canvas if opaque else Image.fromarray(_pixels(canvas))
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    return EncodedImage(buffer.getvalue(), "image/webp", image.width, image.height)


def _rgb(hex_value: str) -> tuple[int, int, int]:
    return int(hex_value[1:3], 16), int(hex_value[3:5], 16), int(hex_value[5:7], 16)
