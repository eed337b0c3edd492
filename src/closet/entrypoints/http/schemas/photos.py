"""Photo wire types: what an item's photo looks like to a client, and the upload forms."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import msgspec
from litestar.datastructures import UploadFile

from closet.domain.images import ItemPhoto, StoredBlob, Variant

API = "/api/v1"


class ImageOut(msgspec.Struct):
    url: str  # carries the blob key, so the answer may be cached for good
    media_type: str
    width: int
    height: int


class CutoutOut(ImageOut):
    provider: str
    millis: int
    coverage: float


class PhotoRead(msgspec.Struct):
    status: str  # of the cut-out: pending, processing, ready, failed, reverted
    failure: str | None
    uploaded_at: datetime
    original: ImageOut
    thumb256: ImageOut
    thumb512: ImageOut
    cutout: CutoutOut | None
    colors: list[str]  # palette colours found in the cut-out
    requested_provider: str | None


class PhotoUploadRead(msgspec.Struct):
    item_id: uuid.UUID
    photo: PhotoRead
    duplicates: list[uuid.UUID]  # the owner's other items whose photo looks the same


@dataclass
class PhotoForm:
    file: UploadFile


@dataclass
class MaskForm:
    file: UploadFile


@dataclass
class ItemWithPhotoForm:
    item: str  # the item as JSON, the same body POST /items takes
    file: UploadFile


def _image(base: str, variant: Variant, blob: StoredBlob) -> ImageOut:
    """``base``: the photo's URL up to its variant (``_base``), made once for its four images."""
    return ImageOut(f"{base}{variant}&v={blob.key}", blob.media_type, blob.width, blob.height)


def _base(item_id: uuid.UUID) -> str:
    return f"{API}/items/{item_id}/photo?variant="


def photo_read(item_id: uuid.UUID, photo: ItemPhoto) -> PhotoRead:
    """The photo as clients see it (a list page makes one per item: kept lean)."""
    base = _base(item_id)
    cutout = None
    if (made := photo.cutout) is not None:
        blob = made.blob
        cutout = CutoutOut(
            f"{base}{Variant.CUTOUT}&v={blob.key}",
            blob.media_type,
            blob.width,
            blob.height,
            provider=made.provider.value,
            millis=made.millis,
            coverage=made.coverage,
        )
    return PhotoRead(
        status=photo.status.value,
        failure=photo.failure,
        uploaded_at=photo.uploaded_at,
        original=_image(base, Variant.ORIGINAL, photo.original),
        thumb256=_image(base, Variant.THUMB256, photo.thumb256),
        thumb512=_image(base, Variant.THUMB512, photo.thumb512),
        cutout=cutout,
        colors=list(photo.colors),
        requested_provider=photo.requested_provider.value if photo.requested_provider else None,
    )
