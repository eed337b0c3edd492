"""Photo files as phones and other programs write them: formats, EXIF, GPS, ICC, odd modes,
and the hostile ones (bombs, truncations, polyglots). All made here, seeded."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import numpy as np
import pillow_heif
from PIL import Image, ImageCms

from tests.photos import make_scene

pillow_heif.register_heif_opener()

GPS_IFD = 0x8825
ORIENTATION = 0x0112
ARTIST = 0x013B


def scene(size: tuple[int, int] = (800, 600), seed: int = 0) -> Image.Image:
    return make_scene("plain", size=size, seed=seed)[0]


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def phone_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[ARTIST] = "Ann's phone"
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (52.0, 22.0, 10.5)  # GPSLatitudeRef, GPSLatitude
    gps[3], gps[4] = "E", (4.0, 53.0, 42.0)
    return exif


def marked(size: tuple[int, int] = (600, 400)) -> Image.Image:
    """A scene with a red block in its top-left corner: where it lands shows the orientation."""
    image = scene(size)
    image.paste((255, 0, 0), (0, 0, size[0] // 5, size[1] // 5))
    return image


def rotated_jpeg(orientation: int = 6) -> bytes:
    """As a phone held upright writes it: pixels stored sideways, EXIF saying how to turn them.

    The stored pixels are ``marked()`` turned so that applying ``orientation`` gives it back.
    """
    undo = {3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}
    stored = marked().transpose(undo[orientation])
    return encode(stored, "JPEG", quality=92, exif=phone_exif(orientation), comment=b"secret comment")


def swapped_profile() -> bytes:
    """An RGB profile whose red and green primaries are swapped (and not named sRGB): a pixel
    stored as pure red *means* green. Made by editing the tag table of Pillow's sRGB profile."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    (count,) = struct.unpack(">I", data[128:132])
    entries = {}
    for index in range(count):
        at = 132 + 12 * index
        entries[bytes(data[at : at + 4])] = at
    red, green = entries[b"rXYZ"], entries[b"gXYZ"]
    data[red + 4 : red + 12], data[green + 4 : green + 12] = (
        data[green + 4 : green + 12],
        data[red + 4 : red + 12],
    )
    for old, new in ((b"sRGB", b"xRGB"), ("sRGB".encode("utf-16-be"), "xRGB".encode("utf-16-be"))):
        data = bytearray(bytes(data).replace(old, new))
    return bytes(data)


def icc_tagged_red_jpeg() -> bytes:
    return encode(Image.new("RGB", (64, 48), (255, 0, 0)), "JPEG", quality=95, icc_profile=swapped_profile())


def cmyk_jpeg() -> bytes:
    return encode(scene().convert("CMYK"), "JPEG", quality=90)


def png16() -> bytes:
    """A 16-bit greyscale PNG (as scanners and RAW converters write)."""
    grey = np.asarray(scene().convert("L"), dtype=np.uint16) * 257
    image = Image.fromarray(grey.astype("<u2"))
    return encode(image, "PNG")


def palette_png_with_transparency() -> bytes:
    image = scene((400, 300)).convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    image.info["transparency"] = 0
    return encode(image, "PNG", transparency=0)


def rgba_png() -> bytes:
    image = scene((400, 300)).convert("RGBA")
    alpha = Image.new("L", image.size, 0)
    alpha.paste(255, (50, 50, 350, 250))
    image.putalpha(alpha)
    return encode(image, "PNG")


def heic() -> bytes:
    return encode(scene(), "HEIF", quality=80)


def webp() -> bytes:
    return encode(scene(), "WEBP", quality=85)


def big_jpeg(size: tuple[int, int] = (4032, 3024)) -> bytes:
    return encode(scene(size), "JPEG", quality=88, exif=phone_exif(1))


def bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A tiny file that claims 400 MP: a valid header and a small, highly compressed body."""
    raw = zlib.compress(b"\x00" * (width // 8 + 1) * 64, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    data = encode(scene(), "JPEG", quality=90)
    return data[: len(data) // 2]


def truncated_png() -> bytes:
    data = encode(scene(), "PNG")
    return data[: len(data) // 2]


def polyglot_png_zip() -> bytes:
    """A PNG with a ZIP archive after it: opens as an image and as an archive."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("payload.js", "alert(1)")
    return encode(scene((200, 150)), "PNG") + archive.getvalue()


def polyglot_jpeg_html() -> bytes:
    return encode(scene((200, 150)), "JPEG") + b"<html><script>alert(1)</script></html>"


def gif() -> bytes:
    return encode(scene((100, 80)), "GIF")


def tiff() -> bytes:
    return encode(scene((100, 80)), "TIFF")


def bmp() -> bytes:
    return encode(scene((100, 80)), "BMP")
