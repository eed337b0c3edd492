"""Helpers the benchmark scripts share: latency statistics, a `closet serve` process, HTTP clients
and load generators, RSS sampling, and the seeded benchmark database (1,000 users × 500 items by
default) that every items benchmark measures against. Everything here talks to 127.0.0.1 only and
bounds its loops in count and time."""

from __future__ import annotations

import asyncio
import http.client
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import asyncpg
import psutil
from sqlalchemy import JSON, Table
from sqlalchemy.dialects.postgresql import asyncpg as pg_asyncpg
from sqlalchemy.engine import make_url

from closet.adapters.security.passwords import Argon2PasswordHasher
from closet.adapters.sql.engine import create_engine
from closet.adapters.sql.item_rows import projection_rows, to_row
from closet.adapters.sql.migrate import pending_revisions
from closet.adapters.sql.tables import documents, item_colors, item_materials, item_tags, items, users
from closet.adapters.sql.types import ExactDecimal
from closet.adapters.sql.users import _to_row as user_to_row
from closet.application.documents import item_document
from closet.application.ports.documents import DocumentChange
from closet.container import migrate_database
from closet.domain.colors import PALETTE, Color
from closet.domain.items import (
    ArchiveReason,
    Category,
    ClothingItem,
    Condition,
    ItemDetails,
    ItemId,
    ItemStatus,
    Purchase,
    Season,
)
from closet.domain.materials import composition
from closet.domain.money import Money
from closet.domain.sizes import Size
from closet.domain.users import User, UserId
from closet.settings import Profile, Settings, load_settings

T = TypeVar("T")
HOST = "127.0.0.1"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
SEED_DB = "closet_bench"
SEED = 20_261_122
SEED_PASSWORD = "bench-password-1234"  # every seeded user's; emails are bench-<n>@example.com
DIALECT = pg_asyncpg.dialect()


# --- statistics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    """Latency figures in seconds (nearest-rank percentiles)."""

    count: int
    p50: float
    p99: float
    mean: float
    max: float

    @classmethod
    def of(cls, samples: Sequence[float]) -> Stats:
        if not samples:
            raise ValueError("no samples")
        ordered = sorted(samples)
        return cls(
            len(ordered),
            percentile(ordered, 50),
            percentile(ordered, 99),
            sum(ordered) / len(ordered),
            ordered[-1],
        )


def percentile(ordered: Sequence[float], pct: float) -> float:
    rank = max(1, -(-len(ordered) * pct // 100))  # nearest rank: ceil(n·p/100)
    return ordered[int(rank) - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    for cells in [header, ["-" * w for w in widths], *rows]:
        print(line(cells))


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def closet_command() -> list[str]:
    """The venv's `closet` script beside this interpreter, or the CLI module."""
    script = Path(sys.executable).with_name("closet")
    return [str(script)] if script.exists() else [sys.executable, "-m", "closet.entrypoints.cli"]


class Server:
    """`closet serve --workers N` as a child process; stopped (with its workers) on exit.

    ``command`` runs another server instead (it must serve ``/health`` on ``port`` with ``workers``
    uvicorn workers), e.g. a ceiling app to set the figures beside (see items_list.py)."""

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        workers: int,
        port: int,
        startup_timeout: float = 60,
        command: Sequence[str] | None = None,
    ) -> None:
        self.env, self.workers, self.port, self.startup_timeout = dict(env), workers, port, startup_timeout
        self.command = list(command) if command is not None else None
        self.process: subprocess.Popen[bytes] | None = None
        self.stop_seconds = 0.0  # how long the last stop took (graceful, then killed after ``timeout``)

    def __enter__(self) -> Self:
        args = self.command or [
            *closet_command(),
            "serve",
            "--workers",
            str(self.workers),
            "--port",
            str(self.port),
        ]
        self.process = subprocess.Popen(  # its banner goes nowhere; its warnings and errors to stderr
            args, env={**os.environ, **self.env}, stdout=subprocess.DEVNULL, start_new_session=True
        )
        try:
            self._wait_until_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _wait_until_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"closet serve exited with {self.process.returncode} while starting")
            if len(self.worker_processes()) >= self.workers and _health_ok(self.port):
                return
            time.sleep(0.2)
        raise TimeoutError(f"closet serve did not answer /health within {self.startup_timeout:.0f} s")

    def worker_processes(self) -> list[psutil.Process]:
        """uvicorn's worker processes: the spawned children of the supervisor (itself if one)."""
        assert self.process is not None
        try:
            supervisor = psutil.Process(self.process.pid)
            children = supervisor.children()
        except psutil.NoSuchProcess:
            return []
        if self.workers == 1:
            return [supervisor]
        workers = []
        for child in children:
            try:
                cmdline = " ".join(child.cmdline())
            except psutil.Error:
                continue
            if "resource_tracker" not in cmdline:
                workers.append(child)
        return workers

    def stop(self, timeout: float = 15) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            family = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            family = []
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)  # uvicorn's supervisor stops its workers
        _, alive = psutil.wait_procs(family, timeout=timeout)
        for straggler in alive:
            straggler.kill()
        psutil.wait_procs(alive, timeout=5)
        process.wait(timeout=5)
        self.stop_seconds = time.monotonic() - started


