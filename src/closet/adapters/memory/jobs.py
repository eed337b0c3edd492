from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from closet.adapters.memory.store import MemoryStore, StoredJob
from closet.application.ports.jobs import Job, JobRepository, JobState


class MemoryJobRepository(JobRepository):
    """Staged like the other memory repositories: changes land on ``commit()``."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.pending: dict[uuid.UUID, StoredJob | None] = {}

    def _all(self) -> dict[uuid.UUID, StoredJob]:
        merged = {**self.store.jobs, **self.pending}
        return {k: v for k, v in merged.items() if v is not None}

    async def add(self, job: Job) -> None:
        self.pending[job.id] = StoredJob(job, JobState.PENDING)

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Job]:
        live = (JobState.PENDING, JobState.RUNNING)
        due = sorted(
            (s for s in self._all().values() if s.state in live and s.job.run_after <= now),
            key=lambda s: s.job.run_after,
        )[:limit]
        claimed = []
        for stored in due:
            job = replace(
                stored.job,
                run_after=lease_until,
                attempts=stored.job.attempts + 1,
                last_error=stored.last_error,
            )
            self.pending[job.id] = StoredJob(job, JobState.RUNNING, stored.last_error)
            claimed.append(job)
        return claimed

    async def finish(self, job_id: uuid.UUID) -> None:
        self.pending[job_id] = None

    async def retry(self, job_id: uuid.UUID, run_after: datetime, error: str) -> None:
        stored = self._all().get(job_id)
        if stored is not None:
            self.pending[job_id] = StoredJob(
                replace(stored.job, run_after=run_after), JobState.PENDING, error
            )

    async def fail(self, job_id: uuid.UUID, error: str) -> None:
        stored = self._all().get(job_id)
        if stored is not None:
            self.pending[job_id] = StoredJob(stored.job, JobState.FAILED, error)

    async def count(self, state: JobState) -> int:
        return sum(1 for s in self._all().values() if s.state is state)

    def commit(self) -> None:
        for job_id, value in self.pending.items():
            if value is None:
                self.store.jobs.pop(job_id, None)
            else:
                self.store.jobs[job_id] = value
        self.pending.clear()
