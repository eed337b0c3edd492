"""The cut-out chain, the job runner and the photo use cases on the in-memory adapters."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from closet.adapters.imaging.processor import ImagingPool, LocalBackgroundRemover, PillowImageProcessor
from closet.adapters.memory.blobs import MemoryImageStore
from closet.adapters.memory.clock import FixedClock
from closet.adapters.memory.documents import MemoryAuditStore, MemoryDocumentStore
from closet.adapters.memory.photos import MemoryPhotoRepository
from closet.adapters.memory.store import MemoryDocuments, MemoryStore
from closet.adapters.memory.uow import MemoryUnitOfWork
from closet.application import jobs as jobs_module
from closet.application.documents import DocumentSync
from closet.application.errors import NotFound
from closet.application.jobs import JobRunner, JobSignal
from closet.application.photos import (
    CUTOUT_JOB,
    CutoutChain,
    CutoutCommand,
    GetPhoto,
    GetPhotoCommand,
    MakeCutout,
    PhotoKit,
    RequestCutout,
    RevertCutout,
    UploadPhoto,
    UploadPhotoCommand,
)
from closet.application.photos import cutouts as cutouts_module
from closet.application.ports.images import BackgroundRemover, ImageLimits, RemovalFailed
from closet.application.ports.jobs import Job, JobState
from closet.domain.images import BlobKey, CutoutProvider, CutoutStatus
from closet.domain.items import ItemId
from tests import photo_files
from tests.factories import make_item, make_user
from tests.photos import make_scene


class ScriptedRemover(BackgroundRemover):
    """A remover that fails as told, or delegates to the local one."""

    def __init__(self, name: str, fallback: BackgroundRemover, failures: list[RemovalFailed | bytes]) -> None:
        self.name, self.fallback, self.failures, self.calls = name, fallback, failures, 0

    async def remove(self, image: bytes) -> bytes:
        self.calls += 1
        if self.failures:
            outcome = self.failures.pop(0)
            if isinstance(outcome, RemovalFailed):
                raise outcome
            return outcome
        return await self.fallback.remove(image)


class World:
    def __init__(self, fabrica_script: list[RemovalFailed | bytes]) -> None:
        self.store, self.clock = MemoryStore(), FixedClock()
        docs = MemoryDocuments()
        self.sync = DocumentSync(
            uow_factory=self.uow,
            documents=MemoryDocumentStore(docs),
            audit=MemoryAuditStore(docs),
            clock=self.clock,
        )
        pool, limits = ImagingPool(2), ImageLimits()
        processor = PillowImageProcessor(pool, limits)
        self.local = LocalBackgroundRemover(pool, limits)
        self.fabrica = ScriptedRemover("fabrica", self.local, fabrica_script)
        self.blobs = MemoryImageStore()
        chain = CutoutChain([self.fabrica, self.local], processor)
        self.kit = PhotoKit(self.blobs, processor, chain, self.clock, JobSignal())
        self.runner = JobRunner(self.uow, self.clock, {CUTOUT_JOB: self.handler}, self.kit.signal)

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store)

    def handler(self) -> MakeCutout:
        return MakeCutout(self.uow(), self.kit, self.sync)

    async def item_with_photo(self, **item: object) -> tuple[object, ItemId]:
        user = make_user()
        thing = make_item(user, **item)
        async with self.uow() as uow:
            await uow.users.add(user)
            await uow.items.add(thing)
            await uow.commit()
        photo = photo_files.encode(make_scene("gradient", size=(900, 700), seed=4)[0], "JPEG")
        await UploadPhoto(self.uow(), self.kit)(
            UploadPhotoCommand(owner_id=user.id, item_id=thing.id, data=photo)
        )
        return user, thing.id

    async def photo(self, user: object, item_id: ItemId):  # type: ignore[no-untyped-def]
        async with self.uow() as uow:
            return await uow.photos.get(user.id, item_id)  # type: ignore[attr-defined]


async def test_fabrica_failing_falls_back_to_local() -> None:
    world = World([RemovalFailed("fabrica", "out of credit")])
    user, item_id = await world.item_with_photo()
    assert await world.runner.drain() == 1
    photo = await world.photo(user, item_id)
    assert photo.status is CutoutStatus.READY and photo.cutout.provider is CutoutProvider.LOCAL
    assert world.fabrica.calls == 1 and photo.cutout.millis >= 0 and 0 < photo.cutout.coverage < 1


async def test_a_garbage_answer_falls_through_like_an_error() -> None:
    world = World([b"\x89PNG\r\n\x1a\n not really"])
    user, item_id = await world.item_with_photo()
    await world.runner.drain()
    assert (await world.photo(user, item_id)).cutout.provider is CutoutProvider.LOCAL


async def test_fabrica_working_is_used_first() -> None:
    world = World([])
    user, item_id = await world.item_with_photo(colors=())
    await world.runner.drain()
    photo = await world.photo(user, item_id)
    assert photo.cutout.provider is CutoutProvider.FABRICA and photo.colors
    async with world.uow() as uow:  # the cut-out's colours became the item's (it had none)
        item = await uow.items.get(user.id, item_id)  # type: ignore[attr-defined]
    assert [c.name for c in item.details.colors] == list(photo.colors) and item.version == 2


async def test_chosen_provider_busy_is_retried_then_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    busy = [RemovalFailed("fabrica", "rate limited", retryable=True) for _ in range(10)]
    world = World(busy)
    user, item_id = await world.item_with_photo()
    await world.runner.drain()  # the chain's cut-out (fabrica busy: local)
    await RequestCutout(world.uow(), world.kit)(
        CutoutCommand(owner_id=user.id, item_id=item_id, provider="fabrica")
    )
    for _ in range(jobs_module.MAX_ATTEMPTS + 1):
        await world.runner.drain()
        world.clock.advance(jobs_module.RETRY_CAP + timedelta(seconds=1))
    photo = await world.photo(user, item_id)
    assert photo.status is CutoutStatus.FAILED and "gave up" in (photo.failure or "")
    assert "rate limited" in (photo.failure or "")  # the reason it kept failing is kept
    assert photo.cutout is not None and photo.cutout.provider is CutoutProvider.LOCAL  # the old one stays
    async with world.uow() as uow:
        assert await uow.jobs.count(JobState.FAILED) == 1


async def test_a_busy_chosen_provider_is_asked_again_when_it_said() -> None:
    busy = [RemovalFailed("fabrica", "circuit open", retryable=True, wait=None)]  # the upload's job
    busy += [RemovalFailed("fabrica", "circuit open", retryable=True, wait=90.0)]
    busy += [RemovalFailed("fabrica", "asked for a day", retryable=True, wait=86_400.0)]
    world = World(busy)
    user, item_id = await world.item_with_photo()
    await world.runner.drain()
    await RequestCutout(world.uow(), world.kit)(
        CutoutCommand(owner_id=user.id, item_id=item_id, provider="fabrica")
    )
    assert await world.runner.drain() == 1  # busy: back in the queue, due when the breaker closes

    async def due_in() -> float:  # the one job waiting, read from the store as it is
        [stored] = [s for s in world.store.jobs.values() if s.state is JobState.PENDING]
        return (stored.job.run_after - world.clock.now()).total_seconds()

    assert await due_in() == 90.0
    world.clock.advance(timedelta(seconds=90))
    assert await world.runner.drain() == 1
    assert await due_in() == cutouts_module.LONGEST_WAIT  # a day is capped at an hour


async def test_a_job_made_stale_by_revert_changes_nothing() -> None:
    world = World([])
    user, item_id = await world.item_with_photo()
    await RevertCutout(world.uow(), world.kit)(CutoutCommand(owner_id=user.id, item_id=item_id))
    await world.runner.drain()
    photo = await world.photo(user, item_id)
    assert photo.status is CutoutStatus.REVERTED and photo.cutout is None
    assert world.fabrica.calls == 0  # the stale job did no work


async def test_a_runner_that_died_leaves_work_for_the_next() -> None:
    world = World([])
    user, item_id = await world.item_with_photo()
    async with world.uow() as uow:  # a runner claims the job, then its process dies
        [claimed] = await uow.jobs.claim(world.clock.now(), world.clock.now() + jobs_module.LEASE, 1)
        await uow.commit()
    assert await world.runner.drain() == 0  # leased: not yet
    world.clock.advance(jobs_module.LEASE + timedelta(seconds=1))
    assert await world.runner.drain() == 1  # the restart picks it up
    assert (await world.photo(user, item_id)).status is CutoutStatus.READY
    assert claimed.kind == CUTOUT_JOB


async def test_unknown_job_kinds_fail_without_killing_the_runner() -> None:
    world = World([])
    async with world.uow() as uow:
        now = world.clock.now()
        await uow.jobs.add(
            Job(kind="nope", owner_id=uuid.uuid4(), subject_id=uuid.uuid4(), created_at=now, run_after=now)
        )
        await uow.commit()
    assert await world.runner.drain() == 1
    async with world.uow() as uow:
        assert await uow.jobs.count(JobState.FAILED) == 1


class Stuck:
    """A job handler that runs until cancelled."""

    def __init__(self, started: asyncio.Event) -> None:
        self.started = started

    async def run(self, job: Job) -> None:
        self.started.set()
        await asyncio.Event().wait()

    async def give_up(self, job: Job, reason: str) -> None:
        raise AssertionError("not given up")


async def test_a_runner_stopped_mid_job_hands_it_back_at_once() -> None:
    world = World([])
    started = asyncio.Event()
    runner = JobRunner(
        world.uow, world.clock, {"stuck": lambda: Stuck(started)}, JobSignal(), poll_seconds=0.01
    )
    async with world.uow() as uow:
        now = world.clock.now()
        await uow.jobs.add(
            Job(kind="stuck", owner_id=uuid.uuid4(), subject_id=uuid.uuid4(), created_at=now, run_after=now)
        )
        await uow.commit()
    loop = asyncio.create_task(runner.run_forever())
    await asyncio.wait_for(started.wait(), 10)
    loop.cancel()
    await runner.stop()  # a shutdown: the job is not finished
    async with world.uow() as uow:  # due again now, not when its lease would have run out
        [again] = await uow.jobs.claim(world.clock.now(), world.clock.now() + jobs_module.LEASE, 5)
        assert again.kind == "stuck" and "stopped" in (again.last_error or "")


async def test_a_job_whose_photo_is_replaced_as_it_starts_ends_quietly(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A new upload between the job's read of the photo and its mark 'processing' makes the job
    stale: it reads the photo again and ends, finished, rather than failing with a traceback and
    waiting to be retried. The new upload's own job makes the cut-out."""
    world = World([])
    user, item_id = await world.item_with_photo()
    first_job = (await world.photo(user, item_id)).job_id
    original_get = MemoryPhotoRepository.get
    replaced = False

    async def get_then_replace(self: MemoryPhotoRepository, owner_id: object, item: ItemId) -> object:
        nonlocal replaced
        photo = await original_get(self, owner_id, item)  # type: ignore[arg-type]
        if not replaced and photo is not None and photo.job_id == first_job:
            replaced = True  # as the job reads, another upload commits
            data = photo_files.encode(make_scene("gradient", size=(800, 600), seed=9)[0], "JPEG")
            await UploadPhoto(world.uow(), world.kit)(
                UploadPhotoCommand(owner_id=user.id, item_id=item_id, data=data)  # type: ignore[attr-defined]
            )
        return photo

    monkeypatch.setattr(MemoryPhotoRepository, "get", get_then_replace)
    with caplog.at_level("ERROR"):
        await world.runner.drain()
    assert replaced
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    async with world.uow() as uow:
        assert await uow.jobs.count(JobState.PENDING) == 0  # nothing waits for a retry
    photo = await world.photo(user, item_id)
    assert photo.job_id != first_job and photo.status is CutoutStatus.READY


