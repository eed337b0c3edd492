"""Background removal: each remover in turn until one gives a usable cut-out."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from closet.application.errors import ImageTooLarge, InvalidImage, UnsupportedImage
from closet.application.ports.images import BackgroundRemover, FinishedCutout, ImageProcessor, RemovalFailed
from closet.domain.images import CutoutProvider

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChainResult:
    finished: FinishedCutout
    provider: CutoutProvider
    millis: int


class CutoutFailed(Exception):
    def __init__(self, failures: Sequence[RemovalFailed]) -> None:
        self.failures = list(failures)
        self.retryable = bool(failures) and all(f.retryable for f in failures)
        waits = [f.wait for f in failures if f.wait is not None]
        self.wait = max(waits) if waits else None  # the longest any remover asked for
        super().__init__(
            "; ".join(f"{f.provider}: {f.reason}" for f in failures) or "no remover is configured"
        )


class CutoutChain:
    """Fabrica first when it is configured, the local remover on any failure.

    A remover's answer counts only once the processor has checked it (real transparency, the
    photo's shape, neither empty nor all opaque): a garbage answer falls through like an error.
    """

    def __init__(self, removers: Sequence[BackgroundRemover], processor: ImageProcessor) -> None:
        self.removers, self.processor = list(removers), processor

    @property
    def providers(self) -> list[CutoutProvider]:
        return [CutoutProvider(r.name) for r in self.removers]

    async def run(self, original: bytes, only: CutoutProvider | None = None) -> ChainResult:
        failures: list[RemovalFailed] = []
        for remover in self.removers:
            if only is not None and remover.name != only.value:
                continue
            started = time.perf_counter()
            try:
                finished = await self.processor.finish_cutout(original, await remover.remove(original))
            except RemovalFailed as exc:
                failures.append(exc)
            except (InvalidImage, UnsupportedImage, ImageTooLarge) as exc:
                failures.append(RemovalFailed(remover.name, f"its answer was unusable: {exc.detail}"))
            else:
                millis = round((time.perf_counter() - started) * 1000)
                return ChainResult(finished, CutoutProvider(remover.name), millis)
            log.warning("background removal by %s failed: %s", remover.name, failures[-1].reason)
        raise CutoutFailed(failures)
