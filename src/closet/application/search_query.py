"""Search and autocomplete: the reference semantics every search index agrees on.

Text is compared as *words*: lower-cased, apostrophes dropped ("Levi's" is "levis"), split at
anything that is not a letter or a digit. A query's words must all match (AND); each matches a
word of a document exactly, as its prefix, or, for query words of four letters or more, with one
typo (one letter changed, added, dropped, or two neighbours swapped) — typos count in names,
brands and tags, not in the free-text notes. A document scores, per query word, its best
field weight × match quality; fields weigh name 8 > brand 4 > tags 2 > notes 1 and qualities are
exact 1.0 > prefix 0.8 > typo 0.6, so a match in a better field always wins over a better match
in a worse one.

The memory index runs these functions over everything; the SQL indexes let the database find
and pre-rank the candidates (full-text indexes) and run ``rank`` on them, so every backend
returns the same hits in the same order.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

SearchKind = Literal["item", "outfit", "collection"]
MatchField = Literal["name", "brand", "tags", "notes"]
SuggestionKind = Literal["name", "brand", "tag", "category", "color", "material"]

SUGGESTION_KINDS: tuple[SuggestionKind, ...] = ("name", "brand", "tag", "category", "color", "material")
MAX_QUERY_WORDS = 8  # words after the eighth are ignored
TYPO_MIN_LENGTH = 4  # shorter query words must match exactly or as a prefix
EXACT, PREFIX, TYPO = 1.0, 0.8, 0.6

_FIELDS: tuple[tuple[MatchField, float, bool], ...] = (
    # field, weight, typos allowed
    ("name", 8.0, True),
    ("brand", 4.0, True),
    ("tags", 2.0, True),
    ("notes", 1.0, False),
)
_APOSTROPHES = str.maketrans("", "", "'\u2019")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One searchable thing as an index holds it. ``body`` is all of its text (for an item:
    name, brand, tags and notes), so a word found only there was found in the notes."""

    kind: SearchKind
    id: uuid.UUID
    title: str
    archived: bool
    name: str
    brand: str = ""
    tags: str = ""
    body: str = ""


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: SearchKind
    id: uuid.UUID
    title: str
    score: float
    field: MatchField  # the most telling field a query word matched in
    archived: bool


@dataclass(frozen=True, slots=True)
class Suggestion:
    text: str
    kind: SuggestionKind
    count: int  # how many of the owner's things carry it


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().translate(_APOSTROPHES))


def query_words(text: str) -> list[str]:
    """The distinct words of a query, in order, at most ``MAX_QUERY_WORDS``."""
    return list(dict.fromkeys(words(text)))[:MAX_QUERY_WORDS]


def within_one_edit(a: str, b: str) -> bool:
    """At most one substitution, insertion, deletion, or swap of two adjacent letters."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    if len(a) > len(b):
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]


def typo_allowed(word: str) -> bool:
    return len(word) >= TYPO_MIN_LENGTH


@lru_cache(maxsize=16384)
def _words(text: str) -> tuple[str, ...]:
    """words(), remembered: names, brands and tags recur in every search of a closet."""
    return tuple(words(text))


class _Matcher:
    """Scores documents against one query; remembers typo checks across documents."""

    def __init__(self, query: Sequence[str]) -> None:
        self.query = query
        self.typos: dict[tuple[str, str], bool] = {}

    def quality(self, word: str, tokens: Iterable[str], typos: bool) -> float:
        best = 0.0
        for token in tokens:
            if token == word:
                return EXACT
            if token.startswith(word):
                best = PREFIX
            elif typos and best < TYPO and typo_allowed(word) and self._near(word, token):
                best = TYPO
        return best

    def _near(self, word: str, token: str) -> bool:
        key = (word, token)
        if key not in self.typos:
            self.typos[key] = within_one_edit(word, token)
        return self.typos[key]

    def score(self, doc: SearchDocument) -> tuple[float, MatchField] | None:
        texts = (doc.name, doc.brand, doc.tags, doc.body)
        total, best_field, best_points = 0.0, None, 0.0
        for word in self.query:
            points, field = 0.0, None
            for (name, weight, typos), text in zip(_FIELDS, texts, strict=True):
                if points >= weight:  # weights fall and quality is at most 1: nothing better below
                    break
                found = weight * self.quality(word, _words(text), typos)
                if found > points:
                    points, field = found, name
            if field is None:
                return None
            total += points
            if points > best_points:
                best_points, best_field = points, field
        assert best_field is not None
        return total, best_field


def rank(documents: Iterable[SearchDocument], query: Sequence[str], limit: int) -> list[SearchHit]:
    """The documents matching every query word, best first (ties: active before archived,
    then by title and id)."""
    if not query:
        return []
    matcher = _Matcher(query)
    hits = []
    for doc in documents:
        scored = matcher.score(doc)
        if scored is not None:
            hits.append(SearchHit(doc.kind, doc.id, doc.title, round(scored[0], 3), scored[1], doc.archived))
    hits.sort(key=lambda h: (-h.score, h.archived, h.title.casefold(), h.kind, h.id))
    return hits[:limit]


# --- autocomplete ------------------------------------------------------------------------------


def suggestion_key(text: str) -> str:
    """What a suggestion is compared and grouped by: its words, joined by single spaces."""
    return " ".join(words(text))


def suggests(value_key: str, prefix_key: str) -> bool:
    """Whether a value (by its key) completes a prefix (by its key): the prefix's words occur
    in the value's words in a row, starting at a word, the last one as a prefix."""
    return bool(prefix_key) and f" {prefix_key}" in f" {value_key}"


def rank_suggestions(
    values: Iterable[tuple[SuggestionKind, str, int]], prefix: str, limit: int
) -> list[Suggestion]:
    """Suggestions from ``(kind, value, count)`` rows: the values completing ``prefix``, grouped
    by kind and key (the count summed, the smallest spelling shown), most frequent first; ties
    in the order of ``SUGGESTION_KINDS``, then by key."""
    wanted = suggestion_key(prefix)
    groups: dict[tuple[SuggestionKind, str], tuple[str, int]] = {}
    for kind, value, count in values:
        key = suggestion_key(value)
        if not suggests(key, wanted):
            continue
        label, total = groups.get((kind, key), (value, 0))
        groups[(kind, key)] = (min(label, value), total + count)
    order = sorted(groups.items(), key=lambda g: (-g[1][1], SUGGESTION_KINDS.index(g[0][0]), g[0][1]))
    return [Suggestion(label, kind, count) for (kind, _key), (label, count) in order[:limit]]
