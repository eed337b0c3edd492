"""Benchmark: photo ingestion on synthetic 12 MP phone JPEGs: normalise + thumbnails beside a naive
baseline, the local background removal at 2048 px, and a server's peak RSS with 8 uploads in flight.

Makes seeded 4032×3024 garment photos (tests/photos.py scenes with added sensor grain, JPEG q90, 4:2:0,
EXIF orientation 1 or 6 and GPS, as a phone writes them; each scene also mirrored, so every upload is
distinct), then measures in one run:

1. ``normalise()`` in-process on one thread (sniff, checks, JPEG draft decode, orientation, sRGB, cap,
   the stored JPEG and both WebP thumbnails, the perceptual hash), and its throughput on N threads;
2. the naive baseline, interleaved with (1) on the same photos: full decode, ``exif_transpose``,
   LANCZOS resize to a 2048 px long edge, save JPEG q90, then 512 and 256 px thumbnails resized with
   LANCZOS from the full decode and saved as WebP with Pillow's defaults;
3. ``remove_background()`` on 2048×1536 scenes (and, for reference, the job's whole local step:
   decode + removal + PNG encode, through ``LocalBackgroundRemover``, and that PNG encode alone);
4. ``closet serve`` (embedded profile, a temporary data dir, the in-process job runner on): its idle
   RSS, then rounds of 8 concurrent uploads (each round to 8 fresh items), its peak RSS while they run
   and until their cut-out jobs settle, and the upload latency under that load.

A script, not a test: it talks to 127.0.0.1 only, and stops what it started.
MB here is 2^20 bytes; p99 is nearest-rank (with 30 runs, the slowest).

    .venv/bin/python bench/image_ingest.py [--runs 30] [--cutouts 20] [--rounds 3] [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import PIL
import psutil
from PIL import Image, ImageOps, features

from _common import (
    HOST,
    KeepAliveClient,
    RssSampler,
    Server,
    Stats,
    free_port,
    interrupt_on_signals,
    ms,
    print_table,
    run_async,
)
from closet.adapters.imaging import decode
from closet.adapters.imaging.normalise import encode_png, normalise
from closet.application.ports.images import ImageLimits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests/
from tests.photo_files import phone_exif
from tests.photos import GARMENTS, iou, make_scene

PHOTO_SIZE, CUTOUT_SIZE = (4032, 3024), (2048, 1536)
BACKGROUNDS = ("noisy", "gradient", "shadowed", "noisy")  # textured and lit backdrops, in turn
GRAIN = 6.0  # levels of extra sensor noise: brings the files to a phone's 3-5 MB
IN_FLIGHT = 8
PASSWORD = "bench-password-1234"
MB = 2**20
TARGET_P50, TARGET_SPEEDUP, TARGET_CUTOUT_P50, TARGET_RSS = 0.150, 2.0, 0.400, 400 * MB
LIMITS = ImageLimits()


# --- the photos ------------------------------------------------------------------------------


def phone_photos(seed: int) -> tuple[bytes, bytes]:
    """One 12 MP scene as two phone JPEGs: as shot (orientation 1) and mirrored, stored sideways
    with orientation 6 (a phone held upright). Runs in a child process: it takes a few seconds."""
    photo, _ = make_scene(
        BACKGROUNDS[seed % len(BACKGROUNDS)],
        size=PHOTO_SIZE,
        seed=seed,
        garment=GARMENTS[seed % len(GARMENTS)],
    )
    pixels = np.asarray(photo, np.float32)
    pixels += np.random.default_rng(seed).standard_normal(pixels.shape, dtype=np.float32) * GRAIN
    photo = Image.fromarray(np.clip(pixels, 0, 255, out=pixels).astype(np.uint8), "RGB")
    upright = photo.transpose(Image.Transpose.FLIP_LEFT_RIGHT).transpose(Image.Transpose.ROTATE_90)
    return _jpeg(photo, orientation=1), _jpeg(upright, orientation=6)


def _jpeg(image: Image.Image, orientation: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=phone_exif(orientation))
    return buffer.getvalue()


def make_photos(count: int) -> list[bytes]:
    workers = max(1, min(count, os.cpu_count() or 1))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pairs = list(pool.map(phone_photos, range(1, count + 1)))
    return [data for pair in pairs for data in pair]


def refusals(photos: Sequence[bytes]) -> dict[int, str]:
    """The photos ``normalise()`` refuses (it should take every one), with why and where."""
    refused = {}
    for index, data in enumerate(photos):
        try:
            normalise(data, LIMITS)
        except Exception as exc:
            refused[index] = f"{type(exc).__name__}: {exc}" + _markup_site(data)
    return refused


def _markup_site(data: bytes) -> str:
    """Where the upload check's markup pattern matched, relative to the JPEG's scan data."""
    pattern = getattr(decode, "_MARKUP", None)
    found = pattern.search(data) if pattern is not None else None
    if found is None:
        return ""
    scan = data.find(b"\xff\xda")
    where = "inside the entropy-coded scan data" if 0 <= scan < found.start() else "in the headers"
    return f" (matched {found.group()!r} at byte {found.start():,} of {len(data):,}, {where})"


# --- 1 and 2: normalise + thumbnails, and the naive baseline ---------------------------------


def ours(data: bytes) -> tuple[int, int]:
    photo = normalise(data, LIMITS)
    return photo.original.width, photo.original.height


def naive(data: bytes) -> tuple[int, int]:
    """The same job without the tricks: decode everything, then resample from the full image."""
    full = Image.open(io.BytesIO(data))
    full.load()
    full = ImageOps.exif_transpose(full)
    stored = _naive_resize(full, LIMITS.max_edge)
    _save(stored, "JPEG", quality=90)
    for edge in (512, 256):
        _save(_naive_resize(full, edge), "WEBP", quality=80)
    return stored.width, stored.height


def _naive_resize(image: Image.Image, edge: int) -> Image.Image:
    scale = edge / max(image.size)
    return image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)


def _save(image: Image.Image, fmt: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


@dataclass
class Ingest:
    ours: Stats
    naive: Stats
    ours_cpu: float  # median CPU seconds of the calling thread: what a run costs without contention
    naive_cpu: float
    ours_rate: float  # photos/s on one thread
    naive_rate: float
    threads: int
    parallel_rate: float  # photos/s of ours on `threads` threads
    sizes: set[tuple[str, tuple[int, int]]]


def measure_ingest(photos: list[bytes], runs: int, warmup: int) -> Ingest:
    sizes: set[tuple[str, tuple[int, int]]] = set()
    for data in photos[: max(1, warmup)]:
        sizes |= {("ours", ours(data)), ("naive", naive(data))}
    timings: dict[str, list[float]] = {"ours": [], "naive": []}
    cpu: dict[str, list[float]] = {"ours": [], "naive": []}
    for index in range(runs):  # interleaved, so both see the same machine
        data = photos[index % len(photos)]
        for name, work in (("ours", ours), ("naive", naive)):
            started, cpu_started = time.perf_counter(), time.thread_time()
            size = work(data)
            timings[name].append(time.perf_counter() - started)
            cpu[name].append(time.thread_time() - cpu_started)
            sizes.add((name, size))
    threads = os.cpu_count() or 1
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(ours, photos[:threads]))  # warm the threads
        started = time.perf_counter()
        list(pool.map(ours, [photos[i % len(photos)] for i in range(runs)]))
        parallel = runs / (time.perf_counter() - started)
    return Ingest(
        Stats.of(timings["ours"]),
        Stats.of(timings["naive"]),
        Stats.of(cpu["ours"]).p50,
        Stats.of(cpu["naive"]).p50,
        runs / sum(timings["ours"]),
        runs / sum(timings["naive"]),
        threads,
        parallel,
        sizes,
    )


# --- 3: local background removal -------------------------------------------------------------


@dataclass
class Cutout:
    removal: Stats | None = None
    job_step: Stats | None = None  # decode + removal + PNG encode, as the job runs it
    png: Stats | None = None  # the PNG encode alone (the app's encoder, png.py), one per scene
    png_bytes: float = 0.0  # its mean size
    mean_iou: float = float("nan")
    error: str | None = None


def measure_cutout(runs: int, scenes: int) -> Cutout:
    result = Cutout()
    try:  # imported here: the module may be unfinished, and the rest of the run should still report
        from closet.adapters.imaging.cutout import remove_background  # noqa: PLC0415
        from closet.adapters.imaging.processor import ImagingPool, LocalBackgroundRemover  # noqa: PLC0415
    except Exception as exc:
        result.error = f"import failed: {type(exc).__name__}: {exc}"
        return result
    made = [
        make_scene(BACKGROUNDS[i % 4], size=CUTOUT_SIZE, seed=100 + i, garment=GARMENTS[i % 4])
        for i in range(scenes)
    ]
    try:
        cuts = [remove_background(photo) for photo, _ in made]  # also the warm-up
        result.mean_iou = sum(iou(c.getchannel("A"), t) for c, (_, t) in zip(cuts, made, strict=True)) / len(
            cuts
        )
        times = []
        for index in range(runs):
            photo = made[index % len(made)][0]
            started = time.perf_counter()
            cut = remove_background(photo)
            times.append(time.perf_counter() - started)
            if cut.size != photo.size or cut.mode != "RGBA":
                raise ValueError(f"remove_background gave {cut.mode} {cut.size} for RGB {photo.size}")
        result.removal = Stats.of(times)
        pngs, sizes = [], []
        for cut in cuts:  # one each, with the encoder LocalBackgroundRemover uses
            started = time.perf_counter()
            sizes.append(len(encode_png(cut).data))
            pngs.append(time.perf_counter() - started)
        result.png, result.png_bytes = Stats.of(pngs), sum(sizes) / len(sizes)
    except Exception as exc:
        result.error = f"remove_background failed: {type(exc).__name__}: {exc}"
        return result
    jpegs = [_jpeg(photo, orientation=1) for photo, _ in made]
    pool = ImagingPool(1)
    remover = LocalBackgroundRemover(pool, LIMITS)
    try:
        run_async(_time_removals(remover, jpegs))  # warm-up
        result.job_step = Stats.of(
            run_async(_time_removals(remover, [jpegs[i % len(jpegs)] for i in range(runs)]))
        )
    except Exception as exc:
        result.error = f"LocalBackgroundRemover.remove failed: {type(exc).__name__}: {exc}"
    finally:
        pool.shutdown()
    return result


async def _time_removals(remover: Any, jpegs: Sequence[bytes]) -> list[float]:
    times = []
    for data in jpegs:
        started = time.perf_counter()
        await remover.remove(data)
        times.append(time.perf_counter() - started)
    return times


# --- 4: a server with 8 uploads in flight ----------------------------------------------------


@dataclass
class Uploads:
    idle_rss: int
    peak_rss: int
    processes: int
    samples: int
    latency: Stats | None
    round_seconds: list[float]
    failures: list[str]
    settle_seconds: float
    statuses: dict[str, int] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    unsettled: int = 0
    stop_seconds: float = 0.0

    @property
    def rate(self) -> float:
        done = IN_FLIGHT * len(self.round_seconds) - len(self.failures)
        return done / sum(self.round_seconds) if self.round_seconds else 0.0


def measure_uploads(photos: list[bytes], args: argparse.Namespace) -> Uploads:
    env = {
        "CLOSET_PROFILE": "embedded",
        "CLOSET_LOG_LEVEL": "WARNING",
        "CLOSET_ACCESS_TOKEN_MINUTES": "60",
        "CLOSET_PASSWORD_TIME_COST": "1",
        "CLOSET_PASSWORD_MEMORY_KIB": "64",
        "CLOSET_RATE_LIMIT_PER_MINUTE": "1000000",
        "CLOSET_IMAGE_WORKERS": str(args.image_workers),
        "CLOSET_JOBS": "true",
    }
    with tempfile.TemporaryDirectory(prefix="closet-bench-images-") as data_dir:
        env["CLOSET_DATA_DIR"] = data_dir
        port = free_port()
        server = Server(env, workers=1, port=port)
        with server:
            client = KeepAliveClient(port, timeout=60)
            try:
                result = _drive_uploads(server, client, port, photos, args)
            finally:
                client.close()
        result.stop_seconds = server.stop_seconds
    return result


def _drive_uploads(
    server: Server, client: KeepAliveClient, port: int, photos: list[bytes], args: argparse.Namespace
) -> Uploads:
    token = _sign_up(client)
    client.headers["Authorization"] = f"Bearer {token}"
    rounds = [
        [_new_item(client, f"Bench coat {r}.{k}") for k in range(IN_FLIGHT)] for r in range(args.rounds)
    ]
    assert server.process is not None
    supervisor = psutil.Process(server.process.pid)
    family = [supervisor, *supervisor.children(recursive=True)]
    with RssSampler(family, interval=0.02) as idle:
        time.sleep(1.0)
    latencies: list[float] = []
    failures: list[str] = []
    round_seconds: list[float] = []
    uploaded: list[str] = []
    with RssSampler(family, interval=0.02) as rss:
        for number, ids in enumerate(rounds):
            photos_now = [photos[(number * IN_FLIGHT + k) % len(photos)] for k in range(IN_FLIGHT)]
            started = time.perf_counter()
            answers = _upload_round(port, token, ids, photos_now)
            round_seconds.append(time.perf_counter() - started)
            for item_id, (seconds, status, body) in zip(ids, answers, strict=True):
                if status == 200:
                    latencies.append(seconds)
                    uploaded.append(item_id)
                else:
                    failures.append(f"{status}: {body[:300]!r}")
        settle_started = time.perf_counter()
        statuses, reasons, unsettled = _settle(client, uploaded, args.settle_timeout)
        settle_seconds = time.perf_counter() - settle_started
    return Uploads(
        idle_rss=sum(idle.peaks.values()),
        peak_rss=sum(rss.peaks.values()),
        processes=len(family),
        samples=rss.samples,
        latency=Stats.of(latencies) if latencies else None,
        round_seconds=round_seconds,
        failures=failures,
        settle_seconds=settle_seconds,
        statuses=statuses,
        reasons=reasons,
        unsettled=unsettled,
    )


def _sign_up(client: KeepAliveClient) -> str:
    email = f"bench-images-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": PASSWORD, "display_name": "Bench"}
    status, answer = client.request("POST", "/api/v1/auth/register", body)
    if status != 202:
        raise SystemExit(f"register answered {status}: {answer[:300]!r}")
    status, answer = client.request("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})
    if status != 200:
        raise SystemExit(f"login answered {status}: {answer[:300]!r}")
    return str(json.loads(answer)["access_token"])


def _new_item(client: KeepAliveClient, name: str) -> str:
    status, answer = client.request("POST", "/api/v1/items", {"name": name, "category": "top"})
    if status != 201:
        raise SystemExit(f"POST /api/v1/items answered {status}: {answer[:300]!r}")
    return str(json.loads(answer)["id"])


def _upload_round(
    port: int, token: str, ids: Sequence[str], photos: Sequence[bytes]
) -> list[tuple[float, int, bytes]]:
    """One upload per item, all at once: each on its own connection, released together."""
    barrier = threading.Barrier(len(ids))
    jobs = [(item_id, *_multipart(data)) for item_id, data in zip(ids, photos, strict=True)]
    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(lambda job: _upload(port, token, barrier, *job), jobs))


def _multipart(data: bytes) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="IMG_0001.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    )
    return boundary, head.encode() + data + f"\r\n--{boundary}--\r\n".encode()


def _upload(
    port: int, token: str, barrier: threading.Barrier, item_id: str, boundary: str, body: bytes
) -> tuple[float, int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    }
    try:
        conn.connect()
        barrier.wait(timeout=30)
        started = time.perf_counter()
        conn.request("POST", f"/api/v1/items/{item_id}/photo", body=body, headers=headers)
        response = conn.getresponse()
        answer = response.read()
        return time.perf_counter() - started, response.status, answer
    except (OSError, threading.BrokenBarrierError) as exc:
        return 0.0, 0, f"{type(exc).__name__}: {exc}".encode()
    finally:
        conn.close()


def _settle(client: KeepAliveClient, ids: list[str], timeout: float) -> tuple[dict[str, int], list[str], int]:
    """Poll the items until no photo's cut-out is pending or processing (or ``timeout`` s pass)."""
    statuses: dict[str, int] = {}
    reasons: list[str] = []
    pending = list(ids)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for item_id in list(pending):
            status, answer = _get(client, f"/api/v1/items/{item_id}")
            if status != 200:
                raise SystemExit(f"GET /api/v1/items/{item_id} answered {status}: {answer[:300]!r}")
            photo = json.loads(answer)["photo"] or {}
            state = photo.get("status", "no photo")
            if state in ("pending", "processing"):
                continue
            pending.remove(item_id)
            statuses[state] = statuses.get(state, 0) + 1
            if photo.get("failure"):
                reasons.append(str(photo["failure"]))
        if pending:
            time.sleep(0.2)
    return statuses, reasons, len(pending)