def _health_ok(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", "/health")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


# --- a single keep-alive client --------------------------------------------------------------


class KeepAliveClient:
    """http.client over one persistent HTTP/1.1 connection: the least client overhead in Python."""

    def __init__(self, port: int, headers: Mapping[str, str] | None = None, timeout: float = 10) -> None:
        self.headers = dict(headers or {})
        self.conn = http.client.HTTPConnection(HOST, port, timeout=timeout)

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        headers = dict(self.headers)
        payload = None
        if body is not None:
            payload, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        self.conn.request(method, path, body=payload, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()

    def timed_gets(self, path: str, count: int, time_limit: float) -> tuple[list[float], int]:
        """Up to ``count`` sequential GETs within ``time_limit`` s: (latencies, non-200 count)."""
        latencies: list[float] = []
        failures = 0
        deadline = time.perf_counter() + time_limit
        for _ in range(count):
            started = time.perf_counter()
            status, _ = self.request("GET", path)
            finished = time.perf_counter()
            latencies.append(finished - started)
            failures += status != 200
            if finished > deadline:
                break
        return latencies, failures

    def close(self) -> None:
        self.conn.close()


# --- load with many clients ------------------------------------------------------------------


@dataclass
class LoadResult:
    client: str
    seconds: float
    requests: int
    non_2xx: int
    errors: int
    latency: Stats | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_load(
    port: int,
    path: str,
    headers: Mapping[str, str],
    *,
    connections: int,
    seconds: float,
    client: str = "auto",
) -> LoadResult:
    """``connections`` keep-alive clients for ``seconds``: wrk if installed, else Python processes."""
    if client == "wrk" or (client == "auto" and shutil.which("wrk")):
        return run_wrk(port, path, headers, connections=connections, seconds=seconds)
    return run_python_load(port, path, headers, connections=connections, seconds=seconds)


_WRK_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def run_wrk(
    port: int, path: str, headers: Mapping[str, str], *, connections: int, seconds: float
) -> LoadResult:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed")
    # One wrk thread is plenty for this rate and leaves the cores to the server.
    args = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "5s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*args, f"http://{HOST}:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    if total is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    quantiles = {
        q: float(v) * _WRK_UNITS[u]
        for q, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    }
    latency = None
    if {"50", "99"} <= quantiles.keys():
        latency = Stats(int(total[1]), quantiles["50"], quantiles["99"], float("nan"), float("nan"))
    return LoadResult(
        client=f"wrk (1 thread, {connections} connections)",
        seconds=float(total[2]) * _WRK_UNITS[total[3]],
        requests=int(total[1]),
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        errors=sum(int(x) for x in errors.groups()) if errors else 0,
        latency=latency,
    )


def run_python_load(
    port: int,
    path: str,
    headers: Mapping[str, str],
    *,
    connections: int,
    seconds: float,
    processes: int = 2,
) -> LoadResult:
    """Fallback: ``processes`` processes, each with its share of raw asyncio keep-alive connections."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n{head}\r\n".encode()
    shares = [connections // processes + (i < connections % processes) for i in range(processes)]
    started = time.perf_counter()
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(
            pool.map(_load_process, [port] * processes, [request] * processes, shares, [seconds] * processes)
        )
    elapsed = time.perf_counter() - started
    latencies = [x for r in results for x in r["latencies"]]
    return LoadResult(
        client=f"python asyncio ({processes} processes × {shares[0]} keep-alive connections)",
        seconds=max(r["seconds"] for r in results) or elapsed,
        requests=sum(r["requests"] for r in results),
        non_2xx=sum(r["non_2xx"] for r in results),
        errors=sum(r["errors"] for r in results),
        latency=Stats.of(latencies) if latencies else None,
    )


def _load_process(port: int, request: bytes, connections: int, seconds: float) -> dict[str, Any]:
    return asyncio.run(_drive(port, request, connections, seconds))


async def _drive(port: int, request: bytes, connections: int, seconds: float) -> dict[str, Any]:
    totals: dict[str, Any] = {"requests": 0, "non_2xx": 0, "errors": 0, "latencies": []}
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(_connection(port, request, deadline, totals) for _ in range(connections)))
    totals["seconds"] = time.perf_counter() - started
    return totals


async def _connection(port: int, request: bytes, deadline: float, totals: dict[str, Any]) -> None:
    max_requests = 1_000_000  # a bound on the loop besides the deadline
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 5)
    except (OSError, TimeoutError):
        totals["errors"] += 1
        return
    try:
        for _ in range(max_requests):
            if time.perf_counter() >= deadline:
                break
            sent = time.perf_counter()
            writer.write(request)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            length = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.I)
            if length is None:
                raise ValueError("response without Content-Length")
            await asyncio.wait_for(reader.readexactly(int(length[1])), 5)
            totals["latencies"].append(time.perf_counter() - sent)
            totals["requests"] += 1
            totals["non_2xx"] += not head.startswith(b"HTTP/1.1 2")
    except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        totals["errors"] += 1
    finally:
        writer.close()


# --- processes: memory and CPU ---------------------------------------------------------------


def cpu_seconds(processes: Sequence[psutil.Process]) -> float:
    """User + system CPU time the processes have used so far."""
    total = 0.0
    for proc in processes:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


@dataclass(frozen=True)
class CpuSnapshot:
    at: float
    machine_busy: float  # CPU seconds the whole machine has spent not idle
    own: float  # this process and the children it has waited for (wrk, load processes)
    processes: dict[int, tuple[str, float]]  # pid → (name, CPU seconds)

    @classmethod
    def take(cls) -> CpuSnapshot:
        busy = psutil.cpu_times()
        own = psutil.Process().cpu_times()
        processes = {}
        for proc in psutil.process_iter(["name", "cpu_times"]):
            times = proc.info["cpu_times"]
            if times is not None:
                processes[proc.pid] = (proc.info["name"] or "", times.user + times.system)
        return cls(
            time.monotonic(),
            sum(busy) - busy.idle - getattr(busy, "iowait", 0.0),
            own.user + own.system + own.children_user + own.children_system,
            processes,
        )

    def split_since(self, before: CpuSnapshot, workers: Sequence[psutil.Process]) -> dict[str, float]:
        """Where the machine's CPU went between two snapshots, in cores (1.0 = one core busy)."""
        seconds = max(1e-9, self.at - before.at)
        ids = {w.pid for w in workers}

        def used(pids: set[int]) -> float:
            return sum(self.processes[p][1] - before.processes.get(p, ("", 0.0))[1] for p in pids)

        postgres = {p for p, (name, _) in self.processes.items() if name == "postgres"}
        split = {
            "closet workers": used(ids & self.processes.keys()),
            "postgres (every backend)": used(postgres),
            "this script and its load client": self.own - before.own,
        }
        split["everything else"] = max(0.0, self.machine_busy - before.machine_busy - sum(split.values()))
        return {name: value / seconds for name, value in split.items()}


class RssSampler:
    """Samples the resident set size of some processes every ``interval`` s; keeps each one's peak."""

    def __init__(self, processes: Sequence[psutil.Process], interval: float = 0.05) -> None:
        self.processes, self.interval = list(processes), interval
        self.peaks: dict[int, int] = {p.pid: 0 for p in self.processes}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            for proc in self.processes:
                try:
                    self.peaks[proc.pid] = max(self.peaks[proc.pid], proc.memory_info().rss)
                except psutil.Error:
                    continue
            self.samples += 1
            if self._stop.wait(self.interval):
                return


# --- asyncio and the database ----------------------------------------------------------------


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run on uvloop when it is installed, as uvicorn does in the server."""
    try:
        import uvloop  # noqa: PLC0415
    except ImportError:
        return asyncio.run(coro)
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coro)


def interrupt_on_signals() -> None:
    """SIGTERM and SIGHUP interrupt like Ctrl-C (even when started in the background), so the
    ``finally`` blocks still stop the server."""

    def interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)


def database_urls(admin_url: str) -> tuple[str, str]:
    """(admin, bench database) as plain postgresql:// URLs; any host but this machine is refused."""
    url = make_url(admin_url)
    if url.host not in LOCAL_HOSTS:
        raise SystemExit(f"refusing {url.host!r}: the benchmarks talk to 127.0.0.1 only")
    url = url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False), url.set(database=SEED_DB).render_as_string(False)


