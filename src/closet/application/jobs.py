"""The in-process job runner: persisted jobs, bounded concurrency, leases, retries.

Jobs are rows (SQL on the SQL profiles): enqueued in the same transaction as the change that
needs them, claimed with a lease, deleted when done. A runner that dies leaves its jobs
running until their lease runs out; then any runner (this process after a restart, or
another worker) takes them again. Every worker runs a runner; the one that enqueued a job is
woken at once, the others find it on their next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from abc import abstractmethod
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Protocol

from closet.application.errors import ServiceUnavailable, StorageUnavailable
from closet.application.ports.clock import Clock
from closet.application.ports.jobs import Job
from closet.application.ports.uow import UnitOfWork

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # at least; the container makes it longer than any job can run
MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(seconds=5)
RETRY_CAP = timedelta(minutes=10)


class RetryLater(Exception):
    """Raised by a handler: the work could not be done now (a service is busy); try again."""

    def __init__(self, reason: str, after: timedelta | None = None) -> None:
        super().__init__(reason)
        self.reason, self.after = reason, after


class JobHandler(Protocol):
    @abstractmethod
    async def run(self, job: Job) -> None:
        """Do the work; raise RetryLater to be run again later."""

    @abstractmethod
    async def give_up(self, job: Job, reason: str) -> None:
        """The job failed for good: record that where its owner will see it."""


class JobSignal:
    """Wakes this process's runner when a unit of work has just committed a job."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)
        self._event.clear()


class JobRunner:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        handlers: Mapping[str, Callable[[], JobHandler]],  # a handler per job: each has its own units of work
        signal: JobSignal,
        *,
        concurrency: int = 2,
        poll_seconds: float = 2.0,
        lease: timedelta = LEASE,
    ) -> None:
        self.uow_factory, self.clock, self.handlers, self.signal = uow_factory, clock, handlers, signal
        self.concurrency, self.poll_seconds = max(1, concurrency), poll_seconds
        self.lease = max(lease, LEASE)
        self._running: dict[asyncio.Task[None], Job] = {}

    async def run_forever(self) -> None:
        while True:
            try:
                await self._fill()
            except (StorageUnavailable, ServiceUnavailable) as exc:
                log.warning("job runner: cannot claim jobs now: %s", exc)
            await self.signal.wait(self.poll_seconds)

    async def _fill(self) -> None:
        free = self.concurrency - len(self._running)
        if free <= 0:
            return
        for job in await self._claim(free):
            task = asyncio.create_task(self._run(job))
            self._running[task] = job
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._running.pop(task, None)
        self.signal.notify()  # a slot is free: look for more

    async def drain(self) -> int:
        """Run every job that is due, now, until none is left (tests and `closet jobs --once`)."""
        total = 0
        while jobs := await self._claim(self.concurrency):
            await asyncio.gather(*(self._run(job) for job in jobs))
            total += len(jobs)
        return total

    async def stop(self) -> None:
        """Cancel the jobs in flight and hand them back, due at once, so that the next runner
        (this process restarted, or another) takes them up without waiting for their leases.
        Handlers are idempotent (a cut-out checks that its job is still the photo's)."""
        running = dict(self._running)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        stopped = [job for task, job in running.items() if task.cancelled()]
        if not stopped:
            return
        try:
            async with self.uow_factory() as uow:
                for job in stopped:
                    await uow.jobs.retry(job.id, self.clock.now(), "stopped before it finished (shutdown)")
                await uow.commit()
        except (StorageUnavailable, ServiceUnavailable) as exc:  # their leases bring them back
            log.warning("job runner: could not hand back %d job(s) at stop: %s", len(stopped), exc)

    async def _claim(self, limit: int) -> list[Job]:
        now = self.clock.now()
        async with self.uow_factory() as uow:
            jobs = await uow.jobs.claim(now, now + self.lease, limit)
            await uow.commit()
        return jobs

    async def _run(self, job: Job) -> None:
        make = self.handlers.get(job.kind)
        handler = make() if make is not None else None
        try:
            if handler is None:
                await self._settle(job, fail=f"no handler for jobs of kind {job.kind!r}")
            elif job.attempts > MAX_ATTEMPTS:
                reason = f"gave up after {job.attempts - 1} attempts; the last: {job.last_error or 'unknown'}"
                await handler.give_up(job, reason)
                await self._settle(job, fail=reason)
            else:
                await self._attempt(handler, job)
        except Exception:  # the lease brings the job back; never let a job kill the runner
            log.exception("job %s (%s) could not be settled; it will be retried", job.id, job.kind)

    async def _attempt(self, handler: JobHandler, job: Job) -> None:
        try:
            await handler.run(job)
        except RetryLater as exc:
            await self._settle(job, retry=exc.reason, after=exc.after)
        except (StorageUnavailable, ServiceUnavailable) as exc:
            await self._settle(job, retry=str(exc))
        except Exception as exc:
            log.exception("job %s (%s) failed", job.id, job.kind)
            await self._settle(job, retry=f"{type(exc).__name__}: {exc}")
        else:
            await self._settle(job)

    async def _settle(
        self, job: Job, *, retry: str | None = None, fail: str | None = None, after: timedelta | None = None
    ) -> None:
        async with self.uow_factory() as uow:
            if fail is not None:
                await uow.jobs.fail(job.id, fail)
            elif retry is not None:
                await uow.jobs.retry(job.id, self.clock.now() + (after or backoff(job.attempts)), retry)
            else:
                await uow.jobs.finish(job.id)
            await uow.commit()


def backoff(attempts: int) -> timedelta:
    """Exponential with full jitter, capped."""
    ceiling = min(RETRY_CAP, RETRY_BASE * (2 ** max(0, attempts - 1)))
    return timedelta(seconds=random.uniform(RETRY_BASE.total_seconds() / 2, ceiling.total_seconds()))  # noqa: S311
