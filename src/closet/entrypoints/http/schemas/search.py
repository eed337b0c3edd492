"""Search and autocomplete wire types."""

from __future__ import annotations

import uuid
from typing import Literal

import msgspec

from closet.application.search_query import SearchHit, Suggestion


class SearchHitRead(msgspec.Struct):
    kind: Literal["item", "outfit", "collection"]
    id: uuid.UUID
    title: str
    score: float  # relevance: per query word, field weight (name 8, brand 4, tags 2, notes 1) × match
    field: Literal["name", "brand", "tags", "notes"]  # where the best-scoring word matched
    archived: bool  # an archived item (found, ranked after active things of the same score)


class SearchResults(msgspec.Struct):
    hits: list[SearchHitRead]


class SuggestionRead(msgspec.Struct):
    text: str
    kind: Literal["name", "brand", "tag", "category", "color", "material"]
    count: int  # how many of your things carry it


class Suggestions(msgspec.Struct):
    suggestions: list[SuggestionRead]


def search_results(hits: list[SearchHit]) -> SearchResults:
    return SearchResults([SearchHitRead(h.kind, h.id, h.title, h.score, h.field, h.archived) for h in hits])


def suggestions_read(found: list[Suggestion]) -> Suggestions:
    return Suggestions([SuggestionRead(s.text, s.kind, s.count) for s in found])
