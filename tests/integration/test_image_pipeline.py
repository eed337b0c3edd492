"""The Pillow pipeline on photos as phones and programs write them, and on hostile files."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from closet.adapters.imaging.cutouts import apply_mask, finish_cutout
from closet.adapters.imaging.normalise import normalise
from closet.application.errors import ImageTooLarge, InvalidImage, UnsupportedImage
from closet.application.ports.images import ImageLimits
from tests import photo_files

LIMITS = ImageLimits()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_clean(image: Image.Image) -> None:
    """No metadata at all: EXIF (and its GPS block), XMP, ICC, comments."""
    assert not image.getexif()
    assert not image.getexif().get_ifd(photo_files.GPS_IFD)
    for key in ("exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp"):
        assert key not in image.info, key


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_is_applied_and_metadata_stripped(orientation: int) -> None:
    data = photo_files.rotated_jpeg(orientation)
    assert opened(data).getexif().get_ifd(photo_files.GPS_IFD)  # the upload had GPS
    result = normalise(data, LIMITS)
    image = opened(result.original.data)
    assert image.size == (600, 400)  # upright again
    red, green, blue = image.getpixel((10, 10))  # the marker is back in the top-left corner
    assert red > 200 and green < 60 and blue < 60
    assert_clean(image)
    for thumb in (result.thumb256, result.thumb512):
        assert_clean(opened(thumb.data))


def test_embedded_icc_profile_is_converted_to_srgb() -> None:
    """Stored red under a profile whose red and green are swapped means green: sRGB says so."""
    image = opened(normalise(photo_files.icc_tagged_red_jpeg(), LIMITS).original.data)
    red, green, blue = image.getpixel((20, 20))
    assert green > 200 and red < 60 and blue < 60
    assert_clean(image)


@pytest.mark.parametrize(
    ("make", "source", "media_type", "mode"),
    [
        (photo_files.cmyk_jpeg, "jpeg", "image/jpeg", "RGB"),
        (photo_files.png16, "png", "image/jpeg", "RGB"),
        (photo_files.palette_png_with_transparency, "png", "image/png", "RGBA"),
        (photo_files.rgba_png, "png", "image/png", "RGBA"),
        (photo_files.heic, "heif", "image/jpeg", "RGB"),
        (photo_files.webp, "webp", "image/jpeg", "RGB"),
    ],
)
def test_every_taken_format_becomes_8_bit_srgb(make: object, source: str, media_type: str, mode: str) -> None:
    result = normalise(make(), LIMITS)  # type: ignore[operator]
    assert result.source_format == source
    assert result.original.media_type == media_type
    image = opened(result.original.data)
    assert image.mode == mode
    assert_clean(image)
    assert opened(result.thumb512.data).format == "WEBP"


def test_sixteen_bit_grey_keeps_its_tones() -> None:
    source = opened(photo_files.png16())
    level = source.getpixel((400, 300)) / 257  # 16-bit value back on the 8-bit scale
    image = opened(normalise(photo_files.png16(), LIMITS).original.data)
    assert abs(image.getpixel((400, 300))[0] - level) <= 3  # scaled, not clipped to white


def test_transparency_survives() -> None:
    image = opened(normalise(photo_files.rgba_png(), LIMITS).original.data)
    assert image.getpixel((10, 10))[3] == 0 and image.getpixel((200, 150))[3] == 255


def test_a_phone_photo_is_capped_and_decoded_small() -> None:
    result = normalise(photo_files.big_jpeg((4032, 3024)), LIMITS)
    assert max(result.original.width, result.original.height) <= 2048
    # decoded at half scale (2016 px: within 10% under the cap), not resampled
    assert (result.original.width, result.original.height) == (2016, 1512)
    assert (result.thumb512.width, result.thumb512.height) == (512, 384)
    assert (result.thumb256.width, result.thumb256.height) == (256, 192)


def test_a_smaller_cap_resamples() -> None:
    result = normalise(photo_files.big_jpeg((3000, 2000)), ImageLimits(max_edge=1000))
    assert (result.original.width, result.original.height) == (1000, 667)


@given(
    width=st.integers(min_value=1, max_value=1600),
    height=st.integers(min_value=1, max_value=1600),
    edge=st.sampled_from([256, 512, 1024, 2048]),
    fmt=st.sampled_from(["JPEG", "PNG", "WEBP"]),
)
@settings(max_examples=25)
def test_sizes_are_capped_and_aspect_kept(width: int, height: int, edge: int, fmt: str) -> None:
    data = photo_files.encode(Image.new("RGB", (width, height), (120, 80, 40)), fmt)
    result = normalise(data, ImageLimits(max_edge=edge))
    w, h = result.original.width, result.original.height
    assert max(w, h) <= max(edge, 1) and max(w, h) >= min(max(width, height), int(edge * 0.9))
    if min(width, height) >= 20:
        assert abs(w / h - width / height) <= 0.05 * (width / height) + 1 / min(w, h)
    for thumb, size in ((result.thumb256, 256), (result.thumb512, 512)):
        assert max(thumb.width, thumb.height) <= size
    assert opened(result.original.data).size == (w, h)


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: b"", InvalidImage),
        (photo_files.truncated_jpeg, InvalidImage),
        (photo_files.truncated_png, InvalidImage),
        (photo_files.polyglot_png_zip, InvalidImage),
        (photo_files.polyglot_jpeg_html, InvalidImage),
        (photo_files.bomb_png, ImageTooLarge),
        (lambda: photo_files.bomb_png(8000, 8000), ImageTooLarge),  # 64 MP: ours, not Pillow's limit
        (photo_files.gif, UnsupportedImage),
        (photo_files.tiff, UnsupportedImage),
        (photo_files.bmp, UnsupportedImage),
        (lambda: b"<svg xmlns='http://www.w3.org/2000/svg'/>", UnsupportedImage),
        (lambda: b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00", UnsupportedImage),
        (lambda: b"\xff\xd8\xff" + b"\x00" * 50, InvalidImage),
    ],
)
def test_hostile_and_refused_files(make: object, error: type[Exception]) -> None:
    with pytest.raises(error) as raised:
        normalise(make(), LIMITS)  # type: ignore[operator]
    assert raised.value.detail  # type: ignore[attr-defined]


def test_byte_limit() -> None:
    with pytest.raises(ImageTooLarge):
        normalise(photo_files.webp(), ImageLimits(max_bytes=1024))


def test_the_filename_and_type_do_not_matter() -> None:
    """Sniffing is from the bytes: a PNG that says nothing about itself is still a PNG."""
    assert normalise(photo_files.rgba_png(), LIMITS).source_format == "png"


def _cutout(size: tuple[int, int], box: tuple[int, int, int, int], opaque: bool = False) -> bytes:
    image = Image.new("RGBA", size, (200, 30, 30, 255 if opaque else 0))
    image.paste((20, 40, 160, 255), box)
    return photo_files.encode(image, "PNG")


def test_finish_cutout_trims_measures_and_finds_colours() -> None:
    original = photo_files.encode(Image.new("RGB", (400, 300), (240, 240, 240)), "JPEG")
    finished = finish_cutout(original, _cutout((400, 300), (100, 50, 300, 200)), LIMITS)
    assert (finished.image.width, finished.image.height) == (200, 150)
    assert finished.coverage == pytest.approx(0.25, abs=0.001)
    [(hex_value, share)] = finished.colors
    assert share == pytest.approx(1.0) and hex_value.startswith("#")
    # a remover that answers at half size (Fabrica's size=auto) is scaled back to the frame
    half = finish_cutout(original, _cutout((200, 150), (50, 25, 150, 100)), LIMITS)
    assert half.coverage == pytest.approx(0.25, abs=0.01)


@pytest.mark.parametrize(
    ("cutout", "message"),
    [
        (_cutout((400, 300), (0, 0, 1, 1)), "empty"),
        (_cutout((400, 300), (0, 0, 400, 300), opaque=True), "transparency"),
        (_cutout((300, 300), (50, 50, 100, 100)), "shape"),
        (photo_files.encode(Image.new("RGB", (400, 300)), "JPEG"), "JPEG"),
        (b"garbage", "recognise"),
    ],
)
def test_unusable_cutouts_are_refused(cutout: bytes, message: str) -> None:
    original = photo_files.encode(Image.new("RGB", (400, 300), (240, 240, 240)), "JPEG")
    with pytest.raises((InvalidImage, UnsupportedImage)) as raised:
        finish_cutout(original, cutout, LIMITS)
    assert message in raised.value.detail


def test_a_drawn_mask_becomes_the_alpha() -> None:
    original = photo_files.encode(Image.new("RGB", (400, 300), (240, 240, 240)), "JPEG")
    mask = Image.new("L", (200, 150), 0)
    mask.paste(255, (50, 50, 150, 100))
    image = opened(apply_mask(original, photo_files.encode(mask, "PNG"), LIMITS))
    assert image.size == (400, 300) and image.mode == "RGBA"
    assert image.getpixel((200, 150))[3] == 255 and image.getpixel((20, 20))[3] == 0


def test_compressed_data_that_happens_to_spell_markup_is_fine() -> None:
    """Entropy-coded data is random-looking: `<svg` turns up in it now and then (this seeded
    noise photo has it). Only the uncoded parts of a file are searched for a second file."""
    noise = np.random.default_rng(48).integers(0, 256, (1512, 2016, 3), dtype=np.uint8)
    data = photo_files.encode(Image.fromarray(noise), "JPEG", quality=90)
    assert re.search(rb"<svg\b", data, re.IGNORECASE)
    assert normalise(data, LIMITS).original.width == 2016


def test_markup_hidden_in_metadata_is_refused() -> None:
    jpeg = photo_files.encode(photo_files.scene((200, 150)), "JPEG", comment=b"<script>alert(1)</script>")
    with pytest.raises(InvalidImage):
        normalise(jpeg, LIMITS)
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<html><body>hi</body></html>")
    png = photo_files.encode(photo_files.scene((200, 150)), "PNG", pnginfo=info)
    with pytest.raises(InvalidImage):
        normalise(png, LIMITS)
