"""Search semantics (search_query) and the search use cases' validation."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from closet.adapters.memory.search import MemorySearchIndex
from closet.adapters.memory.store import MemoryStore
from closet.application.search import Search, SearchCommand, Suggest, SuggestCommand
from closet.application.search_query import (
    SearchDocument,
    query_words,
    rank,
    rank_suggestions,
    within_one_edit,
    words,
)
from closet.domain.errors import InvalidValue
from closet.domain.users import UserId
from tests.factories import make_item, make_user


def osa_distance(a: str, b: str) -> int:
    """Optimal string alignment distance, by the textbook table."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


@given(st.text("abcd", max_size=7), st.text("abcd", max_size=7))
def test_within_one_edit_is_osa_distance_at_most_one(a: str, b: str) -> None:
    assert within_one_edit(a, b) == (osa_distance(a, b) <= 1)


def test_words_drop_apostrophes_case_and_punctuation() -> None:
    assert words("Levi’s T-shirt, DR. Martens_x ß É") == [
        "levis",
        "t",
        "shirt",
        "dr",
        "martens",
        "x",
        "ß",
        "é",
    ]
    assert words('" AND ( * {name}:') == ["and", "name"]
    assert query_words("coat Coat COAT a b c d e f g h i") == ["coat", "a", "b", "c", "d", "e", "f", "g"]


def doc(title: str, **fields: str) -> SearchDocument:
    return SearchDocument(
        kind="item", id=uuid.uuid4(), title=title, archived=fields.pop("archived", "") == "yes", **fields
    )


def test_rank_weighs_fields_before_match_quality() -> None:
    docs = [
        doc("notes exact", name="x", body="coat"),
        doc("tags exact", name="x", tags="coat"),
        doc("brand typo", name="x", brand="cota"),
        doc("name typo", name="caot"),
        doc("brand exact", name="x", brand="coat"),
        doc("name prefix", name="coats"),
        doc("no typo in notes", name="x", body="caot"),
    ]
    ranked = [(h.title, h.score, h.field) for h in rank(docs, ["coat"], 10)]
    assert ranked == [
        ("name prefix", 6.4, "name"),
        ("name typo", 4.8, "name"),
        ("brand exact", 4.0, "brand"),
        ("brand typo", 2.4, "brand"),
        ("tags exact", 2.0, "tags"),
        ("notes exact", 1.0, "notes"),
    ]
    assert rank(docs, [], 10) == []


def test_suggestions_group_case_variants_and_break_ties_by_kind_then_text() -> None:
    rows = [
        ("brand", "acme", 1),
        ("brand", "Acme", 2),
        ("name", "Acme jacket", 3),
        ("tag", "acme fan", 3),
        ("name", "Coat acme", 1),
        ("color", "black", 9),
    ]
    found = [(s.text, s.kind, s.count) for s in rank_suggestions(rows, "ACM", 10)]
    assert found == [
        ("Acme jacket", "name", 3),
        ("Acme", "brand", 3),
        ("acme fan", "tag", 3),
        ("Coat acme", "name", 1),
    ]
    assert rank_suggestions(rows, "'", 10) == []  # no words: nothing to complete


@pytest.fixture
def index() -> MemorySearchIndex:
    item = make_item(make_user(), name="Navy coat")
    return MemorySearchIndex(MemoryStore(items={item.id: item}))


async def test_search_validates_its_input(index: MemorySearchIndex) -> None:
    owner = UserId(uuid.uuid4())
    search, suggest = Search(index), Suggest(index)
    for bad, fields in [
        (SearchCommand(owner_id=owner, q=None), {"q"}),
        (SearchCommand(owner_id=owner, q="   "), {"q"}),
        (SearchCommand(owner_id=owner, q="x" * 101), {"q"}),
        (SearchCommand(owner_id=owner, q="coat", limit=0), {"limit"}),
        (SearchCommand(owner_id=owner, q="", limit=51), {"q", "limit"}),
    ]:
        with pytest.raises(InvalidValue) as caught:
            await search(bad)
        assert {e.field for e in caught.value.errors} == fields
    with pytest.raises(InvalidValue):
        await suggest(SuggestCommand(owner_id=owner, q="co", limit=11))
    assert await search(SearchCommand(owner_id=owner, q="  " + "x" * 100 + "  ")) == []  # trimmed: 100


async def test_search_and_suggest_answer_for_the_owner_only(index: MemorySearchIndex) -> None:
    (item,) = index.store.items.values()
    mine = await Search(index)(SearchCommand(owner_id=item.owner_id, q=" navy  "))
    assert [h.id for h in mine] == [item.id]
    assert await Search(index)(SearchCommand(owner_id=UserId(uuid.uuid4()), q="navy")) == []
    found = await Suggest(index)(SuggestCommand(owner_id=item.owner_id, q="nav"))
    assert [(s.text, s.kind) for s in found] == [("Navy coat", "name"), ("navy", "color")]
