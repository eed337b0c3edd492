"""Benchmark: rendering an outfit of 8 layers from 1024 px cut-outs on a 1080×1350 canvas: a cold
render, a warm render and a cache hit served over HTTP, beside the floor.

Makes 8 distinct seeded cut-outs as the app stores them (tests/photos.py garments, the true mask as
alpha, scaled to a 1024 px long edge, trimmed to alpha ≥ 8, RGB zeroed where alpha is 0, written by
the app's own PNG encoder, ``png.encode_png``, as the app writes every cut-out)
and one outfit of them (scales 0.5–1.0, rotations within ±20°, an opaque background), then measures
in one run:

1. cold, in-process: a new ``PillowOutfitRenderer`` per run (both its caches empty) reading the
   cut-outs from a ``FileImageStore`` in a temporary directory, rendering to PNG at 1080 px. The
   blobs were just written, so the OS page cache holds them: "cold" means the renderer's caches,
   not the disk;
2. warm, in-process: the same renderer again (decoded and transformed layers cached): composite
   and PNG encode, both in bands side by side on the pool; also without the encode (see 4);
3. the floor, interleaved with (2): the very layers the renderer transformed, each placed by the
   canvas contract (its centre at x, y), composited on this thread onto a new 1080×1350 canvas
   with the renderer's primitive (Pillow's paste through the layer's alpha), with and without the
   renderer's encode (``png.encode_png``, its strips on a thread pool of the imaging pool's size).
   The ≤ 1.5× target compares warm with the floor, both with the encode; both without are shown
   too, and for reference the old floor's pieces: ``Image.alpha_composite`` of the same layers, and
   Pillow's PNG encode (compress_level 1) of the same canvas;
4. where the time goes: the renderer's own steps timed in instrumented renders, one after each run
   of (1) and (2) (its ``_decode``, ``_transformed`` and ``_compose`` wrapped on the instance,
   ``_encode_strip`` and ``png.assemble`` patched on their modules for the run: warm without the
   encode comes from these). The steps run on the pool's threads side by side, so their sums are
   work, not wall time. The decode and transform calls are also timed apart, one after another on
   this thread, after the first 10 cold runs;
5. ``closet serve`` (embedded profile, a temporary data dir, jobs off so the cut-outs are exactly
   these): 8 items, each given its cut-out as its photo and the cut-out's alpha as its mask, the
   outfit created, then ``GET /api/v1/outfits/{id}/image``: the first (the server renders: cold),
   N more outfits, each with its top layer moved a few pixels (a new picture, so a new render key,
   drawn with the server's caches warm, then stored; identical layouts would share one key, and the
   server's memory of finished renders would answer them), then cache hits on one keep-alive
   connection, the same with ``If-None-Match`` (304), and for reference ``GET /health`` and the
   outfit's JSON on that connection.

Peak RSS is sampled every 20 ms: of this process during (1)-(4), of the server during (5). CPU
time is the whole process's (every thread), so it includes the RSS sampler's few calls.

A script, not a test: it talks to 127.0.0.1 only, and stops what it started. Targets are checked
against the median and, separately, the p99 (nearest-rank: with fewer than 100 runs, the slowest).
MB here is 2^20 bytes.

    .venv/bin/python bench/outfit_render.py [--cold 30] [--warm 100] [--hits 300] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import io
import json
import os
import platform
import random
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock

import cv2
import numpy as np
import PIL
import psutil
from PIL import Image, features

from _common import (
    KeepAliveClient,
    RssSampler,
    Server,
    Stats,
    free_port,
    interrupt_on_signals,
    ms,
    print_table,
    run_async,
)
from closet.adapters.files.blobs import FileImageStore
from closet.adapters.imaging import png as fast_png
from closet.adapters.imaging import render as render_module
from closet.adapters.imaging.processor import ImagingPool
from closet.adapters.imaging.render import BANDS, Drawn, PillowOutfitRenderer
from closet.application.ports.images import EncodedImage, ImageLimits, RenderLayer
from closet.domain.images import BlobKey

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests/
from tests.photos import BACKGROUNDS, GARMENTS, make_scene

CANVAS = (1080, 1350)
BACKGROUND = "#f4f1ea"
LAYERS = 8
CUTOUT_EDGE = 1024
SCENE_SIZE = (1280, 1280)  # the garment fills 70-88% of it: scaled down to CUTOUT_EDGE, never up
SEED = 20_261_122
PASSWORD = "bench-password-1234"
MB = 2**20
CACHE_BYTES = 256 * MB  # the server's default CLOSET_RENDER_CACHE_MB
TARGET_COLD, TARGET_WARM, TARGET_RATIO, TARGET_HIT = 0.120, 0.040, 1.5, 0.003
PILLOW_PNG_LEVEL = 1  # the reference encode: the old renderer's setting
STEPS = ("read", "decode", "scale", "cover", "turn", "compose", "encode", "assemble", "total")
LIMITS = ImageLimits()
T = TypeVar("T")


# --- the cut-outs and the outfit -------------------------------------------------------------


def make_cutout(index: int) -> Image.Image:
    """A garment cut out as the app stores one: trimmed RGBA, RGB zeroed under alpha 0."""
    photo, mask = make_scene(
        BACKGROUNDS[index % len(BACKGROUNDS)],
        size=SCENE_SIZE,
        seed=SEED + index,
        garment=GARMENTS[index % len(GARMENTS)],
    )
    image = photo.convert("RGBA")
    image.putalpha(mask)
    image = image.crop(mask.getbbox())
    scale = CUTOUT_EDGE / max(image.size)
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    # The app trims a cut-out to alpha ≥ 8 (finish_cutout): the same here, so the server's copy of
    # each cut-out (made from it by the mask upload) has these very pixels.
    image = image.crop(image.getchannel("A").point(lambda a: 255 if a >= 8 else 0).getbbox())
    pixels = np.array(image)
    pixels[pixels[..., 3] == 0, :3] = 0
    return Image.fromarray(pixels, "RGBA")


def png(image: Image.Image, level: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=level)
    return buffer.getvalue()


@dataclass(frozen=True)
class Placement:
    x: float
    y: float
    scale: float
    rotation_deg: float


def outfit_layout() -> list[Placement]:
    """A flat-lay: two columns of four, jittered, each layer scaled 0.5–1.0 and turned ±20°."""
    rng = random.Random(SEED)
    spots = [(x, y) for y in (230, 540, 850, 1140) for x in (300, 780)]
    return [
        Placement(
            round(x + rng.uniform(-60, 60), 1),
            round(y + rng.uniform(-50, 50), 1),
            round(rng.uniform(0.5, 1.0), 3),
            round(rng.uniform(-20, 20), 2),
        )
        for x, y in spots[:LAYERS]
    ]


# --- 1-4: in-process renders -----------------------------------------------------------------


@dataclass
class Phases:
    """Seconds per run, summed over the calls within the run."""

    runs: list[dict[str, float]] = field(default_factory=list)

    def start(self) -> dict[str, float]:
        self.runs.append(dict.fromkeys(STEPS, 0.0))
        return self.runs[-1]

    def stats(self, name: str) -> Stats:
        return Stats.of([run[name] for run in self.runs])

    def derived(self, how: Callable[[dict[str, float]], float]) -> Stats:
        return Stats.of([how(run) for run in self.runs])


@dataclass
class Runs:
    """Wall and CPU seconds (of the whole process: every thread) per run."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def stats(self) -> Stats:
        return Stats.of(self.wall)

    @property
    def cpu_p50(self) -> float:
        return Stats.of(self.cpu).p50

    @property
    def rate(self) -> float:
        """Runs per second, one at a time."""
        return len(self.wall) / sum(self.wall)

    def time(self, work: Callable[[], object]) -> Any:
        started, cpu_started = time.perf_counter(), time.process_time()
        result = work()
        self.wall.append(time.perf_counter() - started)
        self.cpu.append(time.process_time() - cpu_started)
        return result

    async def time_async(self, work: Callable[[], Awaitable[T]]) -> T:
        started, cpu_started = time.perf_counter(), time.process_time()
        result = await work()
        self.wall.append(time.perf_counter() - started)
        self.cpu.append(time.process_time() - cpu_started)
        return result