def _get(client: KeepAliveClient, path: str) -> tuple[int, bytes]:
    """A GET on the keep-alive connection, reconnecting once if the server closed it while idle
    (uvicorn drops a keep-alive connection after 5 s without a request)."""
    try:
        return client.request("GET", path)
    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
        client.conn.close()
        return client.request("GET", path)


# --- the report ------------------------------------------------------------------------------


def mb(size: float) -> str:
    return f"{size / MB:.1f} MB"


def report(ingest: Ingest, cutout: Cutout, uploads: Uploads | None) -> None:
    def row(name: str, value: str, goal: str = "", ok: bool | None = None) -> list[str]:
        return [name, value, goal, "—" if ok is None else ("yes" if ok else "NO")]

    speedup = ingest.naive.p50 / ingest.ours.p50
    rows = [
        row(
            "normalise + thumbnails, median",
            ms(ingest.ours.p50),
            f"≤ {ms(TARGET_P50)}",
            ingest.ours.p50 <= TARGET_P50,
        ),
        row("normalise + thumbnails, p99", ms(ingest.ours.p99)),
        row("  median CPU time of the thread", ms(ingest.ours_cpu)),
        row("  throughput, 1 thread", f"{ingest.ours_rate:.1f} photos/s"),
        row(f"  throughput, {ingest.threads} threads", f"{ingest.parallel_rate:.1f} photos/s"),
        row("naive baseline, median", ms(ingest.naive.p50), "baseline"),
        row("naive baseline, p99", ms(ingest.naive.p99), "baseline"),
        row("  median CPU time of the thread", ms(ingest.naive_cpu), "baseline"),
        row("  throughput, 1 thread", f"{ingest.naive_rate:.1f} photos/s", "baseline"),
        row(
            "speed-up (naive median / ours)",
            f"{speedup:.2f}×",
            f"≥ {TARGET_SPEEDUP:.0f}×",
            speedup >= TARGET_SPEEDUP,
        ),
    ]
    size = f"{CUTOUT_SIZE[0]}×{CUTOUT_SIZE[1]}"
    if cutout.removal is not None:
        removal = cutout.removal
        ok = removal.p50 <= TARGET_CUTOUT_P50
        rows += [
            row(f"local cut-out at {size}, median", ms(removal.p50), f"≤ {ms(TARGET_CUTOUT_P50)}", ok),
            row(f"local cut-out at {size}, p99", ms(removal.p99)),
            row("  mean IoU with the true mask", f"{cutout.mean_iou:.3f}"),
        ]
    else:
        rows.append(row(f"local cut-out at {size}, median", "failed", f"≤ {ms(TARGET_CUTOUT_P50)}", False))
    if cutout.job_step is not None:
        rows.append(row("  job step (decode+cut+PNG), median", ms(cutout.job_step.p50)))
    if cutout.png is not None:
        rows.append(
            row("  PNG encode of a cut-out, median", f"{ms(cutout.png.p50)} ({mb(cutout.png_bytes)})")
        )
    if uploads is not None:
        rounds = len(uploads.round_seconds)
        rows += [
            row("server RSS, idle", mb(uploads.idle_rss)),
            row(
                f"peak RSS, {IN_FLIGHT} uploads in flight + jobs",
                mb(uploads.peak_rss),
                f"≤ {mb(TARGET_RSS)}",
                uploads.peak_rss <= TARGET_RSS,
            ),
        ]
        if uploads.latency is not None:
            rows += [
                row(f"upload latency, {IN_FLIGHT} in flight, median", ms(uploads.latency.p50)),
                row(f"upload latency, {IN_FLIGHT} in flight, p99", ms(uploads.latency.p99)),
            ]
        rows += [
            row("  upload throughput", f"{uploads.rate:.1f} photos/s"),
            row(
                "  failed uploads",
                f"{len(uploads.failures)} of {IN_FLIGHT * rounds}",
                "0",
                not uploads.failures,
            ),
            row("  cut-out jobs settled in", f"{uploads.settle_seconds:.1f} s"),
        ]
    else:
        rows.append(
            row(f"peak RSS, {IN_FLIGHT} uploads in flight + jobs", "failed", f"≤ {mb(TARGET_RSS)}", False)
        )
    print()
    print_table(["measurement", "figure", "target", "met?"], rows)


