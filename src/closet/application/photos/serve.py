"""Reading a photo's bytes (owner only)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from closet.application.errors import NotFound
from closet.application.ports.images import ImageStore
from closet.application.ports.uow import UnitOfWork
from closet.domain.errors import InvalidValue
from closet.domain.images import CutoutStatus, StoredBlob, Variant
from closet.domain.items import ItemId, enum_value
from closet.domain.users import UserId

log = logging.getLogger(__name__)
READS = 3  # a photo read again this often while its bytes are gone by the time they are read


@dataclass(frozen=True, kw_only=True)
class GetPhotoCommand:
    owner_id: UserId
    item_id: ItemId
    variant: str = Variant.ORIGINAL.value
    key: str | None = None  # the blob key the client's URL named (None: whatever is current)


@dataclass(frozen=True, slots=True)
class PhotoBytes:
    blob: StoredBlob
    data: bytes
    current: bool  # the key asked for is the current one (so the answer may be cached forever)


class GetPhoto:
    def __init__(self, uow: UnitOfWork, store: ImageStore) -> None:
        self.uow, self.store = uow, store

    async def __call__(self, cmd: GetPhotoCommand) -> PhotoBytes:
        variant = enum_value(Variant, cmd.variant, "variant")
        missing: str | None = None
        for _ in range(READS):
            blob = await self._blob(cmd, variant)
            if blob.key == missing:
                break
            data = await self.store.get(blob.key)
            if data is not None:
                return PhotoBytes(blob, data, cmd.key is not None)
            # Replaced (a new upload, a mask, a revert) and released between the read of the photo
            # and the read of its bytes, or lost: the photo is read again to tell which.
            missing = blob.key
        log.error("blob %s of item %s is missing from the image store", missing, cmd.item_id)
        raise NotFound(f"{variant.value} of item", cmd.item_id)

    async def _blob(self, cmd: GetPhotoCommand, variant: Variant) -> StoredBlob:
        async with self.uow as uow:
            if await uow.items.get(cmd.owner_id, cmd.item_id) is None:
                raise NotFound("item", cmd.item_id)
            photo = await uow.photos.get(cmd.owner_id, cmd.item_id)
        if photo is None:
            raise NotFound("photo of item", cmd.item_id)
        blob = photo.blob(variant)
        if blob is None:
            status = photo.status.value
            hint = "" if photo.status is CutoutStatus.READY else f" (the cut-out is {status})"
            raise NotFound(f"{variant.value}{hint} of item", cmd.item_id)
        if cmd.key is not None and cmd.key != blob.key:
            if len(cmd.key) != 64:
                raise InvalidValue.of("v", "must be the photo key the item gave out")
            raise NotFound(f"{variant.value} {cmd.key} (replaced since) of item", cmd.item_id)
        return blob
