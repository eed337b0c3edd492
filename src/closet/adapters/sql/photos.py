"""Item photos in SQL, and the data mapper both the photo and the item repositories use."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import RowMapping, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from closet.adapters.sql.engine import dialect_insert
from closet.adapters.sql.tables import item_photos
from closet.application.errors import PHOTO_CHANGED, StaleVersion
from closet.application.ports.photos import PhotoRepository
from closet.domain.images import (
    BlobKey,
    Cutout,
    CutoutProvider,
    CutoutStatus,
    ItemPhoto,
    StoredBlob,
)
from closet.domain.items import ItemId
from closet.domain.users import UserId

_BLOBS = ("original", "thumb256", "thumb512")
# Read beside an item (LEFT JOIN): labelled, since both tables have `status` and the like.
PHOTO_COLUMNS = [c.label(f"photo_{c.name}") for c in item_photos.c if c.name not in ("item_id", "owner_id")]


def photo_to_row(photo: ItemPhoto) -> dict[str, Any]:
    row: dict[str, Any] = {
        "phash": f"{photo.phash:016x}",
        "uploaded_at": photo.uploaded_at,
        "status": photo.status.value,
        "failure": photo.failure,
        "requested_provider": photo.requested_provider.value if photo.requested_provider else None,
        "colors": list(photo.colors),
        "job_id": photo.job_id,
        "revision": photo.revision,
    }
    for name in _BLOBS:
        row.update(_blob_row(name, getattr(photo, name)))
    cutout = photo.cutout
    row.update(_blob_row("cutout", cutout.blob if cutout else None))
    row["cutout_provider"] = cutout.provider.value if cutout else None
    row["cutout_millis"] = cutout.millis if cutout else None
    row["cutout_coverage"] = cutout.coverage if cutout else None
    return row


def _blob_row(name: str, blob: StoredBlob | None) -> dict[str, Any]:
    return {
        f"{name}_key": blob.key if blob else None,
        f"{name}_type": blob.media_type if blob else None,
        f"{name}_width": blob.width if blob else None,
        f"{name}_height": blob.height if blob else None,
    }


# item_photos' own columns in a fixed order; a photo is read by position from a list of their values
# (one lookup per column, by label when the row is a join: see ``_labels``).
_FIELDS = tuple(c.name for c in item_photos.c if c.name not in ("item_id", "owner_id"))
_AT = {name: i for i, name in enumerate(_FIELDS)}
_PARTS = ("key", "type", "width", "height")
_ORIGINAL, _THUMB256, _THUMB512, _CUTOUT = (
    tuple(_AT[f"{blob}_{part}"] for part in _PARTS) for blob in (*_BLOBS, "cutout")
)
(
    _PHASH, _UPLOADED_AT, _STATUS, _FAILURE, _REQUESTED, _PROVIDER, _MILLIS, _COVERAGE, _COLORS, _JOB,
    _REVISION,
) = (
    _AT[name]
    for name in (
        "phash", "uploaded_at", "status", "failure", "requested_provider", "cutout_provider",
        "cutout_millis", "cutout_coverage", "colors", "job_id", "revision",
    )
)  # fmt: skip
_STATUSES = {s.value: s for s in CutoutStatus}
_PROVIDERS = {p.value: p for p in CutoutProvider}


@lru_cache(maxsize=4)
def _labels(prefix: str) -> tuple[str, ...]:
    """Where each of ``_FIELDS`` is in a row whose photo columns are labelled ``prefix`` + name
    (``PHOTO_COLUMNS``: "photo_"). Looking them up by label, rather than scanning every column of
    the joined row for the prefix, took a photo's reading from 34 to 19 µs, and reading them by
    position into a list instead of a dict to 14: a list page reads one per item."""
    return tuple(prefix + name for name in _FIELDS)


def _blob(values: list[Any], at: tuple[int, ...]) -> StoredBlob:
    key, media_type, width, height = at
    return StoredBlob(BlobKey(values[key]), values[media_type], values[width], values[height])


def photo_from_row(row: RowMapping, prefix: str = "") -> ItemPhoto | None:
    """The photo in a row of item_photos, or (``prefix`` "photo_") of items LEFT JOIN
    item_photos; None when there is no photo."""
    values = [row[label] for label in _labels(prefix)]
    if values[_ORIGINAL[0]] is None:
        return None
    cutout = None
    if values[_CUTOUT[0]] is not None:
        cutout = Cutout(
            blob=_blob(values, _CUTOUT),
            provider=_PROVIDERS[values[_PROVIDER]],
            millis=values[_MILLIS],
            coverage=values[_COVERAGE],
        )
    requested = values[_REQUESTED]
    return ItemPhoto(
        original=_blob(values, _ORIGINAL),
        thumb256=_blob(values, _THUMB256),
        thumb512=_blob(values, _THUMB512),
        phash=int(values[_PHASH], 16),
        uploaded_at=values[_UPLOADED_AT],
        status=_STATUSES[values[_STATUS]],
        cutout=cutout,
        failure=values[_FAILURE],
        requested_provider=_PROVIDERS[requested] if requested else None,
        colors=tuple(values[_COLORS]),
        job_id=values[_JOB],
        revision=values[_REVISION],
    )


class SqlPhotoRepository(PhotoRepository):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, owner_id: UserId, item_id: ItemId) -> ItemPhoto | None:
        query = select(item_photos).where(
            item_photos.c.item_id == item_id, item_photos.c.owner_id == owner_id
        )
        row = (await self.conn.execute(query)).mappings().first()
        return photo_from_row(row) if row else None

    async def many(self, owner_id: UserId, item_ids: Sequence[ItemId]) -> dict[ItemId, ItemPhoto]:
        if not item_ids:
            return {}
        query = select(item_photos).where(
            item_photos.c.owner_id == owner_id, item_photos.c.item_id.in_(list(item_ids))
        )
        rows = (await self.conn.execute(query)).mappings().all()
        return {ItemId(r["item_id"]): photo for r in rows if (photo := photo_from_row(r)) is not None}

    async def save(
        self, owner_id: UserId, item_id: ItemId, photo: ItemPhoto, *, expected_revision: int | None
    ) -> None:
        values = photo_to_row(photo)
        if expected_revision is None:
            first = (
                dialect_insert(self.conn)(item_photos)
                .values(item_id=item_id, owner_id=owner_id, **values)
                .on_conflict_do_nothing(index_elements=["item_id"])
            )
            if not (await self.conn.execute(first)).rowcount:  # another request's first photo came first
                current = await self.conn.scalar(
                    select(item_photos.c.revision).where(item_photos.c.item_id == item_id)
                )
                raise StaleVersion(0, current or 0, PHOTO_CHANGED)
            return
        result = await self.conn.execute(
            update(item_photos)
            .where(
                item_photos.c.item_id == item_id,
                item_photos.c.owner_id == owner_id,
                item_photos.c.revision == expected_revision,
            )
            .values(values)
        )
        if result.rowcount != 1:
            current = await self.conn.scalar(
                select(item_photos.c.revision).where(item_photos.c.item_id == item_id)
            )
            raise StaleVersion(expected_revision, current or 0, PHOTO_CHANGED)

    async def delete(self, owner_id: UserId, item_id: ItemId) -> None:
        await self.conn.execute(
            delete(item_photos).where(item_photos.c.item_id == item_id, item_photos.c.owner_id == owner_id)
        )

    async def hashes(self, owner_id: UserId) -> dict[ItemId, int]:
        rows = await self.conn.execute(
            select(item_photos.c.item_id, item_photos.c.phash).where(item_photos.c.owner_id == owner_id)
        )
        return {ItemId(item_id): int(phash, 16) for item_id, phash in rows}
