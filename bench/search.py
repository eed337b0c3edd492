"""Benchmark: search and autocomplete on 500,000 items, and a smart collection's listing, through
HTTP and as raw SQL.

Uses the seeded Postgres database of the items benchmarks (1,000 users × 500 items; --reseed
rebuilds it). A database seeded by an older version (same counts, older schema) is migrated in
place, which times the migrations' backfill of the search index (0007: items and outfits; 0008:
collections); the seed is only rebuilt when the counts differ. Each bench owner gets a smart
collection for the run (_smart_collection.py: this season's tops and knitwear, last worn first;
removed at the end), which search and autocomplete then find too. For one owner it measures,
through ``closet serve --workers 2``:

- ``GET /api/v1/search/suggest?q=…`` and ``GET /api/v1/search?q=…``, one client over a mix of
  queries (whole words, prefixes, typos, two words): p50 and p99;
- ``GET /api/v1/collections/{id}/items`` of the owner's smart collection (its rules and saved
  sort, the default page of 50), one client: p50 and p99;
- the same statements straight through asyncpg (prepared; the floor), and the index or the
  listing use case in process (no HTTP);
- throughput at 32 clients on one representative query of each, and on the listing;

and prints them beside the targets. A script, not a test; it talks to 127.0.0.1 only.

    .venv/bin/python bench/search.py [--reseed] [--requests 1000] [--duration 10]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from itertools import cycle, islice
from typing import Any
from urllib.parse import urlencode

import asyncpg

import _smart_collection as smart
from _common import (
    SEED_DB,
    SEED_PASSWORD,
    KeepAliveClient,
    LoadResult,
    Server,
    Stats,
    database_urls,
    ensure_seeded,
    free_port,
    interrupt_on_signals,
    ms,
    print_table,
    run_async,
    run_load,
    seed_settings,
    seed_state,
)
from closet.adapters.sql.engine import create_engine
from closet.adapters.sql.search import POSTGRES_SEARCH, POSTGRES_SUGGEST, SqlSearchIndex, candidates
from closet.application.search import SEARCH_LIMIT_DEFAULT, SUGGEST_LIMIT_DEFAULT
from closet.application.search_query import TYPO_MIN_LENGTH, query_words, suggestion_key
from closet.container import migrate_database
from closet.domain.users import UserId

CLIENTS, WORKERS = 32, 2
TARGETS = {"suggest p50": 0.003, "suggest p99": 0.010, "search p50": 0.008, "smart p50": 0.006}
SUGGEST = ["c", "ca", "car", "le", "sum", "nav", "v", "dr m", "sneak", "cotton"]
SEARCH = [
    "cardigan",  # a whole word
    "levis",  # a brand, apostrophe dropped
    "navy",  # a colour in names
    "summer holiday",  # a tag, two words
    "cardgian",  # a typo (two letters swapped)
    "vintage jeans",  # two words
    "sneak",  # a prefix
    "dr martens boots",  # three words
]
LOAD_SUGGEST, LOAD_SEARCH = "ca", "cardigan"


@dataclass(frozen=True)
class Owner:
    id: uuid.UUID
    email: str
    items: int


async def prepare(admin_url: str, db_url: str, args: argparse.Namespace) -> float | None:
    """The seeded database at this code's schema; returns the seconds an in-place upgrade took."""
    admin = await asyncpg.connect(admin_url, timeout=10)
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", SEED_DB)
    finally:
        await admin.close()
    took = None
    if exists:  # a run that was killed may have left its smart collections (the seed counts documents)
        left = await smart.remove(db_url)
        if left:
            print(f"seed: removed {left} smart collections a previous run left behind")
    if exists and not args.reseed:
        (users, items, _documents), at_head = await seed_state(db_url)
        wanted = (args.users, args.users * args.items_per_user)
        if not at_head and (users, items) == wanted:
            print(f"seed: {SEED_DB} is at an older schema; migrating it in place")
            started = time.perf_counter()
            await migrate_database(seed_settings(db_url))
            took = time.perf_counter() - started
            conn = await asyncpg.connect(db_url, timeout=10)
            try:
                await conn.execute("VACUUM (ANALYZE) search_documents, search_vocabulary")
            finally:
                await conn.close()
    await ensure_seeded(admin_url, db_url, args.users, args.items_per_user, args.reseed)
    return took


