"""Benchmark: the filtered, sorted item list on 500,000 items, through HTTP and as raw SQL.

Seeds a dedicated Postgres database (1,000 users × 500 items, kept between runs; --reseed
rebuilds it), then measures ``GET /api/v1/items?category=…&color=…&sort=-last_worn_at&limit=50``
for one owner through ``closet serve --workers 2``, and the same SQL straight through asyncpg,
and prints the figures beside the targets. A script, not a test; it talks to 127.0.0.1 only.

Then it measures the same request, with the same token, against the ceiling
(bench/_list_ceiling.py): the least a Litestar service can do for it on the same uvicorn workers
(the JWT check, the app's session query and list SQL on raw asyncpg, a msgspec encode; once with
the rows back in Python, once with Postgres building the JSON). Its figures, printed beside the
app's in the same run, say what this machine allows for the route whatever the application does.

    .venv/bin/python bench/items_list.py [--reseed] [--requests 2000] [--duration 10] [--no-ceiling]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg
from sqlalchemy import event

from _common import (
    DIALECT,
    SEED_PASSWORD,
    CpuSnapshot,
    KeepAliveClient,
    LoadResult,
    RssSampler,
    Server,
    Stats,
    cpu_seconds,
    database_urls,
    ensure_seeded,
    free_port,
    interrupt_on_signals,
    ms,
    print_table,
    run_async,
    run_load,
    seed_settings,
)
from closet.adapters.sql.items import page_statement
from closet.adapters.sql.users import SIGNED_IN
from closet.application.filters import FilterSpec, build_filter
from closet.application.item_query import ItemQuery, Sort
from closet.application.items import ListItemsCommand
from closet.container import build_container
from closet.domain.users import UserId

SORT, LIMIT, CLIENTS, WORKERS = "-last_worn_at", 50, 32, 2
TARGET_P50, TARGET_P99, TARGET_RPS, TARGET_RATIO = 0.004, 0.012, 1000.0, 2.5


# --- the measured list -----------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    owner_id: uuid.UUID
    email: str
    category: str
    color: str
    matches: int  # active items of this owner with this category and colour

    @property
    def path(self) -> str:
        query = {"category": self.category, "color": self.color, "sort": SORT, "limit": LIMIT}
        return "/api/v1/items?" + urlencode(query)


async def pick_target(db_url: str) -> Target:
    """The owner, category and colour with the most matching active items (a full page if any)."""
    conn = await asyncpg.connect(db_url, timeout=10)
    try:
        row = await conn.fetchrow(
            "SELECT i.owner_id, i.category, c.color, count(*) AS n FROM items i "
            "JOIN item_colors c ON c.item_id = i.id WHERE i.status = 'active' "
            "GROUP BY 1, 2, 3 ORDER BY n DESC, 1, 2, 3 LIMIT 1"
        )
        email = await conn.fetchval("SELECT email FROM users WHERE id = $1", row["owner_id"])
    finally:
        await conn.close()
    return Target(row["owner_id"], email, row["category"], row["color"], row["n"])


def list_sql(target: Target) -> tuple[str, list[Any]]:
    """The repository's own statement for this list, compiled as SQLAlchemy sends it to asyncpg."""
    spec = FilterSpec(category=[target.category], color=[target.color], status=["active"])
    query = ItemQuery(filter=build_filter(spec), sort=Sort.parse(SORT), limit=LIMIT, after=None)
    statement, values = page_statement(UserId(target.owner_id), query)
    expanded = statement.compile(dialect=DIALECT).construct_expanded_state(values)
    return expanded.statement, list(expanded.positional_parameters)


async def app_statements(db_url: str, target: Target) -> list[tuple[str, tuple[Any, ...]]]:
    """Every statement the list use case sends for this page, parameters included, captured from
    the app's own container (the wiring `closet serve` uses; the relay is not started)."""
    container = build_container(seed_settings(db_url, relay=False))
    engine = container.engine()
    sent: list[tuple[str, tuple[Any, ...]]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, tuple(params)))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    spec = FilterSpec(category=[target.category], color=[target.color], status=["active"])
    command = ListItemsCommand(owner_id=UserId(target.owner_id), filter=spec, sort=SORT, limit=LIMIT)
    try:
        await container.list_items()(command)
    finally:
        await engine.dispose()
    return sent


