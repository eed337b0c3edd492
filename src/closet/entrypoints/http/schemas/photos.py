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


def _image(item_id: uuid.UUID, variant: Variant, blob: StoredBlob) -> ImageOut:
    url = f"{API}/items/{item_id}/photo?variant={variant.value}&v={blob.key}"
    return ImageOut(url, blob.media_type, blob.width, blob.height)


def photo_read(item_id: uuid.UUID, photo: ItemPhoto) -> PhotoRead:
    cutout = None
    if photo.cutout is not None and (blob := photo.blob(Variant.CUTOUT)) is not None:
        image = _image(item_id, Variant.CUTOUT, blob)
        cutout = CutoutOut(
            **msgspec.structs.asdict(image),
            provider=photo.cutout.provider.value,
            millis=photo.cutout.millis,
            coverage=photo.cutout.coverage,
        )
    return PhotoRead(
        status=photo.status.value,
        failure=photo.failure,
        uploaded_at=photo.uploaded_at,
        original=_image(item_id, Variant.ORIGINAL, photo.original),
        thumb256=_image(item_id, Variant.THUMB256, photo.thumb256),
        thumb512=_image(item_id, Variant.THUMB512, photo.thumb512),
        cutout=cutout,
        colors=list(photo.colors),
        requested_provider=photo.requested_provider.value if photo.requested_provider else None,
    )
