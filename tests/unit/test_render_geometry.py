"""The outfit renderer against known answers, and hypothesis over random layouts."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from PIL import Image

from closet.adapters.imaging import png as fast_png
from closet.adapters.imaging import render as render_module
from closet.adapters.imaging.processor import ImagingPool
from closet.adapters.imaging.render import PillowOutfitRenderer, rotation
from closet.adapters.memory.blobs import MemoryImageStore
from closet.application.errors import InvalidImage
from closet.application.outfits.render import render_key
from closet.application.ports.images import ImageLimits, RenderLayer
from closet.domain.errors import InvalidValue
from closet.domain.images import BlobKey
from closet.domain.items import ItemId
from closet.domain.outfits import Canvas, Layer, Outfit, OutfitDetails, ordered_layers
from closet.domain.users import UserId

RED, BLUE = (255, 0, 0, 255), (0, 0, 255, 255)
POOL = ImagingPool(2)


def png(size: tuple[int, int], colour: tuple[int, int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


async def renderer_with(*images: bytes) -> tuple[PillowOutfitRenderer, list[BlobKey]]:
    store = MemoryImageStore()
    keys = [await store.put(data) for data in images]
    return PillowOutfitRenderer(store, POOL, ImageLimits(), cache_bytes=64 * 1024 * 1024), keys


async def draw(
    renderer: PillowOutfitRenderer,
    layers: list[RenderLayer],
    size: tuple[int, int] = (400, 400),
    **options: object,
) -> Image.Image:
    options = {"width": size[0], "fmt": "png", **options}
    encoded = await renderer.render(size, options.pop("background", None), layers, **options)  # type: ignore[arg-type]
    image = Image.open(io.BytesIO(encoded.data))
    image.load()
    assert (encoded.width, encoded.height) == image.size
    return image.convert("RGBA")


async def test_a_square_rotated_90_degrees_lands_where_expected() -> None:
    renderer, [key] = await renderer_with(png((100, 50), RED))
    flat = await draw(renderer, [RenderLayer(key, 200, 200, 1.0, 0)])
    assert flat.getpixel((155, 200)) == RED and flat.getpixel((200, 160)) == (0, 0, 0, 0)
    turned = await draw(renderer, [RenderLayer(key, 200, 200, 1.0, 90)])
    # 100×50 turned a quarter: 50 wide and 100 tall, about the same centre
    assert turned.getbbox() == (175, 150, 225, 250)
    assert turned.getpixel((200, 160)) == RED and turned.getpixel((155, 200)) == (0, 0, 0, 0)


async def test_rotation_is_clockwise_as_on_screen() -> None:
    marker = Image.new("RGBA", (100, 20), RED)
    marker.paste(BLUE, (80, 0, 100, 20))  # blue at the right end
    buffer = io.BytesIO()
    marker.save(buffer, "PNG")
    renderer, [key] = await renderer_with(buffer.getvalue())
    turned = await draw(renderer, [RenderLayer(key, 200, 200, 1.0, 90)])
    assert turned.getpixel((200, 245)) == BLUE  # clockwise: the right end points down


async def test_z_order_decides_which_pixel_wins() -> None:
    renderer, [red, blue] = await renderer_with(png((100, 100), RED), png((100, 100), BLUE))
    item_red, item_blue = ItemId(uuid.uuid4()), ItemId(uuid.uuid4())
    layers = ordered_layers(
        [Layer(item_red, 200, 200, z=5), Layer(item_blue, 230, 230, z=1)]  # given out of order
    )
    keys = {item_red: red, item_blue: blue}
    image = await draw(renderer, [RenderLayer(keys[la.item_id], la.x, la.y, 1, 0) for la in layers])  # type: ignore[index]
    assert image.getpixel((220, 220)) == RED  # z 5 is in front of z 1
    assert image.getpixel((270, 270)) == BLUE


async def test_scale_half_halves_the_footprint() -> None:
    renderer, [key] = await renderer_with(png((100, 100), RED))
    full = await draw(renderer, [RenderLayer(key, 200, 200, 1.0, 0)])
    half = await draw(renderer, [RenderLayer(key, 200, 200, 0.5, 0)])
    assert full.getbbox() == (150, 150, 250, 250)
    assert half.getbbox() == (175, 175, 225, 225)


async def test_background_transparent_or_filled() -> None:
    renderer, [key] = await renderer_with(png((10, 10), RED))
    clear = await draw(renderer, [RenderLayer(key, 50, 50, 1, 0)])
    assert clear.getpixel((0, 0)) == (0, 0, 0, 0) and clear.getpixel((399, 399))[3] == 0
    filled = await draw(renderer, [RenderLayer(key, 50, 50, 1, 0)], background="#102030")
    assert filled.getpixel((0, 0)) == (16, 32, 48, 255)


async def test_rendering_at_another_width_scales_everything() -> None:
    renderer, [key] = await renderer_with(png((100, 100), RED))
    small = await draw(renderer, [RenderLayer(key, 200, 200, 1.0, 0)], size=(400, 800), width=200)
    assert small.size == (200, 400) and small.getbbox() == (75, 75, 125, 125)


async def test_soft_edges_keep_their_colour() -> None:
    """Premultiplied resampling: a red garment's soft edge fades out red, never dark."""
    image = Image.new("RGBA", (64, 64), (255, 0, 0, 0))
    image.paste(RED, (16, 16, 48, 48))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    renderer, [key] = await renderer_with(buffer.getvalue())
    drawn = await draw(renderer, [RenderLayer(key, 200, 200, 2.3, 17)])
    pixels = np.asarray(drawn).reshape(-1, 4)
    soft = pixels[(pixels[:, 3] > 0) & (pixels[:, 3] < 255)]
    assert len(soft) > 0
    assert (soft[:, 0] >= 250).all() and (soft[:, 1] <= 5).all() and (soft[:, 2] <= 5).all()