@dataclass
class Floor:
    list_sql: Stats  # the items query alone
    all_sql: Stats  # every statement of the use case, one after another
    statements: int
    rows: int
    plans: list[list[str]]


async def measure_floor(db_url: str, target: Target, count: int) -> Floor:
    statements = await app_statements(db_url, target)
    sql, params = list_sql(target)
    if statements[0] != (sql, tuple(params)):
        print("warning: the app's list SQL differs from select(items)…; the floor replays the app's")
    conn = await asyncpg.connect(db_url, timeout=10)
    try:
        plans = [
            [r[0] for r in await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + s, *p)] for s, p in statements
        ]
        prepared = [(await conn.prepare(s), p) for s, p in statements]
        first, first_params = prepared[0]
        rows = await first.fetch(*first_params)
        timings: dict[str, list[float]] = {"list": [], "all": []}
        deadline = time.perf_counter() + 60
        for _ in range(count + 200):  # the first 200 rounds warm up
            started = time.perf_counter()
            await first.fetch(*first_params)
            between = time.perf_counter()
            for statement, args in prepared:
                await statement.fetch(*args)
            timings["list"].append(between - started)
            timings["all"].append(time.perf_counter() - between)
            if started > deadline:
                break
    finally:
        await conn.close()
    list_stats, all_stats = (Stats.of(timings[k][200:] or timings[k]) for k in ("list", "all"))
    return Floor(list_stats, all_stats, len(statements), len(rows), plans)


def check_page(status: int, body: bytes, target: Target) -> int:
    """Fail loudly unless the response is the page we expect; returns how many items it holds."""
    if status != 200:
        raise SystemExit(f"GET {target.path} answered {status}: {body[:300]!r}")
    page = json.loads(body)
    got = page["items"]
    problems = []
    if len(got) != min(target.matches, LIMIT):
        problems.append(f"{len(got)} items, expected {min(target.matches, LIMIT)}")
    if any(
        i["category"] != target.category or target.color not in {c["name"] for c in i["colors"]} for i in got
    ):
        problems.append("an item that does not match the filter")
    worn = [i["last_worn_at"] for i in got]
    dated = [w for w in worn if w is not None]
    if dated != sorted(dated, reverse=True) or worn[: len(dated)] != dated:
        problems.append("not sorted by last_worn_at descending, nulls last")
    if (page["next_cursor"] is not None) != (target.matches > LIMIT):
        problems.append("next_cursor is wrong")
    if problems:
        raise SystemExit("the list response is wrong: " + "; ".join(problems))
    return len(got)


@dataclass
class Served:
    """One server's figures for the page: one client, then CLIENTS at once."""

    single: Stats
    single_failures: int
    single_cpu: float  # worker CPU seconds per request, single client
    page_size: int
    load: LoadResult
    load_cpu: float  # worker CPU seconds per request, under load
    rss_peaks: list[int]
    rss_samples: int
    cpu_split: dict[str, float]  # cores busy during the throughput run, by whom

    @property
    def clean(self) -> bool:
        """Every request answered 200 (one client) or 2xx (under load), with no socket error."""
        return not (self.single_failures or self.load.errors or self.load.non_2xx)


def drive(server: Server, target: Target, headers: dict[str, str], args: argparse.Namespace) -> Served:
    """The measured requests against a running server: the page is checked first, then timed."""
    workers = server.worker_processes()
    client = KeepAliveClient(server.port, headers)
    try:
        page_size = check_page(*client.request("GET", target.path), target)
        client.timed_gets(target.path, 200, 30)  # warm-up
        cpu = cpu_seconds(workers)
        latencies, failures = client.timed_gets(target.path, args.requests, 120)
        single_cpu = (cpu_seconds(workers) - cpu) / len(latencies)
    finally:
        client.close()
    load_with: dict[str, Any] = {"connections": CLIENTS, "client": args.load_client}
    run_load(server.port, target.path, headers, seconds=2, **load_with)  # warm-up
    cpu, before = cpu_seconds(workers), CpuSnapshot.take()
    with RssSampler(workers) as rss:
        load = run_load(server.port, target.path, headers, seconds=args.duration, **load_with)
    split = CpuSnapshot.take().split_since(before, workers)
    load_cpu = (cpu_seconds(workers) - cpu) / max(1, load.requests)
    peaks = list(rss.peaks.values())
    return Served(
        Stats.of(latencies), failures, single_cpu, page_size, load, load_cpu, peaks, rss.samples, split
    )


