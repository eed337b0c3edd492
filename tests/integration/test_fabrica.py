"""FabricaBackgroundRemover against a fake Fabrica over real HTTP (retries, time-outs, breaker).

Sleeps and the breaker's clock are injected: nothing here waits for a backoff or a cooldown,
and nothing asserts on elapsed time.
"""

from __future__ import annotations

import io
import logging
import random
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from PIL import Image

from closet.adapters.fabrica.remover import PNG_SIGNATURE, FabricaBackgroundRemover
from closet.application.ports.images import RemovalFailed
from tests.fabrica_server import Answer, FakeFabrica, running_fabrica

API_KEY = "fk_live_7d1c0ffee5ecret42"


class FakeTime:
    """An injected ``sleep`` that only records, and a ``monotonic`` that moves when told."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


MakeRemover = Callable[..., FabricaBackgroundRemover]


@pytest.fixture
def fabrica() -> Iterator[FakeFabrica]:
    with running_fabrica() as server:
        yield server


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def make_remover(fabrica: FakeFabrica, fake_time: FakeTime) -> AsyncIterator[MakeRemover]:
    removers: list[FabricaBackgroundRemover] = []

    def make(**overrides: Any) -> FabricaBackgroundRemover:
        settings: dict[str, Any] = {
            "base_url": fabrica.url,
            "api_key": API_KEY,
            "timeout_seconds": 10.0,
            "sleep": fake_time.sleep,
            "monotonic": fake_time.monotonic,
            "rng": random.Random(7),
        }
        removers.append(FabricaBackgroundRemover(**(settings | overrides)))
        return removers[-1]

    yield make
    for remover in removers:
        await remover.aclose()


def photo(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 60)).save(out, format="JPEG")
    return out.getvalue()


async def removal_failure(remover: FabricaBackgroundRemover, image: bytes | None = None) -> RemovalFailed:
    with pytest.raises(RemovalFailed) as caught:
        await remover.remove(image or photo())
    assert caught.value.provider == "fabrica"
    assert API_KEY not in caught.value.reason and API_KEY not in str(caught.value)
    return caught.value


async def test_success_returns_the_cutout_and_sends_key_and_image(
    fabrica: FakeFabrica, make_remover: MakeRemover
) -> None:
    image = photo((80, 60))
    result = await make_remover().remove(image)

    assert result.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(result)) as cut:
        assert cut.mode == "RGBA" and cut.size == (80, 60)
        alpha = cut.getchannel("A")
        assert alpha.getpixel((0, 0)) == 0 and alpha.getpixel((40, 30)) == 255  # the ellipse
    [request] = fabrica.requests
    assert request.method == "POST" and request.path == "/v1/remove-background"
    assert request.headers["x-api-key"] == API_KEY
    assert {"image_file", "size", "format"} <= request.field_names
    assert request.files["image_file"].data == image
    assert request.files["image_file"].content_type == "image/jpeg"
    assert request.files["image_file"].filename
    assert request.fields["format"] == "png"


async def test_a_png_upload_is_sent_as_png(fabrica: FakeFabrica, make_remover: MakeRemover) -> None:
    out = io.BytesIO()
    Image.new("RGB", (30, 30), (1, 2, 3)).save(out, format="PNG")

    await make_remover().remove(out.getvalue())

    assert fabrica.requests[0].files["image_file"].content_type == "image/png"
    assert fabrica.requests[0].files["image_file"].data == out.getvalue()


async def test_a_refused_image_is_not_retried_and_quotes_the_service(
    fabrica: FakeFabrica, make_remover: MakeRemover, fake_time: FakeTime
) -> None:
    fabrica.plan(Answer.error(400, "Could not identify foreground in image."))

    failure = await removal_failure(make_remover())

    assert not failure.retryable
    assert "Could not identify foreground in image." in failure.reason
    assert len(fabrica.requests) == 1 and fake_time.sleeps == []


async def test_a_huge_error_message_is_cut_short_and_made_printable(
    fabrica: FakeFabrica, make_remover: MakeRemover
) -> None:
    fabrica.plan(Answer.error(400, "bad\x1b[31m\nimage " + "x" * 100_000 + f" key={API_KEY}"))

    failure = await removal_failure(make_remover())

    assert "bad" in failure.reason and len(failure.reason) < 300
    assert failure.reason.isprintable()


async def test_a_refused_image_without_json_still_fails_cleanly(
    fabrica: FakeFabrica, make_remover: MakeRemover
) -> None:
    fabrica.plan(Answer.with_status(400, b"<html>" + b"A" * 200_000))

    failure = await removal_failure(make_remover())

    assert not failure.retryable and len(failure.reason) < 100


@pytest.mark.parametrize(("status", "words"), [(402, "credit"), (403, "API key")])
async def test_no_credit_or_a_bad_key_opens_the_breaker_at_once(
    fabrica: FakeFabrica, make_remover: MakeRemover, status: int, words: str
) -> None:
    fabrica.plan(Answer.error(status, "nope"))
    remover = make_remover(breaker_threshold=5)

    failure = await removal_failure(remover)
    assert not failure.retryable and words in failure.reason
    assert len(fabrica.requests) == 1

    fast = await removal_failure(remover)
    assert fast.retryable and "circuit open" in fast.reason
    assert len(fabrica.requests) == 1  # the second call never reached the service


async def test_a_wrong_key_is_reported_as_such() -> None:
    with running_fabrica(api_key="the-right-key") as server:
        remover = FabricaBackgroundRemover(base_url=server.url, api_key=API_KEY, sleep=FakeTime().sleep)
        try:
            failure = await removal_failure(remover)
        finally:
            await remover.aclose()
    assert "API key" in failure.reason and not failure.retryable


async def test_rate_limiting_waits_as_told_then_succeeds(
    fabrica: FakeFabrica, make_remover: MakeRemover, fake_time: FakeTime
) -> None:
    fabrica.plan(Answer.error(429, "slow down", {"Retry-After": "1"}))

    result = await make_remover().remove(photo())

    assert result.startswith(PNG_SIGNATURE)
    assert fake_time.sleeps == [1.0]
    assert len(fabrica.requests) == 2


async def test_retry_after_as_an_http_date_is_honoured(
    fabrica: FakeFabrica, make_remover: MakeRemover, fake_time: FakeTime
) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=5), usegmt=True)
    fabrica.plan(Answer.with_status(429, headers={"Retry-After": later}))

    assert (await make_remover().remove(photo())).startswith(PNG_SIGNATURE)

    [waited] = fake_time.sleeps
    assert 0 < waited <= 30


async def test_a_long_retry_after_is_not_waited_for(
    fabrica: FakeFabrica, make_remover: MakeRemover, fake_time: FakeTime
) -> None:
    fabrica.plan(Answer.with_status(429, headers={"Retry-After": "3600"}))

    failure = await removal_failure(make_remover(max_retry_after_seconds=30))

    assert failure.retryable and failure.wait == 3600  # passed on: the job waits, not the request
    assert fake_time.sleeps == [] and len(fabrica.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_retried_with_backoff(
    fabrica: FakeFabrica,
    make_remover: MakeRemover,
    fake_time: FakeTime,
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fabrica.plan(*[Answer.with_status(status)] * 3)
    caplog.set_level(logging.WARNING, logger="closet.fabrica")

    failure = await removal_failure(make_remover(max_attempts=3, backoff_seconds=0.5))

    assert failure.retryable and str(status) in failure.reason
    assert len(fabrica.requests) == 3
    assert len(fake_time.sleeps) == 2  # none after the last attempt
    assert 0 <= fake_time.sleeps[0] <= 0.5 and 0 <= fake_time.sleeps[1] <= 1.0
    attempts = [r.getMessage() for r in caplog.records if r.name == "closet.fabrica"]
    assert any("1/3" in message and str(status) in message for message in attempts)
    assert all(API_KEY not in message for message in attempts)


async def test_a_server_error_then_success_returns_the_cutout(
    fabrica: FakeFabrica, make_remover: MakeRemover
) -> None:
    fabrica.plan(Answer.with_status(502), Answer.success())

    assert (await make_remover().remove(photo())).startswith(PNG_SIGNATURE)
    assert len(fabrica.requests) == 2


async def test_a_slow_service_times_out_and_is_retried(
    fabrica: FakeFabrica, make_remover: MakeRemover, fake_time: FakeTime
) -> None:
    fabrica.plan(*[Answer.slow(1.0)] * 2)

    failure = await removal_failure(make_remover(timeout_seconds=0.2, max_attempts=2))

    assert failure.retryable and "time" in failure.reason
    assert len(fabrica.wait_for_requests(2)) == 2
    assert len(fake_time.sleeps) == 1


@pytest.mark.parametrize("answer", [Answer.garbage(), Answer.empty()], ids=["garbage", "empty"])
async def test_a_body_that_is_not_a_png_is_refused(
    fabrica: FakeFabrica, make_remover: MakeRemover, answer: Answer
) -> None:
    fabrica.plan(answer)

    failure = await removal_failure(make_remover())

    assert not failure.retryable and "isn't a PNG" in failure.reason
    assert len(fabrica.requests) == 1


async def test_a_dropped_connection_is_retryable(
    fabrica: FakeFabrica, make_remover: MakeRemover, fake_time: FakeTime
) -> None:
    fabrica.plan(Answer.drop(), Answer.drop())

    failure = await removal_failure(make_remover(max_attempts=2))

    assert failure.retryable
    assert len(fabrica.wait_for_requests(2)) == 2 and len(fake_time.sleeps) == 1


async def test_a_dropped_connection_then_success_returns_the_cutout(
    fabrica: FakeFabrica, make_remover: MakeRemover
) -> None:
    fabrica.plan(Answer.drop())

    assert (await make_remover().remove(photo())).startswith(PNG_SIGNATURE)
    assert len(fabrica.wait_for_requests(2)) == 2


async def test_an_unreachable_service_is_retryable(make_remover: MakeRemover) -> None:
    with running_fabrica() as gone:
        url = gone.url  # a port that was just freed: nothing listens there now
    failure = await removal_failure(make_remover(base_url=url, max_attempts=2))
    assert failure.retryable


async def test_the_breaker_opens_fails_fast_and_closes_after_a_trial(
    fabrica: FakeFabrica, make_remover: MakeRemover, fake_time: FakeTime
) -> None:
    remover = make_remover(max_attempts=2, breaker_threshold=2, breaker_cooldown_seconds=60)
    fabrica.plan(*[Answer.with_status(500)] * 4)
    for _ in range(2):
        await removal_failure(remover)
    assert len(fabrica.requests) == 4

    fast = await removal_failure(remover)
    assert fast.retryable and fast.reason.startswith("Fabrica is unavailable (circuit open)")
    assert fast.wait == 60  # the job that asked waits for the cooldown, not a guess
    assert len(fabrica.requests) == 4

    fake_time.now += 30
    cooling = await removal_failure(remover)  # still cooling down
    assert cooling.wait == 30
    assert len(fabrica.requests) == 4

    fake_time.now += 31
    assert (await remover.remove(photo())).startswith(PNG_SIGNATURE)  # the trial call
    assert (await remover.remove(photo())).startswith(PNG_SIGNATURE)  # closed again
    assert len(fabrica.requests) == 6


async def test_a_failed_trial_opens_the_breaker_again(
    fabrica: FakeFabrica, make_remover: MakeRemover, fake_time: FakeTime
) -> None:
    remover = make_remover(max_attempts=1, breaker_threshold=1, breaker_cooldown_seconds=60)
    fabrica.plan(Answer.with_status(503), Answer.with_status(503))
    await removal_failure(remover)

    fake_time.now += 61
    trial = await removal_failure(remover)
    assert "503" in trial.reason and len(fabrica.requests) == 2

    fast = await removal_failure(remover)
    assert "circuit open" in fast.reason and len(fabrica.requests) == 2


async def test_success_resets_the_failure_count(fabrica: FakeFabrica, make_remover: MakeRemover) -> None:
    remover = make_remover(max_attempts=1, breaker_threshold=2)
    fabrica.plan(Answer.with_status(500), Answer.success(), Answer.with_status(500))
    await removal_failure(remover)
    await remover.remove(photo())
    await removal_failure(remover)

    await remover.remove(photo())  # one failure in a row: still closed
    assert len(fabrica.requests) == 4


async def test_a_refused_image_does_not_count_against_the_service(
    fabrica: FakeFabrica, make_remover: MakeRemover
) -> None:
    remover = make_remover(breaker_threshold=1)
    fabrica.plan(Answer.error(400, "not a garment"))
    await removal_failure(remover)

    assert (await remover.remove(photo())).startswith(PNG_SIGNATURE)
    assert len(fabrica.requests) == 2


@pytest.mark.parametrize(
    "answer",
    [
        Answer.error(400, f"bad key {API_KEY}"),
        Answer.error(402, API_KEY),
        Answer.error(403, f"Invalid API key: {API_KEY}"),
        Answer.with_status(429, API_KEY.encode(), {"Retry-After": "99999"}),
        Answer.with_status(500, API_KEY.encode()),
        Answer.with_status(418, API_KEY.encode()),
        Answer.garbage(),
        Answer.drop(),
    ],
    ids=lambda answer: f"{answer.kind}-{answer.status}",
)
async def test_the_api_key_never_shows_in_a_reason(
    fabrica: FakeFabrica, make_remover: MakeRemover, answer: Answer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="closet.fabrica")
    fabrica.plan(answer, answer)  # a 400 leaves the breaker closed: the second call gets one too
    remover = make_remover(max_attempts=1, breaker_threshold=1)

    await removal_failure(remover)  # asserts the key is not in the reason
    await removal_failure(remover)  # the breaker's reason quotes the cause: still no key

    assert all(API_KEY not in record.getMessage() for record in caplog.records)


async def test_an_unexpected_status_is_not_retried(fabrica: FakeFabrica, make_remover: MakeRemover) -> None:
    fabrica.plan(Answer.with_status(404))

    failure = await removal_failure(make_remover())

    assert not failure.retryable and "404" in failure.reason and len(fabrica.requests) == 1


async def test_nothing_but_removal_failed_escapes() -> None:
    def explode(request: httpx.Request) -> httpx.Response:
        raise ZeroDivisionError("a bug in a driver")

    client = httpx.AsyncClient(transport=httpx.MockTransport(explode))
    remover = FabricaBackgroundRemover(base_url="http://fabrica.invalid", api_key=API_KEY, client=client)
    try:
        failure = await removal_failure(remover)
    finally:
        await client.aclose()
    assert "unexpected" in failure.reason