# --- the seed data: what a wardrobe looks like -----------------------------------------------

CATEGORIES: dict[Category, tuple[int, tuple[str, ...]]] = {
    Category.TOP: (22, ("t-shirt", "shirt", "blouse", "tank top", "polo")),
    Category.BOTTOM: (12, ("jeans", "trousers", "shorts", "skirt", "chinos")),
    Category.DRESS: (6, ("midi dress", "maxi dress", "shirt dress", "slip dress")),
    Category.OUTERWEAR: (6, ("coat", "parka", "trench", "blazer", "rain jacket")),
    Category.KNITWEAR: (8, ("jumper", "cardigan", "turtleneck", "knit vest")),
    Category.SHOES: (9, ("sneakers", "boots", "loafers", "sandals", "heels")),
    Category.BAG: (4, ("tote", "backpack", "crossbody", "clutch")),
    Category.ACCESSORY: (6, ("scarf", "belt", "hat", "gloves", "sunglasses")),
    Category.JEWELLERY: (4, ("necklace", "ring", "earrings", "bracelet")),
    Category.ACTIVEWEAR: (6, ("leggings", "sports bra", "running top", "track jacket")),
    Category.SWIMWEAR: (3, ("swimsuit", "bikini", "swim shorts")),
    Category.SLEEPWEAR: (3, ("pyjamas", "nightdress", "robe")),
    Category.UNDERWEAR: (8, ("briefs", "bra", "socks", "boxers")),
    Category.OTHER: (3, ("apron", "umbrella", "costume")),
}
CATEGORY_LIST, CATEGORY_WEIGHTS = list(CATEGORIES), [w for w, _ in CATEGORIES.values()]
LETTER = frozenset(
    {Category.TOP, Category.KNITWEAR, Category.OUTERWEAR, Category.ACTIVEWEAR}
    | {Category.SLEEPWEAR, Category.SWIMWEAR, Category.UNDERWEAR}
)
COLORS = {name: Color(name, hex_value) for name, hex_value in PALETTE.items()}
COLOR_NAMES = list(COLORS)


