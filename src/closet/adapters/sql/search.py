"""The search index on SQL (migration 0007): Postgres full-text search and pg_trgm, or SQLite FTS5.

The database finds the owner's candidates and ranks them roughly with its own full-text rank
(ts_rank or bm25, with the field weights); search_query.rank orders the best of them exactly,
so both databases answer as the memory index does. Query words reach the databases only as
quoted words of letters and digits: no user text can be a full-text syntax error.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, cast

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from closet.application.errors import StorageUnavailable
from closet.application.ports.search import SearchIndex
from closet.application.search_query import (
    TYPO_MIN_LENGTH,
    SearchDocument,
    SearchHit,
    Suggestion,
    SuggestionKind,
    query_words,
    rank,
    rank_suggestions,
    suggestion_key,
    typo_allowed,
    within_one_edit,
    words,
)
from closet.domain.users import UserId

log = logging.getLogger(__name__)
_UNAVAILABLE = "the database is unavailable; try again shortly"


def candidates(limit: int) -> int:
    """How many documents the database hands to the exact ranking."""
    return max(3 * limit, 60)


# Per query word: its prefix, or (names, brands, tags only) one of the owner's words of about its
# length that pg_trgm finds similar enough: every word one edit away is at least 0.11 similar
# for 4 letters, 0.2 for more. rank() then keeps the true one-edit matches.
POSTGRES_SEARCH = """
WITH query_words AS (
    SELECT w, i FROM unnest($2::text[]) WITH ORDINALITY AS u(w, i)
), alternatives AS (
    SELECT i, quote_literal(w) || ':*' AS alt FROM query_words
    UNION ALL
    SELECT q.i, quote_literal(v.value) || ':ABC'
    FROM query_words AS q
    JOIN search_vocabulary AS v
      ON v.owner_id = $1 AND v.kind = 'word' AND length(q.w) >= $4
     AND length(v.value) BETWEEN length(q.w) - 1 AND length(q.w) + 1
     AND similarity(v.value, q.w) >= CASE WHEN length(q.w) = 4 THEN 0.1 ELSE 0.19 END
), query AS (
    SELECT string_agg('(' || alts || ')', ' & ')::tsquery AS q
    FROM (SELECT i, string_agg(alt, ' | ') AS alts FROM alternatives GROUP BY i) AS per_word
)
SELECT d.kind, d.doc_id, d.title, d.archived, d.name, d.brand, d.tags, d.body
FROM search_documents AS d, query
WHERE d.owner_id = $1 AND d.document @@ query.q
ORDER BY ts_rank('{0.125, 0.25, 0.5, 1.0}', d.document, query.q) DESC, d.doc_id
LIMIT $3
"""

# The owner's values whose words start with the prefix's (the key is " " + the words).
POSTGRES_SUGGEST = """
SELECT kind, min(value), sum(n)
FROM search_vocabulary
WHERE owner_id = $1 AND kind <> 'word' AND strpos(key, $2) > 0
GROUP BY kind, key
ORDER BY sum(n) DESC, array_position('{name,brand,tag,category,color,material}'::text[], kind::text), key
LIMIT $3
"""

SQLITE_TERMS = """
SELECT DISTINCT term FROM search_fts_terms
WHERE col IN ('name', 'brand', 'tags') AND length(term) BETWEEN ? AND ?
"""

SQLITE_SEARCH = """
SELECT d.kind, d.doc_id, d.title, d.archived, d.name, d.brand, d.tags, d.body
FROM search_fts JOIN search_documents AS d ON d.id = search_fts.rowid
WHERE search_fts MATCH ? AND d.owner_id = ?
ORDER BY bm25(search_fts, 8.0, 4.0, 2.0, 1.0), d.id
LIMIT ?
"""

# A superset, which rank_suggestions narrows: the key (case-folded by the application for items
# and collections, by SQLite's ASCII-only lower() for outfit names) holds the prefix's longest
# word case-folded, or has letters beyond ASCII (which SQLite cannot fold).
SQLITE_SUGGEST = """
SELECT kind, value, n FROM search_vocabulary
WHERE owner_id = ? AND (instr(key, ?) > 0 OR key GLOB '*[^ -~]*')
"""


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def fts5_query(query: Sequence[str], near: dict[str, list[str]]) -> str:
    """Every word, as a prefix, or as one of its near spellings in names, brands or tags."""
    parts = []
    for word in query:
        alternatives = [f"{_quoted(word)}*"]
        if near.get(word):
            alternatives.append("{name brand tags} : (" + " OR ".join(map(_quoted, near[word])) + ")")
        parts.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(parts)


class SqlSearchIndex(SearchIndex):
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"

    async def search(self, owner_id: UserId, text: str, limit: int) -> list[SearchHit]:
        query = query_words(text)
        if not query:
            return []
        if self.postgres:
            params: tuple[Any, ...] = (owner_id, query, candidates(limit), TYPO_MIN_LENGTH)
            rows = await self._fetch(POSTGRES_SEARCH, params)
        else:
            rows = await self._sqlite_search(owner_id, query, limit)
        return rank((self._document(r) for r in rows), query, limit)

    async def _sqlite_search(self, owner_id: UserId, query: list[str], limit: int) -> Sequence[Any]:
        near: dict[str, list[str]] = {}
        typos = [w for w in query if typo_allowed(w)]
        async with self._connection() as conn:
            if typos:
                lengths = (min(map(len, typos)) - 1, max(map(len, typos)) + 1)
                terms = [t for (t,) in await conn.exec_driver_sql(SQLITE_TERMS, lengths)]
                near = {w: [t for t in terms if t != w and within_one_edit(w, t)] for w in typos}
            params = (fts5_query(query, near), owner_id.hex, candidates(limit))
            return list(await conn.exec_driver_sql(SQLITE_SEARCH, params))

    async def suggest(self, owner_id: UserId, prefix: str, limit: int) -> list[Suggestion]:
        key = suggestion_key(prefix)
        if not key:
            return []
        if self.postgres:
            rows = await self._fetch(POSTGRES_SUGGEST, (owner_id, f" {key}", limit))
            return [Suggestion(label, kind, int(n)) for kind, label, n in rows]
        longest = max(words(prefix), key=len).casefold()
        rows = await self._fetch(SQLITE_SUGGEST, (owner_id.hex, longest))
        values = [(cast(SuggestionKind, kind), value, int(n)) for kind, value, n in rows]
        return rank_suggestions(values, prefix, limit)

    @staticmethod
    def _document(row: Sequence[Any]) -> SearchDocument:
        kind, doc_id, title, archived, name, brand, tags, body = row
        doc_id = doc_id if isinstance(doc_id, uuid.UUID) else uuid.UUID(hex=doc_id)
        return SearchDocument(kind, doc_id, title, bool(archived), name, brand, tags, body)

    async def _fetch(self, sql: str, params: tuple[Any, ...]) -> Sequence[Any]:
        async with self._connection() as conn:
            return list(await conn.exec_driver_sql(sql, params))

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        """In autocommit: no transaction, and no write lock on SQLite. Driver and connection
        errors become StorageUnavailable."""
        try:
            async with self.engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                yield conn
        except (SQLAlchemyError, OSError) as exc:
            log.warning("search failed: %s", exc)
            raise StorageUnavailable(_UNAVAILABLE) from exc
