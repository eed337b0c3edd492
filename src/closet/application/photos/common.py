"""What the photo use cases share: the store, the processor, and staging a new photo."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from closet.application.jobs import JobSignal
from closet.application.photos.chain import CutoutChain
from closet.application.ports.clock import Clock
from closet.application.ports.images import EncodedImage, ImageProcessor, ImageStore, NormalisedPhoto
from closet.application.ports.jobs import Job
from closet.application.ports.uow import UnitOfWork
from closet.domain.colors import Color
from closet.domain.errors import InvalidValue
from closet.domain.images import (
    DUPLICATE_DISTANCE,
    BlobKey,
    CutoutProvider,
    ItemPhoto,
    StoredBlob,
    hamming,
)
from closet.domain.items import ItemId, enum_value
from closet.domain.users import UserId

CUTOUT_JOB = "photo.cutout"
MAX_SUGGESTED_COLORS = 3


@dataclass(frozen=True, slots=True)
class PhotoKit:
    store: ImageStore
    processor: ImageProcessor
    chain: CutoutChain
    clock: Clock
    signal: JobSignal

    async def put(self, image: EncodedImage) -> StoredBlob:
        key = await self.store.put(image.data)
        return StoredBlob(key, image.media_type, image.width, image.height)

    async def put_photo(self, normalised: NormalisedPhoto) -> list[StoredBlob]:
        """The original and its thumbnails, stored (each holding one reference)."""
        stored: list[StoredBlob] = []
        try:
            for image in (normalised.original, normalised.thumb256, normalised.thumb512):
                stored.append(await self.put(image))
        except BaseException:
            await self.release(b.key for b in stored)
            raise
        return stored

    async def release(self, keys: Iterable[BlobKey]) -> None:
        for key in keys:
            await self.store.release(key)

    def cutout_job(self, owner_id: UserId, item_id: ItemId, now: datetime) -> Job:
        return Job(kind=CUTOUT_JOB, owner_id=owner_id, subject_id=item_id, created_at=now, run_after=now)


@dataclass(frozen=True, slots=True)
class StagedPhoto:
    photo: ItemPhoto
    previous: ItemPhoto | None
    duplicates: list[ItemId]


async def stage_photo(
    uow: UnitOfWork,
    owner_id: UserId,
    item_id: ItemId,
    blobs: list[StoredBlob],
    normalised: NormalisedPhoto,
    job: Job,
) -> StagedPhoto:
    """Save a new photo in place of the item's current one, and queue its cut-out job.

    Also finds the owner's other items whose photo looks the same (a duplicate warning).
    """
    previous = await uow.photos.get(owner_id, item_id)
    original, thumb256, thumb512 = blobs
    photo = ItemPhoto(
        original=original,
        thumb256=thumb256,
        thumb512=thumb512,
        phash=normalised.phash,
        uploaded_at=job.created_at,
        job_id=job.id,
        revision=previous.revision + 1 if previous else 1,
    )
    await uow.photos.save(owner_id, item_id, photo, expected_revision=previous.revision if previous else None)
    await uow.jobs.add(job)
    hashes = await uow.photos.hashes(owner_id)
    duplicates = [
        other
        for other, phash in hashes.items()
        if other != item_id and hamming(phash, photo.phash) <= DUPLICATE_DISTANCE
    ]
    return StagedPhoto(photo, previous, duplicates)


def palette_names(colors: Iterable[tuple[str, float]]) -> tuple[str, ...]:
    """Palette names for the dominant colours of a cut-out, most prominent first."""
    names: dict[str, None] = {}
    for hex_value, _share in colors:
        names.setdefault(Color.of(hex=hex_value).name, None)
    return tuple(names)[:MAX_SUGGESTED_COLORS]


def parse_provider(value: str | None, available: list[CutoutProvider]) -> CutoutProvider | None:
    if value is None:
        return None
    provider = enum_value(CutoutProvider, value, "provider")
    if provider not in available:
        names = ", ".join(p.value for p in available)
        raise InvalidValue.of(
            "provider", f"{provider.value} is not configured on this server (available: {names})"
        )
    return provider