def _words(text: str) -> list[str]:
    return [word.strip() for word in text.split("|")]


MIXES = [  # "fibre percent …" → a validated composition
    composition(zip(parts[::2], parts[1::2], strict=True))
    for parts in (
        mix.split()
        for mix in _words(
            "cotton 100|cotton 95 elastane 5|cotton 60 polyester 40|wool 80 nylon 20|merino 100|"
            "cashmere 100|linen 100|polyester 100|viscose 70 polyester 30|silk 100|leather 100|"
            "nylon 78 elastane 22|acrylic 50 wool 50"
        )
    )
]
BRANDS = _words(
    "Arket|Acne Studios|Adidas|Agolde|A.P.C.|Asics|Barbour|Birkenstock|Boden|COS|Carhartt|Clarks|"
    "Converse|Dr. Martens|Everlane|Filippa K|Fjällräven|Ganni|Gap|H&M|Hanro|Hush|Isabel Marant|J.Crew|"
    "Jigsaw|Levi's|Lululemon|Madewell|Mango|Marimekko|Massimo Dutti|Muji|New Balance|Nike|Nudie Jeans|"
    "Other Stories|Patagonia|Petit Bateau|Puma|Ralph Lauren|Reformation|Reiss|Rixo|Salomon|"
    "Samsøe Samsøe|Sézane|Sandro|Seasalt|Superga|The North Face|Toast|Tommy Hilfiger|Uniqlo|"
    "Urban Outfitters|Vans|Veja|Weekday|Whistles|Wrangler|Zara"
)
TAGS = _words(
    "work|weekend|travel|date night|gym|favourite|capsule|vintage|second hand|gift|needs repair|formal|"
    "summer holiday|ski|wedding|lounge|rainy day|layering|statement|basics|sustainable|handmade|office|"
    "festival|hiking|evening|party|to sell|comfy|smart casual"
)
STORES = ["Online", "Department store", "Flagship store", "Outlet", "Charity shop", "Vinted", "Market"]
ADJECTIVES = ["classic", "relaxed", "slim", "oversized", "cropped", "soft", "striped", "everyday", "vintage"]
CONDITIONS, SEASONS, REASONS = list(Condition), list(Season), list(ArchiveReason)


