"""A remover's answer checked against the original, trimmed to the garment, and analysed."""

from __future__ import annotations

import numpy as np
from PIL import Image

from closet.adapters.imaging.decode import guarded, open_checked
from closet.adapters.imaging.normalise import encode_png
from closet.application.errors import InvalidImage
from closet.application.ports.images import FinishedCutout, ImageLimits

MIN_COVERAGE = 0.005  # less than this is no garment: the remover failed
MAX_COVERAGE = 0.995  # more than this removed no background: the remover failed
ASPECT_TOLERANCE = 0.02
OPAQUE = 128
COLOR_SAMPLE_EDGE = 96
MIN_COLOR_SHARE = 0.08


def finish_cutout(original: bytes, cutout: bytes, limits: ImageLimits) -> FinishedCutout:
    base_size = open_checked(original, limits).image.size  # the header is enough
    image = _decode(cutout, limits, allowed=frozenset({"png", "webp"}))
    if image.mode != "RGBA" or image.getchannel("A").getextrema() == (255, 255):
        raise InvalidImage("the cut-out has no transparency")
    if image.size != base_size:
        image = _fit(image, base_size)
    alpha = image.getchannel("A")
    coverage = _share_opaque(alpha)
    if coverage < MIN_COVERAGE:
        raise InvalidImage("the cut-out is empty: no garment was found")
    if coverage > MAX_COVERAGE:
        raise InvalidImage("the cut-out removed no background")
    box = alpha.point(lambda a: 255 if a >= 8 else 0).getbbox()
    trimmed = clear_transparent(image.crop(box) if box else image)
    return FinishedCutout(image=encode_png(trimmed), coverage=round(coverage, 4), colors=dominant(trimmed))


def adopt_cutout(cutout: bytes, limits: ImageLimits) -> FinishedCutout:
    image = _decode(cutout, limits, allowed=frozenset({"png", "webp"}))
    if image.mode != "RGBA" or image.getchannel("A").getextrema() == (255, 255):
        raise InvalidImage("the cut-out has no transparency")
    coverage = _share_opaque(image.getchannel("A"))
    if coverage < MIN_COVERAGE:
        raise InvalidImage("the cut-out is empty: no garment was found")
    cleaned = clear_transparent(image)
    return FinishedCutout(image=encode_png(cleaned), coverage=round(coverage, 4), colors=dominant(cleaned))


def clear_transparent(image: Image.Image) -> Image.Image:
    """Fully transparent pixels made black: invisible either way, but the backdrop's noise left
    under them would make the PNG several times larger and slower to write and read."""
    pixels = np.array(image)
    pixels[pixels[..., 3] == 0, :3] = 0
    return Image.fromarray(pixels, "RGBA")


def apply_mask(original: bytes, mask: bytes, limits: ImageLimits) -> bytes:
    """The original with the owner's mask as its alpha: the mask's own alpha when it has one
    that varies, else its lightness (white keeps, black removes); resized to fit."""
    base = _decode(original, limits).convert("RGB")
    drawn = _decode(mask, limits)
    if "A" in drawn.getbands() and drawn.getchannel("A").getextrema() != (255, 255):
        alpha = drawn.getchannel("A")
    else:
        alpha = drawn.convert("L")
    if alpha.size != base.size:
        alpha = alpha.resize(base.size, Image.Resampling.BILINEAR)
    base.putalpha(alpha)
    return encode_png(base).data


def _decode(data: bytes, limits: ImageLimits, *, allowed: frozenset[str] | None = None) -> Image.Image:
    opened = open_checked(data, limits, allowed=allowed)
    guarded(opened.image.load)
    image = opened.image
    if image.mode not in ("RGB", "RGBA"):
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    return image


def _fit(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """A remover may answer smaller (Fabrica's size=auto); the same frame, scaled, is fine."""
    ratio_in, ratio_out = image.width / image.height, size[0] / size[1]
    if abs(ratio_in - ratio_out) / ratio_out > ASPECT_TOLERANCE:
        raise InvalidImage(
            f"the cut-out is {image.width}×{image.height}, not the shape of the photo ({size[0]}×{size[1]})"
        )
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


def _share_opaque(alpha: Image.Image) -> float:
    histogram = alpha.histogram()
    return sum(histogram[OPAQUE:]) / (alpha.width * alpha.height)


def dominant(image: Image.Image) -> tuple[tuple[str, float], ...]:
    """The main colours of the garment's opaque pixels, as (#rrggbb, share), largest first."""
    sample = image.copy()
    sample.thumbnail((COLOR_SAMPLE_EDGE, COLOR_SAMPLE_EDGE), Image.Resampling.BOX)
    pixels = np.asarray(sample.convert("RGBA"))
    opaque = pixels[pixels[..., 3] >= OPAQUE][:, :3]
    if len(opaque) == 0:
        return ()
    strip = Image.fromarray(np.ascontiguousarray(opaque.reshape(1, -1, 3)), "RGB")
    quantised = strip.quantize(colors=6, method=Image.Quantize.MEDIANCUT)
    palette = quantised.getpalette() or []
    counts = sorted(quantised.getcolors() or [], reverse=True)
    total = len(opaque)
    found = []
    for count, index in counts:
        share = count / total
        if share >= MIN_COLOR_SHARE:
            r, g, b = palette[index * 3 : index * 3 + 3]
            found.append((f"#{r:02x}{g:02x}{b:02x}", round(share, 3)))
    return tuple(found)