@dataclass
class HttpResults:
    app: Served
    stop_seconds: float
    headers: dict[str, str]  # the bearer token the app issued (the ceiling accepts it too)


def measure_http(db_url: str, target: Target, secret: str, args: argparse.Namespace) -> HttpResults:
    env = {
        "CLOSET_PROFILE": "postgres",
        "CLOSET_DATABASE_URL": db_url,
        "CLOSET_JWT_SECRET": secret,
        "CLOSET_ACCESS_TOKEN_MINUTES": "60",
        "CLOSET_LOG_LEVEL": "WARNING",
        "CLOSET_AUTO_MIGRATE": "false",
        # One user sends every request here: lift the per-user limit so no request is refused
        # (the limiter still counts each one, so its cost is in the figures).
        "CLOSET_RATE_LIMIT_PER_MINUTE": "1000000",
    }
    with Server(env, workers=WORKERS, port=free_port()) as server:
        client = KeepAliveClient(server.port)
        try:
            login = {"email": target.email, "password": SEED_PASSWORD}
            status, body = client.request("POST", "/api/v1/auth/login", login)
        finally:
            client.close()
        if status != 200:
            raise SystemExit(f"login answered {status}: {body[:300]!r}")
        headers = {"Authorization": f"Bearer {json.loads(body)['access_token']}"}
        served = drive(server, target, headers, args)
    return HttpResults(served, server.stop_seconds, headers)


# --- the ceiling: the least a Litestar service can do for this request (bench/_list_ceiling.py)


def session_sql() -> str:
    """The app's session check, which every signed-in request runs, as it reaches asyncpg: $1 is
    the user id, $2 the session id."""
    compiled = SIGNED_IN.compile(dialect=DIALECT)
    if list(compiled.positiontup or ()) != ["user_id", "session_id"]:
        raise SystemExit(f"the session check's parameters changed: {compiled.positiontup}")
    return compiled.string


def measure_ceiling(
    db_url: str, target: Target, secret: str, headers: dict[str, str], mode: str, args: argparse.Namespace
) -> Served:
    env = {
        "CEILING_DB": db_url,
        "CEILING_SECRET": secret,
        "CEILING_MODE": mode,
        "CEILING_TARGET": json.dumps(
            {"owner_id": str(target.owner_id), "category": target.category, "color": target.color}
        ),
    }
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "_list_ceiling:app", "--app-dir", str(Path(__file__).parent),
        "--port", str(port), "--workers", str(WORKERS), "--loop", "uvloop", "--http", "httptools",
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    with Server(env, workers=WORKERS, port=port, command=command) as server:
        return drive(server, target, headers, args)


def report(target: Target, floor: Floor, http: HttpResults, ceilings: dict[str, Served]) -> None:
    def row(name: str, value: str, goal: str = "", ok: bool | None = None) -> list[str]:
        return [name, value, goal, "—" if ok is None else ("yes" if ok else "NO")]

    app = http.app
    single, load = app.single, app.load
    ratio = single.p50 / floor.list_sql.p50
    rows = [
        row("API p50, 1 client", ms(single.p50), f"≤ {ms(TARGET_P50)}", single.p50 <= TARGET_P50),
        row("API p99, 1 client", ms(single.p99), f"≤ {ms(TARGET_P99)}", single.p99 <= TARGET_P99),
        row("API mean, 1 client", ms(single.mean)),
        row("  worker CPU per request", ms(app.single_cpu)),
        row(
            f"throughput, {CLIENTS} clients",
            f"{load.rps:,.0f} req/s",
            f"≥ {TARGET_RPS:,.0f} req/s",
            load.rps >= TARGET_RPS and app.clean,
        ),
        row("  errors / non-2xx", f"{load.errors} / {load.non_2xx}", "0 / 0", app.clean),
    ]
    if load.latency:
        rows.append(row("  p50 / p99 under load", f"{ms(load.latency.p50)} / {ms(load.latency.p99)}"))
    rows.append(row("  worker CPU per request", ms(app.load_cpu)))
    rows += [
        row(f"peak RSS, worker {i}", f"{peak / 2**20:.1f} MB") for i, peak in enumerate(app.rss_peaks, 1)
    ]
    rows += [
        row("floor p50, list SQL (asyncpg)", ms(floor.list_sql.p50), "baseline"),
        row("floor p99, list SQL (asyncpg)", ms(floor.list_sql.p99), "baseline"),
        row(f"  p50, all {floor.statements} statements of the use case", ms(floor.all_sql.p50)),
        row("API p50 / floor p50", f"{ratio:.1f}×", f"≤ {TARGET_RATIO}×", ratio <= TARGET_RATIO),
    ]
    for mode, ceiling in ceilings.items():
        c_single, c_load = ceiling.single, ceiling.load
        rows += [
            row(f"ceiling ({mode}) p50, 1 client", ms(c_single.p50), "reference"),
            row("  p50 / floor p50", f"{c_single.p50 / floor.list_sql.p50:.1f}×", "reference"),
            row(f"  throughput, {CLIENTS} clients", f"{c_load.rps:,.0f} req/s", "reference"),
            row("  errors / non-2xx", f"{c_load.errors} / {c_load.non_2xx}", "0 / 0", ceiling.clean),
            row(
                "  worker CPU per request, 1 client / load",
                f"{ms(ceiling.single_cpu)} / {ms(ceiling.load_cpu)}",
            ),
        ]
    print(f"\nGET {target.path}  ({app.page_size} items in the page)")
    print_table(["measure", "value", "target", "met?"], rows)