@cache
def _size(system: str, label: str) -> Size:
    return Size.of(system, label)


def size_for(rng: random.Random, category: Category) -> Size | None:
    if category in LETTER:
        return _size("letter", rng.choice(("XS", "S", "M", "M", "L", "XL")))
    if category is Category.BOTTOM:
        return _size("jeans", f"W{rng.randrange(26, 38)} L{rng.choice((30, 32, 34))}")
    if category is Category.DRESS:
        return _size("eu", str(rng.randrange(34, 46, 2)))
    if category is Category.SHOES:
        return _size("shoe_eu", str(rng.randrange(36, 46)))
    return _size("one_size", "one size") if category in (Category.BAG, Category.ACCESSORY) else None


def make_item(rng: random.Random, owner: UserId, favourites: list[str], now: datetime) -> ClothingItem:
    """One plausible item; a user's colours lean to their four favourites."""
    category = rng.choices(CATEGORY_LIST, CATEGORY_WEIGHTS)[0]
    kind = rng.choice(CATEGORIES[category][1])
    count = rng.choices((1, 2, 3), (60, 28, 12))[0]
    picks = [rng.choice(favourites) if rng.random() < 0.6 else rng.choice(COLOR_NAMES) for _ in range(count)]
    colors = tuple(COLORS[name] for name in dict.fromkeys(picks))
    created = now - timedelta(seconds=rng.randrange(3 * 365 * 86_400))
    age_days = (now - created).days
    purchase = None
    if rng.random() < 0.6:
        price = Money(Decimal(rng.randrange(500, 40_000)).scaleb(-2), "EUR") if rng.random() < 0.8 else None
        store = rng.choice(STORES) if rng.random() < 0.5 else None
        purchase = Purchase(created.date() - timedelta(days=rng.randrange(400)), price, store)
    worn = rng.random() < 0.7
    archived = rng.random() < 0.08
    updated = created + timedelta(seconds=rng.randrange(int((now - created).total_seconds()) + 1))
    details = ItemDetails(
        name=f"{rng.choice(ADJECTIVES).capitalize()} {colors[0].name} {kind}",
        category=category,
        subcategory=kind,
        brand=rng.choice(BRANDS) if rng.random() < 0.85 else None,
        colors=colors,
        size=size_for(rng, category),
        materials=rng.choice(MIXES) if rng.random() < 0.75 else (),
        condition=rng.choice(CONDITIONS) if rng.random() < 0.6 else None,
        purchase=purchase,
        seasons=frozenset(rng.sample(SEASONS, rng.randint(0, 4))),
        tags=tuple(rng.sample(TAGS, rng.choices((0, 1, 2, 3, 4), (25, 30, 25, 12, 8))[0])),
        notes="Dry clean only." if rng.random() < 0.1 else None,
    )
    return ClothingItem(
        id=ItemId(uuid.UUID(int=rng.getrandbits(128), version=4)),
        owner_id=owner,
        details=details,
        created_at=created,
        updated_at=updated,
        status=ItemStatus.ARCHIVED if archived else ItemStatus.ACTIVE,
        archive_reason=rng.choice(REASONS) if archived else None,
        archived_at=updated if archived else None,
        wear_count=rng.randint(1, 80) if worn else 0,
        last_worn_at=(now - timedelta(days=rng.randrange(min(730, age_days + 1)))).date() if worn else None,
        version=rng.randint(1, 4),
    )


