"""Reading untrusted image bytes: the real format from the bytes, limits, and a checked decode.

Nothing here trusts a file name or a Content-Type. The format comes from the leading bytes;
Pillow is then allowed only that one decoder; the header's dimensions are checked against the
pixel limit before a single pixel is decoded; a container whose declared structure does not
account for the whole file, or that also carries an archive or markup, is refused (a
polyglot): the stored image is re-encoded anyway, but such a file is not a photo.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pillow_heif
from PIL import Image

from closet.application.errors import ImageTooLarge, InvalidImage, UnsupportedImage
from closet.application.ports.images import ImageLimits

pillow_heif.register_heif_opener()
# Our own limit (ImageLimits.max_pixels, checked on the header before any pixel is decoded) is
# the one that counts; Pillow's fixed bomb guard (~89 MP) would silently override a higher one.
Image.MAX_IMAGE_PIXELS = None
T = TypeVar("T")

# What Pillow calls each format we take, by our name for it.
PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "heif": "HEIF"}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"heif"}
_REFUSED = {
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
    b"BM": "BMP",
}
_TAKEN = "send a JPEG, PNG, WebP or HEIC/HEIF photo"
_ZIP = re.compile(rb"PK\x03\x04|PK\x05\x06")  # a ZIP entry, or the end of its directory
_MARKUP = re.compile(rb"<(?:script|html|!doctype|\?php|svg|iframe)\b", re.IGNORECASE)


def sniff(data: bytes) -> str:
    """The format the bytes really are; UnsupportedImage (or InvalidImage if empty) otherwise."""
    if not data:
        raise InvalidImage("the file is empty")
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp":
        if data[8:12] in _HEIF_BRANDS:
            return "heif"
        brand = data[8:12].decode("ascii", "replace").strip()
        raise UnsupportedImage(f"this is an ISO media file of brand '{brand}', not a photo we take; {_TAKEN}")
    for magic, name in _REFUSED.items():
        if data.startswith(magic):
            raise UnsupportedImage(f"{name} images are not taken; {_TAKEN}")
    raise UnsupportedImage(f"the file is not an image we recognise; {_TAKEN}")


def _png_end(data: bytes) -> int:
    """Where the PNG's IEND chunk ends (walking the chunk headers only)."""
    at = 8
    while at + 8 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        at += 12 + length
        if kind == b"IEND":
            return at
    raise InvalidImage("the PNG is truncated (no IEND chunk)")


def _boxes_end(data: bytes) -> int:
    """Where the last top-level ISO-BMFF box ends (HEIF)."""
    at = 0
    while at + 8 <= len(data):
        (size,) = struct.unpack(">I", data[at : at + 4])
        if size == 1 and at + 16 <= len(data):
            (size,) = struct.unpack(">Q", data[at + 8 : at + 16])
        elif size == 0:
            return len(data)
        if size < 8:
            raise InvalidImage("the HEIF container is corrupt")
        at += size
    return at


def check_structure(data: bytes, fmt: str) -> None:
    """Refuse truncated containers and polyglots (bytes that are also another kind of file)."""
    end = {
        "png": _png_end,
        "webp": lambda d: 8 + struct.unpack("<I", d[4:8])[0],
        "heif": _boxes_end,
    }.get(fmt)
    if end is not None:
        length = end(data)
        if length > len(data) + (1 if fmt == "webp" else 0):
            raise InvalidImage(f"the {fmt.upper()} file is truncated")
        if length < len(data) - 1:
            raise InvalidImage(f"the {fmt.upper()} file carries {len(data) - length} bytes after its end")
    for part in _uncoded_parts(data, fmt):
        if _MARKUP.search(part):
            raise InvalidImage("the file also contains markup or script: not a plain photo")
        if _ZIP.search(part) or zipfile.is_zipfile(io.BytesIO(part)):
            raise InvalidImage("the file is also a ZIP archive: not a plain photo")


def _uncoded_parts(data: bytes, fmt: str) -> list[bytes]:
    """The bytes that are not compressed image data, where a second file could hide: a JPEG's
    header segments and whatever follows its end; a PNG's chunks other than IDAT. (Compressed
    data is random-looking and matches any short pattern now and then: it is not searched.
    WebP and HEIF files may carry nothing past their declared end, checked above.)"""
    if fmt == "jpeg":
        start = _jpeg_scan_start(data)
        end = data.rfind(b"\xff\xd9")
        return [data[:start], data[end + 2 :] if end >= start else b""]
    if fmt == "png":
        return [chunk for kind, chunk in _png_chunks(data) if kind != b"IDAT"]
    return []


def _jpeg_scan_start(data: bytes) -> int:
    """Where the first scan (the entropy-coded image data) begins: after the SOS header."""
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        at += 2 + length
        if marker == 0xDA:
            return min(at, len(data))
    return min(at, len(data))


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, at = [], 8
    while at + 8 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append((data[at + 4 : at + 8], data[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


@dataclass(slots=True)
class Opened:
    image: Image.Image
    fmt: str


def open_checked(data: bytes, limits: ImageLimits, *, allowed: frozenset[str] | None = None) -> Opened:
    """Sniffed, structure-checked and opened (header only) within the byte and pixel limits."""
    if len(data) > limits.max_bytes:
        raise ImageTooLarge(f"the file is {len(data)} bytes; the limit is {limits.max_bytes}")
    fmt = sniff(data)
    if allowed is not None and fmt not in allowed:
        raise UnsupportedImage(f"{fmt.upper()} is not taken here")
    check_structure(data, fmt)
    image = guarded(lambda: Image.open(io.BytesIO(data), formats=[PIL_FORMATS[fmt]]))
    width, height = image.size
    if width < 1 or height < 1:
        raise InvalidImage("the image has no pixels")
    if width * height > limits.max_pixels:
        raise ImageTooLarge(
            f"the image is {width}×{height} = {width * height} pixels; the limit is {limits.max_pixels}"
        )
    return Opened(image, fmt)


def guarded(step: Callable[[], T]) -> T:
    """Run a decoding step; whatever the decoder objects to becomes InvalidImage."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return step()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge("the image decodes to more pixels than allowed") from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, KeyError, TypeError) as exc:
        raise InvalidImage(f"the image data is corrupt or truncated ({_short(exc)})") from exc


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]
