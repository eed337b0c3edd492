"""The local background remover: a garment photographed on a plain backdrop, cut out without a model.

Pure Pillow + NumPy, synchronous. The mask is found on a copy at most `WORK_EDGE` px long, lightly
blurred to quieten sensor noise and fine texture:

1. Colour: sRGB to CIE Lab (D65).
2. Backdrop model: per Lab channel, a quadratic surface fitted to a band along the frame's border,
   refitted twice without the worst-fitting quarter of the band, so a flat sheet and a door lit from
   one side are both modelled, and a sleeve or a shadow reaching the border does not bend the fit.
3. Differences from the model: lightness, and chroma compared after undoing a uniform dimming (in Lab,
   dimming the light scales a*, b* and L*+16 alike, so a shadow keeps its "normalised" chroma). The
   distance weighs lightness less than chroma, darker less than lighter.
4. Thresholds: `high` is Otsu's on the distances, `low` half of it, neither under a noise floor from
   the border's own distances (median + 4.5 MAD). A pixel is backdrop-like when its distance is
   under `low`, or when it is a shadow (darker, chroma unchanged) under `high`: a soft cast shadow is
   backdrop, while a pale fold in a light garment on a mid-grey sheet still stops the fill.
5. Backdrop = backdrop-like pixels connected to the border (a 4-connected flood fill, done as run
   propagation along rows and columns). Enclosed backdrop-like holes stay garment (a print, a pale
   fold), unless a hole is large (>= 2% of the frame) and matches the backdrop closely, like the
   space inside a bag's handle: that one is cut out.
6. Cleaning: a 3×3 open then close; components under 0.3% of the frame or 5% of the largest go.
7. Fallback: a mask covering under 2% or over 97% of the frame (a blank or noise-only photo, a
   garment filling the frame) is not trusted: the mask is then a centred ellipse spanning the
   middle 80% of each side. The answer is never empty, never opaque (but for a 1 px frame).
8. Edge pixels get a fractional value (their ΔE from the backdrop over the garment's median ΔE), so
   the edge can fall within a working pixel; the mask is scaled up bilinearly and its ramp steepened
   to about 2 px (or, when hardly scaled, thresholded and box-blurred by 1 px): a 1-3 px feather.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFilter

WORK_EDGE = 512
SMOOTH = 1  # px: a 3×3 box blur on the working copy
MIN_COVERAGE, MAX_COVERAGE = 0.02, 0.97
BAND = 0.04  # of the short side: the border the backdrop is modelled from
SAMPLES = 8000  # of the border, at most, for the fit
DARKER_WEIGHT, LIGHTER_WEIGHT = 0.35, 1.0  # of a lightness difference, against chroma's 1
FLOOR_MADS = 4.5
LOW_SHARE = 0.5  # of Otsu's threshold: the bar for anything but a shadow
SHADOW_TINT = 0.25  # chroma change a shadow may bring, per unit of darkening
SPECK, MINOR = 0.003, 0.05  # components dropped: under this share of the frame, or of the largest
LARGE_HOLE = 0.02  # of the frame: an enclosed hole this big that matches the backdrop is cut out
FEATHER = 2.0  # px: the width of the alpha ramp at full size

Floats = NDArray[np.float32]
Mask = NDArray[np.bool_]
Indices = NDArray[np.intp]

_LEVELS = np.arange(256) / 255
_LINEAR = np.where(_LEVELS <= 0.04045, _LEVELS / 12.92, ((_LEVELS + 0.055) / 1.055) ** 2.4).astype(np.float32)
_TO_XYZ = (
    np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    / np.array([[0.95047], [1.0], [1.08883]])
).astype(np.float32)


def remove_background(image: Image.Image) -> Image.Image:
    """The photo as RGBA of the same size: RGB unchanged, alpha the garment's feathered mask.

    Any mode is accepted (converted to RGB); the frame is not trimmed. See the module docstring for
    the method, and for the fallback when no garment can be told from the backdrop.
    """
    rgb = image.convert("RGB")
    if rgb.width == 0 or rgb.height == 0:
        return rgb.convert("RGBA")
    scale = max(1.0, max(rgb.size) / WORK_EDGE)
    size = (max(1, round(rgb.width / scale)), max(1, round(rgb.height / scale)))
    work = rgb.resize(size, Image.Resampling.BOX, reducing_gap=1.0) if scale > 1 else rgb
    soft = _segment(np.asarray(work.filter(ImageFilter.BoxBlur(SMOOTH))))
    if not MIN_COVERAGE <= float((soft >= 0.5).mean()) <= MAX_COVERAGE:
        soft = _ellipse(soft.shape).astype(np.float32)
    alpha = Image.fromarray((soft * 255 + 0.5).astype(np.uint8), "L").resize(
        rgb.size, Image.Resampling.BILINEAR
    )
    if scale >= FEATHER:  # an edge pixel's ramp, now 2 × `scale` px wide, steepened to FEATHER px
        steep = 2 * scale / FEATHER
        alpha = alpha.point([min(255, max(0, round(128 + (v - 128) * steep))) for v in range(256)])
    else:  # hardly scaled: a sharp edge, softened by a 3×3 box (a 2 px ramp)
        alpha = alpha.point([255 * (v >= 128) for v in range(256)]).filter(ImageFilter.BoxBlur(1))
    rgb.putalpha(alpha)
    return rgb


def _segment(pixels: NDArray[np.uint8]) -> Floats:
    """The garment's mask (0..1) for a small RGB array; it may be empty or full: the caller checks."""
    height, width = pixels.shape[:2]
    lab = _lab(pixels)
    ring = np.zeros((height, width), bool)
    band = max(1, round(BAND * min(height, width)))
    ring[:band], ring[-band:], ring[:, :band], ring[:, -band:] = True, True, True, True
    backdrop = _backdrop(lab, ring)
    lightness, chroma = _differences(lab, backdrop)
    weights = np.where(lightness < 0, DARKER_WEIGHT, LIGHTER_WEIGHT)
    distance = np.hypot(lightness * weights, chroma)
    floor = _floor(distance[ring])
    high = max(floor, _otsu(distance))
    low = max(floor, LOW_SHARE * high)
    shadow = (lightness < 0) & (chroma < np.maximum(low, SHADOW_TINT * -lightness))
    labels = _label((distance < low) | (shadow & (distance < high)))
    count = int(labels.max()) + 1
    areas = np.bincount(labels.ravel(), minlength=count)
    sums = np.bincount(labels.ravel(), weights=distance.ravel(), minlength=count)
    clear = (areas >= LARGE_HOLE * labels.size) & (sums < 0.5 * low * areas)
    clear[np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])] = True
    clear[0] = False
    mask = _keep_large(_close(_open(~clear[labels])))
    plain = lab - backdrop  # no dimming undone: an edge's mixing is close to linear in this
    plain[..., 0] *= weights
    return _subpixel(mask, np.linalg.norm(plain, axis=-1))


