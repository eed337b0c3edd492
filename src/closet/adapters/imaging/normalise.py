"""An upload made safe and small: oriented, sRGB, no metadata, capped, with its thumbnails.

Speed comes from decoding only what is needed: a JPEG is decoded straight at the smallest
DCT scale (1/2, 1/4, 1/8) whose long edge still reaches 90% of the cap, so a 12 MP phone
photo is decoded at 2016×1512 (within the 2048 cap: no resize at all) instead of being decoded
whole and resampled. Other formats decode whole and are resized with a box pre-reduction.
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from PIL import Image, ImageCms

from closet.adapters.imaging import png
from closet.adapters.imaging.decode import guarded, open_checked
from closet.application.ports.images import EncodedImage, ImageLimits, NormalisedPhoto

DRAFT_SLACK = 0.9  # a DCT-scaled decode may land this far under the cap instead of resampling
JPEG_QUALITY = 90
THUMB_QUALITY = 80
WEBP_METHOD = 2  # 3× faster than the default 4 at thumbnail sizes, a few % larger
_ORIENTATION = 0x0112
_TRANSPOSE = {
    2: [Image.Transpose.FLIP_LEFT_RIGHT],
    3: [Image.Transpose.ROTATE_180],
    4: [Image.Transpose.FLIP_TOP_BOTTOM],
    5: [Image.Transpose.TRANSPOSE],
    6: [Image.Transpose.ROTATE_270],
    7: [Image.Transpose.TRANSVERSE],
    8: [Image.Transpose.ROTATE_90],
}
_ENCODERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="encode")
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def normalise(data: bytes, limits: ImageLimits) -> NormalisedPhoto:
    opened = open_checked(data, limits)
    image = opened.image
    orientation = _orientation(image)
    icc = image.info.get("icc_profile")
    if opened.fmt == "jpeg":
        _draft(image, limits.max_edge)
    guarded(image.load)
    image = _to_srgb(image, icc if isinstance(icc, bytes) else None)
    for step in _TRANSPOSE.get(orientation, []):
        image = image.transpose(step)
    image = cap(image, limits.max_edge)
    # The original's encode and the thumbnails are independent: both at once (Pillow lets go
    # of the GIL while it resamples and encodes), so a photo is ready in about the longer one.
    original = _ENCODERS.submit(encode_photo, image.copy())
    thumb512 = thumbnail(image, 512)
    thumb256 = thumbnail(thumb512, 256)
    small, large = encode_webp(thumb256), encode_webp(thumb512)
    return NormalisedPhoto(
        original=original.result(),
        thumb256=small,
        thumb512=large,
        phash=dhash(thumb256),
        source_format=opened.fmt,
    )


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _draft(image: Image.Image, max_edge: int) -> None:
    width, height = image.size
    ratio = DRAFT_SLACK * max_edge / max(width, height)
    if ratio < 1:
        image.draft(None, (max(1, int(width * ratio)), max(1, int(height * ratio))))


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """8-bit RGB or RGBA in sRGB, whatever mode and colour space the file used."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        image = image.convert("I").point(lambda v: v * (1 / 257)).convert("L")  # 16 → 8 bits
    has_alpha = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        image.mode == "P" and "transparency" in image.info
    )
    if icc and image.mode in ("RGB", "RGBA", "CMYK", "L", "LA"):
        converted = _icc_convert(image, icc, "RGBA" if has_alpha else "RGB")
        if converted is not None:
            return _drop_opaque_alpha(converted)
    target = "RGBA" if has_alpha else "RGB"
    return _drop_opaque_alpha(image if image.mode == target else image.convert(target))


def _icc_convert(image: Image.Image, icc: bytes, mode: str) -> Image.Image | None:
    source = image if image.mode != "LA" else image.convert("RGBA")
    try:
        transform = _transform(icc, source.mode, mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return None  # an unreadable profile: treat the pixels as sRGB
    if transform is None:
        return None
    return ImageCms.applyTransform(source, transform)


@lru_cache(maxsize=32)
def _transform(icc: bytes, in_mode: str, out_mode: str) -> ImageCms.ImageCmsTransform | None:
    """Building a transform costs milliseconds: cached per profile; None for sRGB itself."""
    profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    description = (ImageCms.getProfileDescription(profile) or "").strip().lower()
    if in_mode in ("RGB", "RGBA") and description.startswith("srgb"):
        return None
    return ImageCms.buildTransform(
        profile, _SRGB, in_mode, out_mode, renderingIntent=ImageCms.Intent.PERCEPTUAL
    )


def _drop_opaque_alpha(image: Image.Image) -> Image.Image:
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        return image.convert("RGB")
    return image


def cap(image: Image.Image, max_edge: int) -> Image.Image:
    width, height = image.size
    if max(width, height) <= max_edge:
        return image
    scale = max_edge / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def thumbnail(image: Image.Image, edge: int) -> Image.Image:
    """Long edge ``edge``: a box pre-reduction to within 1.5× the size, then Lanczos."""
    scale = edge / max(image.size)
    if scale >= 1:
        return image.copy()
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=1.5)


def _clean(image: Image.Image) -> Image.Image:
    """Nothing of the upload's metadata may reach an encoder (EXIF, GPS, XMP, ICC, text)."""
    image.info = {}
    return image


def encode_photo(image: Image.Image) -> EncodedImage:
    """The stored original: JPEG when opaque, PNG when it has transparency."""
    if image.mode == "RGBA":
        return encode_png(image)
    buffer = io.BytesIO()
    _clean(image).save(buffer, "JPEG", quality=JPEG_QUALITY)
    return EncodedImage(buffer.getvalue(), "image/jpeg", image.width, image.height)


def encode_png(image: Image.Image) -> EncodedImage:
    """PNG by ``png.py`` (only the pixels are written: no metadata chunk exists there to leak). On a
    2048 px cut-out: 29 ms and 2.58 MB, where Pillow's level 3 took 299 ms for 2.77 MB."""
    pixels = image if image.mode in ("RGB", "RGBA") else image.convert("RGBA")
    return EncodedImage(png.encode_png(pixels), "image/png", image.width, image.height)


def encode_webp(image: Image.Image) -> EncodedImage:
    buffer = io.BytesIO()
    _clean(image).save(buffer, "WEBP", quality=THUMB_QUALITY, method=WEBP_METHOD)
    return EncodedImage(buffer.getvalue(), "image/webp", image.width, image.height)


def dhash(image: Image.Image) -> int:
    """A 64-bit difference hash: robust to scaling and re-encoding, not to crops."""
    small = image.convert("L").resize((9, 8), Image.Resampling.BOX)
    pixels = small.tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    return bits