layouts = st.lists(
    st.tuples(
        st.integers(0, 2),  # which image
        st.floats(-2000, 6000),
        st.floats(-2000, 6000),
        st.floats(0.05, 10),
        st.floats(-360, 360),
    ),
    max_size=6,
)


@given(
    layout=layouts,
    canvas=st.tuples(st.integers(1, 1200), st.integers(1, 1200)),
    width=st.integers(16, 1200),
    background=st.sampled_from([None, "#ffffff", "#000000"]),
    fmt=st.sampled_from(["png", "webp"]),
)
@settings(max_examples=60)
async def test_random_layouts_render_within_the_canvas(
    layout: list[tuple[int, float, float, float, float]],
    canvas: tuple[int, int],
    width: int,
    background: str | None,
    fmt: str,
) -> None:
    try:
        expected = Canvas(*canvas).render_size(width)
    except InvalidValue:
        assume(False)  # a render taller than the limit is refused before it is drawn (a 422)
    renderer, keys = await renderer_with(png((60, 40), RED), png((5, 90), BLUE), png((1, 1), RED))
    layers = [RenderLayer(keys[i], x, y, s, r) for i, x, y, s, r in layout]
    encoded = await renderer.render(canvas, background, layers, width=width, fmt=fmt)
    image = Image.open(io.BytesIO(encoded.data))
    assert image.size == expected


def outfit(**changes: object) -> Outfit:
    details = OutfitDetails(
        name="o",
        canvas=Canvas(1080, 1350, "#ffffff"),
        layers=(Layer(ItemId(uuid.UUID(int=1)), 100, 200, 1.5, 10, 0),),
    )
    return Outfit(
        uuid.UUID(int=9),  # type: ignore[arg-type]
        UserId(uuid.UUID(int=7)),
        replace(details, **changes),  # type: ignore[arg-type]
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )


KEY_A, KEY_B = BlobKey("a" * 64), BlobKey("b" * 64)


