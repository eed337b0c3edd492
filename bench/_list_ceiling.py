"""The ceiling for bench/items_list.py: the least a Litestar service can do to answer the measured
list request, served the way `closet serve` is (uvicorn, uvloop, httptools, the same worker count)
against the same database, with the same bearer token.

Per request it does what cannot be left out: Litestar's JWT middleware verifies the token (HS256,
the app's secret, the app's cache of verified tokens), one asyncpg query checks that the token's
session is live (the app's own statement), one runs the page's SQL (the app's own statement,
prepared), and the answer is encoded with msgspec. Nothing else: no input validation, no rate
limit, no request log, no security headers, no dependency injection, no unit of work, no read
model, no wire types. Its figures are what this machine allows for the route with this stack's
HTTP layer and driver, not a design to copy.

Two modes (``CEILING_MODE``):

* ``rows``: the page's rows come back to Python, as in the app, and are encoded as they are;
* ``json``: Postgres builds the page's JSON (``json_agg``) and Python passes the text through:
  the least Python work per item there can be.

Run by items_list.py (``uvicorn _list_ceiling:app``); configured by environment variables it sets:
``CEILING_DB`` (postgresql:// URL), ``CEILING_SECRET`` (the JWT secret), ``CEILING_MODE`` and
``CEILING_TARGET`` (JSON: owner_id, category, color).
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import asyncpg
import msgspec
from litestar import Litestar, Request, Response, get
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.security.jwt import OAuth2PasswordBearerAuth, Token

from closet.application.item_query import Cursor, Sort
from closet.entrypoints.http.auth import ALGORITHM, CachedToken
from items_list import LIMIT, SORT, Target, list_sql, session_sql

MODE = os.environ.get("CEILING_MODE", "rows")
if MODE not in ("rows", "json"):
    raise SystemExit(f"CEILING_MODE must be rows or json, not {MODE!r}")
_target = json.loads(os.environ["CEILING_TARGET"])
TARGET = Target(uuid.UUID(_target["owner_id"]), "", _target["category"], _target["color"], 0)
PAGE_SQL, PAGE_ARGS = list_sql(TARGET)
SESSION_SQL = session_sql()
_SORT = Sort.parse(SORT)
# json mode: the page (LIMIT + 1 rows, as the app asks) once, then its first LIMIT rows as JSON text,
# whether there is more, and the sort value and id of the last row shown (for the cursor).
JSON_SQL = (
    f"WITH page AS MATERIALIZED ({PAGE_SQL}) SELECT "
    f"(SELECT coalesce(json_agg(p), '[]')::text FROM (SELECT * FROM page LIMIT {LIMIT}) p) AS items, "
    f"(SELECT count(*) > {LIMIT} FROM page) AS more, "
    f"(SELECT sort_value FROM page OFFSET {LIMIT - 1} LIMIT 1) AS last_value, "
    f"(SELECT id FROM page OFFSET {LIMIT - 1} LIMIT 1) AS last_id"
)


async def _json_codec(conn: asyncpg.Connection) -> None:
    """JSON columns decoded with msgspec, as the app's engine does."""
    for name in ("json", "jsonb"):
        await conn.set_type_codec(
            name,
            schema="pg_catalog",
            encoder=lambda value: msgspec.json.encode(value).decode(),
            decoder=msgspec.json.decode,
        )


async def _keep_as_is(_: asyncpg.Connection) -> None:
    """A connection goes back to the pool as it is, as the app's pool gives it back: nothing here
    changes a session (no SET, LISTEN, advisory lock or open transaction). asyncpg's default reset
    would send a query per release, a round trip the app does not make."""


async def open_pool(app: Litestar) -> None:
    app.state.pool = await asyncpg.create_pool(
        os.environ["CEILING_DB"], min_size=20, max_size=20, init=_json_codec, reset=_keep_as_is
    )


async def close_pool(app: Litestar) -> None:
    await app.state.pool.close()


async def retrieve_user(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> uuid.UUID | None:
    """The token's user id if its session is live (the app's session check, minus the user object)."""
    user_id, session_id = uuid.UUID(token.sub), uuid.UUID(str(token.extras["sid"]))
    pool: asyncpg.Pool = connection.app.state.pool
    async with pool.acquire() as conn:
        row = await conn.fetchrow(SESSION_SQL, user_id, session_id)
    return user_id if row is not None else None


auth = OAuth2PasswordBearerAuth[uuid.UUID, CachedToken](
    retrieve_user_handler=retrieve_user,
    token_secret=os.environ["CEILING_SECRET"],
    token_url="/token",
    token_cls=CachedToken,  # the app's: a token verified once is not verified again
    algorithm=ALGORITHM,
    exclude=["^/health$"],
)


@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/api/v1/items")
async def items(request: Request[uuid.UUID, Token, Any]) -> Response[bytes]:
    if request.user != TARGET.owner_id:  # the page's SQL is built once, for the target owner
        raise PermissionDeniedException("the ceiling serves the target owner only")
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as conn:
        if MODE == "rows":
            rows = await conn.fetch(PAGE_SQL, *PAGE_ARGS)
            shown = rows[:LIMIT]
            cursor = None
            if len(rows) > LIMIT:
                cursor = Cursor(_SORT, shown[-1]["sort_value"], shown[-1]["id"]).encode()
            body = msgspec.json.encode({"items": [dict(r) for r in shown], "next_cursor": cursor})
            return Response(body, media_type="application/json")
        page = await conn.fetchrow(JSON_SQL, *PAGE_ARGS)
    cursor = None
    if page["more"]:
        cursor = Cursor(_SORT, page["last_value"], page["last_id"]).encode()
    tail = msgspec.json.encode(cursor)
    return Response(
        b'{"items":' + page["items"].encode() + b',"next_cursor":' + tail + b"}",
        media_type="application/json",
    )


app = Litestar(
    [health, items],
    on_startup=[open_pool],
    on_shutdown=[close_pool],
    on_app_init=[auth.on_app_init],
    debug=False,
)
