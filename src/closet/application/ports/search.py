"""Search across an owner's items, outfits and collections, and autocomplete for it."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from closet.application.search_query import SearchHit, Suggestion
from closet.domain.users import UserId


class SearchIndex(Protocol):
    """Reads one owner's things only. The semantics are search_query's: every adapter returns
    what ``rank`` and ``rank_suggestions`` give for the owner's current things."""

    @abstractmethod
    async def search(self, owner_id: UserId, text: str, limit: int) -> list[SearchHit]:
        """The best ``limit`` things matching every word of ``text``, best first."""

    @abstractmethod
    async def suggest(self, owner_id: UserId, prefix: str, limit: int) -> list[Suggestion]:
        """Names, brands, tags, categories, colours and materials completing ``prefix``, most
        frequent first."""
