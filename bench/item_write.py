"""Benchmark: POST /api/v1/items (tags and a description) on Postgres + a MongoDB-wire documents store.

Starts nx-27017 (the MongoDB wire protocol over SQLite) and ``closet serve --workers 2`` (production
profile, relay on, rate limits counted in the local Redis) on a fresh Postgres database, then measures
in one run:

1. one client (sequential keep-alive POSTs) and 32 concurrent clients (wrk), documents store up;
2. the same with the store down (nx-27017 killed): the outbox-only path;
3. the project's relay (``DocumentSync.drain``) applying the backlog, ≥ 10,000 rows, once it is back;
4. the floor: one SQL insert and one document upsert through asyncpg and PyMongo directly, and the
   add-item use case in-process, timed step by step (where the API's time goes).

A script, not a test: it talks to 127.0.0.1 only, and stops what it started.

    .venv/bin/python bench/item_write.py [--requests 1000] [--duration 10] [--backlog 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import psutil
from sqlalchemy.engine import make_url

from _common import (
    _WRK_UNITS,
    COPIERS,
    HOST,
    LOCAL_HOSTS,
    PROJECTION_TABLES,
    KeepAliveClient,
    LoadResult,
    Server,
    Stats,
    free_port,
    interrupt_on_signals,
    ms,
    print_table,
    run_async,
)
from closet.adapters.mongo.client import mongo_client
from closet.adapters.sql.item_rows import projection_rows, to_row
from closet.application.documents import item_document
from closet.application.items import AddItemCommand
from closet.application.specs import ColorSpec, ItemSpec, build_details
from closet.container import Container, build_container, migrate_database, mongo_database
from closet.domain.items import ClothingItem
from closet.domain.users import UserId
from closet.settings import Settings, load_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests/
from tests.mongo_server import NxServer

PATH, CLIENTS, WORKERS, DB_NAME = "/api/v1/items", 32, 2, "closet_bench_write"
PASSWORD = "bench-password-1234"
T = TypeVar("T")
TARGET_P50, TARGET_DRAIN_ROWS, TARGET_DRAIN_SECONDS = 0.008, 10_000, 20.0
NOTES = (
    "Double-breasted navy coat in a heavy wool blend, bought for the office. Runs a little large, "
    "so it fits over a thick jumper. Dry clean only; brush it after wearing and hang it to air."
)


def item_body(n: int) -> dict[str, Any]:
    return {
        "name": f"Wool coat {n}", "category": "outerwear", "brand": "Acme", "colors": [{"name": "navy"}],
        "tags": ["work", "winter", "wool"], "notes": NOTES, "seasons": ["winter"],
    }  # fmt: skip


def new_item(owner: UserId, n: int) -> tuple[ItemSpec, ClothingItem]:
    """``item_body(n)`` as the use case receives it, and the item it makes of it."""
    body = item_body(n)
    spec = ItemSpec(**body | {"colors": [ColorSpec(**c) for c in body["colors"]]})
    now = datetime.now(UTC)
    return spec, ClothingItem.create(owner, build_details(spec, now.date()), now)


# --- HTTP --------------------------------------------------------------------------------------


@dataclass
class HttpRun:
    single: Stats
    single_rps: float
    single_failures: int
    load: LoadResult
    other_load: tuple[float, float]  # % of all cores used by other processes, 1 and 32 clients


def cpu_times(server: Server, nx: NxServer) -> dict[str, float]:
    """CPU seconds so far: this process (the single client), uvicorn's workers, nx-27017, Postgres (all
    databases, with its exited backends: connections churn under load), Redis, our ended children (wrk),
    interrupts, the hypervisor's steal, and the machine's idle and I/O-wait time."""

    def used(proc: psutil.Process, reaped: bool = False) -> float:
        try:
            t = proc.cpu_times()
        except psutil.Error:
            return 0.0
        return t.user + t.system + (t.children_user + t.children_system if reaped else 0.0)

    children, machine = resource.getrusage(resource.RUSAGE_CHILDREN), psutil.cpu_times()
    return {
        "this client": used(psutil.Process()),
        "workers": sum(used(p) for p in server.worker_processes()),
        "nx-27017": used(psutil.Process(nx.process.pid)) if nx.process else 0.0,
        "postgres": sum(used(p, True) for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"),
        "redis": sum(used(p) for p in psutil.process_iter(["name"]) if p.info["name"] == "redis-server"),
        "wrk": children.ru_utime + children.ru_stime,
        "kernel irq": machine.irq + machine.softirq,  # the loopback network, mostly
        "vm steal": machine.steal,
        "idle": machine.idle,
        "io wait": machine.iowait,  # idle, waiting for a disk
    }


def single_client(port: int, token: str, count: int) -> tuple[Stats, float, int]:
    """Sequential POSTs on one keep-alive connection: (latency, req/s, responses other than 201)."""
    client = KeepAliveClient(port, {"Authorization": f"Bearer {token}"})
    latencies: list[float] = []
    failures = 0
    try:
        started = time.perf_counter()
        for n in range(count):
            sent = time.perf_counter()
            status, _ = client.request("POST", PATH, item_body(n))
            latencies.append(time.perf_counter() - sent)
            failures += status != 201
            if sent - started > 120:
                break
        elapsed = time.perf_counter() - started
    finally:
        client.close()
    return Stats.of(latencies), len(latencies) / elapsed, failures


def load(port: int, tokens: list[str], seconds: float) -> LoadResult:
    """wrk, in its own process: ``CLIENTS`` keep-alive connections POSTing, each request as the
    next of ``tokens``' users, for ``seconds``."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("the 32-client runs need wrk (apt-get install wrk)")
    script = (
        f"local tokens = {{{', '.join(json.dumps(t) for t in tokens)}}}\n"
        f"local body = [==[{json.dumps(item_body(0))}]==]\nlocal i = 0\n"
        "request = function()\n  i = i % #tokens + 1\n"
        f'  return wrk.format("POST", "{PATH}", {{["Content-Type"] = "application/json", '
        '["Authorization"] = "Bearer " .. tokens[i]}, body)\nend\n'
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        args = [wrk, "-t1", f"-c{CLIENTS}", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "10s"]
        args += ["-s", lua.name, f"http://{HOST}:{port}{PATH}"]
        out = subprocess.run(args, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    if total is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    q = {
        p: float(v) * _WRK_UNITS[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(\w+)\s*$", out, re.M)
    }
    if spread := re.search(r"Latency\s+([\d.]+)(\w+)\s+[\d.]+\w+\s+([\d.]+)(\w+)", out):  # avg, stdev, max
        q |= {
            "mean": float(spread[1]) * _WRK_UNITS[spread[2]],
            "max": float(spread[3]) * _WRK_UNITS[spread[4]],
        }
    return LoadResult(
        client=f"wrk (1 thread, {CLIENTS} connections, {len(tokens)} users)",
        seconds=float(total[2]) * _WRK_UNITS[total[3]],
        requests=int(total[1]),
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        errors=sum(int(x) for x in errors.groups()) if errors else 0,
        latency=Stats(int(total[1]), q["50"], q["99"], q["mean"], q["max"]) if len(q) == 4 else None,
    )


def with_cpu(server: Server, nx: NxServer, run: Callable[[], T]) -> tuple[T, dict[str, float]]:
    """``run()``, and the CPU each group of processes used meanwhile, in % of all cores."""
    before, began = cpu_times(server, nx), time.monotonic()
    result = run()
    after, capacity = cpu_times(server, nx), (time.monotonic() - began) * (psutil.cpu_count() or 1) / 100
    cpu = {k: max(0.0, after[k] - before[k]) / capacity for k in after}
    idle, io_wait = cpu.pop("idle"), cpu.pop("io wait")
    busy = 100 - idle - io_wait
    cpu |= {"anything else": max(0.0, busy - sum(cpu.values())), "machine busy": busy, "io wait": io_wait}
    print("  CPU used, % of all cores: " + ", ".join(f"{k} {v:.0f}%" for k, v in cpu.items()))
    return result, cpu


def http_run(name: str, server: Server, nx: NxServer, tokens: list[str], args: argparse.Namespace) -> HttpRun:
    single_client(server.port, tokens[0], args.warmup)
    print(f"{name}, 1 client: {args.requests} sequential POSTs on one keep-alive connection")
    (single, rps, failures), cpu_1 = with_cpu(
        server, nx, lambda: single_client(server.port, tokens[0], args.requests)
    )
    load(server.port, tokens, 2)  # warm-up: the pools grow (and, store down, every breaker trips)
    print(f"{name}, {CLIENTS} clients: wrk, 1 thread, {CLIENTS} connections as {len(tokens)} users")
    many, cpu_32 = with_cpu(server, nx, lambda: load(server.port, tokens, args.duration))
    return HttpRun(single, rps, failures, many, (cpu_1["anything else"], cpu_32["anything else"]))


def backlog(port: int) -> int:
    """``outbox.pending`` from GET /ready (503 while a store is down, the backlog still in it)."""
    client = KeepAliveClient(port)
    try:
        return int(json.loads(client.request("GET", "/ready")[1])["outbox"]["pending"])
    finally:
        client.close()


def sign_up(port: int, users: int) -> tuple[list[str], UserId]:
    """Register and log in ``users`` accounts; check one POST: (access tokens, the first user's id)."""
    client, tokens = KeepAliveClient(port), []
    try:
        for n in range(users):
            creds = {"email": f"writer-{n}@example.com", "password": PASSWORD}
            status, body = client.request("POST", "/api/v1/auth/register", {**creds, "display_name": "W"})
            assert status == 202, body[:300]  # accepted: the confirmation email goes out
            status, body = client.request("POST", "/api/v1/auth/login", creds)
            assert status == 200, body[:300]
            tokens.append(json.loads(body)["access_token"])
        client.headers["Authorization"] = f"Bearer {tokens[0]}"
        status, body = client.request("POST", PATH, item_body(0))
        if status != 201:
            raise SystemExit(f"POST {PATH} answered {status}: {body[:300]!r}")
        owner = UserId(uuid.UUID(json.loads(client.request("GET", "/api/v1/me")[1])["id"]))
    finally:
        client.close()
    return tokens, owner


# --- the stores directly -----------------------------------------------------------------------


async def counts(settings: Settings) -> tuple[int, int, int]:
    """(items in SQL, live item_tags documents in MongoDB, pending outbox rows)."""
    conn = await asyncpg.connect(settings.database_url, timeout=10)
    client = mongo_client(settings.mongo_url, 5000)
    try:
        n_items = await conn.fetchval("SELECT count(*) FROM items")
        pending = await conn.fetchval("SELECT count(*) FROM outbox WHERE done_at IS NULL")
        docs = await client[settings.mongo_database]["item_tags"].count_documents({"deleted": False})
    finally:
        await conn.close()
        await client.close()
    return n_items, docs, pending


async def started(settings: Settings) -> Container:
    container = build_container(settings)
    await container.init_resources()  # type: ignore[misc]
    return container


async def drain(settings: Settings) -> tuple[int, int, float]:
    """Time the project's relay, ``DocumentSync.drain()`` (batches of 1,000 until nothing is due):
    (applied, failed, seconds)."""
    container = await started(settings)  # connected to both stores (not timed), as a running relay is
    try:
        async with container.engine().begin() as conn:  # backoffs, the stopped server's leases: due now
            await conn.exec_driver_sql("UPDATE outbox SET next_attempt_at = now() WHERE done_at IS NULL")
        begun = time.perf_counter()
        report = await asyncio.wait_for(container.document_sync().drain(), 120)
        return report.applied, report.failed, time.perf_counter() - begun
    finally:
        await container.shutdown_resources()  # type: ignore[misc]


async def raw_floor(settings: Settings, owner: UserId, count: int) -> dict[str, Stats]:
    """One item row and its projection rows in a transaction (asyncpg, prepared), then one
    ``update_one(upsert=True)`` of its document with the adapter's filter, fields and write concern."""
    conn = await asyncpg.connect(settings.database_url, timeout=10)
    client = mongo_client(settings.mongo_url, settings.mongo_timeout_ms)
    collection = mongo_database(client, settings)["item_tags"]
    inserts = {}
    for table in ("items", *PROJECTION_TABLES.values()):
        columns = COPIERS[table].columns
        marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
        inserts[table] = await conn.prepare(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})")
    times: dict[str, list[float]] = {"pair": [], "sql": [], "doc": []}
    try:
        for n in range(count + 50):  # the first 50 warm up
            _, item = new_item(owner, n)
            row = COPIERS["items"].record(to_row(item))
            projections = [
                (inserts[PROJECTION_TABLES[k]], [COPIERS[PROJECTION_TABLES[k]].record(r) for r in rows])
                for k, rows in projection_rows(item).items()
                if rows
            ]
            change = item_document(item)
            fields = {"owner_id": str(owner), "version": change.version, "deleted": False}
            fields |= {"body": dict(change.body or {}), "updated_at": datetime.now(UTC)}
            t0 = time.perf_counter()
            async with conn.transaction():
                await inserts["items"].fetch(*row)
                for statement, records in projections:
                    await statement.executemany(records)
            t1 = time.perf_counter()
            query = {"_id": str(item.id), "version": {"$lt": change.version}}
            await collection.update_one(query, {"$set": fields}, upsert=True)
            t2 = time.perf_counter()
            for key, value in {"pair": t2 - t0, "sql": t1 - t0, "doc": t2 - t1}.items() if n >= 50 else ():
                times[key].append(value)
    finally:
        await conn.close()
        await client.close()
    return {k: Stats.of(v) for k, v in times.items()}


async def use_case_steps(settings: Settings, owner: UserId, count: int) -> dict[str, Stats]:
    """AddItem in-process (the container `closet serve` builds): until it returns (after the commit;
    DocumentSync.publish applies the document behind it) and until that publish is done too; and
    the steps one by one: SQL transaction (item + outbox row), document upsert, outbox mark-done
    transaction."""
    container = await started(settings)
    sync, add_item = container.document_sync(), container.add_item()
    times: dict[str, list[float]] = {"whole": [], "settled": [], "sql": [], "doc": [], "done": []}
    try:
        for n in range(count + 50):  # the first 50 warm up
            spec, item = new_item(owner, n)
            t0 = time.perf_counter()
            async with container.uow() as uow:
                await uow.items.add(item)
                queued = await sync.queue(uow, [item_document(item)])
                await uow.commit()
            t1 = time.perf_counter()
            await sync.documents.apply([m.change for m in queued.messages if m.change])
            t2 = time.perf_counter()
            async with container.uow() as uow:
                await uow.outbox.mark_done(queued.ids, sync.clock.now())
                await uow.commit()
            t3 = time.perf_counter()
            await add_item(AddItemCommand(owner_id=owner, spec=spec))
            t4 = time.perf_counter()
            await sync.flush()  # its document, applied behind the call (write-behind)
            settled = time.perf_counter() - t3
            sample = {"whole": t4 - t3, "settled": settled, "sql": t1 - t0, "doc": t2 - t1, "done": t3 - t2}
            for key, value in sample.items() if n >= 50 else ():
                times[key].append(value)
    finally:
        await container.shutdown_resources()  # type: ignore[misc]
    return {k: Stats.of(v) for k, v in times.items()}


# --- the run -----------------------------------------------------------------------------------


async def fresh_database(admin_url: str) -> None:
    conn = await asyncpg.connect(admin_url, timeout=10)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        await conn.close()


def server_env(db_url: str, nx: NxServer, args: argparse.Namespace) -> dict[str, str]:
    return {
        "CLOSET_PROFILE": "production", "CLOSET_DATABASE_URL": db_url, "CLOSET_MONGO_URL": nx.url,
        "CLOSET_MONGO_DATABASE": DB_NAME, "CLOSET_MONGO_TIMEOUT_MS": str(args.mongo_timeout_ms),
        "CLOSET_JWT_SECRET": secrets.token_urlsafe(48), "CLOSET_ACCESS_TOKEN_MINUTES": "60",
        "CLOSET_RELAY": "true", "CLOSET_AUTO_MIGRATE": "false", "CLOSET_REDIS_URL": "redis://127.0.0.1:6379/0",
        # the limits are still counted (in Redis), but set so that no request is refused
        "CLOSET_RATE_LIMIT_PER_MINUTE": "1000000", "CLOSET_LOGIN_RATE_PER_MINUTE": "10000",
        "CLOSET_LOG_LEVEL": "ERROR",  # WARNING prints every breaker trip while the store is down
        # cheap sign-up; no password is hashed while measuring
        "CLOSET_PASSWORD_TIME_COST": "1", "CLOSET_PASSWORD_MEMORY_KIB": "8192",
    }  # fmt: skip


def benchmark(args: argparse.Namespace, nx: NxServer, admin_url: str, db_url: str) -> None:
    deadline, busy = time.monotonic() + args.wait_idle, psutil.cpu_percent(interval=2)
    while busy > 10 and time.monotonic() < deadline:  # a shared machine: wait for others to finish
        busy = psutil.cpu_percent(interval=2)
    if busy > 10:
        print(f"WARNING: the machine was {busy:.0f}% busy before the run: other processes skew every figure")
    run_async(fresh_database(admin_url))
    env = server_env(db_url, nx, args)
    settings = load_settings(env)
    run_async(migrate_database(settings))
    print(
        f"Postgres database {DB_NAME}, nx-27017 on port {nx.port}, closet serve --workers {WORKERS}\n"
        f"(production profile, relay on, rate limits counted in Redis, CLOSET_MONGO_TIMEOUT_MS="
        f"{args.mongo_timeout_ms}).\n{psutil.cpu_count()} cores, shared by the workers, Postgres, nx-27017, "
        "Redis and the clients. The 32 clients\nare wrk (C) in a process of its own, so no Python client "
        "overhead is counted; the single client\nis http.client on one keep-alive connection.\n"
    )
    with Server(env, workers=WORKERS, port=free_port()) as server:
        tokens, owner = sign_up(server.port, CLIENTS)
        up = http_run("store up", server, nx, tokens, args)
        deadline = time.monotonic() + 30
        while backlog(server.port) and time.monotonic() < deadline:
            time.sleep(0.25)
        check_up = run_async(counts(settings))
        nx.stop()
        print("nx-27017 killed: the documents store is down")
        down = http_run("store down", server, nx, tokens, args)
        after_down = pending = backlog(server.port)
        for _ in range(20):  # more POSTs, store still down, until the backlog is big enough
            if pending >= args.backlog:
                break
            seconds = (args.backlog - pending) / max(down.load.rps, 50) + 1
            load(server.port, tokens, min(30.0, max(2.0, seconds)))
            pending = backlog(server.port)
        print(f"  GET /ready: outbox.pending {after_down:,} after the runs, {pending:,} after more POSTs")
    nx.start()
    print("server stopped, so its relay cannot interfere; nx-27017 restarted on the same file")
    before = run_async(counts(settings))
    applied, failed, seconds = run_async(drain(settings))
    check_drain = run_async(counts(settings))
    print(f"relay: {before[2]:,} pending → {applied:,} applied, {failed} failed in {seconds:.2f} s")
    floor = run_async(raw_floor(settings, owner, args.requests))
    steps = run_async(use_case_steps(settings, owner, args.requests))
    report(up, down, after_down, (before[2], applied, seconds), (check_up, check_drain), floor, steps)


def report(
    up: HttpRun,
    down: HttpRun,
    after_down: int,
    drained: tuple[int, int, float],
    checks: tuple[tuple[int, int, int], ...],
    floor: dict[str, Stats],
    steps: dict[str, Stats],
) -> None:
    def row(name: str, value: str, goal: str = "", ok: bool | None = None) -> list[str]:
        return [name, value, goal, "—" if ok is None else ("yes" if ok else "NO")]

    def p50_99(stats: Stats | None, top: bool = False) -> str:
        return f"{ms(stats.p50)} / {ms(stats.p99)}" + (f" / {ms(stats.max)}" if top else "") if stats else "?"

    def http_rows(name: str, run: HttpRun, goal: float | None) -> list[list[str]]:
        one, many, bad = run.single, run.load, run.load.errors + run.load.non_2xx + run.single_failures
        met, other = (None if goal is None else one.p50 <= goal), run.other_load
        return [
            row(f"{name}: p50, 1 client", ms(one.p50), f"≤ {ms(goal)}" if goal else "", met),
            row(f"{name}: p99 / mean / max, 1 client", f"{ms(one.p99)} / {ms(one.mean)} / {ms(one.max)}"),
            row(f"{name}: req/s, 1 / {CLIENTS} clients", f"{run.single_rps:,.0f} / {many.rps:,.0f}"),
            row(f"{name}: p50 / p99 / max, {CLIENTS} clients", p50_99(many.latency, top=True)),
            row(f"{name}: errors + non-201", f"{bad}", "0", bad == 0),
            row(f"{name}: other CPU, 1 / {CLIENTS} clients", f"{other[0]:.0f}% / {other[1]:.0f}%", "< 10%",
                max(other) < 10),
        ]  # fmt: skip

    pending, applied, seconds = drained
    per_10k = seconds * TARGET_DRAIN_ROWS / max(applied, 1)
    documents = [
        row(f"documents / items ({when})", f"{docs:,} / {n:,}", "equal", docs == n and not left)
        for when, (n, docs, left) in zip(("store up", "after drain"), checks, strict=True)
    ]
    rows = [
        *http_rows("store up", up, TARGET_P50),
        *http_rows("store down", down, None),
        row("store down: outbox.pending after the runs", f"{after_down:,}"),
        row("relay drain: rows pending", f"{pending:,}", "≥ 10,000", pending >= TARGET_DRAIN_ROWS),
        row("relay drain: rows applied", f"{applied:,} ({applied / seconds:,.0f} rows/s)"),
        row("relay drain: s (s per 10,000 rows)", f"{seconds:.2f} ({per_10k:.2f})", "≤ 20 s", per_10k <= 20),
        *documents,
        row("floor: SQL txn + doc upsert, p50 / p99", p50_99(floor["pair"])),
        row("floor: SQL txn (asyncpg), p50 / p99", p50_99(floor["sql"])),
        row("floor: update_one upsert (nx-27017), p50 / p99", p50_99(floor["doc"])),
        row("AddItem in-process, p50 / p99", p50_99(steps["whole"])),
        row("  and its publish behind it, p50 / p99", p50_99(steps["settled"])),
        row("  1. SQL txn: item + outbox row", p50_99(steps["sql"])),
        row("  2. documents.apply (bulk_write)", p50_99(steps["doc"])),
        row("  3. outbox mark-done txn", p50_99(steps["done"])),
    ]  # fmt: skip
    print("\nPOST /api/v1/items on Postgres 15 + nx-27017. nx-27017 is a Python server over SQLite,")
    print("likely much slower than a real mongod: its share (the upsert rows) is an upper bound.")
    print_table(["metric", "measured", "target", "ok"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000, help="sequential POSTs (and floor rounds)")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each 32-client run")
    parser.add_argument("--backlog", type=int, default=TARGET_DRAIN_ROWS, help="outbox rows to drain")
    parser.add_argument("--mongo-timeout-ms", type=int, default=2000, help="CLOSET_MONGO_TIMEOUT_MS")
    parser.add_argument("--wait-idle", type=float, default=120, help="seconds to wait for a quiet machine")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    admin = make_url(args.database_url).set(drivername="postgresql")
    if admin.host not in LOCAL_HOSTS:
        raise SystemExit(f"refusing {admin.host!r}: the benchmark talks to 127.0.0.1 only")
    db_url = admin.set(database=DB_NAME).render_as_string(hide_password=False)
    interrupt_on_signals()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="closet-bench-write-") as tmp:
        nx = NxServer(Path(tmp))
        nx.start()
        try:
            benchmark(args, nx, admin.render_as_string(hide_password=False), db_url)
        except KeyboardInterrupt as exc:
            raise SystemExit(f"interrupted ({exc or 'SIGINT'})") from None
        finally:
            nx.stop()
    print(f"\n(whole run: {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
