"""The reference search index: search_query's functions over the memory store, as it is."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from closet.adapters.memory.store import MemoryStore
from closet.application.item_query import search_text
from closet.application.ports.search import SearchIndex
from closet.application.search_query import (
    SearchDocument,
    SearchHit,
    Suggestion,
    SuggestionKind,
    query_words,
    rank,
    rank_suggestions,
)
from closet.domain.collections import Collection
from closet.domain.items import ClothingItem, ItemStatus
from closet.domain.users import UserId


def item_document(item: ClothingItem) -> SearchDocument:
    d = item.details
    return SearchDocument(
        kind="item",
        id=item.id,
        title=d.name,
        archived=item.status is ItemStatus.ARCHIVED,
        name=d.name,
        brand=d.brand or "",
        tags="\n".join(d.tags),
        body=search_text(d),
    )


def item_values(item: ClothingItem) -> set[tuple[SuggestionKind, str]]:
    """What an item offers autocomplete (each value once per item)."""
    d = item.details
    values: set[tuple[SuggestionKind, str]] = {("name", d.name), ("category", d.category.value)}
    if d.brand is not None:
        values.add(("brand", d.brand))
    values.update(("tag", t) for t in d.tags)
    values.update(("color", c.name) for c in d.colors)
    values.update(("material", m.fibre) for m in d.materials)
    return values


def collection_document(collection: Collection) -> SearchDocument:
    """The name, the tags, and (in ``body`` with the rest) the description as notes."""
    d = collection.details
    return SearchDocument(
        kind="collection",
        id=collection.id,
        title=d.name,
        archived=False,
        name=d.name,
        tags="\n".join(d.tags),
        body="\n".join(p for p in (d.name, *d.tags, d.description or "") if p),
    )


def collection_values(collection: Collection) -> set[tuple[SuggestionKind, str]]:
    """What a collection offers autocomplete: its name and its tags."""
    d = collection.details
    return {("name", d.name), *(("tag", t) for t in d.tags)}


class MemorySearchIndex(SearchIndex):
    """Archived items are found (marked); templates are not outfits here, so not found;
    collections, smart or hand-made, by their name, tags and description."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def _documents(self, owner_id: UserId) -> Iterator[SearchDocument]:
        for item in list(self.store.items.values()):
            if item.owner_id == owner_id:
                yield item_document(item)
        for outfit in list(self.store.outfits.values()):
            if outfit.owner_id == owner_id and not outfit.is_template:
                name = outfit.details.name
                yield SearchDocument(kind="outfit", id=outfit.id, title=name, archived=False, name=name)
        for collection in list(self.store.collections.values()):
            if collection.owner_id == owner_id:
                yield collection_document(collection)

    def _values(self, owner_id: UserId) -> Counter[tuple[SuggestionKind, str]]:
        counts: Counter[tuple[SuggestionKind, str]] = Counter()
        for item in list(self.store.items.values()):
            if item.owner_id == owner_id:
                counts.update(item_values(item))
        for outfit in list(self.store.outfits.values()):
            if outfit.owner_id == owner_id and not outfit.is_template:
                counts[("name", outfit.details.name)] += 1
        for collection in list(self.store.collections.values()):
            if collection.owner_id == owner_id:
                counts.update(collection_values(collection))
        return counts

    async def search(self, owner_id: UserId, text: str, limit: int) -> list[SearchHit]:
        return rank(self._documents(owner_id), query_words(text), limit)

    async def suggest(self, owner_id: UserId, prefix: str, limit: int) -> list[Suggestion]:
        rows = ((kind, value, n) for (kind, value), n in self._values(owner_id).items())
        return rank_suggestions(rows, prefix, limit)