# --- seeding ---------------------------------------------------------------------------------


class Copier:
    """Turns the app's row dicts for one table into COPY records (JSON as text, money scaled)."""

    def __init__(self, table: Table) -> None:
        self.table, self.columns = table, [c.name for c in table.columns]
        self.json = [c.name for c in table.columns if isinstance(c.type, JSON)]
        self.money = [(c.name, c.type) for c in table.columns if isinstance(c.type, ExactDecimal)]

    def record(self, row: dict[str, Any]) -> tuple[Any, ...]:
        for name in self.json:
            row[name] = json.dumps(row[name])
        for name, kind in self.money:
            row[name] = kind.process_bind_param(row[name], DIALECT)
        return tuple(row[name] for name in self.columns)


SEED_TABLES = (users, items, item_colors, item_tags, item_materials, documents)
COPIERS = {t.name: Copier(t) for t in SEED_TABLES}
PROJECTION_TABLES = {"color": "item_colors", "tag": "item_tags", "fibre": "item_materials"}


def document_row(change: DocumentChange, now: datetime) -> dict[str, Any]:
    """A documents-table row as SqlDocumentStore.apply writes it once the change is applied."""
    return {
        "kind": change.kind.value,
        "doc_id": change.doc_id,
        "owner_id": change.owner_id,
        "version": change.version,
        "deleted": change.body is None,
        "body": dict(change.body) if change.body is not None else None,
        "updated_at": now,
    }


