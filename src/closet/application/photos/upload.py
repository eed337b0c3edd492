"""Uploading a photo: normalised on the request, cut out by a job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from closet.application.documents import DocumentSync, Queued, item_document
from closet.application.errors import NotFound, retries_contention
from closet.application.items import with_suggested_seasons
from closet.application.photos.common import PhotoKit, StagedPhoto, stage_photo
from closet.application.ports.images import NormalisedPhoto
from closet.application.ports.uow import UnitOfWork
from closet.application.specs import ItemSpec, build_details
from closet.domain.images import ItemPhoto
from closet.domain.items import ClothingItem, ItemId
from closet.domain.users import UserId, latest_date


@dataclass(frozen=True, slots=True)
class PhotoUploaded:
    item_id: ItemId
    photo: ItemPhoto
    duplicates: list[ItemId]  # the owner's other items whose photo looks the same
    item: ClothingItem | None = None  # the new item, when the upload created one


@dataclass(frozen=True, kw_only=True)
class UploadPhotoCommand:
    owner_id: UserId
    item_id: ItemId
    data: bytes


class UploadPhoto:
    """Replaces the item's photo. Refused bytes store nothing; the old blobs go after commit."""

    def __init__(self, uow: UnitOfWork, kit: PhotoKit) -> None:
        self.uow, self.kit = uow, kit

    async def __call__(self, cmd: UploadPhotoCommand) -> PhotoUploaded:
        async with self.uow as uow:  # fail fast, before the image work, for a missing item
            if await uow.items.get(cmd.owner_id, cmd.item_id) is None:
                raise NotFound("item", cmd.item_id)
        normalised = await self.kit.processor.normalise(cmd.data)
        staged = await self._store(cmd, normalised)
        self.kit.signal.notify()
        if staged.previous is not None:
            await self.kit.release(staged.previous.blob_keys())
        return PhotoUploaded(cmd.item_id, staged.photo, staged.duplicates)

    @retries_contention  # the write alone: a retry does not normalise the image again
    async def _store(self, cmd: UploadPhotoCommand, normalised: NormalisedPhoto) -> StagedPhoto:
        blobs = await self.kit.put_photo(normalised)
        try:
            async with self.uow as uow:
                if await uow.items.get(cmd.owner_id, cmd.item_id) is None:
                    raise NotFound("item", cmd.item_id)
                job = self.kit.cutout_job(cmd.owner_id, cmd.item_id, self.kit.clock.now())
                staged = await stage_photo(uow, cmd.owner_id, cmd.item_id, blobs, normalised, job)
                await uow.commit()
        except BaseException:
            await self.kit.release(b.key for b in blobs)
            raise
        return staged


@dataclass(frozen=True, kw_only=True)
class AddItemWithPhotoCommand:
    owner_id: UserId
    spec: ItemSpec
    data: bytes


class AddItemWithPhoto:
    """A new item and its photo in one request: both or neither."""

    def __init__(self, uow: UnitOfWork, kit: PhotoKit, sync: DocumentSync) -> None:
        self.uow, self.kit, self.sync = uow, kit, sync

    async def __call__(self, cmd: AddItemWithPhotoCommand) -> PhotoUploaded:
        now = self.kit.clock.now()
        details = with_suggested_seasons(
            build_details(cmd.spec, latest_date(now))
        )  # checked before the photo
        normalised = await self.kit.processor.normalise(cmd.data)
        item = ClothingItem.create(cmd.owner_id, details, now)
        staged, queued = await self._store(cmd, item, normalised, now)
        await self.sync.publish(queued)
        self.kit.signal.notify()
        item.photo = staged.photo
        return PhotoUploaded(item.id, staged.photo, staged.duplicates, item)

    @retries_contention  # the write alone: a retry does not normalise the image again
    async def _store(
        self, cmd: AddItemWithPhotoCommand, item: ClothingItem, normalised: NormalisedPhoto, now: datetime
    ) -> tuple[StagedPhoto, Queued]:
        blobs = await self.kit.put_photo(normalised)
        try:
            async with self.uow as uow:
                await uow.items.add(item)
                job = self.kit.cutout_job(cmd.owner_id, item.id, now)
                staged = await stage_photo(uow, cmd.owner_id, item.id, blobs, normalised, job)
                queued = await self.sync.queue(uow, [item_document(item)])
                await uow.commit()
        except BaseException:
            await self.kit.release(b.key for b in blobs)
            raise
        return staged, queued