@dataclass
class InProcess:
    cold: Runs
    cold_whole: Runs  # for reference: cold renders that turn every visible tile, hidden or not
    warm: Runs
    warm_bare: Runs  # warm renders with the encode skipped (the strips left empty)
    floor: Runs  # composite + encode
    floor_bare: Runs  # composite only
    alpha_floor: Runs  # for reference: Image.alpha_composite of the same layers, no encode
    pillow_encode: Runs  # for reference: Pillow's PNG encode of the floor's canvas
    parallel_rate: float  # warm renders/s with `workers` renders in flight
    workers: int
    cold_phases: Phases
    warm_phases: Phases
    steps: dict[str, Stats]
    png_data: bytes
    pillow_png_bytes: int
    same_pixels: str
    cache_bytes: int
    baseline_rss: int = 0
    peak_rss: int = 0


class TimedStore:
    """Wraps an ImageStore: the seconds its reads take go to the current run's "read"."""

    def __init__(self, store: FileImageStore) -> None:
        self.store = store
        self.run: dict[str, float] = {}

    async def get(self, key: BlobKey) -> bytes | None:
        started = time.perf_counter()
        try:
            return await self.store.get(key)
        finally:
            self.run["read"] += time.perf_counter() - started


ADDING = threading.Lock()  # the steps run on the pool's threads: two may add at once