async def pick_owner(db_url: str) -> Owner:
    """A typical owner: the one in the middle by id."""
    conn = await asyncpg.connect(db_url, timeout=10)
    try:
        row = await conn.fetchrow(
            "SELECT u.id, u.email, (SELECT count(*) FROM items i WHERE i.owner_id = u.id) AS n "
            "FROM users u ORDER BY u.id OFFSET (SELECT count(*) / 2 FROM users) LIMIT 1"
        )
    finally:
        await conn.close()
    return Owner(row["id"], row["email"], row["n"])


def suggest_sql(owner: Owner, prefix: str) -> tuple[str, tuple[Any, ...]]:
    return POSTGRES_SUGGEST, (owner.id, " " + suggestion_key(prefix), SUGGEST_LIMIT_DEFAULT)


def search_sql(owner: Owner, text: str) -> tuple[str, tuple[Any, ...]]:
    return POSTGRES_SEARCH, (owner.id, query_words(text), candidates(SEARCH_LIMIT_DEFAULT), TYPO_MIN_LENGTH)


@dataclass
class Floor:
    suggest: Stats
    search: Stats
    in_process_suggest: Stats
    in_process_search: Stats
    plans: dict[str, list[str]]
    hits: dict[str, int]  # candidates the SQL returns per search query


async def measure_floor(db_url: str, owner: Owner, count: int) -> Floor:
    conn = await asyncpg.connect(db_url, timeout=10)
    statements = {
        "suggest": [suggest_sql(owner, p) for p in SUGGEST],
        "search": [search_sql(owner, q) for q in SEARCH],
    }
    timings: dict[str, list[float]] = {"suggest": [], "search": []}
    try:
        plans = {
            name: [r[0] for r in await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *params)]
            for name, (sql, params) in (
                ("suggest", statements["suggest"][1]),
                ("search", statements["search"][0]),
            )
        }
        hits = {
            q: len(await conn.fetch(sql, *params))
            for q, (sql, params) in zip(SEARCH, statements["search"], strict=True)
        }
        for name, batch in statements.items():
            prepared = [(await conn.prepare(sql), params) for sql, params in batch]
            for n, (statement, params) in enumerate(islice(cycle(prepared), count + 200)):
                started = time.perf_counter()
                await statement.fetch(*params)
                if n >= 200:  # the first 200 warm up
                    timings[name].append(time.perf_counter() - started)
    finally:
        await conn.close()

    engine = create_engine(db_url, pool_size=2)
    index, owner_id = SqlSearchIndex(engine), UserId(owner.id)
    in_process: dict[str, list[float]] = {"suggest": [], "search": []}
    try:
        for name, queries in (("suggest", SUGGEST), ("search", SEARCH)):
            for n, q in enumerate(islice(cycle(queries), count + 200)):
                started = time.perf_counter()
                if name == "suggest":
                    await index.suggest(owner_id, q, SUGGEST_LIMIT_DEFAULT)
                else:
                    await index.search(owner_id, q, SEARCH_LIMIT_DEFAULT)
                if n >= 200:
                    in_process[name].append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    return Floor(
        Stats.of(timings["suggest"]),
        Stats.of(timings["search"]),
        Stats.of(in_process["suggest"]),
        Stats.of(in_process["search"]),
        plans,
        hits,
    )


def path(route: str, q: str) -> str:
    return f"/api/v1/search{route}?" + urlencode({"q": q})


@dataclass
class Http:
    suggest: Stats
    search: Stats
    smart: Stats  # the smart collection's items
    me: Stats  # GET /api/v1/me: what any signed-in request costs (token, session check, limiter)
    failures: int
    load_suggest: LoadResult
    load_search: LoadResult
    load_smart: LoadResult
    sample: dict[str, Any]


