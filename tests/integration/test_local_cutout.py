"""The local background remover on seeded synthetic photos: accuracy, the answer's shape, degenerate input."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageFilter

from closet.adapters.imaging.cutout import remove_background
from tests.photos import GARMENTS, iou, make_scene

SIZE = (1600, 1200)
MIN_IOU = {"plain": 0.90, "gradient": 0.90, "noisy": 0.75, "shadowed": 0.75}
SCENES = [(background, GARMENTS[seed % len(GARMENTS)], seed) for background in MIN_IOU for seed in range(4)]


def _alpha(image: Image.Image) -> NDArray[np.uint8]:
    return np.asarray(image.getchannel("A"))


@pytest.mark.parametrize(("background", "garment", "seed"), SCENES)
def test_the_mask_matches_the_garment(background: str, garment: str, seed: int) -> None:
    photo, truth = make_scene(background, size=SIZE, seed=seed, garment=garment)

    score = iou(remove_background(photo).getchannel("A"), truth)

    assert score >= MIN_IOU[background], f"{background}/{garment}/{seed}: IoU {score:.3f}"


def test_the_answer_is_rgba_of_the_same_size_with_the_colours_untouched() -> None:
    photo, _ = make_scene("plain", size=(1001, 757), seed=5, garment="dress")

    out = remove_background(photo)

    assert out.mode == "RGBA"
    assert out.size == photo.size
    assert np.array_equal(np.asarray(out)[..., :3], np.asarray(photo))


def test_an_rgba_photo_keeps_its_colours_and_gets_a_new_alpha() -> None:
    photo, truth = make_scene("gradient", size=(800, 600), seed=6, garment="shoe")
    rgba = photo.convert("RGBA")
    rgba.putalpha(200)

    out = remove_background(rgba)

    assert np.array_equal(np.asarray(out)[..., :3], np.asarray(photo))
    assert iou(out.getchannel("A"), truth) >= 0.9


def _uniform() -> Image.Image:
    return Image.new("RGB", (800, 600), (128, 128, 128))


def _noise() -> Image.Image:
    return Image.fromarray(np.random.default_rng(1).integers(0, 256, (600, 800, 3), dtype=np.uint8))


def _fabric_everywhere() -> Image.Image:
    """A navy garment filling the whole frame: folds and texture, no backdrop at all."""
    yy, xx = np.mgrid[0:1200, 0:1600].astype(np.float32)
    folds = 1 - 0.15 * (0.5 + 0.5 * np.sin((xx + 0.6 * yy) / 30)) ** 3
    noise = np.random.default_rng(2).normal(0, 4, (1200, 1600, 3))
    pixels = np.array((32, 42, 84), np.float32) * folds[..., None] + noise
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def _tiny() -> Image.Image:
    return Image.fromarray(np.random.default_rng(3).integers(0, 256, (8, 8, 3), dtype=np.uint8))


def _grey_photo() -> Image.Image:
    return make_scene("plain", size=SIZE, seed=2, garment="dress")[0].convert("L")


@pytest.mark.parametrize("make", [_uniform, _noise, _fabric_everywhere, _tiny, _grey_photo])
def test_the_mask_is_never_empty_nor_opaque(make: Callable[[], Image.Image]) -> None:
    image = make()

    out = remove_background(image)

    assert out.mode == "RGBA"
    assert out.size == image.size
    opaque = _alpha(out) >= 128
    assert 0.01 < opaque.mean() < 0.99, f"coverage {opaque.mean():.3f}"


def test_a_photo_without_colour_is_still_cut_out() -> None:
    photo, truth = make_scene("plain", size=SIZE, seed=2, garment="dress")

    out = remove_background(photo.convert("L"))

    assert iou(out.getchannel("A"), truth) >= 0.75


@pytest.mark.parametrize("size", [(1600, 1200), (900, 700)])
def test_the_edge_is_feathered_by_a_few_pixels(size: tuple[int, int]) -> None:
    photo, truth = make_scene("plain", size=size, seed=1, garment="shirt")

    alpha = _alpha(remove_background(photo))

    soft = (alpha > 0) & (alpha < 255)
    assert soft.any()
    near = np.asarray(truth.filter(ImageFilter.BoxBlur(5)))
    near_edge = (near > 0) & (near < 255)
    assert soft[near_edge].sum() >= 0.95 * soft.sum()
    solid = alpha >= 128
    boundary = (solid[1:] != solid[:-1]).sum() + (solid[:, 1:] != solid[:, :-1]).sum()
    assert 1 <= soft.sum() / boundary <= 3, "the ramp should be 1-3 px wide"
