"""Work that runs after the request: persisted, so that a restart resumes it."""

from __future__ import annotations

import uuid
from abc import abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    FAILED = "failed"  # gave up; kept for inspection (done jobs are deleted)


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    kind: str
    owner_id: uuid.UUID
    subject_id: uuid.UUID
    payload: dict[str, str | int | None] = field(default_factory=dict)
    created_at: datetime
    run_after: datetime
    attempts: int = 0
    last_error: str | None = None  # why the previous attempt failed


class JobRepository(Protocol):
    @abstractmethod
    async def add(self, job: Job) -> None: ...

    @abstractmethod
    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Job]:
        """Take up to ``limit`` jobs that are due, or whose runner's lease ran out (it died):
        each is marked running until ``lease_until`` and its attempts counted."""

    @abstractmethod
    async def finish(self, job_id: uuid.UUID) -> None: ...

    @abstractmethod
    async def retry(self, job_id: uuid.UUID, run_after: datetime, error: str) -> None: ...

    @abstractmethod
    async def fail(self, job_id: uuid.UUID, error: str) -> None: ...

    @abstractmethod
    async def count(self, state: JobState) -> int: ...
