"""Seeded synthetic garment photos with their true masks, for testing the background remover.

A scene is a flat-lay phone photo: a backdrop (a sheet, a wall, a door) with some lighting, and one
garment silhouette with folds and a little noise, anti-aliased at its edge. The truth mask is the
silhouette before anti-aliasing. The same background, garment, size and seed always give the same
pixels.
"""

from __future__ import annotations

import math
import random
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFilter

Background = Literal["plain", "gradient", "noisy", "shadowed"]
Garment = Literal["shirt", "trousers", "dress", "shoe"]
Array = NDArray[np.floating[Any]]

BACKGROUNDS: tuple[Background, ...] = ("plain", "gradient", "noisy", "shadowed")
GARMENTS: tuple[Garment, ...] = ("shirt", "trousers", "dress", "shoe")

# Outlines in a unit box (x right, y down), and the box's width / height.
# fmt: off
_OUTLINES: dict[str, tuple[float, list[tuple[float, float]]]] = {
    "shirt": (1.15, [(0.36, 0.0), (0.43, 0.07), (0.57, 0.07), (0.64, 0.0), (0.87, 0.09), (1.0, 0.33),
                     (0.82, 0.42), (0.77, 0.32), (0.78, 1.0), (0.22, 1.0), (0.23, 0.32), (0.18, 0.42),
                     (0.0, 0.33), (0.13, 0.09)]),
    "trousers": (0.8, [(0.12, 0.0), (0.88, 0.0), (0.92, 0.2), (1.0, 1.0), (0.6, 1.0), (0.5, 0.3),
                       (0.4, 1.0), (0.0, 1.0), (0.08, 0.2)]),
    "dress": (1.05, [(0.3, 0.0), (0.38, 0.0), (0.5, 0.1), (0.62, 0.0), (0.7, 0.0), (0.7, 0.3),
                     (0.64, 0.42), (1.0, 1.0), (0.0, 1.0), (0.36, 0.42), (0.3, 0.3)]),
    "shoe": (2.2, [(0.0, 0.45), (0.2, 0.38), (0.3, 0.0), (0.5, 0.02), (0.56, 0.3), (0.75, 0.42),
                   (0.92, 0.52), (1.0, 0.68), (0.99, 0.88), (0.9, 1.0), (0.03, 1.0), (0.0, 0.85)]),
}
_BACKDROPS = [(236, 234, 228), (214, 214, 216), (226, 212, 188), (198, 214, 230), (168, 168, 170),
              (186, 158, 126), (222, 226, 214)]
_FABRICS = [(32, 42, 84), (172, 32, 38), (92, 102, 46), (212, 162, 42), (26, 26, 30), (110, 112, 118),
            (64, 128, 150), (196, 120, 140), (240, 240, 236), (120, 70, 40)]
# fmt: on
MIN_CONTRAST = 90.0  # Euclidean RGB distance between backdrop and fabric: "reasonable" contrast


def make_scene(
    background: str, *, size: tuple[int, int] = (1600, 1200), seed: int = 0, garment: str = "shirt"
) -> tuple[Image.Image, Image.Image]:
    """A photo (RGB) of `garment` on `background`, and the garment's true mask (L: 255 on the garment)."""
    if background not in BACKGROUNDS or garment not in _OUTLINES:
        raise ValueError(f"unknown scene {background!r} / {garment!r}")
    pick, rng = random.Random(seed), np.random.default_rng(seed)
    width, height = size
    truth = _silhouette(garment, size, pick)
    backdrop = np.array(pick.choice(_BACKDROPS), np.float32)
    fabric = _fabric_colour(backdrop, pick)
    yy, xx = np.ogrid[0:height, 0:width]
    xx, yy = xx.astype(np.float32), yy.astype(np.float32)
    light = np.ones((height, width), np.float32)
    if background in ("gradient", "shadowed") and (background == "gradient" or pick.random() < 0.5):
        light *= _lighting(xx / width, yy / height, float(backdrop.max()), pick)
    grain, texture = 2.0, np.zeros((1, 1), np.float32)  # sensor noise (levels), backdrop texture
    if background == "noisy":
        texture, grain = _weave(xx, yy, pick), pick.uniform(8, 12)
    if background == "shadowed":
        light *= 1 - _shadow(truth, size, pick)
    photo = backdrop * light[..., None] + texture[..., None]
    cloth = fabric * _folds(xx, yy, pick)[..., None]
    alpha = np.asarray(truth.filter(ImageFilter.GaussianBlur(0.8)), np.float32)[..., None] / 255
    cloth -= photo
    cloth *= alpha
    photo += cloth
    noise = rng.standard_normal((height, width, 3), dtype=np.float32)
    noise *= grain + (4.5 - grain) * alpha  # the fabric has its own texture
    photo += noise + 0.5
    return Image.fromarray(np.clip(photo, 0, 255, out=photo).astype(np.uint8), "RGB"), truth