def measure_http(db_url: str, owner: Owner, smart_path: str, args: argparse.Namespace) -> Http:
    env = {
        "CLOSET_PROFILE": "postgres",
        "CLOSET_DATABASE_URL": db_url,
        "CLOSET_JWT_SECRET": secrets.token_urlsafe(48),
        "CLOSET_ACCESS_TOKEN_MINUTES": "60",
        "CLOSET_LOG_LEVEL": "WARNING",
        "CLOSET_AUTO_MIGRATE": "false",
        "CLOSET_RATE_LIMIT_PER_MINUTE": "1000000",  # one user sends everything: counted, not refused
    }
    port = free_port()
    with Server(env, workers=WORKERS, port=port):
        client = KeepAliveClient(port)
        try:
            status, body = client.request(
                "POST", "/api/v1/auth/login", {"email": owner.email, "password": SEED_PASSWORD}
            )
            if status != 200:
                raise SystemExit(f"login answered {status}: {body[:300]!r}")
            headers = {"Authorization": f"Bearer {json.loads(body)['access_token']}"}
            client.headers.update(headers)
            sample = {}
            for route, q in (("/suggest", LOAD_SUGGEST), ("", LOAD_SEARCH)):
                status, body = client.request("GET", path(route, q))
                if status == 404:
                    raise SystemExit("the search routes answer 404: wire SearchController into the app first")
                if status != 200:
                    raise SystemExit(f"GET {path(route, q)} answered {status}: {body[:300]!r}")
                sample[route or "/"] = json.loads(body)
            if not sample["/"]["hits"] or not sample["/suggest"]["suggestions"]:
                raise SystemExit(f"empty answers for {LOAD_SEARCH!r} / {LOAD_SUGGEST!r}: {sample}")
            sample["smart"] = smart.check_page(*client.request("GET", smart_path))
            latencies: dict[str, list[float]] = {"/suggest": [], "": [], "smart": [], "me": []}
            failures = 0
            for route, paths in (
                ("/suggest", [path("/suggest", q) for q in SUGGEST]),
                ("", [path("", q) for q in SEARCH]),
                ("smart", [smart_path]),
                ("me", ["/api/v1/me"]),
            ):
                for n, p in enumerate(islice(cycle(paths), args.requests + 200)):
                    started = time.perf_counter()
                    status, _ = client.request("GET", p)
                    if n >= 200:
                        latencies[route].append(time.perf_counter() - started)
                    failures += status != 200
        finally:
            client.close()
        load = {"connections": CLIENTS, "client": args.load_client, "seconds": args.duration}
        run_load(port, path("/suggest", LOAD_SUGGEST), headers, **{**load, "seconds": 2})  # warm-up
        load_suggest = run_load(port, path("/suggest", LOAD_SUGGEST), headers, **load)
        load_search = run_load(port, path("", LOAD_SEARCH), headers, **load)
        load_smart = run_load(port, smart_path, headers, **load)
    return Http(
        Stats.of(latencies["/suggest"]),
        Stats.of(latencies[""]),
        Stats.of(latencies["smart"]),
        Stats.of(latencies["me"]),
        failures,
        load_suggest,
        load_search,
        load_smart,
        sample,
    )


def report(floor: Floor, smart_floor: smart.Floor, http: Http) -> None:
    def row(name: str, value: str, goal: str = "", ok: bool | None = None) -> list[str]:
        return [name, value, goal, "—" if ok is None else ("yes" if ok else "NO")]

    def load_row(name: str, load: LoadResult) -> list[str]:
        clean = not load.errors and not load.non_2xx
        under = f", p50 {ms(load.latency.p50)} / p99 {ms(load.latency.p99)}" if load.latency else ""
        return row(f"{name}, {CLIENTS} clients", f"{load.rps:,.0f} req/s{under}", "errors 0", clean)

    rows = [
        row(
            "suggest p50, 1 client",
            ms(http.suggest.p50),
            "≤ 3.00 ms",
            http.suggest.p50 <= TARGETS["suggest p50"],
        ),
        row(
            "suggest p99, 1 client",
            ms(http.suggest.p99),
            "≤ 10.00 ms",
            http.suggest.p99 <= TARGETS["suggest p99"],
        ),
        row(
            "  in process (SQL + ranking) p50 / p99",
            f"{ms(floor.in_process_suggest.p50)} / {ms(floor.in_process_suggest.p99)}",
        ),
        row(
            "  floor: the SQL on asyncpg p50 / p99",
            f"{ms(floor.suggest.p50)} / {ms(floor.suggest.p99)}",
            "baseline",
        ),
        load_row(f"suggest q={LOAD_SUGGEST!r}", http.load_suggest),
        row(
            "search p50, 1 client", ms(http.search.p50), "≤ 8.00 ms", http.search.p50 <= TARGETS["search p50"]
        ),
        row("search p99, 1 client", ms(http.search.p99)),
        row(
            "  in process (SQL + ranking) p50 / p99",
            f"{ms(floor.in_process_search.p50)} / {ms(floor.in_process_search.p99)}",
        ),
        row(
            "  floor: the SQL on asyncpg p50 / p99",
            f"{ms(floor.search.p50)} / {ms(floor.search.p99)}",
            "baseline",
        ),
        load_row(f"search q={LOAD_SEARCH!r}", http.load_search),
        row(
            "smart-collection items p50, 1 client",
            ms(http.smart.p50),
            "≤ 6.00 ms",
            http.smart.p50 <= TARGETS["smart p50"],
        ),
        row("smart-collection items p99, 1 client", ms(http.smart.p99)),
        row(
            "  in process (the use case) p50 / p99",
            f"{ms(smart_floor.in_process.p50)} / {ms(smart_floor.in_process.p99)}",
        ),
        row(
            f"  floor: its {smart_floor.statements} statements on asyncpg p50 / p99",
            f"{ms(smart_floor.sql.p50)} / {ms(smart_floor.sql.p99)}",
            "baseline",
        ),
        load_row("smart-collection items", http.load_smart),
        row(
            "baseline: GET /api/v1/me p50 / p99",
            f"{ms(http.me.p50)} / {ms(http.me.p99)}",
            "any signed-in GET",
        ),
        row("requests not 200 (single client)", str(http.failures), "0", http.failures == 0),
    ]
    print_table(["measure", "value", "target", "met?"], rows)