@given(
    field=st.sampled_from(
        ["x", "y", "scale", "rotation_deg", "z", "canvas", "image", "fmt", "width", "name"]
    ),
    delta=st.floats(0.001, 100),
)
def test_the_cache_key_changes_exactly_when_an_input_does(field: str, delta: float) -> None:
    base = outfit()
    key = render_key(base, [KEY_A], "png", 540)
    assert render_key(outfit(), [KEY_A], "png", 540) == key  # same inputs, same key
    layer = base.details.layers[0]
    changed = {
        "x": lambda: render_key(outfit(layers=(replace(layer, x=layer.x + delta),)), [KEY_A], "png", 540),
        "y": lambda: render_key(outfit(layers=(replace(layer, y=layer.y + delta),)), [KEY_A], "png", 540),
        "scale": lambda: render_key(
            outfit(layers=(replace(layer, scale=layer.scale + delta),)), [KEY_A], "png", 540
        ),
        "rotation_deg": lambda: render_key(
            outfit(layers=(replace(layer, rotation_deg=layer.rotation_deg + delta),)), [KEY_A], "png", 540
        ),
        "z": lambda: render_key(outfit(layers=(replace(layer, z=layer.z + 1),)), [KEY_A], "png", 540),
        "canvas": lambda: render_key(outfit(canvas=Canvas(1080, 1351, "#ffffff")), [KEY_A], "png", 540),
        "image": lambda: render_key(base, [KEY_B], "png", 540),
        "fmt": lambda: render_key(base, [KEY_A], "webp", 540),
        "width": lambda: render_key(base, [KEY_A], "png", 541),
        "name": lambda: render_key(outfit(name="renamed"), [KEY_A], "png", 540),
    }[field]()
    if field == "name":
        assert changed == key  # the name is not drawn: no new render
    else:
        assert changed != key


def test_duplicate_z_is_refused() -> None:
    with pytest.raises(InvalidValue):
        ordered_layers([Layer(None, 0, 0, z=1, category=None), Layer(None, 0, 0, z=1, category=None)])


async def test_a_huge_enlargement_is_drawn_by_its_visible_part() -> None:
    """Scale 10 on a tiny canvas rendered 4096 wide would be a 300,000-pixel layer: only what
    lands on the canvas is computed (the answer is fast and small), and it is in the right place."""
    renderer, [key] = await renderer_with(png((100, 100), RED))
    huge = await draw(renderer, [RenderLayer(key, 50, 50, 10, 0)], size=(100, 100), width=4096)
    assert huge.size == (4096, 4096) and huge.getpixel((2048, 2048)) == RED  # covered whole
    edge = await draw(renderer, [RenderLayer(key, 0, 50, 2.5, 0)], size=(100, 100), width=1000)
    # 100 px × 2.5 × 10 = 2500 px wide, centred on x = 0: the right half covers x < 1250
    assert edge.getpixel((10, 500)) == RED and edge.getpixel((999, 500)) == RED
    turned = await draw(renderer, [RenderLayer(key, 50, 50, 3, 90)], size=(100, 100), width=2000)
    assert turned.getpixel((1000, 1000)) == RED
    small = await draw(renderer, [RenderLayer(key, 50, 50, 0.5, 0)], size=(100, 100), width=4096)
    assert small.getbbox() == (1024, 1024, 3072, 3072)  # the ordinary path, for comparison


@given(
    size=st.tuples(st.integers(1, 300), st.integers(1, 300)),
    angle=st.floats(0, 360, exclude_max=True).map(lambda a: round(a, 3)),
)
@settings(max_examples=80)
def test_the_turned_box_is_pillows(size: tuple[int, int], angle: float) -> None:
    """OpenCV turns the layers, into exactly the box Pillow's rotate(expand=True) made."""
    _matrix, turned = rotation(size, angle)
    assert turned == Image.new("L", size).rotate(-angle, expand=True).size


@pytest.mark.parametrize("angle", [7.5, 33.0, 135.25, 301.0])
async def test_a_turned_layer_sits_where_pillow_put_it(angle: float) -> None:
    """Any angle: the same box, the same centre and the same covered area as Pillow's bicubic rotate."""
    renderer, [key] = await renderer_with(png((120, 50), RED))
    drawn = await draw(renderer, [RenderLayer(key, 200, 200, 1.0, angle)])
    turned = Image.new("RGBA", (120, 50), RED).rotate(-angle, Image.Resampling.BICUBIC, expand=True)
    expected = Image.new("RGBA", (400, 400))
    expected.alpha_composite(turned, (round(200 - turned.width / 2), round(200 - turned.height / 2)))
    ours, pillows = (np.asarray(image.getchannel("A"), np.float64) for image in (drawn, expected))
    assert abs(ours.sum() - pillows.sum()) / pillows.sum() < 0.01  # the covered area
    rows, cols = np.mgrid[0:400, 0:400]
    for weights in (rows, cols):  # the centre of what is covered, to a tenth of a pixel
        assert abs((ours * weights).sum() / ours.sum() - (pillows * weights).sum() / pillows.sum()) < 0.1
    # they differ only along the edge (how each resamples it), and by at most a pixel in extent
    assert (np.abs(ours - pillows) > 32).sum() <= 2 * (120 + 50)
    box, pillows_box = drawn.getbbox(), expected.getbbox()
    assert box is not None and pillows_box is not None
    assert all(abs(a - b) <= 1 for a, b in zip(box, pillows_box, strict=True))