def iou(mask_a: Image.Image, mask_b: Image.Image) -> float:
    """Intersection over union of two L masks, each thresholded at 128 (1.0 when both are empty)."""
    a, b = np.asarray(mask_a.convert("L")) >= 128, np.asarray(mask_b.convert("L")) >= 128
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


def _silhouette(garment: str, size: tuple[int, int], pick: random.Random) -> Image.Image:
    """The outline scaled, tilted a little and placed at random, with a margin of >= 6% of the frame."""
    width, height = size
    aspect, outline = _OUTLINES[garment]
    angle = math.radians(pick.uniform(-10, 10))
    cos, sin = math.cos(angle), math.sin(angle)
    turned = [((x - 0.5) * aspect * cos - (y - 0.5) * sin, (x - 0.5) * aspect * sin + (y - 0.5) * cos)
              for x, y in outline]  # fmt: skip
    xs, ys = [p[0] for p in turned], [p[1] for p in turned]
    room_w, room_h = 0.88 * width, 0.88 * height
    scale = min(room_w / (max(xs) - min(xs)), room_h / (max(ys) - min(ys))) * pick.uniform(0.82, 1.0)
    spare_x = room_w - scale * (max(xs) - min(xs))
    spare_y = room_h - scale * (max(ys) - min(ys))
    left = 0.06 * width + pick.uniform(0, spare_x) - scale * min(xs)
    top = 0.06 * height + pick.uniform(0, spare_y) - scale * min(ys)
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).polygon([(left + scale * x, top + scale * y) for x, y in turned], fill=255)
    return mask


def _fabric_colour(backdrop: Array, pick: random.Random) -> Array:
    """A fabric colour far enough from the backdrop, mid-contrast ones included."""
    choices = [np.array(c, np.float32) for c in _FABRICS]
    pick.shuffle(choices)
    return next(c for c in choices if float(np.linalg.norm(c - backdrop)) >= MIN_CONTRAST)


def _lighting(u: Array, v: Array, brightest: float, pick: random.Random) -> Array:
    """Brightness factors: linear light from one side, or a radial falloff from an off-centre lamp."""
    drop = pick.uniform(65, 90) / brightest  # levels lost across the frame
    if pick.random() < 0.5:
        theta = pick.uniform(0, 2 * math.pi)
        t = u * math.cos(theta) + v * math.sin(theta)
        t = (t - t.min()) / (t.max() - t.min())
    else:
        cx, cy = pick.uniform(0.0, 1.0), pick.uniform(0.0, 1.0)
        r2 = (u - cx) ** 2 + (v - cy) ** 2
        t = r2 / r2.max()
    return (1 - drop * t).astype(np.float32)


def _weave(xx: Array, yy: Array, pick: random.Random) -> Array:
    """A faint texture: a fabric weave or wood grain of a few levels."""
    if pick.random() < 0.5:
        period = pick.uniform(5, 9)
        return 4 * np.sin(2 * np.pi * xx / period) * np.sin(2 * np.pi * yy / period)
    wobble = 25 * np.sin(xx / pick.uniform(120, 220))
    return 6 * np.sin(2 * np.pi * (yy + wobble) / pick.uniform(30, 60))


def _shadow(truth: Image.Image, size: tuple[int, int], pick: random.Random) -> Array:
    """A soft cast shadow (0..strength): the silhouette shifted down and sideways, blurred."""
    width, height = size
    dx = int(pick.choice((-1, 1)) * pick.uniform(0.015, 0.035) * width)
    dy = int(pick.uniform(0.02, 0.04) * height)
    shifted = Image.new("L", size, 0)
    shifted.paste(truth, (dx, dy))
    soft = shifted.filter(ImageFilter.GaussianBlur(pick.uniform(0.01, 0.02) * width))
    return np.asarray(soft, np.float32) / 255 * pick.uniform(0.25, 0.4)


def _folds(xx: Array, yy: Array, pick: random.Random) -> Array:
    """Shading inside the garment: soft darker stripes along a random direction."""
    theta = pick.uniform(0, math.pi)
    period = pick.uniform(80, 200)
    wave = 0.5 + 0.5 * np.sin(2 * np.pi * (xx * math.cos(theta) + yy * math.sin(theta)) / period)
    return (1 - pick.uniform(0.1, 0.2) * wave**3).astype(np.float32)
