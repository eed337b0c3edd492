"""The cut-out: made by a job, redone with a chosen provider, drawn by the owner, or undone."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta

from closet.application.documents import DocumentSync, Queued, item_document
from closet.application.errors import NotFound, StaleVersion, retries_conflicts, retries_contention
from closet.application.items import ItemRef, load_item
from closet.application.jobs import JobHandler, RetryLater
from closet.application.photos.chain import ChainResult, CutoutFailed
from closet.application.photos.common import PhotoKit, palette_names, parse_provider
from closet.application.ports.images import FinishedCutout
from closet.application.ports.jobs import Job
from closet.application.ports.uow import UnitOfWork
from closet.domain.colors import Color
from closet.domain.images import BlobKey, Cutout, CutoutProvider, CutoutStatus, ItemPhoto, StoredBlob
from closet.domain.items import ItemId
from closet.domain.users import UserId

log = logging.getLogger(__name__)

LONGEST_WAIT = 3600.0  # seconds: a provider asking for more is asked again after an hour


async def _photo(uow: UnitOfWork, owner_id: UserId, item_id: ItemId) -> ItemPhoto:
    if await uow.items.get(owner_id, item_id) is None:
        raise NotFound("item", item_id)
    photo = await uow.photos.get(owner_id, item_id)
    if photo is None:
        raise NotFound("photo of item", item_id)
    return photo


class MakeCutout(JobHandler):
    """The cut-out job. A job is current while the photo names it; a newer upload, a revert or
    a drawn mask makes it stale, and a stale job's result is thrown away."""

    def __init__(self, uow: UnitOfWork, kit: PhotoKit, sync: DocumentSync) -> None:
        self.uow, self.kit, self.sync = uow, kit, sync

    async def run(self, job: Job) -> None:
        owner_id, item_id = UserId(job.owner_id), ItemId(job.subject_id)
        started = await self._start(owner_id, item_id, job)
        if started is None:
            return  # stale: the photo is gone or another job owns it
        original = await self.kit.store.get(started.original.key)
        if original is None:
            await self._record(owner_id, item_id, started, failure="the original photo is missing")
            return
        try:
            result = await self.kit.chain.run(original, started.requested_provider)
        except CutoutFailed as exc:
            if exc.retryable and started.requested_provider is not None:
                # the chosen provider is busy: wait for it, as long as it said if it did
                after = timedelta(seconds=min(exc.wait, LONGEST_WAIT)) if exc.wait is not None else None
                raise RetryLater(str(exc), after) from exc
            await self._record(owner_id, item_id, started, failure=str(exc))
            return
        await self._record(owner_id, item_id, started, result=result)

    @retries_conflicts
    async def _start(self, owner_id: UserId, item_id: ItemId, job: Job) -> ItemPhoto | None:
        """The photo marked as being cut out, if this job is still its job. A photo changed
        meanwhile (a new upload names a new job) is read again: then the job is stale."""
        async with self.uow as uow:
            photo = await uow.photos.get(owner_id, item_id)
            if photo is None or photo.job_id != job.id:
                return None
            started = photo.processing()
            await uow.photos.save(owner_id, item_id, started, expected_revision=photo.revision)
            await uow.commit()
        return started

    async def give_up(self, job: Job, reason: str) -> None:
        owner_id, item_id = UserId(job.owner_id), ItemId(job.subject_id)
        async with self.uow as uow:
            photo = await uow.photos.get(owner_id, item_id)
            if photo is not None and photo.job_id == job.id:
                await uow.photos.save(
                    owner_id, item_id, photo.failed(reason), expected_revision=photo.revision
                )
                await uow.commit()

    async def _record(
        self,
        owner_id: UserId,
        item_id: ItemId,
        started: ItemPhoto,
        *,
        result: ChainResult | None = None,
        failure: str | None = None,
    ) -> None:
        key = await self.kit.store.put(result.finished.image.data) if result else None
        released: set[BlobKey] = {key} if key else set()
        outcome: tuple[set[BlobKey], Queued | None] | None = None
        try:  # a change meanwhile (the user's edit of the item, say) is read again, not failed
            outcome = await self._keep(owner_id, item_id, started, key, result, failure)
        finally:
            if outcome is not None:
                released = outcome[0]
            await self.kit.release(released)
        if outcome is not None and outcome[1] is not None:
            await self.sync.publish(outcome[1])

    @retries_conflicts
    async def _keep(
        self,
        owner_id: UserId,
        item_id: ItemId,
        started: ItemPhoto,
        key: BlobKey | None,
        result: ChainResult | None,
        failure: str | None,
    ) -> tuple[set[BlobKey], Queued | None] | None:
        """The result recorded on the photo, unless the photo changed while the job ran (then the
        result is stale: None). What was recorded: the blobs it replaced, the documents to publish."""
        async with self.uow as uow:
            photo = await uow.photos.get(owner_id, item_id)
            if photo is None or photo.revision != started.revision:
                return None
            if result is not None and key is not None:
                updated = photo.with_cutout(_cutout(result, key), palette_names(result.finished.colors))
            else:
                updated = photo.failed(failure or "the cut-out failed")
            await uow.photos.save(owner_id, item_id, updated, expected_revision=photo.revision)
            queued = await self._offer_colors(uow, owner_id, item_id, updated)
            await uow.commit()
        return ({photo.cutout.blob.key} if photo.cutout else set()), queued

    async def _offer_colors(
        self, uow: UnitOfWork, owner_id: UserId, item_id: ItemId, photo: ItemPhoto
    ) -> Queued | None:
        """The cut-out's colours become the item's when its owner has given none."""
        if not photo.colors:
            return None
        item = await load_item(uow, self.sync, ItemRef(owner_id=owner_id, item_id=item_id))
        if item.details.colors:
            return None
        loaded = item.version
        colors = tuple(Color.of(name=name) for name in photo.colors)
        item.revise(replace(item.details, colors=colors), self.kit.clock.now())
        await uow.items.update(item, expected_version=loaded)
        return await self.sync.queue(uow, [item_document(item)])


