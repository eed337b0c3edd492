"""Work that runs off the request path: mail, whose timing must not tell what it found, and the
documents store's share of a write (``DocumentSync.publish``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Background:
    """Runs coroutines as tasks it keeps hold of; failures are logged, never raised."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None], what: str) -> None:
        task = asyncio.create_task(self._run(work, what))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, work: Coroutine[Any, Any, None], what: str) -> None:
        try:
            await work
        except Exception:  # a background failure must never surface in a request
            log.exception("background work failed: %s", what)

    def __len__(self) -> int:
        """How many tasks are under way."""
        return len(self._tasks)

    async def flush(self) -> None:
        """Wait for what is under way (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
