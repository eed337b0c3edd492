"""Fabrica (``POST /v1/remove-background``) behind the ``BackgroundRemover`` port.

What may pass (429, 5xx, time-outs, dropped connections) is retried with full-jitter
backoff, honouring a short ``Retry-After``; a refused image (400) is not. A circuit breaker
makes a dead, unpaid (402) or misconfigured (403) service fail fast instead of holding up
every upload. Whatever goes wrong leaves ``remove()`` as ``RemovalFailed``, never as an
httpx error, and no reason or log line carries the API key.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from closet.application.ports.images import BackgroundRemover, RemovalFailed

log = logging.getLogger("closet.fabrica")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MAX_ERROR_BODY = 1024 * 1024  # of an error answer, only this much is ever parsed as JSON
_MAX_MESSAGE = 200  # characters of the service's own words kept in a reason


class _AttemptFailed(Exception):
    def __init__(self, reason: str, *, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.status, self.retryable = reason, status, retryable
        self.wait: float | None = None  # what Retry-After asked for, in seconds
        self.trips = False  # open the breaker now: calling again is pointless for a while
        self.healthy = False  # the service answered sensibly (a refused image is not its fault)


class _Breaker:
    """Opens after ``threshold`` failed calls in a row, or at once when tripped; after the
    cooldown one trial call goes through (half-open)."""

    def __init__(self, threshold: int, cooldown: float, monotonic: Callable[[], float]) -> None:
        self.threshold, self.cooldown, self.monotonic = threshold, cooldown, monotonic
        self.failures, self.trial_running, self.cause = 0, False, ""
        self.opened_at: float | None = None

    def admit(self) -> bool:
        """Whether this call is the half-open trial; raises ``RemovalFailed`` while open."""
        if self.opened_at is None:
            return False
        remaining = self.opened_at + self.cooldown - self.monotonic()
        if remaining > 0 or self.trial_running:
            reason = f"Fabrica is unavailable (circuit open) after: {self.cause}"
            wait = max(remaining, 1.0)
            raise RemovalFailed("fabrica", f"{reason}; try again in {wait:.0f} s", retryable=True, wait=wait)
        self.trial_running = True
        return True

    def succeeded(self) -> None:
        self.failures, self.opened_at, self.trial_running = 0, None, False

    def failed(self, cause: str) -> None:
        self.failures += 1
        if self.trial_running or self.failures >= self.threshold:
            self.trip(cause)

    def trip(self, cause: str) -> None:
        self.opened_at, self.trial_running, self.cause = self.monotonic(), False, cause
        log.warning("Fabrica circuit open for %.0f s: %s", self.cooldown, cause)


class FabricaBackgroundRemover(BackgroundRemover):
    name = "fabrica"

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout_seconds: float = 20.0,
        max_attempts: int = 3,
        backoff_seconds: float = 0.5,
        max_retry_after_seconds: float = 30.0,
        breaker_threshold: int = 5,
        breaker_cooldown_seconds: float = 60.0,
        size: str = "auto",
        client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if not api_key or max_attempts < 1 or breaker_threshold < 1:
            raise ValueError("Fabrica needs an API key, max_attempts ≥ 1 and breaker_threshold ≥ 1")
        self._url = base_url.rstrip("/") + "/v1/remove-background"
        self._api_key, self._timeout, self._size = api_key, timeout_seconds, size
        self._max_attempts, self._backoff = max_attempts, backoff_seconds
        self._max_retry_after = max_retry_after_seconds
        self._breaker = _Breaker(breaker_threshold, breaker_cooldown_seconds, monotonic)
        self._owns_client = client is None
        self._client = client if client is not None else httpx.AsyncClient(timeout=timeout_seconds)
        self._sleep, self._rng = sleep, rng or random.Random()  # noqa: S311 (jitter, not secrets)

    async def aclose(self) -> None:
        """Close the HTTP client if this remover created it."""
        if self._owns_client:
            await self._client.aclose()

    async def remove(self, image: bytes) -> bytes:
        try:
            return await self._remove(image)
        except RemovalFailed as exc:
            raise RemovalFailed(
                self.name, self._redact(exc.reason), retryable=exc.retryable, wait=exc.wait
            ) from None
        except Exception as exc:  # a bug here must not crash an upload
            log.exception("unexpected error in the Fabrica adapter: %s", type(exc).__name__)
            raise RemovalFailed(self.name, "Fabrica could not be used (unexpected error)") from None

    async def _remove(self, image: bytes) -> bytes:
        trial = self._breaker.admit()
        attempts = 1 if trial else self._max_attempts  # a half-open trial is a single probe
        try:
            for attempt in range(1, attempts + 1):
                try:
                    result = await self._attempt(image)
                except _AttemptFailed as failure:
                    delay = self._delay(failure, attempt) if attempt < attempts else None
                    reason = self._redact(failure.reason)
                    log.warning(
                        "Fabrica attempt %d/%d: %s (status %s)",
                        attempt,
                        attempts,
                        reason,
                        failure.status or "-",
                    )
                    if delay is None:
                        if failure.trips:
                            self._breaker.trip(reason)
                        elif failure.healthy:
                            self._breaker.succeeded()
                        else:
                            self._breaker.failed(reason)
                        raise RemovalFailed(
                            self.name, reason, retryable=failure.retryable, wait=failure.wait
                        ) from None
                    await self._sleep(delay)
                else:
                    self._breaker.succeeded()
                    return result
            raise AssertionError("unreachable: the last attempt returns or raises")
        finally:
            if trial:  # a trial ended without a verdict (cancelled): the next call may try instead
                self._breaker.trial_running = False

    def _delay(self, failure: _AttemptFailed, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or None to give up now."""
        if not failure.retryable:
            return None
        if failure.wait is None:
            return self._rng.uniform(0, self._backoff * 2 ** (attempt - 1))
        if failure.wait > self._max_retry_after:
            failure.reason += f" (it asked us to wait {failure.wait:.0f} s)"
            return None
        return failure.wait

    async def _attempt(self, image: bytes) -> bytes:
        kind = "png" if image.startswith(PNG_SIGNATURE) else "jpeg"  # the port promises one of these
        try:
            response = await self._client.post(
                self._url,
                headers={"X-Api-Key": self._api_key},
                data={"size": self._size, "format": "png"},
                files={"image_file": (f"image.{kind}", image, f"image/{kind}")},
                timeout=self._timeout,
            )
        except httpx.TimeoutException:
            raise _AttemptFailed("Fabrica did not answer in time", retryable=True) from None
        except httpx.TransportError as exc:
            raise _AttemptFailed(f"Fabrica is unreachable ({type(exc).__name__})", retryable=True) from None
        except httpx.HTTPError as exc:
            raise _AttemptFailed(f"Fabrica's answer could not be read ({type(exc).__name__})") from None
        status, body = response.status_code, response.content
        if status == 200 and body.startswith(PNG_SIGNATURE):
            return body
        if status == 200:
            raise _AttemptFailed("Fabrica sent something that isn't a PNG", status=status)
        failure = _AttemptFailed(f"Fabrica answered with status {status}", status=status)
        if status == 400:
            message = self._service_message(body)
            failure.reason = "Fabrica refused the image" + (f": {message}" if message else "")
            failure.healthy = True
        elif status in (402, 403):
            failure.reason = "Fabrica is out of credit" if status == 402 else "Fabrica rejected the API key"
            failure.trips = True
        elif status == 429 or status >= 500:
            failure.retryable = True
            if status in (429, 503):
                failure.wait = _retry_after(response.headers.get("retry-after"), response.headers.get("date"))
        raise failure

    def _service_message(self, body: bytes) -> str:
        """The first error title of a JSON answer, on one printable line, short and redacted."""
        try:
            payload = json.loads(body[:_MAX_ERROR_BODY])
        except (ValueError, RecursionError):
            return ""
        errors = payload.get("errors") if isinstance(payload, dict) else None
        first = errors[0] if isinstance(errors, list) and errors else None
        title = first.get("title") if isinstance(first, dict) else None
        if not isinstance(title, str):
            return ""
        text = self._redact(" ".join("".join(c if c.isprintable() else " " for c in title[:1000]).split()))
        return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "***")


def _retry_after(value: str | None, date: str | None) -> float | None:
    """Seconds a Retry-After asks for (delta-seconds or an HTTP-date); None if absent or unreadable."""
    value = (value or "").strip()
    if re.fullmatch(r"[0-9]{1,10}", value):
        return float(value)
    when, now = _http_date(value), _http_date(date) or datetime.now(UTC)  # the server's clock if it sent one
    return None if when is None else max(0.0, (when - now).total_seconds())


def _http_date(value: str | None) -> datetime | None:
    try:
        when = parsedate_to_datetime(value or "")
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
