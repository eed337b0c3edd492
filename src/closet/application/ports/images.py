"""Ports of the photo pipeline: blobs, image processing, background removal, jobs."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from closet.domain.images import BlobKey


class ImageStore(Protocol):
    """Content-addressed blobs (sha256 of the bytes) with reference counts.

    ``put`` stores the bytes once, however often they are put, and adds one reference;
    ``release`` drops one and deletes the blob when none is left. Writes are atomic: a
    reader sees the whole blob or none.
    """

    @abstractmethod
    async def put(self, data: bytes) -> BlobKey: ...

    @abstractmethod
    async def get(self, key: BlobKey) -> bytes | None: ...

    @abstractmethod
    async def release(self, key: BlobKey) -> None: ...

    @abstractmethod
    async def references(self, key: BlobKey) -> int:
        """How many references the blob has (0: it is gone)."""


@dataclass(frozen=True, slots=True)
class ImageLimits:
    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 50_000_000
    max_edge: int = 2048


@dataclass(frozen=True, slots=True)
class EncodedImage:
    data: bytes
    media_type: str
    width: int
    height: int

    @property
    def nbytes(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class NormalisedPhoto:
    """An upload made safe: oriented, sRGB, no metadata, capped, with its thumbnails."""

    original: EncodedImage
    thumb256: EncodedImage
    thumb512: EncodedImage
    phash: int  # 64-bit perceptual hash of the original (for duplicate warnings)
    source_format: str  # what the bytes were: jpeg, png, webp, heif


@dataclass(frozen=True, slots=True)
class FinishedCutout:
    """A cut-out checked and trimmed to the garment, with what was learnt from it."""

    image: EncodedImage  # PNG with alpha
    coverage: float  # opaque share of the original frame, 0..1
    colors: tuple[tuple[str, float], ...]  # dominant colours as (#rrggbb, share), largest first


class ImageProcessor(Protocol):
    """CPU-bound image work (the adapter runs it off the event loop).

    Raises ``UnsupportedImage`` (a format we refuse), ``ImageTooLarge`` (bytes or pixels
    over the limits) or ``InvalidImage`` (truncated, corrupt, polyglot, empty).
    """

    @abstractmethod
    async def normalise(self, data: bytes) -> NormalisedPhoto: ...

    @abstractmethod
    async def finish_cutout(self, original: bytes, cutout: bytes) -> FinishedCutout:
        """Check a remover's answer against the original (size, alpha), trim it, analyse it."""

    @abstractmethod
    async def adopt_cutout(self, cutout: bytes) -> FinishedCutout:
        """A finished cut-out from elsewhere (an import): checked, cleaned, analysed as it is;
        its coverage is the opaque share of its own frame."""

    @abstractmethod
    async def apply_mask(self, original: bytes, mask: bytes) -> bytes:
        """The original with an owner-drawn mask as its alpha (PNG); the mask is any image."""


class RemovalFailed(Exception):
    """A background remover could not produce a cut-out; ``reason`` says why, for the owner."""

    def __init__(
        self, provider: str, reason: str, *, retryable: bool = False, wait: float | None = None
    ) -> None:
        super().__init__(f"{provider}: {reason}")
        self.provider, self.reason, self.retryable = provider, reason, retryable
        self.wait = wait  # seconds the provider said to wait before trying again, if it said


class BackgroundRemover(Protocol):
    name: str

    @abstractmethod
    async def remove(self, image: bytes) -> bytes:
        """A PNG with alpha of the garment in ``image`` (a normalised JPEG or PNG).

        Raises ``RemovalFailed`` for anything that went wrong; never anything else.
        """


@dataclass(frozen=True, slots=True)
class RenderLayer:
    """One layer to draw: an image (a cut-out or a normalised photo) and its transform."""

    image: BlobKey
    x: float
    y: float
    scale: float
    rotation_deg: float


class OutfitRenderer(Protocol):
    @abstractmethod
    async def render(
        self,
        size: tuple[int, int],
        background: str | None,
        layers: Sequence[RenderLayer],
        *,
        width: int,
        fmt: str,
    ) -> EncodedImage:
        """The canvas (``size``, background ``#rrggbb`` or None for transparent) with ``layers``
        drawn back to front, scaled to ``width`` pixels wide; ``fmt`` is png or webp."""


class RenderedCache(Protocol):
    """Finished renders kept in the process's memory by their render key. The key is a hash of
    everything a render is drawn from, so an entry never goes stale: the cache only saves a
    repeated render its database lookup and blob read."""

    @abstractmethod
    def get(self, key: str) -> EncodedImage | None: ...

    @abstractmethod
    def put(self, key: str, image: EncodedImage) -> None: ...