async def ensure_seeded(admin_url: str, db_url: str, n_users: int, per_user: int, reseed: bool) -> None:
    """The bench database with ``n_users`` × ``per_user`` items at this code's schema, built if it is
    missing, holds other counts, or is at another migration (an upgrade could rewrite the data)."""
    admin = await asyncpg.connect(admin_url, timeout=10)
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", SEED_DB)
        if exists and not reseed:
            have, current = await seed_state(db_url)
            want = (n_users, n_users * per_user, n_users * per_user)
            if have == want and current:
                print(f"seed: {SEED_DB} already holds {have[0]:,} users and {have[1]:,} items; skipped")
                return
            why = "an older schema" if have == want else f"{have[0]:,} users and {have[1]:,} items"
            print(f"seed: {SEED_DB} holds {why}; rebuilding it")
        await admin.execute(f'DROP DATABASE IF EXISTS "{SEED_DB}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{SEED_DB}"')
    finally:
        await admin.close()
    started = time.perf_counter()
    await migrate_database(seed_settings(db_url))
    await _load_seed(db_url, n_users, per_user)
    print(f"seed: {n_users:,} users × {per_user} items loaded in {time.perf_counter() - started:.1f} s")


async def seed_state(db_url: str) -> tuple[tuple[int, int, int], bool]:
    """(users, items, documents) counts, and whether the schema is at this code's head."""
    engine = create_engine(db_url, pool_size=1)
    try:
        current, heads = await pending_revisions(engine)
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(db_url, timeout=10)
    try:
        row = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM items), "
            "(SELECT count(*) FROM documents)"
        )
        return (row[0], row[1], row[2]), current == heads
    except asyncpg.UndefinedTableError:
        return (0, 0, 0), False
    finally:
        await conn.close()


async def _load_seed(db_url: str, n_users: int, per_user: int) -> None:
    """Users, items, their projections and their (applied) documents, through COPY."""
    rng = random.Random(SEED)
    now = datetime.now(UTC).replace(microsecond=0)
    password_hash = await Argon2PasswordHasher().hash(SEED_PASSWORD)  # one hash, shared by every user
    people = [
        User(
            id=UserId(uuid.UUID(int=rng.getrandbits(128), version=4)),
            email=f"bench-{n}@example.com",
            display_name=f"Bench user {n}",
            password_hash=password_hash,
            created_at=now - timedelta(days=rng.randrange(1, 1100)),
        )
        for n in range(n_users)
    ]

    def build(batch: list[User]) -> dict[str, list[tuple[Any, ...]]]:
        records: dict[str, list[tuple[Any, ...]]] = {t.name: [] for t in SEED_TABLES if t is not users}
        for user in batch:
            favourites = rng.sample(COLOR_NAMES, 4)
            for _ in range(per_user):
                item = make_item(rng, user.id, favourites, now)
                records["items"].append(COPIERS["items"].record(to_row(item)))
                for key, rows in projection_rows(item).items():
                    table = PROJECTION_TABLES[key]
                    records[table].extend(COPIERS[table].record(r) for r in rows)
                document = document_row(item_document(item), item.updated_at)
                records["documents"].append(COPIERS["documents"].record(document))
        return records

    conn = await asyncpg.connect(db_url, timeout=10)
    try:
        await _copy(conn, "users", [COPIERS["users"].record(user_to_row(u)) for u in people])
        batches = [people[i : i + 50] for i in range(0, len(people), 50)]
        pending = asyncio.create_task(asyncio.to_thread(build, batches[0])) if batches else None
        for index in range(len(batches)):  # build the next batch while Postgres loads this one
            assert pending is not None
            records = await pending
            if index + 1 < len(batches):
                pending = asyncio.create_task(asyncio.to_thread(build, batches[index + 1]))
            for table, rows in records.items():
                await _copy(conn, table, rows)
        await conn.execute("VACUUM (ANALYZE)")
    finally:
        await conn.close()


async def _copy(conn: asyncpg.Connection, table: str, rows: list[tuple[Any, ...]]) -> None:
    await conn.copy_records_to_table(table, records=rows, columns=COPIERS[table].columns)


def seed_settings(db_url: str, **overrides: object) -> Settings:
    """Settings for in-process use of the app's code against the bench database."""
    return load_settings({}, profile=Profile.POSTGRES, database_url=db_url, jwt_secret="x" * 32, **overrides)