def _subpixel(mask: Mask, delta_e: Floats) -> Floats:
    """The mask with its edge pixels set to how far their colour is from the backdrop to the garment
    (ΔE relative to the garment's median ΔE), so the edge can fall within a pixel."""
    inside = ~_dilate(~mask)
    if not inside.any():
        return mask.astype(np.float32)
    edge = _dilate(mask) & ~inside
    soft = mask.astype(np.float32)
    soft[edge] = np.clip(delta_e[edge] / float(np.median(delta_e[inside])), 0, 1)
    return soft


def _lab(pixels: NDArray[np.uint8]) -> Floats:
    xyz = _LINEAR[pixels] @ _TO_XYZ.T
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    lab = np.empty_like(f)
    lab[..., 0] = 116 * f[..., 1] - 16
    lab[..., 1] = 500 * (f[..., 0] - f[..., 1])
    lab[..., 2] = 200 * (f[..., 1] - f[..., 2])
    return lab


def _backdrop(lab: Floats, ring: Mask) -> Floats:
    """A quadratic surface per Lab channel, fitted to the border band, robustly (trimmed refits)."""
    height, width = ring.shape
    x, y = np.linspace(-1, 1, width), np.linspace(-1, 1, height)
    rows, columns = np.nonzero(ring)
    step = max(1, rows.size // SAMPLES)
    rows, columns = rows[::step], columns[::step]
    xs, ys = x[columns], y[rows]
    design = np.stack([np.ones_like(xs), xs, ys, xs * xs, xs * ys, ys * ys], axis=1)
    values = lab[rows, columns].astype(np.float64)
    keep = np.ones(len(values), bool)
    for _ in range(3):
        chosen = design[keep]
        c = np.linalg.lstsq(chosen.T @ chosen, chosen.T @ values[keep], rcond=None)[0]
        residual = np.linalg.norm(design @ c - values, axis=1)
        keep = residual <= np.quantile(residual, 0.75)
    along = (c[0] + np.outer(x, c[1]) + np.outer(x * x, c[3]))[None]  # (1, width, 3)
    slope = (c[2] + np.outer(x, c[4]))[None]
    return (along + y[:, None, None] * slope + np.outer(y * y, c[5])[:, None]).astype(np.float32)


def _differences(lab: Floats, backdrop: Floats) -> tuple[Floats, Floats]:
    """Lightness difference from the backdrop, and chroma difference once a uniform dimming is undone."""
    lightness, model = lab[..., 0], backdrop[..., 0]
    dimming = np.clip((model + 16) / (lightness + 16), 0.4, 2.5)
    d_a = lab[..., 1] * dimming - backdrop[..., 1]
    d_b = lab[..., 2] * dimming - backdrop[..., 2]
    return lightness - model, np.sqrt(d_a * d_a + d_b * d_b)


def _floor(border: Floats) -> float:
    """Above the backdrop's own noise: the border's median + FLOOR_MADS MAD, and at least 2 ΔE."""
    median = float(np.median(border))
    return max(median + FLOOR_MADS * 1.4826 * float(np.median(np.abs(border - median))), 2.0)


def _otsu(distance: Floats) -> float:
    top = float(np.quantile(distance, 0.995))
    if top <= 0:
        return 0.0
    histogram, edges = np.histogram(distance, bins=256, range=(0.0, top))
    weight = np.cumsum(histogram)
    mass = np.cumsum(histogram * (edges[:-1] + edges[1:]) / 2)
    below, above = weight[:-1], weight[-1] - weight[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = below * above * (mass[:-1] / below - (mass[-1] - mass[:-1]) / above) ** 2
    return float(edges[int(np.nanargmax(between)) + 1]) if np.isfinite(between).any() else 0.0


def _dilate(mask: Mask) -> Mask:
    """3×3 dilation (erosion is the dilation of the complement)."""
    out = mask.copy()
    out[1:] |= mask[:-1]
    out[:-1] |= mask[1:]
    wide = out.copy()
    wide[:, 1:] |= out[:, :-1]
    wide[:, :-1] |= out[:, 1:]
    return wide


def _open(mask: Mask) -> Mask:  # 3×3
    return _dilate(~_dilate(~mask))


def _close(mask: Mask) -> Mask:  # 3×3
    return ~_dilate(~_dilate(mask))


def _keep_large(mask: Mask) -> Mask:
    labels = _label(mask)
    areas = np.bincount(labels.ravel())
    areas[0] = 0
    keep = areas >= max(SPECK * mask.size, MINOR * areas.max())
    keep[0] = False
    return keep[labels]


def _label(mask: Mask) -> NDArray[np.int64]:
    """4-connected components: each pixel of `mask` gets its component's smallest run number (0 off)."""
    height, width = mask.shape
    rows, row_starts = _runs(mask)
    columns, column_starts = _runs(mask.T)
    columns = (columns % height) * width + columns // height
    labels = np.zeros(mask.size, np.int64)
    if rows.size == 0:
        return labels.reshape(mask.shape)
    row_lengths = np.diff(np.append(row_starts, rows.size))
    column_lengths = np.diff(np.append(column_starts, columns.size))
    labels[rows] = np.repeat(np.arange(1, row_starts.size + 1), row_lengths)
    passes = ((columns, column_starts, column_lengths), (rows, row_starts, row_lengths))
    changed = True
    while changed:
        changed = False
        for pixels, starts, lengths in passes:
            current = labels[pixels]
            smallest = np.repeat(np.minimum.reduceat(current, starts), lengths)
            if not np.array_equal(smallest, current):
                changed = True
                labels[pixels] = smallest
    return labels.reshape(mask.shape)


def _runs(mask: Mask) -> tuple[Indices, Indices]:
    """The flat indices of a mask's pixels in row order, and where each horizontal run starts."""
    pixels = np.flatnonzero(mask)
    starts = np.ones(pixels.size, bool)
    starts[1:] = (np.diff(pixels) != 1) | (pixels[1:] % mask.shape[1] == 0)
    return pixels, np.flatnonzero(starts)


def _ellipse(shape: tuple[int, ...]) -> Mask:
    height, width = shape[:2]
    image = Image.new("L", (width, height), 0)
    box = (0.1 * width, 0.1 * height, max(0.9 * width - 1, 0.1 * width), max(0.9 * height - 1, 0.1 * height))
    ImageDraw.Draw(image).ellipse(box, fill=255)
    mask = np.asarray(image) >= 128
    mask[height // 2, width // 2] = True  # a frame of a pixel or two has room for no ellipse
    return mask