def timed(run: Callable[[], dict[str, float]], name: str, work: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return work(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - started
            with ADDING:
                run()[name] += elapsed

    return wrapper


class Instrumented:
    """A renderer with its steps timed: ``_decode``, ``_turn`` and ``_compose`` wrapped on the
    instance; ``render._scaled``, ``render.Cover.take``, ``render._encode_strip`` and ``png.assemble``
    patched where they are defined while a render runs. ``close()`` unwraps them (the wrappers hold
    the renderer: a cycle that would keep its caches alive until the GC ran)."""

    STEPS = (("_decode", "decode"), ("_turn", "turn"), ("_compose", "compose"))

    def __init__(self, store: FileImageStore, pool: ImagingPool, phases: Phases) -> None:
        self.timed_store, self.phases = TimedStore(store), phases
        self.renderer = PillowOutfitRenderer(self.timed_store, pool, LIMITS, CACHE_BYTES)  # type: ignore[arg-type]
        timed_store = self.timed_store

        def current() -> dict[str, float]:
            return timed_store.run

        for name, step in self.STEPS:
            setattr(self.renderer, name, timed(current, step, getattr(self.renderer, name)))
        self.encode = timed(current, "encode", render_module._encode_strip)
        self.assemble = timed(current, "assemble", fast_png.assemble)
        self.scale = timed(current, "scale", render_module._scaled)
        self.cover = timed(current, "cover", render_module.Cover.take)

    async def render(self, layers: Sequence[RenderLayer]) -> EncodedImage:
        self.timed_store.run = self.phases.start()
        started = time.perf_counter()
        with (
            mock.patch.object(render_module, "_encode_strip", self.encode),
            mock.patch.object(fast_png, "assemble", self.assemble),
            mock.patch.object(render_module, "_scaled", self.scale),
            mock.patch.object(render_module.Cover, "take", self.cover),
        ):
            image = await render(self.renderer, layers)
        self.timed_store.run["total"] = time.perf_counter() - started
        return image

    def close(self) -> None:
        for name, _ in self.STEPS:
            delattr(self.renderer, name)


async def render(renderer: PillowOutfitRenderer, layers: Sequence[RenderLayer]) -> EncodedImage:
    return await renderer.render(CANVAS, BACKGROUND, layers, width=CANVAS[0], fmt="png")


def floor(
    placed: Sequence[tuple[Drawn, int, int]], *, encode: bool, strips: ThreadPoolExecutor
) -> bytes | Image.Image:
    """The least the warm render can do: composite the transformed layers with the renderer's own
    primitive, on this thread (and encode them with its encoder, the strips on ``strips``)."""
    canvas = Image.new("RGB", CANVAS, tuple(bytes.fromhex(BACKGROUND[1:])))
    for drawn, left, top in placed:
        canvas.paste(drawn.colour, (left, top), drawn.mask)  # Pillow clips it to the canvas
    if not encode:
        return canvas
    return fast_png.encode_png(canvas, strips=BANDS, map_=strips.map)


def no_encode(canvas: Image.Image, *, first: bool, last: bool) -> fast_png.Strip:
    """Stands in for the renderer's ``_encode_strip`` to time a warm render without the encode."""
    return fast_png.Strip(b"", 1, 0)


def alpha_floor(placed: Sequence[tuple[Image.Image, int, int]]) -> Image.Image:
    """For reference, the old floor's composite: ``Image.alpha_composite`` of straight RGBA layers."""
    canvas = Image.new("RGBA", CANVAS, (*bytes.fromhex(BACKGROUND[1:]), 255))
    for image, left, top in placed:
        x0, y0 = max(0, left), max(0, top)
        x1, y1 = min(CANVAS[0], left + image.width), min(CANVAS[1], top + image.height)
        if x0 < x1 and y0 < y1:  # Image.alpha_composite takes no negative offsets: clip
            canvas.alpha_composite(image, dest=(x0, y0), source=(x0 - left, y0 - top, x1 - left, y1 - top))
    return canvas


async def measure_in_process(cutouts: Sequence[bytes], args: argparse.Namespace) -> InProcess:
    with tempfile.TemporaryDirectory(prefix="closet-bench-render-") as root:
        store = FileImageStore(Path(root))
        keys = [await store.put(data) for data in cutouts]
        layers = [
            RenderLayer(key, p.x, p.y, p.scale, p.rotation_deg)
            for key, p in zip(keys, outfit_layout(), strict=True)
        ]
        pool = ImagingPool(args.image_workers)
        strips = ThreadPoolExecutor(args.image_workers, thread_name_prefix="floor")
        try:
            return await _measure(store, pool, strips, layers, args)
        finally:
            pool.shutdown()
            strips.shutdown()


async def _measure(
    store: FileImageStore,
    pool: ImagingPool,
    strips: ThreadPoolExecutor,
    layers: list[RenderLayer],
    args: argparse.Namespace,
) -> InProcess:
    def fresh(*, cull: bool = True) -> PillowOutfitRenderer:
        return PillowOutfitRenderer(store, pool, LIMITS, CACHE_BYTES, cull=cull)

    for _ in range(2):  # warm-up: imports, the pool's threads, the allocator
        renderer = fresh()
        await render(renderer, layers)
        await render(renderer, layers)

    # Each cold run is followed by an instrumented one (and, for the first 10, the Pillow calls timed
    # apart), so the breakdown sees the same machine as the figures it explains.
    sources = [data for data in [await store.get(layer.image) for layer in layers] if data is not None]
    cold, cold_whole, cold_phases = Runs(), Runs(), Phases()
    steps: dict[str, list[float]] = {name: [] for name in STEP_NAMES}
    for index in range(args.cold):
        renderer = fresh()
        first = await cold.time_async(lambda: render(renderer, layers))  # noqa: B023
        whole_renderer = fresh(cull=False)  # for reference: every visible tile turned, hidden or not
        whole = await cold_whole.time_async(lambda: render(whole_renderer, layers))  # noqa: B023
        instrumented = Instrumented(store, pool, cold_phases)
        await instrumented.render(layers)
        instrumented.close()
        if index < 10:
            for name, seconds in layer_steps(sources, layers).items():
                steps[name].append(seconds)

    # The floor's layers: the very images this renderer turned (found in its cache), in drawing
    # order. A layer's tiles hidden under the layers above it were not turned: they are transparent
    # in its image, as in the render.
    renderer = fresh()
    warm_image = await render(renderer, layers)
    placed = []
    for layer in layers:
        source = renderer.decoded.get(layer.image)
        assert source is not None
        turned = renderer.transformed.get(render_module._transform_key(layer, source, 1.0))
        assert turned is not None
        drawn = turned.drawn
        placed.append((drawn, round(layer.x - drawn.size[0] / 2), round(layer.y - drawn.size[1] / 2)))
    straight = [(_straight(drawn), left, top) for drawn, left, top in placed]
    floor_canvas = floor(placed, encode=False, strips=strips)
    assert isinstance(floor_canvas, Image.Image)
    same_pixels = compare(warm_image.data, floor_canvas)
    if warm_image.data != first.data:
        same_pixels += "; PROBLEM: the warm render's bytes differ from the cold one's"
    reference = fast_png.encode_png(alpha_floor(straight).convert("RGB"))
    same_pixels += (
        "\n     "
        + hidden_tiles(first.data, whole.data)
        + "\n     "
        + compare(reference, floor_canvas, "the paste floor", "the alpha_composite floor")
    )
    pillow_png_bytes = len(png(floor_canvas, PILLOW_PNG_LEVEL))

    warm, floors, bare, warm_phases = Runs(), Runs(), Runs(), Phases()
    warm_bare, alpha_floors, pillow_encodes = Runs(), Runs(), Runs()
    instrumented = Instrumented(store, pool, warm_phases)
    await instrumented.render(layers)
    warm_phases.runs.clear()  # that one was cold
    for _ in range(args.warm):  # interleaved, so all of them see the same machine
        await warm.time_async(lambda: render(renderer, layers))
        await instrumented.render(layers)
        with mock.patch.object(render_module, "_encode_strip", no_encode):
            await warm_bare.time_async(lambda: render(renderer, layers))
        floors.time(lambda: floor(placed, encode=True, strips=strips))
        bare.time(lambda: floor(placed, encode=False, strips=strips))
        alpha_floors.time(lambda: alpha_floor(straight))
        pillow_encodes.time(lambda: png(floor_canvas, PILLOW_PNG_LEVEL))
    instrumented.close()

    in_flight = max(1, args.image_workers)
    rounds = max(1, args.warm // in_flight)
    started = time.perf_counter()
    for _ in range(rounds):
        await asyncio.gather(*(render(renderer, layers) for _ in range(in_flight)))
    parallel_rate = rounds * in_flight / (time.perf_counter() - started)

    return InProcess(
        cold=cold,
        cold_whole=cold_whole,
        warm=warm,
        warm_bare=warm_bare,
        floor=floors,
        floor_bare=bare,
        alpha_floor=alpha_floors,
        pillow_encode=pillow_encodes,
        parallel_rate=parallel_rate,
        workers=in_flight,
        cold_phases=cold_phases,
        warm_phases=warm_phases,
        steps={name: Stats.of(values) for name, values in steps.items()},
        png_data=warm_image.data,
        pillow_png_bytes=pillow_png_bytes,
        same_pixels=same_pixels,
        cache_bytes=renderer.decoded.used + renderer.transformed.used,
    )


STEP_NAMES = (
    "PNG decode (png.decode_png: the app's own PNGs)",
    "RGBA → NumPy (Pillow, for other PNGs only)",
    "premultiply (cv2 RGBA2mRGBA)",
    "resize (cv2: bilinear down to ½, area below, bicubic up)",
    "tiles: which can show, which are solid (render.tiles_of)",
    "cover: which show on the canvas, not hidden (render.Cover)",
    "rotate (cv2.warpAffine, the tiles that show)",
    "un-premultiply, alpha → mask (cv2 mRGBA2RGBA, those tiles)",
)


def layer_steps(sources: Sequence[bytes], layers: Sequence[RenderLayer]) -> dict[str, float]:
    """The renderer's own helpers timed one by one, summed over the 8 layers (on this thread: no
    pool, no caches): each layer decoded and scaled, then, from the top layer down, its needed
    tiles found and turned. Explains the cold render's work; the render spreads it over the pool's
    threads."""
    run = dict.fromkeys(STEP_NAMES, 0.0)
    prepared = []
    for data, layer in zip(sources, layers, strict=True):
        marks = [time.perf_counter()]
        decoded = fast_png.decode_png(data, 10**8)
        marks.append(time.perf_counter())
        if decoded is None:
            image = Image.open(io.BytesIO(data))
            decoded = np.asarray(image.convert("RGBA") if image.mode != "RGBA" else image)
        pixels = decoded if decoded.shape[2] == 4 else cv2.cvtColor(decoded, cv2.COLOR_RGB2RGBA)
        marks.append(time.perf_counter())
        premultiplied = cv2.cvtColor(pixels, cv2.COLOR_RGBA2mRGBA)
        marks.append(time.perf_counter())
        height, width = pixels.shape[:2]
        target = (round(width * layer.scale), round(height * layer.scale))
        angle = round(layer.rotation_deg % 360, 3) % 360
        resized = render_module.resize(premultiplied, target)
        marks.append(time.perf_counter())
        tiles = render_module.tiles_of(resized, angle)
        marks.append(time.perf_counter())
        for name, begin, end in zip(STEP_NAMES[:5], marks[:-1], marks[1:], strict=True):
            run[name] += end - begin
        prepared.append((resized, angle, tiles, layer))
    cover = render_module.Cover(CANVAS)
    for resized, angle, tiles, layer in reversed(prepared):
        marks = [time.perf_counter()]
        left, top = round(layer.x - tiles.size[0] / 2), round(layer.y - tiles.size[1] / 2)
        needed = cover.take(tiles, left, top)
        marks.append(time.perf_counter())
        turned, spans = render_module.turn(resized, angle, needed)
        marks.append(time.perf_counter())
        render_module._drawn(turned, spans)
        marks.append(time.perf_counter())
        for name, begin, end in zip(STEP_NAMES[5:], marks[:-1], marks[1:], strict=True):
            run[name] += end - begin
    return run


def _straight(drawn: Drawn) -> Image.Image:
    """A transformed layer as one straight RGBA image (for the reference alpha_composite floor)."""
    image = drawn.colour.copy()
    image.putalpha(drawn.mask)
    return image


def compare(data: bytes, canvas: Image.Image, what: str = "the floor", subject: str = "the render") -> str:
    """How the pixels of ``subject`` (PNG ``data``) compare with ``what`` (the floor's canvas, or
    another render)."""
    rendered = Image.open(io.BytesIO(data))
    if rendered.size != canvas.size:
        return f"PROBLEM: {subject} is {rendered.size}, {what} {canvas.size}"
    a = np.asarray(rendered.convert("RGB"), np.int16)
    b = np.asarray(canvas.convert("RGB"), np.int16)
    diff = np.abs(a - b)
    if not diff.any():
        return f"{subject} and {what} give the same pixels"
    return (
        f"PROBLEM: {subject} differs from {what} in {(diff.max(axis=2) > 0).sum():,} pixels "
        f"(at most {diff.max()} levels)"
    )


def hidden_tiles(culled: bytes, whole: bytes) -> str:
    """How the render compares with one that turned every visible tile: a pixel may differ by a
    level where a span was turned from another origin (render.tiles_of); more is a problem."""
    a, b = (np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), np.int16) for data in (culled, whole))
    diff = np.abs(a - b).max(axis=2)
    verdict = "as expected" if diff.max(initial=0) <= 2 else "PROBLEM: more than a turn's rounding"
    return (
        f"the render and one turning every visible tile (hidden or not): {(diff > 0).sum():,} pixels "
        f"differ, by at most {diff.max(initial=0)} levels ({verdict})"
    )


# --- 5: over HTTP ----------------------------------------------------------------------------


@dataclass
class OverHttp:
    first: float  # the first GET: the server renders with its caches empty
    misses: Stats | None  # first GETs of further outfits: renders with warm caches, then stored
    hits: Stats
    hits_rate: float
    not_modified: Stats
    not_modified_rate: float
    health: Stats  # GET /health: the server's least request
    outfit_json: Stats  # GET /api/v1/outfits/{id}: an authenticated read of the same outfit
    body_bytes: int
    failures: list[str]
    idle_rss: int
    peak_rss: int
    processes: int
    same_as_in_process: str
    stop_seconds: float = 0.0


def measure_http(cutouts: Sequence[Image.Image], in_process_png: bytes, args: argparse.Namespace) -> OverHttp:
    env = {
        "CLOSET_PROFILE": "embedded",
        "CLOSET_LOG_LEVEL": "WARNING",
        "CLOSET_ACCESS_TOKEN_MINUTES": "60",
        "CLOSET_PASSWORD_TIME_COST": "1",
        "CLOSET_PASSWORD_MEMORY_KIB": "64",
        "CLOSET_RATE_LIMIT_PER_MINUTE": "1000000",
        "CLOSET_IMAGE_WORKERS": str(args.image_workers),
        "CLOSET_JOBS": "false",  # no automatic cut-out: each item's is made from the uploaded mask
    }
    with tempfile.TemporaryDirectory(prefix="closet-bench-render-") as data_dir:
        env["CLOSET_DATA_DIR"] = data_dir
        port = free_port()
        server = Server(env, workers=1, port=port)
        with server:
            client = KeepAliveClient(port, timeout=60)
            try:
                result = _drive_http(server, client, cutouts, in_process_png, args)
            finally:
                client.close()
        result.stop_seconds = server.stop_seconds
    return result


def _drive_http(
    server: Server,
    client: KeepAliveClient,
    cutouts: Sequence[Image.Image],
    in_process_png: bytes,
    args: argparse.Namespace,
) -> OverHttp:
    client.headers["Authorization"] = f"Bearer {_sign_up(client)}"
    item_ids = [_item_with_cutout(client, n, cutout) for n, cutout in enumerate(cutouts)]

    def outfit(shift: int) -> dict[str, Any]:
        """The bench's outfit, its top layer moved ``shift`` px right: a new picture (a new render
        key; identical layouts share one) whose turned layers the server already holds."""
        return {
            "name": "bench",
            "canvas": {"width": CANVAS[0], "height": CANVAS[1], "background": BACKGROUND},
            "layers": [
                {
                    "item_id": item_id,
                    "x": p.x + (shift if z == LAYERS - 1 else 0),
                    "y": p.y,
                    "scale": p.scale,
                    "rotation_deg": p.rotation_deg,
                    "z": z,
                }
                for z, (item_id, p) in enumerate(zip(item_ids, outfit_layout(), strict=True))
            ],
        }

    outfits = [_create(client, "/api/v1/outfits", outfit(shift)) for shift in range(1 + args.misses)]
    paths = [f"/api/v1/outfits/{o}/image" for o in outfits]
    assert server.process is not None
    supervisor = psutil.Process(server.process.pid)
    family = [supervisor, *supervisor.children(recursive=True)]
    with RssSampler(family, interval=0.02) as idle:
        time.sleep(1.0)
    failures: list[str] = []
    with RssSampler(family, interval=0.02) as rss:
        started = time.perf_counter()
        status, first_body, headers = _get(client, paths[0])
        first = time.perf_counter() - started
        if status != 200:
            raise SystemExit(f"GET {paths[0]} answered {status}: {first_body[:300]!r}")
        misses = []
        for path in paths[1:]:
            started = time.perf_counter()
            status, body, _ = _get(client, path)
            misses.append(time.perf_counter() - started)
            if status != 200 or body == first_body or Image.open(io.BytesIO(body)).size != CANVAS:
                failures.append(f"GET {path} (a miss): {status}, {len(body):,} bytes")
        _timed(client, paths[0], 20, {}, 200, first_body, [])  # warm-up
        hits, hits_seconds = _timed(client, paths[0], args.hits, {}, 200, first_body, failures)
        etag = {"If-None-Match": headers.get("etag", "")}
        not_modified, nm_seconds = _timed(client, paths[0], args.hits, etag, 304, b"", failures)
        health, _ = _timed(client, "/health", args.hits, {}, 200, None, failures)
        outfit_json, _ = _timed(client, f"/api/v1/outfits/{outfits[0]}", args.hits, {}, 200, None, failures)
    return OverHttp(
        first=first,
        misses=Stats.of(misses) if misses else None,
        hits=Stats.of(hits),
        hits_rate=len(hits) / hits_seconds,
        not_modified=Stats.of(not_modified),
        not_modified_rate=len(not_modified) / nm_seconds,
        health=Stats.of(health),
        outfit_json=Stats.of(outfit_json),
        body_bytes=len(first_body),
        failures=failures,
        idle_rss=sum(idle.peaks.values()),
        peak_rss=sum(rss.peaks.values()),
        processes=len(family),
        same_as_in_process=(
            "the same bytes as the in-process render"
            if first_body == in_process_png
            else "PROBLEM: not the same bytes as the in-process render; "
            + compare(first_body, Image.open(io.BytesIO(in_process_png)), "the in-process render")
        ),
    )


def _timed(
    client: KeepAliveClient,
    path: str,
    count: int,
    headers: dict[str, str],
    expect: int,
    body: bytes | None,
    failures: list[str],
) -> tuple[list[float], float]:
    """``count`` sequential GETs on the keep-alive connection: (latencies, wall seconds); a status
    other than ``expect`` or a body other than ``body`` (unless None) is noted in ``failures``."""
    latencies = []
    began = time.perf_counter()
    for _ in range(count):
        started = time.perf_counter()
        status, answer, _ = _get(client, path, headers)
        latencies.append(time.perf_counter() - started)
        if status != expect or (body is not None and answer != body):
            failures.append(f"GET {path} {headers}: {status}, {len(answer):,} bytes (expected {expect})")
    return latencies, time.perf_counter() - began


def _get(
    client: KeepAliveClient, path: str, headers: dict[str, str] | None = None
) -> tuple[int, bytes, dict[str, str]]:
    """A GET with its response headers, reconnecting once if the server closed the idle connection
    (uvicorn drops a keep-alive connection after 5 s without a request)."""
    for attempt in range(2):
        try:
            client.conn.request("GET", path, headers={**client.headers, **(headers or {})})
            response = client.conn.getresponse()
            return response.status, response.read(), {k.lower(): v for k, v in response.getheaders()}
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            client.conn.close()
            if attempt:
                raise
    raise AssertionError("unreachable")


def _sign_up(client: KeepAliveClient) -> str:
    email = f"bench-render-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": PASSWORD, "display_name": "Bench"}
    status, answer = client.request("POST", "/api/v1/auth/register", body)
    if status != 202:
        raise SystemExit(f"register answered {status}: {answer[:300]!r}")
    status, answer = client.request("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})
    if status != 200:
        raise SystemExit(f"login answered {status}: {answer[:300]!r}")
    return str(json.loads(answer)["access_token"])


def _create(client: KeepAliveClient, path: str, body: dict[str, Any]) -> str:
    status, answer = client.request("POST", path, body)
    if status != 201:
        raise SystemExit(f"POST {path} answered {status}: {answer[:300]!r}")
    return str(json.loads(answer)["id"])


def _item_with_cutout(client: KeepAliveClient, number: int, cutout: Image.Image) -> str:
    """An item whose cut-out is ``cutout``: the cut-out uploaded as its photo, its alpha as the mask."""
    item_id = _create(client, "/api/v1/items", {"name": f"Bench garment {number}", "category": "top"})
    for suffix, data in (("photo", png(cutout, 3)), ("photo/mask", png(cutout.getchannel("A"), 3))):
        path = f"/api/v1/items/{item_id}/{suffix}"
        status, answer = _post_file(client, path, data)
        if status != 200:
            raise SystemExit(f"POST {path} answered {status}: {answer[:300]!r}")
    status, answer = client.request("GET", f"/api/v1/items/{item_id}")
    photo = (json.loads(answer).get("photo") or {}) if status == 200 else {}
    if photo.get("status") != "ready":
        raise SystemExit(f"item {item_id}: the cut-out is {photo.get('status')!r} after the mask upload")
    return item_id


def _post_file(client: KeepAliveClient, path: str, data: bytes) -> tuple[int, bytes]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cutout.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    )
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    headers = {**client.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    client.conn.request("POST", path, body=body, headers=headers)
    response = client.conn.getresponse()
    return response.status, response.read()


# --- the report ------------------------------------------------------------------------------


def mb(size: float) -> str:
    return f"{size / MB:.1f} MB"


def row(name: str, value: str, goal: str = "", ok: bool | None = None) -> list[str]:
    return [name, value, goal, "—" if ok is None else ("yes" if ok else "NO")]


def timing_rows(name: str, stats: Stats, target: float | None) -> list[list[str]]:
    goal = f"≤ {ms(target)}" if target is not None else ""
    return [
        row(f"{name}, median", ms(stats.p50), goal, None if target is None else stats.p50 <= target),
        row(f"{name}, p99", ms(stats.p99), goal, None if target is None else stats.p99 <= target),
    ]


def run_rows(name: str, runs: Runs, target: float | None, goal: str = "") -> list[list[str]]:
    rows = timing_rows(name, runs.stats(), target)
    if goal:
        rows = [[*r[:2], goal, r[3]] for r in rows]
    return [
        *rows,
        row("  median CPU time (all threads)", ms(runs.cpu_p50)),
        row("  throughput, one at a time", f"{runs.rate:.1f} /s"),
    ]


def report(local: InProcess, remote: OverHttp | None) -> None:
    warm_bare = local.warm_bare.stats()
    floor, floor_bare = local.floor.stats(), local.floor_bare.stats()
    ratio = local.warm.stats().p50 / floor.p50
    ratio_bare = warm_bare.p50 / floor_bare.p50
    rows = [
        *run_rows("cold render (in-process)", local.cold, TARGET_COLD),
        row("  cold, every visible tile turned (hidden ones too), median", ms(local.cold_whole.stats().p50)),
        row("  its median CPU time (all threads)", ms(local.cold_whole.cpu_p50)),
        *run_rows("warm render (in-process)", local.warm, TARGET_WARM),
        row(f"  throughput, {local.workers} in flight", f"{local.parallel_rate:.1f} /s"),
        *run_rows("floor: paste composite + the renderer's encode", local.floor, None, "baseline"),
        row(
            "warm / floor (medians, both with encode)",
            f"{ratio:.2f}×",
            f"≤ {TARGET_RATIO}×",
            ratio <= TARGET_RATIO,
        ),
        row("  warm without the encode, median", ms(warm_bare.p50)),
        row("  warm without the encode, p99", ms(warm_bare.p99)),
        row("  floor without the encode, median", ms(floor_bare.p50), "baseline"),
        row("  floor without the encode, p99", ms(floor_bare.p99), "baseline"),
        row("  warm / floor, both without the encode", f"{ratio_bare:.2f}×"),
        row(
            "  the encode in warm runs, median (summed over bands)", ms(local.warm_phases.stats("encode").p50)
        ),
        row("  reference: alpha_composite floor, no encode, median", ms(local.alpha_floor.stats().p50)),
        row("  reference: Pillow PNG level 1 of the floor, median", ms(local.pillow_encode.stats().p50)),
        row("  rendered PNG", f"{len(local.png_data) / 1e6:.2f} MB (10^6 bytes)"),
        row(
            "  the same canvas by Pillow, PNG level 1", f"{local.pillow_png_bytes / 1e6:.2f} MB (10^6 bytes)"
        ),
        row("peak RSS, in-process renders", mb(local.peak_rss)),
        row("  RSS before the renders", mb(local.baseline_rss)),
        row("  renderer caches held (one renderer)", mb(local.cache_bytes)),
    ]
    if remote is not None:
        rows.append(row("HTTP first GET (server renders, cold)", ms(remote.first)))
        if remote.misses is not None:
            rows += [
                row("HTTP miss, server caches warm, median", ms(remote.misses.p50)),
                row("HTTP miss, server caches warm, p99", ms(remote.misses.p99)),
            ]
        rows += [
            *timing_rows("HTTP cache hit (200)", remote.hits, TARGET_HIT),
            row("  throughput, one at a time", f"{remote.hits_rate:.0f} /s"),
            *timing_rows("HTTP cache hit, If-None-Match (304)", remote.not_modified, None),
            row("  throughput, one at a time", f"{remote.not_modified_rate:.0f} /s"),
            row("  GET /health, median", ms(remote.health.p50), "reference"),
            row("  GET /api/v1/outfits/{id} (JSON), median", ms(remote.outfit_json.p50), "reference"),
            row("server RSS, idle", mb(remote.idle_rss)),
            row("server peak RSS (renders + hits)", mb(remote.peak_rss)),
            row("failed or unexpected responses", str(len(remote.failures)), "0", not remote.failures),
        ]
    else:
        rows.append(row("HTTP cache hit (200), median", "failed", f"≤ {ms(TARGET_HIT)}", False))
    print()
    print_table(["measurement", "figure", "target", "met?"], rows)


def phase_table(local: InProcess) -> None:
    def work(r: dict[str, float]) -> float:
        return sum(r[name] for name in STEPS[1:-1])  # what ran on the pool (and assemble, on the loop)

    parts: list[tuple[str, Callable[[Phases], Stats]]] = [
        ("blob reads (FileImageStore.get, side by side)", lambda p: p.stats("read")),
        ("decode: PNG → premultiplied RGBA (8)", lambda p: p.stats("decode")),
        ("scale: resize + which tiles show, which hide (8; warm: none)", lambda p: p.stats("scale")),
        ("cover: the tiles each layer needs (8, on the event loop)", lambda p: p.stats("cover")),
        ("turn: rotate + un-premultiply those tiles (8; warm: none)", lambda p: p.stats("turn")),
        (f"composite: {BANDS} band canvases + paste of the layers", lambda p: p.stats("compose")),
        (f"encode: filter + deflate {BANDS} strips", lambda p: p.stats("encode")),
        ("assemble the PNG (on the event loop)", lambda p: p.stats("assemble")),
        ("  all of these: the work", lambda p: p.derived(work)),
        ("whole render, wall (instrumented)", lambda p: p.stats("total")),
        ("  work / wall: threads busy at once", lambda p: p.derived(lambda r: work(r) / r["total"])),
    ]

    def figure(name: str, stats: Stats) -> str:
        return f"{stats.p50:.2f}" if "busy" in name else ms(stats.p50)

    rows = [
        [name, figure(name, how(local.cold_phases)), figure(name, how(local.warm_phases))]
        for name, how in parts
    ]
    print(
        f"\n4. where the time goes: the renderer's steps timed inside {len(local.cold_phases.runs)} cold and "
        f"{len(local.warm_phases.runs)} warm renders (medians per run). The steps run side by side on the "
        "pool's threads: each is the sum of its calls' time, so together they exceed the wall time"
    )
    print_table(["step", "cold", "warm"], rows)
    runs = local.steps[STEP_NAMES[0]].count
    print(
        f"\n   decode and transform split further: the same calls timed apart, on one thread ({runs} runs, "
        "8 layers)"
    )
    print_table(
        ["step (summed over the 8 layers)", "median", "p99"],
        [[name, ms(stats.p50), ms(stats.p99)] for name, stats in local.steps.items()],
    )


def machine_check() -> str:
    """A figure to compare machines by: zlib level 1 on 4 MiB of random bytes, CPU time."""
    data = random.Random(SEED).randbytes(4 * MB)
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        zlib.compress(data, 1)
        best = min(best, time.process_time() - started)
    return f"zlib level 1 on 4 MiB of random bytes: {ms(best)} CPU"


def benchmark(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    print(
        f"CPUs: {os.cpu_count()}; Pillow {PIL.__version__} (zlib {features.version('zlib')}); "
        f"NumPy {np.__version__}; OpenCV {cv2.__version__}; Python {platform.python_version()}; "
        f"load average {os.getloadavg()[0]:.2f} (others' work on this machine skews the figures)"
    )
    print(f"machine check: {machine_check()}")
    images = [make_cutout(i) for i in range(LAYERS)]
    cutouts = [fast_png.encode_png(image) for image in images]  # as the app stores a cut-out
    shapes = ", ".join(f"{i.width}×{i.height}" for i in images)
    total = sum(map(len, cutouts)) / 1e6
    print(
        f"cut-outs: {LAYERS} RGBA PNGs (the app's encoder), {shapes}; {total:.1f} MB (10^6 bytes) in all; "
        f"made in {time.perf_counter() - started:.1f} s"
    )
    layout = "; ".join(f"({p.x:g}, {p.y:g}) ×{p.scale:g} {p.rotation_deg:+g}°" for p in outfit_layout())
    print(f"outfit: {CANVAS[0]}×{CANVAS[1]}, background {BACKGROUND}, layers back to front: {layout}")

    me = psutil.Process()
    baseline = me.memory_info().rss
    with RssSampler([me], interval=0.02) as rss:
        local = run_async(measure_in_process(cutouts, args))
    local.baseline_rss, local.peak_rss = baseline, max(rss.peaks.values())
    print(
        f"\n1-3. in-process, ImagingPool({args.image_workers}) as the server's, render cache "
        f"{CACHE_BYTES // MB} MB: {args.cold} cold runs, {args.warm} warm runs interleaved with the floor "
        f"(after 2 warm-up renders of each)"
    )
    print("     cold: a new renderer per run; the blobs are in the OS page cache (just written)")
    print(f"     check: {local.same_pixels}")
    phase_table(local)

    remote: OverHttp | None = None
    print(
        f"\n5. closet serve (embedded, 1 process, CLOSET_IMAGE_WORKERS={args.image_workers}, jobs off): "
        f"1 cold render, {args.misses} misses (other outfits, the top layer moved), {args.hits} hits and "
        f"{args.hits} 304s on one keep-alive connection"
    )
    try:
        remote = measure_http(images, local.png_data, args)
    except (RuntimeError, TimeoutError, OSError) as exc:
        print(f"   PROBLEM: the server run failed: {type(exc).__name__}: {exc}")
    if remote is not None:
        print(f"   image: {remote.body_bytes / 1e6:.2f} MB (10^6 bytes); {remote.same_as_in_process}")
        print(f"   RSS of {remote.processes} process(es), sampled every 20 ms from the first GET to the last")
        for failure in remote.failures[:5]:
            print(f"   failure: {failure}")
        print(f"   server stopped {remote.stop_seconds:.1f} s after SIGTERM")
    report(local, remote)
    print(f"\n(whole run: {time.perf_counter() - started:.0f} s; load average now {os.getloadavg()[0]:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cold", type=int, default=30, help="timed cold renders (each a new renderer)")
    parser.add_argument("--warm", type=int, default=100, help="timed warm renders, and floor runs")
    parser.add_argument("--hits", type=int, default=300, help="timed cache hits over HTTP (and 304s)")
    parser.add_argument("--misses", type=int, default=10, help="further outfits rendered over HTTP")
    parser.add_argument(
        "--image-workers", type=int, default=2, help="the pool's threads (the server's default)"
    )
    parser.add_argument("--quick", action="store_true", help="a short run: fewer runs and requests")
    args = parser.parse_args()
    if args.quick:
        args.cold, args.warm, args.hits, args.misses = 8, 20, 50, 3
    if min(args.cold, args.warm, args.hits, args.image_workers) < 1 or args.misses < 0:
        parser.error("--cold, --warm, --hits and --image-workers must be at least 1, --misses at least 0")
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # in order with the server's stderr
    interrupt_on_signals()
    try:
        benchmark(args)
    except KeyboardInterrupt as exc:
        raise SystemExit(f"interrupted ({exc or 'SIGINT'})") from None


if __name__ == "__main__":
    main()
