"""An item's photo: the normalised original, its variants and its cut-out."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import NewType

from closet.domain.errors import InvalidValue

BlobKey = NewType("BlobKey", str)  # the sha256 of the blob's bytes, 64 lower-case hex digits

_KEY = re.compile(r"^[0-9a-f]{64}$")
PHASH_BITS = 64
DUPLICATE_DISTANCE = 4  # perceptual hashes this close (in bits) are "probably the same photo"


def blob_key(value: str) -> BlobKey:
    if not _KEY.match(value):
        raise InvalidValue.of("key", "must be a sha256 digest in lower-case hex")
    return BlobKey(value)


class Variant(StrEnum):
    ORIGINAL = "original"
    CUTOUT = "cutout"
    THUMB256 = "thumb256"
    THUMB512 = "thumb512"


class CutoutStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"
    REVERTED = "reverted"  # the owner chose the original over the cut-out


class CutoutProvider(StrEnum):
    FABRICA = "fabrica"
    LOCAL = "local"
    USER = "user"  # the owner uploaded their own mask


@dataclass(frozen=True, slots=True)
class StoredBlob:
    key: BlobKey
    media_type: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Cutout:
    blob: StoredBlob
    provider: CutoutProvider
    millis: int
    coverage: float  # the share of the original frame the garment covers, 0..1


def drawn_image(original: BlobKey, cutout: BlobKey | None, status: CutoutStatus) -> BlobKey:
    """The image an item is drawn with on an outfit: its cut-out while it has one the owner has not
    set aside, else its normalised photo (before the first cut-out lands, or after an undo)."""
    return cutout if cutout is not None and status is not CutoutStatus.REVERTED else original


@dataclass(frozen=True, slots=True)
class ItemPhoto:
    """The photo of one item; SQL holds it beside the item (DESIGN.md §3)."""

    original: StoredBlob
    thumb256: StoredBlob
    thumb512: StoredBlob
    phash: int
    uploaded_at: datetime
    status: CutoutStatus = CutoutStatus.PENDING
    cutout: Cutout | None = None
    failure: str | None = None
    requested_provider: CutoutProvider | None = None
    colors: tuple[str, ...] = ()  # palette names found in the cut-out, most prominent first
    job_id: uuid.UUID | None = None  # the job that will make the next cut-out (others are stale)
    revision: int = 1

    def blob(self, variant: Variant) -> StoredBlob | None:
        if variant is Variant.CUTOUT:  # the current cut-out, also while a new one is on its way
            return self.cutout.blob if self.cutout is not None else None
        return {
            Variant.ORIGINAL: self.original,
            Variant.THUMB256: self.thumb256,
            Variant.THUMB512: self.thumb512,
        }[variant]

    @property
    def drawn(self) -> BlobKey:
        """The image the item is drawn with on an outfit (see ``drawn_image``)."""
        return drawn_image(self.original.key, self.cutout.blob.key if self.cutout else None, self.status)

    def blob_keys(self) -> set[BlobKey]:
        keys = {self.original.key, self.thumb256.key, self.thumb512.key}
        if self.cutout is not None:
            keys.add(self.cutout.blob.key)
        return keys

    def queued(self, provider: CutoutProvider | None, job_id: uuid.UUID) -> ItemPhoto:
        """A new cut-out is on its way; the current one stays until it lands."""
        return replace(
            self,
            status=CutoutStatus.PENDING,
            failure=None,
            requested_provider=provider,
            job_id=job_id,
            revision=self.revision + 1,
        )

    def processing(self) -> ItemPhoto:
        return replace(self, status=CutoutStatus.PROCESSING, revision=self.revision + 1)

    def with_cutout(self, cutout: Cutout, colors: tuple[str, ...]) -> ItemPhoto:
        return replace(
            self,
            status=CutoutStatus.READY,
            cutout=cutout,
            colors=colors,
            failure=None,
            requested_provider=None,
            job_id=None,
            revision=self.revision + 1,
        )

    def failed(self, reason: str) -> ItemPhoto:
        return replace(
            self, status=CutoutStatus.FAILED, failure=reason[:500], job_id=None, revision=self.revision + 1
        )

    def reverted(self) -> ItemPhoto:
        return replace(
            self,
            status=CutoutStatus.REVERTED,
            cutout=None,
            failure=None,
            requested_provider=None,
            job_id=None,
            revision=self.revision + 1,
        )


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()
