"""The fast PNG encoder: bit-exact round trips, read by three decoders (Pillow, OpenCV and our own),
a valid stream whatever the strips; our decoder checks what it reads and leaves other PNGs to Pillow."""

from __future__ import annotations

import io
import itertools
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from closet.adapters.imaging import png

SIZES = [(1, 1), (1, 9), (9, 1), (13, 5), (101, 37), (640, 480)]


def pixels(width: int, height: int, channels: int, seed: int = 0) -> np.ndarray:
    """A picture that exercises the filter: noise over a gradient, with flat and transparent runs."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0, 255, width * height * channels).reshape(height, width, channels)
    image = (ramp + rng.normal(0, 24, ramp.shape)).clip(0, 255).astype(np.uint8)
    image[: height // 3] = 200  # a flat band
    if channels == 4:
        image[height // 2 :, : width // 2, 3] = 0
    return image


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The chunks of a PNG, each CRC checked (Pillow does not check the IDAT chunks' own)."""
    assert data.startswith(png.SIGNATURE)
    found, at = [], len(png.SIGNATURE)
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        found.append((kind, body))
        at += 12 + length
    return found


def decoded_by_opencv(data: bytes, channels: int) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    image = image.reshape(image.shape[0], image.shape[1], -1)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB if channels == 3 else cv2.COLOR_BGRA2RGBA)


@pytest.mark.parametrize("channels", [3, 4])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("strips", [1, 2, 3, 50])
def test_round_trip_is_bit_exact_for_two_decoders(channels: int, size: tuple[int, int], strips: int) -> None:
    original = pixels(*size, channels)
    image = Image.fromarray(original)
    data = png.encode_png(image, strips=strips)
    with Image.open(io.BytesIO(data)) as read:
        assert read.format == "PNG" and read.mode == image.mode and read.size == size
        assert np.array_equal(np.asarray(read), original)
    assert np.array_equal(decoded_by_opencv(data, channels), original)
    assert np.array_equal(png.decode_png(data, MANY), original)


@pytest.mark.parametrize("channels", [3, 4])
def test_the_stream_is_one_valid_zlib_stream_with_its_checksum(channels: int) -> None:
    """zlib checks the Adler-32 that ``assemble`` combined from the strips'; the chunks' CRCs hold."""
    original = pixels(101, 37, channels, seed=3)
    found = chunks(png.encode_png(original, strips=5))  # rows 0, 7, 14, 22, 29 start the strips
    assert [kind for kind, _ in found][:1] == [b"IHDR"] and found[-1] == (b"IEND", b"")
    width, height, depth, colour, *_ = struct.unpack(">IIBBBBB", found[0][1])
    assert (width, height, depth, colour) == (101, 37, 8, png.COLOUR_TYPES[channels])
    raw = zlib.decompress(b"".join(body for kind, body in found if kind == b"IDAT"))  # checks Adler-32
    rows = np.frombuffer(raw, np.uint8).reshape(37, 1 + 101 * channels)
    starts = {top for top, _ in png.row_ranges(37, 5)}
    assert rows[:, 0].tolist() == [png.SUB if y in starts else png.UP for y in range(37)]


def test_large_strips_are_split_into_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(png, "IDAT_MAX", 1000)
    original = pixels(300, 200, 4, seed=5)
    data = png.encode_png(original, strips=3)
    idat = [body for kind, body in chunks(data) if kind == b"IDAT"]
    assert len(idat) > 6 and max(map(len, idat)) <= 1000
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), original)


def test_strips_compressed_side_by_side_give_the_same_file() -> None:
    original = pixels(640, 480, 3, seed=7)
    with ThreadPoolExecutor(2) as executor:
        threaded = png.encode_png(original, strips=4, map_=executor.map)
    assert threaded == png.encode_png(original, strips=4)


def test_a_view_of_some_channels_encodes_like_a_copy() -> None:
    """The renderer hands over arrays that need not be contiguous."""
    rgba = pixels(33, 21, 4, seed=9)
    assert png.encode_png(rgba[..., :3]) == png.encode_png(np.ascontiguousarray(rgba[..., :3]))


def test_row_ranges_cover_every_row_once() -> None:
    for height in (1, 2, 5, 37, 1350):
        for strips in (1, 2, 4, 7, 2000):
            ranges = png.row_ranges(height, strips)
            assert ranges[0][0] == 0 and ranges[-1][1] == height
            assert all(top < bottom for top, bottom in ranges)
            assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
            assert len(ranges) == min(strips, height)