@pytest.mark.parametrize("background", [None, "#336699"])
async def test_bands_change_no_pixel(monkeypatch: pytest.MonkeyPatch, background: str | None) -> None:
    """The canvas is drawn and compressed in bands: however many, the picture is the same."""
    marker = Image.new("RGBA", (90, 70), (255, 0, 0, 0))
    marker.paste((20, 200, 90, 160), (10, 10, 80, 60))
    buffer = io.BytesIO()
    marker.save(buffer, "PNG")
    renderer, [key] = await renderer_with(buffer.getvalue())
    layers = [
        RenderLayer(key, 150, 100, 2.2, 31),
        RenderLayer(key, 250, 300, 0.4, -12),
        RenderLayer(key, 100, 380, 1.0, 90),
        RenderLayer(key, 200, 200, 30, 5),  # drawn by its visible part
    ]
    pictures = []
    for bands in (1, 3, 7):
        monkeypatch.setattr(render_module, "BANDS", bands)
        pictures.append(np.asarray(await draw(renderer, layers, background=background)))
    assert all(np.array_equal(pictures[0], other) for other in pictures[1:])


@pytest.mark.parametrize("channels", [3, 4])
async def test_a_cut_out_draws_the_same_whichever_decoder_reads_it(channels: int) -> None:
    """The app's own PNGs (png.py) take the fast decoder, others Pillow: the same pixels either way."""
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 256, (90, 70, channels), np.uint8)
    if channels == 4:
        pixels[:30, :, 3] = 0  # a transparent part, and some soft alpha below it
        pixels[30:, :, 3] = np.maximum(pixels[30:, :, 3], 40)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG", compress_level=9)  # adaptive filters: Paeth and all
    ours, pillows = fast_png.encode_png(pixels), buffer.getvalue()
    assert fast_png.decode_png(ours, 10**6) is not None and fast_png.decode_png(pillows, 10**6) is None
    renderer, keys = await renderer_with(ours, pillows)
    layers = [RenderLayer(keys[0], 100, 100, 1.3, 17.0)], [RenderLayer(keys[1], 100, 100, 1.3, 17.0)]
    first, second = [np.asarray(await draw(renderer, layer)) for layer in layers]
    assert np.array_equal(first, second)


def _dense_turn(image: np.ndarray, angle: float) -> np.ndarray:
    """One warp over the whole turned box: what ``turn`` computes only where it can matter."""
    matrix, size = rotation((image.shape[1], image.shape[0]), angle)
    return render_module._warp(image, matrix, size, render_module.cv2.INTER_CUBIC)


@st.composite
def garments(draw: st.DrawFn) -> np.ndarray:
    """A premultiplied image: transparent, with a few soft-edged opaque rectangles on it."""
    height, width = draw(st.integers(8, 160)), draw(st.integers(8, 160))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    alpha = np.zeros((height, width), np.uint8)
    for _ in range(draw(st.integers(0, 4))):
        top, left = rng.integers(0, height), rng.integers(0, width)
        alpha[top : top + rng.integers(1, 60), left : left + rng.integers(1, 60)] = rng.integers(1, 256)
    pixels = rng.integers(0, 256, (height, width, 4), np.uint8)
    pixels[..., 3] = alpha
    return render_module.cv2.cvtColor(pixels, render_module.cv2.COLOR_RGBA2mRGBA)


@given(image=garments(), angle=st.floats(0.01, 359.99).map(lambda a: round(a, 3)))
@settings(max_examples=60, deadline=None)
def test_a_turn_skips_only_what_would_be_transparent(image: np.ndarray, angle: float) -> None:
    """The tiles a turn leaves out are transparent in a whole turn too; the rest is the same,
    but for a level here and there (OpenCV's fixed-point source positions, see visible_spans)."""
    assume(angle % 90)
    whole = _dense_turn(image, angle)
    turned, spans = render_module.turn(image, angle)
    assert turned.shape == whole.shape
    computed = np.zeros(whole.shape[:2], bool)
    for left, top, right, bottom in spans:
        computed[top:bottom, left:right] = True
    assert not whole[~computed].any()
    assert not turned[~computed].any()
    assert int(np.abs(turned.astype(np.int16) - whole).max(initial=0)) <= 2


