from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import RowMapping, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from closet.adapters.sql.tables import jobs
from closet.application.ports.jobs import Job, JobRepository, JobState

_LIVE = or_(jobs.c.state == JobState.PENDING.value, jobs.c.state == JobState.RUNNING.value)


class SqlJobRepository(JobRepository):
    """A running job's ``run_after`` is its lease: past it, its runner is presumed dead."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, job: Job) -> None:
        await self.conn.execute(
            insert(jobs).values(
                id=job.id,
                kind=job.kind,
                owner_id=job.owner_id,
                subject_id=job.subject_id,
                payload=dict(job.payload),
                state=JobState.PENDING.value,
                attempts=job.attempts,
                created_at=job.created_at,
                run_after=job.run_after,
            )
        )

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Job]:
        query = select(jobs).where(_LIVE, jobs.c.run_after <= now).order_by(jobs.c.run_after).limit(limit)
        if self.conn.dialect.name == "postgresql":  # several workers share the queue
            query = query.with_for_update(skip_locked=True)
        rows = (await self.conn.execute(query)).mappings().all()
        if rows:
            await self.conn.execute(
                update(jobs)
                .where(jobs.c.id.in_([r["id"] for r in rows]))
                .values(state=JobState.RUNNING.value, run_after=lease_until, attempts=jobs.c.attempts + 1)
            )
        return [_job(r, attempts=r["attempts"] + 1) for r in rows]

    async def finish(self, job_id: uuid.UUID) -> None:
        await self.conn.execute(delete(jobs).where(jobs.c.id == job_id))

    async def retry(self, job_id: uuid.UUID, run_after: datetime, error: str) -> None:
        await self.conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id)
            .values(state=JobState.PENDING.value, run_after=run_after, last_error=error[:2000])
        )

    async def fail(self, job_id: uuid.UUID, error: str) -> None:
        await self.conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id)
            .values(state=JobState.FAILED.value, last_error=error[:2000])
        )

    async def count(self, state: JobState) -> int:
        total = await self.conn.scalar(
            select(func.count()).select_from(jobs).where(jobs.c.state == state.value)
        )
        return int(total or 0)


def _job(row: RowMapping, *, attempts: int) -> Job:
    return Job(
        id=row["id"],
        kind=row["kind"],
        owner_id=row["owner_id"],
        subject_id=row["subject_id"],
        payload=dict(row["payload"]),
        created_at=row["created_at"],
        run_after=row["run_after"],
        attempts=attempts,
        last_error=row["last_error"],
    )