@pytest.mark.parametrize("mode", ["L", "LA", "P", "I;16", "CMYK"])
def test_other_modes_are_refused(mode: str) -> None:
    with pytest.raises(ValueError, match="RGB or RGBA"):
        png.encode_png(Image.new(mode, (4, 4)))


def test_other_arrays_are_refused() -> None:
    for array in (np.zeros((4, 4), np.uint8), np.zeros((4, 4, 2), np.uint8), np.zeros((4, 4, 3), np.uint16)):
        with pytest.raises(ValueError, match="bytes"):
            png.encode_png(array)


@given(first=st.binary(max_size=3000), second=st.binary(max_size=3000))
def test_adler32_combines_like_zlib(first: bytes, second: bytes) -> None:
    combined = png._adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second))
    assert combined == zlib.adler32(first + second)


@given(
    width=st.integers(1, 70),
    height=st.integers(1, 70),
    channels=st.sampled_from([3, 4]),
    strips=st.integers(1, 80),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=60)
def test_any_size_and_strips_round_trip(
    width: int, height: int, channels: int, strips: int, seed: int
) -> None:
    original = np.random.default_rng(seed).integers(0, 256, (height, width, channels), np.uint8)
    data = png.encode_png(original, strips=strips)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), original)
    assert np.array_equal(decoded_by_opencv(data, channels), original)
    assert np.array_equal(png.decode_png(data, MANY), original)


MANY = 10**8  # pixels: no limit that matters here


@pytest.mark.parametrize("channels", [3, 4])
@pytest.mark.parametrize("level", [0, 1, 6])
def test_pillows_own_pngs_are_decoded_alike_or_left_to_pillow(channels: int, level: int) -> None:
    """Pillow filters rows adaptively (Average and Paeth too): our decoder reads those files exactly
    when they use only None, Sub and Up, and otherwise answers None."""
    original = pixels(64, 40, channels, seed=11)
    buffer = io.BytesIO()
    Image.fromarray(original).save(buffer, "PNG", compress_level=level)
    decoded = png.decode_png(buffer.getvalue(), MANY)
    assert decoded is None or np.array_equal(decoded, original)
    if level == 0:  # Pillow stores level 0 unfiltered
        assert decoded is not None


@pytest.mark.parametrize("mode", ["L", "LA", "P", "I;16"])
def test_other_pngs_are_left_to_pillow(mode: str) -> None:
    buffer = io.BytesIO()
    Image.new(mode, (5, 3)).save(buffer, "PNG")
    assert png.decode_png(buffer.getvalue(), MANY) is None


def test_an_rgb_png_with_a_transparent_colour_is_left_to_pillow() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (5, 3), (1, 2, 3)).save(buffer, "PNG", transparency=(1, 2, 3))
    assert png.decode_png(buffer.getvalue(), MANY) is None


def test_damaged_files_are_refused_not_misread() -> None:
    data = png.encode_png(pixels(40, 30, 4, seed=13), strips=3)
    idat = data.index(b"IDAT")
    flipped = bytearray(data)
    flipped[idat + 20] ^= 0xFF  # a byte of compressed data: the chunk's CRC no longer holds
    for broken, why in (
        (bytes(flipped), "checksum"),
        (data[: len(data) // 2], "ends inside a chunk"),
        (b"GIF89a" + data[6:], "signature"),
    ):
        with pytest.raises(ValueError, match=why):
            png.decode_png(broken, MANY)


def test_a_stream_that_inflates_to_more_than_the_header_says_is_refused() -> None:
    small, large = pixels(10, 4, 3), pixels(10, 8, 3)
    found = dict(chunks(png.encode_png(small)))
    header = found[b"IHDR"]
    data = png.encode_png(large)  # 8 rows of data behind a header that says 4
    at = data.index(b"IHDR") + 4
    data = data[:at] + header + struct.pack(">I", zlib.crc32(b"IHDR" + header)) + data[at + 17 :]
    with pytest.raises(ValueError, match="truncated or too long"):
        png.decode_png(data, MANY)


def test_the_pixel_limit_holds_before_anything_is_inflated() -> None:
    with pytest.raises(ValueError, match="more than 100 pixels"):
        png.decode_png(png.encode_png(pixels(11, 10, 4)), 100)
