"""The smart collection bench/search.py lists: one per bench owner, for the run only.

Each bench owner gets the same rule-based collection (this season's tops and knitwear, last worn
first), written as the app writes one: the row through the SQL collection repository (its
search triggers index it) and its ``collection_filters`` document through the SQL documents
store. They are removed when the run ends (and any a killed run left behind, before the seed's
counts are checked), so the seeded database stays what ensure_seeded expects: its check counts
the documents.

The floor replays every statement the listing use case sends (captured from the app's own
container) through asyncpg, prepared; "in process" is the use case itself, without HTTP.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from sqlalchemy import event

from _common import Stats, seed_settings
from closet.adapters.sql.documents import SqlDocumentStore
from closet.adapters.sql.engine import create_engine
from closet.adapters.sql.uow import SqlUnitOfWork
from closet.application.collection_documents import collection_document
from closet.application.collections import (
    CollectionItemsCommand,
    CollectionRef,
    CollectionSpec,
    build_collection,
)
from closet.application.filters import FilterSpec
from closet.container import build_container
from closet.domain.collections import Collection, CollectionId
from closet.domain.users import UserId

NAME = "Tops and knits for now"
SPEC = CollectionSpec(
    name=NAME,
    description="This season's tops and knitwear, last worn first",
    tags=("capsule",),
    rules=FilterSpec(category=("top", "knitwear"), season=("now",)),
    sort="-last_worn_at",
)
RULE_CATEGORIES = frozenset(SPEC.rules.category if SPEC.rules else ())


def items_path(collection_id: uuid.UUID) -> str:
    """The listing measured: the collection's items, saved rules and sort, the default page."""
    return f"/api/v1/collections/{collection_id}/items"


async def remove(db_url: str) -> int:
    """Removes the bench's smart collections and their documents; answers how many there were."""
    conn = await asyncpg.connect(db_url, timeout=10)
    try:
        if not await conn.fetchval("SELECT to_regclass('collections') IS NOT NULL"):
            return 0
        async with conn.transaction():
            await conn.execute(
                "DELETE FROM documents WHERE kind = 'collection_filters'"
                " AND doc_id IN (SELECT id FROM collections WHERE name = $1)",
                NAME,
            )
            status = await conn.execute("DELETE FROM collections WHERE name = $1", NAME)
        removed = int(status.split()[-1])
        if removed:  # the seed database is shared: leave no dead rows for the next run to wade through
            tables = "collections, collection_members, documents, search_documents, search_vocabulary"
            await conn.execute(f"VACUUM ANALYZE {tables}")
    finally:
        await conn.close()
    return removed


async def seed(db_url: str) -> dict[uuid.UUID, uuid.UUID]:
    """One smart collection per bench owner; answers owner id → collection id."""
    conn = await asyncpg.connect(db_url, timeout=10)
    try:
        owners = [
            r["id"] for r in await conn.fetch("SELECT id FROM users WHERE email LIKE 'bench-%' ORDER BY id")
        ]
    finally:
        await conn.close()
    now = datetime.now(UTC)
    details = build_collection(SPEC, now.date())  # every rule checked, as the app checks them
    made = [Collection.create(UserId(owner), details, now) for owner in owners]
    engine = create_engine(db_url, pool_size=1)
    try:
        async with SqlUnitOfWork(engine) as uow:
            for collection in made:
                await uow.collections.add(collection)
            await uow.commit()
        await SqlDocumentStore(engine).apply([collection_document(c) for c in made])
    finally:
        await engine.dispose()
    return {c.owner_id: c.id for c in made}


def command(owner_id: uuid.UUID, collection_id: uuid.UUID) -> CollectionItemsCommand:
    ref = CollectionRef(owner_id=UserId(owner_id), collection_id=CollectionId(collection_id))
    return CollectionItemsCommand(ref=ref, filter=FilterSpec())  # no query: active items


@dataclass
class Floor:
    in_process: Stats  # the use case through the app's container, no HTTP
    sql: Stats  # every statement it sends, one after another, prepared on asyncpg
    statements: int
    rows: int  # items on the page
    plan: list[str]  # of the items query


async def measure_floor(db_url: str, owner_id: uuid.UUID, collection_id: uuid.UUID, count: int) -> Floor:
    container = build_container(seed_settings(db_url, relay=False))
    engines = [container.engine(), container.documents_engine()]
    sent: list[tuple[str, tuple[Any, ...]]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, tuple(params)))

    in_process: list[float] = []
    try:
        for engine in engines:
            event.listen(engine.sync_engine, "before_cursor_execute", capture)
        page = await container.list_collection_items()(command(owner_id, collection_id))
        for engine in engines:
            event.remove(engine.sync_engine, "before_cursor_execute", capture)
        statements = list(sent)
        for n in range(count + 200):  # the first 200 warm up; a use case per call, as per request
            started = time.perf_counter()
            await container.list_collection_items()(command(owner_id, collection_id))
            if n >= 200:
                in_process.append(time.perf_counter() - started)
    finally:
        for engine in engines:
            await engine.dispose()

    conn = await asyncpg.connect(db_url, timeout=10)
    timings = []
    try:
        biggest = next((s for s in statements if "FROM items" in s[0]), statements[-1])
        plan = [r[0] for r in await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + biggest[0], *biggest[1])]
        prepared = [(await conn.prepare(sql), params) for sql, params in statements]
        for n in range(count + 200):  # the first 200 warm up
            started = time.perf_counter()
            for statement, params in prepared:
                await statement.fetch(*params)
            if n >= 200:
                timings.append(time.perf_counter() - started)
    finally:
        await conn.close()
    return Floor(Stats.of(in_process), Stats.of(timings), len(statements), len(page.items), plan)


def check_page(status: int, body: bytes) -> list[dict[str, Any]]:
    """Fail loudly unless the answer is a page of the rules' items, last worn first."""
    if status != 200:
        raise SystemExit(f"the smart collection's items answered {status}: {body[:300]!r}")
    got: list[dict[str, Any]] = json.loads(body)["items"]
    if not got:
        raise SystemExit("the smart collection lists no items: nothing would be measured")
    if any(i["category"] not in RULE_CATEGORIES or i["status"] != "active" for i in got):
        raise SystemExit("the smart collection lists an item its rules (or the default status) exclude")
    worn = [i["last_worn_at"] for i in got]
    dated = [w for w in worn if w is not None]
    if dated != sorted(dated, reverse=True) or worn[: len(dated)] != dated:
        raise SystemExit("the smart collection's items are not in its saved sort (-last_worn_at)")
    return got