def benchmark(args: argparse.Namespace, admin_url: str, db_url: str) -> None:
    started = time.perf_counter()
    took = run_async(prepare(admin_url, db_url, args))
    if took is not None:
        print(f"migration in place (the search index backfilled): {took:.1f} s")
    owner = run_async(pick_owner(db_url))
    print(f"owner {owner.email}: {owner.items} items")
    try:
        seeded = time.perf_counter()
        collections = run_async(smart.seed(db_url))
        print(f"smart collections: {len(collections):,} made in {time.perf_counter() - seeded:.1f} s")
        measure(args, db_url, owner, collections[owner.id])
    finally:
        print(f"smart collections: {run_async(smart.remove(db_url)):,} removed")
    print(f"\n(whole run: {time.perf_counter() - started:.0f} s)")


def measure(args: argparse.Namespace, db_url: str, owner: Owner, collection_id: uuid.UUID) -> None:
    floor = run_async(measure_floor(db_url, owner, args.requests))
    smart_floor = run_async(smart.measure_floor(db_url, owner.id, collection_id, args.requests))
    for name, plan in floor.plans.items():
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the {name} SQL:")
        print("\n".join("  " + line for line in plan[:14]))
    print("\nEXPLAIN (ANALYZE, BUFFERS) of the smart collection's items query:")
    print("\n".join("  " + line for line in smart_floor.plan[:14]))
    print(
        "\ncandidates the search SQL hands to the ranking: "
        + ", ".join(f"{q!r} {n}" for q, n in floor.hits.items())
    )
    http = measure_http(db_url, owner, smart.items_path(collection_id), args)
    top = [(h["title"], h["score"], h["field"]) for h in http.sample["/"]["hits"][:3]]
    print(f"search {LOAD_SEARCH!r}: {len(http.sample['/']['hits'])} hits, first {top}")
    completions = [(s["text"], s["count"]) for s in http.sample["/suggest"]["suggestions"]]
    print(f"suggest {LOAD_SUGGEST!r}: {completions}")
    listed = http.sample["smart"]
    print(
        f"smart collection {smart.NAME!r}: {len(listed)} items on the page ({smart_floor.rows} in process), "
        f"first {[(i['name'], i['last_worn_at']) for i in listed[:3]]}"
    )
    print(
        f"\nsingle client: http.client on one keep-alive connection, {http.search.count} requests each, "
        f"cycling {len(SUGGEST)} prefixes and {len(SEARCH)} queries; floor and in-process: as many"
    )
    print(f"throughput: {http.load_search.client}, {http.load_search.seconds:.1f} s each")
    print(f"cores: {os.cpu_count()}; server: closet serve --workers {WORKERS}\n")
    report(floor, smart_floor, http)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--items-per-user", type=int, default=500)
    parser.add_argument("--requests", type=int, default=1000, help="sequential requests per route")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each throughput run")
    parser.add_argument("--reseed", action="store_true", help="drop and rebuild the bench database")
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