def benchmark(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    turbo = features.check_feature("libjpeg_turbo")
    print(
        f"CPUs: {os.cpu_count()}; Pillow {PIL.__version__} (libjpeg-turbo: {'yes' if turbo else 'no'}); "
        f"NumPy {np.__version__}; Python {platform.python_version()}; "
        f"load average {os.getloadavg()[0]:.2f} (others' work on this machine skews the figures)"
    )
    photos = make_photos(args.photos)
    sizes = ", ".join(f"{len(p) / 1e6:.1f}" for p in photos)
    print(
        f"photos: {len(photos)} synthetic {PHOTO_SIZE[0]}×{PHOTO_SIZE[1]} JPEGs q90 with EXIF orientation "
        f"(1 and 6) and GPS, {sizes} MB (10^6 bytes); made in {time.perf_counter() - started:.1f} s"
    )

    refused = refusals(photos)
    for index, why in refused.items():
        print(f"PROBLEM: normalise() refuses photo {index + 1} (seed {index // 2 + 1}): {why}")
    if refused:
        photos = [data for index, data in enumerate(photos) if index not in refused]
        print(f"         left out of every measurement; {len(photos)} photos remain")
    if not photos:
        raise SystemExit("no photo left to measure")

    ingest = measure_ingest(photos, args.runs, args.warmup)
    shapes = "; ".join(f"{name} {w}×{h}" for name, (w, h) in sorted(ingest.sizes))
    print(f"\n1-2. normalise vs naive: {args.runs} runs each, interleaved, after {args.warmup} warm-up")
    print(f"     stored originals: {shapes}")
    print(
        "     figures are wall time; CPU time (time.thread_time) shows what other load on the machine added"
    )

    cutout = measure_cutout(args.cutouts, args.cutout_scenes)
    print(
        f"\n3. local cut-out: {args.cutouts} runs over {args.cutout_scenes} scenes at "
        f"{CUTOUT_SIZE[0]}×{CUTOUT_SIZE[1]}"
    )
    print("   figure: remove_background() alone, on a decoded RGB image (no decode, no PNG encode);")
    print(
        "   job step: LocalBackgroundRemover.remove() on the scene as a JPEG (decode, removal, PNG level 1);"
    )
    print("   PNG encode: the RGBA cut-out alone, by the app's encoder (png.py), once per scene")
    if cutout.error:
        print(f"   PROBLEM: {cutout.error}")

    uploads: Uploads | None = None
    print(
        f"\n4. closet serve (embedded, 1 process, CLOSET_IMAGE_WORKERS={args.image_workers}, jobs on): "
        f"{args.rounds} rounds of {IN_FLIGHT} concurrent uploads, each round to {IN_FLIGHT} fresh items"
    )
    try:
        uploads = measure_uploads(photos, args)
    except (RuntimeError, TimeoutError, OSError) as exc:
        print(f"   PROBLEM: the server run failed: {type(exc).__name__}: {exc}")
    if uploads is not None:
        print(
            f"   RSS of {uploads.processes} process(es) sampled {uploads.samples} times every 20 ms, from "
            "the first upload until the jobs settled"
        )
        print(
            f"   cut-out jobs: {uploads.statuses}; unsettled after {args.settle_timeout:.0f} s: "
            f"{uploads.unsettled}"
        )
        print(f"   rounds took {', '.join(f'{s:.2f}' for s in uploads.round_seconds)} s")
        for reason in sorted(set(uploads.reasons))[:5]:
            print(f"   job failure: {reason}")
        for failure in uploads.failures[:5]:
            print(f"   upload failure: {failure}")
        print(f"   server stopped {uploads.stop_seconds:.1f} s after SIGTERM")
    report(ingest, cutout, uploads)
    print(f"\n(whole run: {time.perf_counter() - started:.0f} s; load average now {os.getloadavg()[0]:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=30, help="timed normalise and baseline runs, each")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs of each first")
    parser.add_argument("--photos", type=int, default=4, help="12 MP scenes (each gives two files)")
    parser.add_argument("--cutouts", type=int, default=20, help="timed background removals")
    parser.add_argument("--cutout-scenes", type=int, default=4, help="2048 px scenes to cut out")
    parser.add_argument("--rounds", type=int, default=3, help=f"rounds of {IN_FLIGHT} concurrent uploads")
    parser.add_argument("--image-workers", type=int, default=2, help="the server's CLOSET_IMAGE_WORKERS")
    parser.add_argument("--settle-timeout", type=float, default=180, help="seconds to wait for the jobs")
    parser.add_argument("--quick", action="store_true", help="a short run: fewer runs, photos and rounds")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.warmup, args.photos = 8, 1, 2
        args.cutouts, args.cutout_scenes, args.rounds = 5, 2, 1
    if min(args.runs, args.photos, args.cutouts, args.cutout_scenes, args.rounds) < 1:
        parser.error("--runs, --photos, --cutouts, --cutout-scenes and --rounds must be at least 1")
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # in order with the server's stderr
    interrupt_on_signals()
    try:
        benchmark(args)
    except KeyboardInterrupt as exc:
        raise SystemExit(f"interrupted ({exc or 'SIGINT'})") from None


if __name__ == "__main__":
    main()
