"""Errors the use cases raise; the HTTP layer maps each to one status (errors.py there)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar


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
CONFLICT_ATTEMPTS = 5  # a request that sent no version is tried this many times before a 412


async def unless_versioned(attempt: Callable[[], Awaitable[T]], expected_version: int | None) -> T:
    """``attempt()`` (one whole unit of work), tried again while another request changed a row it
    changes meanwhile (``StaleVersion``), unless the caller sent the version it expected: then the
    412 is the answer it asked for. Without one, the conflict is the server's own bookkeeping (an
    item's delete updating the outfits and collections that hold it, two additions to one
    collection) and the caller never sent the version the 412's message would blame. A retry reloads
    everything, so it sees the other request's change (and a thing it deleted is a 404)."""
    for tries_left in range(CONFLICT_ATTEMPTS - 1, -1, -1):
        try:
            return await attempt()
        except StaleVersion:
            if expected_version is not None or not tries_left:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
