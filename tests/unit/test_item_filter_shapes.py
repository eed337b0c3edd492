"""The list's SQL is cached by the filter's shape: values never change the statement, shapes do."""

from __future__ import annotations

import uuid
from datetime import date

from closet.adapters.sql import item_filters
from closet.adapters.sql.items import page_statement
from closet.application.item_query import Cursor, ItemFilter, ItemQuery, SizeFilter, Sort, SortField
from closet.domain.items import Category
from closet.domain.sizes import SizeSystem

OWNER = uuid.uuid4()


def test_filters_of_one_shape_share_one_statement_and_bind_their_own_values() -> None:
    a = ItemFilter(categories=frozenset({Category.TOP}), colors=frozenset({"red", "blue"}), terms=("50%",))
    b = ItemFilter(categories=frozenset({Category.SHOES}), colors=frozenset({"black"}), terms=("a_b",))
    (shape_a, values_a), (shape_b, values_b) = item_filters.split(OWNER, a), item_filters.split(OWNER, b)
    assert shape_a == shape_b
    assert item_filters.where(shape_a) is item_filters.where(shape_b)
    assert values_a["categories"] == ["top"] and values_a["colors"] == ["blue", "red"]
    assert values_a["term_0"] == "50/%" and values_b["term_0"] == "a/_b"  # LIKE wildcards escaped


def test_a_different_shape_is_a_different_statement() -> None:
    sized = ItemFilter(sizes=frozenset({SizeFilter("38", SizeSystem.EU)}))
    any_system = ItemFilter(sizes=frozenset({SizeFilter("38")}))
    shapes = {
        item_filters.split(OWNER, f)[0] for f in (sized, any_system, ItemFilter(), ItemFilter(also=sized))
    }
    assert len(shapes) == 4


def test_a_page_statement_is_reused_across_owners_and_cursors() -> None:
    sort = Sort(SortField.LAST_WORN_AT, descending=True)
    first = ItemQuery(filter=ItemFilter(), sort=sort, after=Cursor(sort, date(2025, 1, 1), uuid.uuid4()))
    second = ItemQuery(filter=ItemFilter(), sort=sort, after=Cursor(sort, date(2024, 6, 1), uuid.uuid4()))
    (statement_1, values_1), (statement_2, values_2) = (
        page_statement(OWNER, first),
        page_statement(uuid.uuid4(), second),
    )
    assert statement_1 is statement_2
    assert values_1["after_value"] == date(2025, 1, 1) and values_2["after_value"] == date(2024, 6, 1)
    never_worn = ItemQuery(filter=ItemFilter(), sort=sort, after=Cursor(sort, None, uuid.uuid4()))
    assert page_statement(OWNER, never_worn)[0] is not statement_1  # "after a null" reads differently
