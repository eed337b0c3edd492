"""Photo rows and the job queue: the same assertions on memory, SQLite and Postgres."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from closet.application.errors import StaleVersion
from closet.application.item_query import ItemQuery
from closet.application.ports.jobs import Job, JobState
from closet.application.ports.uow import UnitOfWork
from closet.domain.images import BlobKey, Cutout, CutoutProvider, CutoutStatus, ItemPhoto, StoredBlob
from tests.factories import make_item, make_user

UowFactory = Callable[[], UnitOfWork]
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def blob(seed: str, media_type: str = "image/jpeg", size: tuple[int, int] = (800, 600)) -> StoredBlob:
    return StoredBlob(BlobKey(hashlib.sha256(seed.encode()).hexdigest()), media_type, *size)


def photo(seed: str = "a", phash: int = 0xFFFF_0000_FFFF_0000) -> ItemPhoto:
    return ItemPhoto(
        original=blob(seed + "o"),
        thumb256=blob(seed + "t", "image/webp", (256, 192)),
        thumb512=blob(seed + "T", "image/webp", (512, 384)),
        phash=phash,
        uploaded_at=NOW,
        job_id=uuid.uuid4(),
    )


async def _owner_with_item(uow_factory: UowFactory) -> tuple[Any, Any]:
    user = make_user()
    item = make_item(user)
    async with uow_factory() as uow:
        await uow.users.add(user)
        await uow.items.add(item)
        await uow.commit()
    return user, item


async def test_photo_round_trip_and_revision_check(uow_factory: UowFactory) -> None:
    user, item = await _owner_with_item(uow_factory)
    first = photo(phash=(1 << 63) | 5)  # the top bit set: must survive the SQL column
    async with uow_factory() as uow:
        await uow.photos.save(user.id, item.id, first, expected_revision=None)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.photos.get(user.id, item.id) == first
        assert (await uow.items.get(user.id, item.id)).photo == first  # read with the item
        listed = await uow.photos.hashes(user.id)
        assert listed == {item.id: first.phash}

    cutout = Cutout(blob(seed="c", media_type="image/png"), CutoutProvider.LOCAL, 120, 0.4321)
    ready = first.processing().with_cutout(cutout, ("navy", "white"))
    async with uow_factory() as uow:
        await uow.photos.save(user.id, item.id, ready, expected_revision=first.revision)
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.photos.get(user.id, item.id)
        assert stored == ready and stored.status is CutoutStatus.READY and stored.job_id is None
        [listed_item] = (await uow.items.listing(user.id, ItemQuery())).items  # the list page's read
        assert listed_item["photo"] == ready
        with pytest.raises(StaleVersion):
            await uow.photos.save(user.id, item.id, ready.failed("late"), expected_revision=first.revision)
    async with uow_factory() as uow:  # a first photo when another came first: the same refusal
        with pytest.raises(StaleVersion) as refused:
            await uow.photos.save(user.id, item.id, photo("other"), expected_revision=None)
        assert "photo changed meanwhile" in refused.value.detail
        assert await uow.photos.get(user.id, item.id) == ready  # and the transaction goes on


async def test_photos_are_owner_scoped_and_go_with_their_item(uow_factory: UowFactory) -> None:
    user, item = await _owner_with_item(uow_factory)
    stranger = make_user()
    async with uow_factory() as uow:
        await uow.users.add(stranger)
        await uow.photos.save(user.id, item.id, photo(), expected_revision=None)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.photos.get(stranger.id, item.id) is None
        assert await uow.photos.hashes(stranger.id) == {}
        await uow.items.delete(user.id, item.id)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.photos.get(user.id, item.id) is None


def job(subject: uuid.UUID, owner: uuid.UUID, at: datetime = NOW, kind: str = "photo.cutout") -> Job:
    return Job(kind=kind, owner_id=owner, subject_id=subject, created_at=at, run_after=at, payload={"n": 1})


async def test_jobs_claim_lease_retry_fail_finish(uow_factory: UowFactory) -> None:
    owner = uuid.uuid4()
    first, later = job(uuid.uuid4(), owner), job(uuid.uuid4(), owner, NOW + timedelta(minutes=1))
    async with uow_factory() as uow:
        await uow.jobs.add(first)
        await uow.jobs.add(later)
        await uow.commit()
    lease = NOW + timedelta(minutes=5)
    async with uow_factory() as uow:
        claimed = await uow.jobs.claim(NOW, lease, 10)
        await uow.commit()
    assert [j.id for j in claimed] == [first.id] and claimed[0].attempts == 1
    assert claimed[0].payload == {"n": 1}
    async with uow_factory() as uow:  # leased: a second claim gets only the other, once due
        again = await uow.jobs.claim(NOW + timedelta(minutes=2), lease, 10)
        await uow.commit()
    assert [j.id for j in again] == [later.id]
    async with uow_factory() as uow:  # the first runner died: past its lease the job comes back
        resumed = await uow.jobs.claim(lease + timedelta(seconds=1), lease + timedelta(minutes=5), 10)
        await uow.commit()
    assert {j.id for j in resumed} == {first.id, later.id}
    assert {j.attempts for j in resumed} == {2}
    async with uow_factory() as uow:
        await uow.jobs.retry(first.id, lease + timedelta(hours=1), "busy")
        await uow.jobs.fail(later.id, "broken")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.jobs.count(JobState.PENDING) == 1
        assert await uow.jobs.count(JobState.FAILED) == 1
        assert await uow.jobs.claim(lease + timedelta(minutes=30), lease + timedelta(hours=2), 10) == []
        [back] = await uow.jobs.claim(lease + timedelta(hours=1), lease + timedelta(hours=2), 10)
        assert back.id == first.id and back.attempts == 3
        await uow.jobs.finish(first.id)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.jobs.count(JobState.PENDING) == 0
        assert await uow.jobs.count(JobState.RUNNING) == 0


async def test_an_uncommitted_job_is_not_queued(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.jobs.add(job(uuid.uuid4(), uuid.uuid4()))
    async with uow_factory() as uow:
        assert await uow.jobs.claim(NOW + timedelta(days=1), NOW + timedelta(days=2), 10) == []