def test_a_turn_computes_little_of_a_mostly_transparent_layer() -> None:
    """A small garment on a big transparent box: a few tiles around it are turned, not the box."""
    image = np.zeros((600, 600, 4), np.uint8)
    image[290:310, 290:310] = 255
    turned, spans = render_module.turn(image, 30)
    area = sum((right - left) * (bottom - top) for left, top, right, bottom in spans)
    assert area <= 9 * render_module.TILE**2 < turned.shape[0] * turned.shape[1] / 50  # 3×3 tiles at most
    assert int(np.abs(turned.astype(np.int16) - _dense_turn(image, 30)).max()) <= 2
    drawn = render_module._drawn(turned, spans)
    mask = np.asarray(drawn.mask)
    assert mask.sum() == turned[..., 3].astype(np.int64).sum()  # the whole garment, nothing lost


def test_a_wholly_transparent_layer_turns_into_nothing() -> None:
    turned, spans = render_module.turn(np.zeros((80, 120, 4), np.uint8), 17)
    assert spans == [] and not turned.any()
    drawn = render_module._drawn(turned, spans)
    assert not np.asarray(drawn.mask).any()


def _premultiplied(image: Image.Image) -> np.ndarray:
    """A render's pixels as premultiplied RGBA: where a level of turning differs, what shows."""
    pixels = np.asarray(image.convert("RGBA"), np.int32)
    return np.concatenate([pixels[..., :3] * pixels[..., 3:] // 255, pixels[..., 3:]], axis=2)


@st.composite
def cut_outs(draw: st.DrawFn) -> bytes:
    """A cut-out as the app stores it: transparent, with opaque blocks (which hide what is below)
    and soft-edged ones, written by png.py."""
    height, width = draw(st.integers(20, 220)), draw(st.integers(20, 220))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    pixels = rng.integers(0, 256, (height, width, 4), np.uint8)
    alpha = np.zeros((height, width), np.uint8)
    for _ in range(draw(st.integers(1, 4))):
        top, left = rng.integers(0, height), rng.integers(0, width)
        block = alpha[top : top + rng.integers(10, 200), left : left + rng.integers(10, 200)]
        block[...] = 255 if rng.random() < 0.7 else rng.integers(1, 255)
    pixels[..., 3] = alpha
    pixels[alpha == 0, :3] = 0
    return fast_png.encode_png(pixels)


stacks = st.lists(
    st.tuples(
        st.integers(-60, 460),  # x: some layers lie partly, or wholly, off the canvas
        st.integers(-60, 460),
        st.floats(0.3, 2.5).map(lambda s: round(s, 2)),
        st.sampled_from([0.0, 90.0, 7.5, -20.0, 33.3, 181.0]),
    ),
    min_size=2,
    max_size=5,
)


@given(
    sources=st.lists(cut_outs(), min_size=1, max_size=3),
    stack=stacks,
    background=st.sampled_from([None, "#336699"]),
)
@settings(max_examples=40, deadline=None)
async def test_leaving_out_hidden_tiles_changes_nothing(
    sources: list[bytes], stack: list[tuple[int, int, float, float]], background: str | None
) -> None:
    """Tiles off the canvas or under an upper layer's opaque ones are not turned, and the picture is
    the one every visible tile gives, but for a level here and there (see ``tiles_of``): a pixel of
    a span turned from another origin."""
    store = MemoryImageStore()
    keys = [await store.put(data) for data in sources]
    layers = [RenderLayer(keys[i % len(keys)], x, y, s, r) for i, (x, y, s, r) in enumerate(stack)]
    culled = PillowOutfitRenderer(store, POOL, ImageLimits(), 64 * 1024 * 1024)
    whole = PillowOutfitRenderer(store, POOL, ImageLimits(), 64 * 1024 * 1024, cull=False)
    ours, everything = [await draw(renderer, layers, background=background) for renderer in (culled, whole)]
    apart = np.abs(_premultiplied(ours) - _premultiplied(everything)).max(axis=2)
    assert apart.max() <= 3  # up to 2 from the turn, and 1 from reading the straight PNG back
    assert (apart > 0).mean() < 0.005


def turned_key(renderer: PillowOutfitRenderer, image: BlobKey) -> object:
    [key] = [key for key in renderer.transformed._items if key[0] == image]  # type: ignore[index]
    return key


def _opaque(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    return fast_png.encode_png(np.full((size[1], size[0], 4), (*colour, 255), np.uint8))


async def test_a_layer_under_an_opaque_one_is_not_turned_until_it_shows() -> None:
    """A garment wholly under an opaque one is not turned at all in its first render, nor in a
    second of the same layout; one that shows more of it (the top layer moved) turns it whole, and
    draws what a full turn would. From then on it is used as it is."""
    store = MemoryImageStore()
    below, above = (
        await store.put(_opaque((120, 90), (255, 0, 0))),
        await store.put(_opaque((300, 300), (0, 0, 255))),
    )
    renderer = PillowOutfitRenderer(store, POOL, ImageLimits(), 64 * 1024 * 1024)
    hidden = [RenderLayer(below, 200, 200, 1.0, 12), RenderLayer(above, 200, 200, 1.0, 3)]
    picture = np.asarray(await draw(renderer, hidden))
    assert (picture[200, 200] == (0, 0, 255, 255)).all()
    turned = renderer.transformed.get(turned_key(renderer, below))
    assert turned is not None
    assert not turned.done.any() and turned.tiles.visible.any()
    assert np.array_equal(np.asarray(await draw(renderer, hidden)), picture)
    assert renderer.transformed.get(turned_key(renderer, below)) is turned  # nothing more was turned

    shown = [RenderLayer(below, 200, 200, 1.0, 12), RenderLayer(above, 200, 380, 1.0, 3)]  # mostly in view
    moved = await draw(renderer, shown)
    turned = renderer.transformed.get(turned_key(renderer, below))
    assert turned is not None
    assert turned.whole and (turned.done >= turned.tiles.visible).all()
    fresh = PillowOutfitRenderer(store, POOL, ImageLimits(), 64 * 1024 * 1024, cull=False)
    assert np.abs(_premultiplied(moved) - _premultiplied(await draw(fresh, shown))).max() <= 2
    assert (np.asarray(moved)[190, 200] == (255, 0, 0, 255)).all()  # the red shows above the blue
    again = await draw(renderer, hidden)  # hidden once more: the whole turn serves, nothing is turned
    assert renderer.transformed.get(turned_key(renderer, below)) is turned
    assert np.array_equal(np.asarray(again), picture)


async def test_a_layer_off_the_canvas_is_turned_only_where_it_lands() -> None:
    store = MemoryImageStore()
    key = await store.put(_opaque((400, 400), (10, 200, 30)))
    renderer = PillowOutfitRenderer(store, POOL, ImageLimits(), 64 * 1024 * 1024)
    await draw(renderer, [RenderLayer(key, 0, 0, 1.0, 10)], size=(300, 300))  # a quarter on the canvas
    [turned] = renderer.transformed._items.values()
    share = turned.done.sum() / turned.tiles.visible.sum()
    assert 0.15 < share < 0.4


async def test_a_damaged_cut_out_fails_the_render_and_leaves_nothing_running() -> None:
    """A stored blob that no longer decodes (its checksum broken) is an error for the render, never a
    half-drawn picture; the layers being prepared beside it are stopped, and the renderer still
    draws outfits without it."""
    store = MemoryImageStore()
    good = _opaque((60, 60), (0, 128, 0))
    damaged = good[:60] + bytes(20) + good[80:]
    keys = [await store.put(data) for data in (good, damaged)]
    renderer = PillowOutfitRenderer(store, POOL, ImageLimits(), 64 * 1024 * 1024)
    with pytest.raises(InvalidImage):
        await draw(
            renderer, [RenderLayer(keys[1], 100, 100, 1.0, 5), RenderLayer(keys[0], 200, 200, 1.0, 10)]
        )
    picture = np.asarray(await draw(renderer, [RenderLayer(keys[0], 200, 200, 1.0, 10)]))
    assert (picture[200, 200] == (0, 128, 0, 255)).all()
