"""The Pillow adapters: CPU-bound work runs on a small thread pool, never on the event loop.

Pillow releases the GIL while it decodes, resamples and encodes, so the pool's threads run
in parallel; its size bounds both the CPU the images take and the memory decoded images hold
(an upload waiting for a thread holds only its bytes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from closet.adapters.imaging import cutouts, normalise
from closet.adapters.imaging.cutout import remove_background
from closet.adapters.imaging.cutouts import clear_transparent
from closet.adapters.imaging.decode import guarded, open_checked
from closet.application.errors import ImageTooLarge, InvalidImage, UnsupportedImage
from closet.application.ports.images import (
    BackgroundRemover,
    FinishedCutout,
    ImageLimits,
    ImageProcessor,
    NormalisedPhoto,
    RemovalFailed,
)

T = TypeVar("T")


class ImagingPool:
    """The threads image work runs on (one pool per process)."""

    def __init__(self, workers: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="imaging")

    async def run(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class PillowImageProcessor(ImageProcessor):
    def __init__(self, pool: ImagingPool, limits: ImageLimits) -> None:
        self.pool, self.limits = pool, limits

    async def normalise(self, data: bytes) -> NormalisedPhoto:
        return await self.pool.run(lambda: normalise.normalise(data, self.limits))

    async def finish_cutout(self, original: bytes, cutout: bytes) -> FinishedCutout:
        return await self.pool.run(lambda: cutouts.finish_cutout(original, cutout, self.limits))

    async def adopt_cutout(self, cutout: bytes) -> FinishedCutout:
        return await self.pool.run(lambda: cutouts.adopt_cutout(cutout, self.limits))

    async def apply_mask(self, original: bytes, mask: bytes) -> bytes:
        return await self.pool.run(lambda: cutouts.apply_mask(original, mask, self.limits))


class LocalBackgroundRemover(BackgroundRemover):
    """Background removal on this machine (see cutout.py): always available."""

    name = "local"

    def __init__(self, pool: ImagingPool, limits: ImageLimits) -> None:
        self.pool, self.limits = pool, limits

    async def remove(self, image: bytes) -> bytes:
        try:
            return await self.pool.run(lambda: self._remove(image))
        except (InvalidImage, UnsupportedImage, ImageTooLarge) as exc:
            raise RemovalFailed(self.name, exc.detail) from exc
        except Exception as exc:  # a bug here must fail the job with a reason, not crash it
            raise RemovalFailed(self.name, f"local removal failed: {type(exc).__name__}") from exc

    def _remove(self, data: bytes) -> bytes:
        opened = open_checked(data, self.limits)
        guarded(opened.image.load)
        photo = opened.image.convert("RGB")
        return normalise.encode_png(clear_transparent(remove_background(photo))).data


__all__ = ["ImagingPool", "LocalBackgroundRemover", "PillowImageProcessor"]
