"""What a use case may know about the request it serves, without knowing HTTP."""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("closet_request_id", default=None)