def cores(split: dict[str, float]) -> str:
    return ", ".join(f"{name} {busy:.2f}" for name, busy in split.items())


def benchmark(args: argparse.Namespace, admin_url: str, db_url: str) -> None:
    started = time.perf_counter()

    run_async(ensure_seeded(admin_url, db_url, args.users, args.items_per_user, args.reseed))
    target = run_async(pick_target(db_url))
    print(f"owner {target.email}: {target.matches} active {target.category} items in {target.color}")
    floor = run_async(measure_floor(db_url, target, args.requests))
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the list SQL ({floor.rows} rows):")
    print("\n".join("  " + line for line in floor.plans[0][:12]))
    for number, plan in enumerate(floor.plans[1:], 2):
        print(f"statement {number} of {floor.statements} of the use case: {plan[0].strip()}")
    secret = secrets.token_urlsafe(48)
    http = measure_http(db_url, target, secret, args)
    ceilings = {}
    if not args.no_ceiling:
        for mode in ("rows", "json"):
            ceilings[mode] = measure_ceiling(db_url, target, secret, http.headers, mode, args)
    app = http.app
    print(
        f"\nsingle client: http.client on one keep-alive connection, {app.single.count} requests, "
        f"{app.single_failures} not 200"
    )
    print(f"throughput: {app.load.client}, {app.load.seconds:.1f} s, {app.load.requests:,} requests")
    print(f"RSS: {len(app.rss_peaks)} workers sampled {app.rss_samples} times, every 50 ms")
    print(f"floor: one asyncpg connection, prepared statements, {floor.list_sql.count} rounds")
    print(f"server: stopped {http.stop_seconds:.1f} s after SIGTERM (killed at 15 s)")
    print(f"cores busy during the throughput run (of {os.cpu_count()}): {cores(app.cpu_split)}")
    for mode, ceiling in ceilings.items():
        print(f"  the same, ceiling ({mode}): {cores(ceiling.cpu_split)}")
    if ceilings:
        print(
            "ceiling: bench/_list_ceiling.py, the least a Litestar service can do for this request on the "
            "same workers, token and SQL\n  (JWT check, session query, page query, msgspec encode; rows: "
            "Python gets the rows; json: Postgres builds the JSON)"
        )
    report(target, floor, http, ceilings)
    print(f"\n(whole run: {time.perf_counter() - started:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--items-per-user", type=int, default=500)
    parser.add_argument("--requests", type=int, default=2000, help="sequential requests (API and floor)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of the throughput run")
    parser.add_argument("--reseed", action="store_true", help="drop and rebuild the bench database")
    parser.add_argument(
        "--no-ceiling",
        action="store_true",
        help="skip the ceiling app (bench/_list_ceiling.py) and its figures",
    )
    parser.add_argument("--load-client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="an admin URL; the bench database is created beside it",
    )
    args = parser.parse_args()
    admin_url, db_url = database_urls(args.database_url)
    interrupt_on_signals()
    try:
        benchmark(args, admin_url, db_url)
    except KeyboardInterrupt as exc:
        raise SystemExit(f"interrupted ({exc or 'SIGINT'})") from None


if __name__ == "__main__":
    main()
