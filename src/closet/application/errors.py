"""Errors the use cases raise; the HTTP layer maps each to one status (errors.py there)."""

from __future__ import annotations

import asyncio
import functools
import random
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar


class ApplicationError(Exception):
    """Base class: ``title`` is a short, stable, human summary of the kind of error."""

    title = "Application error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(ApplicationError):
    title = "Not found"

    def __init__(self, resource: str, identifier: object) -> None:
        super().__init__(f"{resource} {identifier} does not exist")


class Conflict(ApplicationError):
    title = "Conflict"


class StaleVersion(ApplicationError):
    title = "Version mismatch"

    def __init__(self, expected: int, current: int, detail: str | None = None) -> None:
        """``detail`` for a conflict over a version the client did not send (a photo's revision)."""
        super().__init__(
            detail
            or f"you sent version {expected} but the current version is {current}; "
            "reload and apply your change again"
        )
        self.current = current


PHOTO_CHANGED = (
    "the item's photo changed meanwhile (another upload, or its cut-out redone or finished); "
    "send the request again"
)


class VersionRequired(ApplicationError):
    title = "Version required"

    def __init__(self) -> None:
        super().__init__("send the version you are changing (If-Match header or 'version' field)")


class AuthenticationFailed(ApplicationError):
    title = "Authentication failed"


class SecondFactorRequired(ApplicationError):
    title = "Second factor required"

    def __init__(self) -> None:
        super().__init__("this account uses two-factor authentication: send `otp` (or `recovery_code`)")


class Forbidden(ApplicationError):
    title = "Forbidden"


class ServiceUnavailable(ApplicationError):
    title = "Service unavailable"


class StorageUnavailable(ApplicationError):
    title = "Storage unavailable"


class Contention(StorageUnavailable):
    """The database would not run this unit of work beside another that touched the same rows
    (a serialization failure or a deadlock, on Postgres): nothing was written, and running it
    again is safe. ``retries_contention``, ``retries_conflicts`` and ``unless_versioned`` do; when
    they give up it is a 503. Also a foreign key refused because a concurrent delete removed the
    row the use case had found."""

    title = "Too many changes at once"

    def __init__(self, detail: str = "others changed the same things at the same moment; try again") -> None:
        super().__init__(detail)


def raise_not_found(resource: str, identifier: object) -> NotFound:
    raise NotFound(resource, identifier)


class UnsupportedImage(ApplicationError):
    """The bytes are not a photo format we take (whatever the name or Content-Type said)."""

    title = "Unsupported image format"


class ImageTooLarge(ApplicationError):
    title = "Image too large"


class InvalidImage(ApplicationError):
    """Truncated, corrupt, empty or disguised (a polyglot) image data."""

    title = "Invalid image"


T = TypeVar("T")
P = ParamSpec("P")
CONFLICT_ATTEMPTS = 10  # a unit of work in a conflict is tried this many times before a 412 or 503
BACKOFF_SECONDS = 0.003  # the first pause before a retry, at most; doubled for each one after


async def _again(attempt: Callable[[], Awaitable[T]], *, stale_too: bool) -> T:
    """``attempt()`` until it is not refused for ``Contention`` (nor, with ``stale_too``, for a
    ``StaleVersion``), at most ``CONFLICT_ATTEMPTS`` times. Each retry waits a random pause, up
    to twice as long as the last, so that writers who collided do not collide again in step."""
    for tries in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            return await attempt()
        except Contention:
            if tries == CONFLICT_ATTEMPTS:
                raise
        except StaleVersion:
            if not stale_too or tries == CONFLICT_ATTEMPTS:
                raise
        await asyncio.sleep(random.uniform(0, BACKOFF_SECONDS * 2 ** (tries - 1)))  # noqa: S311
    raise AssertionError("unreachable")  # pragma: no cover


async def unless_versioned(attempt: Callable[[], Awaitable[T]], expected_version: int | None) -> T:
    """``attempt()`` (one whole unit of work), tried again while another request changed a row it
    changes meanwhile (``StaleVersion``), unless the caller sent the version it expected: then the
    412 is the answer it asked for. Without one, the conflict is the server's own bookkeeping (an
    item's delete updating the outfits and collections that hold it, two additions to one
    collection) and the caller never sent the version the 412's message would blame. A retry reloads
    everything, so it sees the other request's change (and a thing it deleted is a 404).
    ``Contention`` is tried again either way (see ``retries_contention``)."""
    return await _again(attempt, stale_too=expected_version is None)


def _retrying(
    *, stale_too: bool
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Coroutine[Any, Any, T]]]:
    def decorate(step: Callable[P, Awaitable[T]]) -> Callable[P, Coroutine[Any, Any, T]]:
        @functools.wraps(step)
        async def run(*args: P.args, **kwargs: P.kwargs) -> T:
            return await _again(functools.partial(step, *args, **kwargs), stale_too=stale_too)

        return run

    return decorate


retries_contention = _retrying(stale_too=False)
"""A use case (or a step of one) that is one unit of work, perhaps after reads and work that can
be done again (blobs are released when a unit of work fails): run again when the database refused
to interleave it with another (``Contention``). The retry answers as if the two had run one after
the other: a thing the other deleted is a 404, a version it moved is a 412."""

retries_conflicts = _retrying(stale_too=True)
"""``retries_contention`` for a step that takes no version at all and acts on whatever is current
(a wear, a session, a cut-out redone): a ``StaleVersion`` from a change meanwhile is tried again
too, on the new state."""