def _cutout(result: ChainResult, key: BlobKey) -> Cutout:
    image = result.finished.image
    return Cutout(
        blob=StoredBlob(key, image.media_type, image.width, image.height),
        provider=result.provider,
        millis=result.millis,
        coverage=result.finished.coverage,
    )


@dataclass(frozen=True, kw_only=True)
class CutoutCommand:
    owner_id: UserId
    item_id: ItemId
    provider: str | None = None


class RequestCutout:
    """Make the cut-out again, with the chain or with one chosen provider."""

    def __init__(self, uow: UnitOfWork, kit: PhotoKit) -> None:
        self.uow, self.kit = uow, kit

    @retries_conflicts
    async def __call__(self, cmd: CutoutCommand) -> ItemPhoto:
        provider = parse_provider(cmd.provider, self.kit.chain.providers)
        async with self.uow as uow:
            photo = await _photo(uow, cmd.owner_id, cmd.item_id)
            job = self.kit.cutout_job(cmd.owner_id, cmd.item_id, self.kit.clock.now())
            queued = photo.queued(provider, job.id)
            await uow.photos.save(cmd.owner_id, cmd.item_id, queued, expected_revision=photo.revision)
            await uow.jobs.add(job)
            await uow.commit()
        self.kit.signal.notify()
        return queued


class RevertCutout:
    """Back to the original photo: the cut-out (and any cut-out on its way) is dropped."""

    def __init__(self, uow: UnitOfWork, kit: PhotoKit) -> None:
        self.uow, self.kit = uow, kit

    @retries_conflicts
    async def __call__(self, cmd: CutoutCommand) -> ItemPhoto:
        async with self.uow as uow:
            photo = await _photo(uow, cmd.owner_id, cmd.item_id)
            if photo.status is CutoutStatus.REVERTED:
                return photo
            reverted = photo.reverted()
            await uow.photos.save(cmd.owner_id, cmd.item_id, reverted, expected_revision=photo.revision)
            await uow.commit()
        if photo.cutout is not None:
            await self.kit.store.release(photo.cutout.blob.key)
        return reverted


@dataclass(frozen=True, kw_only=True)
class UploadMaskCommand:
    owner_id: UserId
    item_id: ItemId
    mask: bytes


class UploadMask:
    """The owner's own mask (white keeps, black removes; or its alpha) makes the cut-out."""

    def __init__(self, uow: UnitOfWork, kit: PhotoKit) -> None:
        self.uow, self.kit = uow, kit

    async def __call__(self, cmd: UploadMaskCommand) -> ItemPhoto:
        async with self.uow as uow:
            photo = await _photo(uow, cmd.owner_id, cmd.item_id)
        original = await self.kit.store.get(photo.original.key)
        if original is None:
            raise NotFound("original photo of item", cmd.item_id)
        masked = await self.kit.processor.apply_mask(original, cmd.mask)
        return await self._store(cmd, photo, await self.kit.processor.finish_cutout(original, masked))

    @retries_contention  # the write alone: a retry does not apply the mask again
    async def _store(self, cmd: UploadMaskCommand, photo: ItemPhoto, finished: FinishedCutout) -> ItemPhoto:
        key = await self.kit.store.put(finished.image.data)
        result = ChainResult(finished, CutoutProvider.USER, 0)
        released: set[BlobKey] = {key}
        try:
            async with self.uow as uow:
                current = await _photo(uow, cmd.owner_id, cmd.item_id)
                if current.original.key != photo.original.key:
                    raise StaleVersion(photo.revision, current.revision)  # a new photo arrived
                updated = current.with_cutout(_cutout(result, key), palette_names(finished.colors))
                await uow.photos.save(cmd.owner_id, cmd.item_id, updated, expected_revision=current.revision)
                await uow.commit()
                released = {current.cutout.blob.key} if current.cutout else set()
        finally:
            await self.kit.release(released)
        return updated