async def test_a_photo_read_as_it_is_replaced_serves_the_new_one_quietly(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A new upload that commits, and releases the old bytes, between the read of the photo and
    the read of its bytes: the photo is read again and the new one served (it was a 404 and an
    ERROR 'missing from the image store', the log line meant for bytes truly lost)."""
    world = World([])
    user, item_id = await world.item_with_photo()
    replaced = False
    original_get = MemoryImageStore.get

    async def get_after_replacing(self: MemoryImageStore, key: BlobKey) -> bytes | None:
        nonlocal replaced
        if not replaced:
            replaced = True
            data = photo_files.encode(make_scene("gradient", size=(800, 600), seed=9)[0], "JPEG")
            await UploadPhoto(world.uow(), world.kit)(
                UploadPhotoCommand(owner_id=user.id, item_id=item_id, data=data)  # type: ignore[attr-defined]
            )
        return await original_get(self, key)

    monkeypatch.setattr(MemoryImageStore, "get", get_after_replacing)
    command = GetPhotoCommand(owner_id=user.id, item_id=item_id)  # type: ignore[attr-defined]
    with caplog.at_level("ERROR"):
        got = await GetPhoto(world.uow(), world.blobs)(command)
    assert replaced and not [r for r in caplog.records if r.levelname == "ERROR"]
    assert got.blob == (await world.photo(user, item_id)).original  # the new photo's


async def test_bytes_truly_lost_are_a_404_and_an_error(caplog: pytest.LogCaptureFixture) -> None:
    world = World([])
    user, item_id = await world.item_with_photo()
    photo = await world.photo(user, item_id)
    world.blobs.blobs.pop(photo.original.key)
    with caplog.at_level("ERROR"), pytest.raises(NotFound):
        await GetPhoto(world.uow(), world.blobs)(GetPhotoCommand(owner_id=user.id, item_id=item_id))  # type: ignore[attr-defined]
    assert [r for r in caplog.records if "missing from the image store" in r.getMessage()]
