"""Use cases of search and autocomplete."""

from __future__ import annotations

from dataclasses import dataclass

from closet.application.ports.search import SearchIndex
from closet.application.search_query import SearchHit, Suggestion
from closet.domain.errors import ErrorCollector
from closet.domain.users import UserId

QUERY_MAX = 100
SEARCH_LIMIT_DEFAULT, SEARCH_LIMIT_MAX = 20, 50
SUGGEST_LIMIT_DEFAULT, SUGGEST_LIMIT_MAX = 10, 10


def _checked(q: str | None, limit: int, limit_max: int) -> str:
    errors = ErrorCollector()
    text = (q or "").strip()
    if not text:
        errors.add("q", "must not be empty")
    elif len(text) > QUERY_MAX:
        errors.add("q", f"must be at most {QUERY_MAX} characters")
    if not 1 <= limit <= limit_max:
        errors.add("limit", f"must be between 1 and {limit_max}")
    errors.raise_if_any()
    return text


@dataclass(frozen=True, kw_only=True)
class SearchCommand:
    owner_id: UserId
    q: str | None
    limit: int = SEARCH_LIMIT_DEFAULT


class Search:
    """Items, outfits and collections matching every word of ``q``, ranked."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index

    async def __call__(self, cmd: SearchCommand) -> list[SearchHit]:
        text = _checked(cmd.q, cmd.limit, SEARCH_LIMIT_MAX)
        return await self.index.search(cmd.owner_id, text, cmd.limit)


@dataclass(frozen=True, kw_only=True)
class SuggestCommand:
    owner_id: UserId
    q: str | None
    limit: int = SUGGEST_LIMIT_DEFAULT


class Suggest:
    """Completions of what the owner is typing, from their own closet."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index

    async def __call__(self, cmd: SuggestCommand) -> list[Suggestion]:
        text = _checked(cmd.q, cmd.limit, SUGGEST_LIMIT_MAX)
        return await self.index.suggest(cmd.owner_id, text, cmd.limit)
