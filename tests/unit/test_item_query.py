"""Sort parsing, cursors and the item filter language."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from closet.application.filters import FilterSpec, build_filter
from closet.application.item_query import Cursor, SizeFilter, Sort, SortField
from closet.domain.errors import InvalidValue
from closet.domain.items import Category, ItemStatus
from closet.domain.sizes import SizeSystem


def test_sort_parse() -> None:
    assert Sort.parse("-last_worn_at") == Sort(SortField.LAST_WORN_AT, True)
    assert Sort.parse("name") == Sort(SortField.NAME, False)
    assert str(Sort.parse("+price")) == "price"
    with pytest.raises(InvalidValue):
        Sort.parse("size")


values = {
    SortField.CREATED_AT: st.datetimes(timezones=st.just(UTC)),
    SortField.UPDATED_AT: st.datetimes(timezones=st.just(UTC)),
    SortField.NAME: st.text(),
    SortField.BRAND: st.text() | st.none(),
    SortField.PURCHASE_DATE: st.dates() | st.none(),
    SortField.PRICE: st.decimals(min_value=0, max_value=10**9, places=4) | st.none(),
    SortField.WEAR_COUNT: st.integers(0, 10**6),
    SortField.LAST_WORN_AT: st.dates() | st.none(),
    SortField.COLOR: st.integers(0, 3_000_000) | st.none(),
}


@given(st.data(), st.sampled_from(list(SortField)), st.booleans(), st.uuids())
def test_cursor_round_trips(
    data: st.DataObject, sort_field: SortField, desc: bool, item_id: uuid.UUID
) -> None:
    sort = Sort(sort_field, desc)
    cursor = Cursor(sort, data.draw(values[sort_field]), item_id)
    assert Cursor.decode(cursor.encode(), sort) == cursor


@given(st.text(max_size=80))
def test_garbage_cursors_are_refused_cleanly(token: str) -> None:
    try:
        Cursor.decode(token, Sort(SortField.PRICE))
    except InvalidValue as exc:
        assert exc.errors[0].field == "cursor"


def test_a_cursor_only_fits_its_own_sort() -> None:
    token = Cursor(Sort(SortField.NAME), "coat", uuid.uuid4()).encode()
    with pytest.raises(InvalidValue, match="another sort order"):
        Cursor.decode(token, Sort(SortField.NAME, descending=True))
    naive = Cursor(Sort(SortField.CREATED_AT), datetime(2026, 1, 1), uuid.uuid4()).encode()
    with pytest.raises(InvalidValue):
        Cursor.decode(naive, Sort(SortField.CREATED_AT))


def test_filter_normalises_each_value() -> None:
    f = build_filter(
        FilterSpec(
            category=["Top", "dress"],
            brand=["  ACME "],
            color=["Gray", "#000000"],
            size=["m", "eu:38", "32x34"],
            material=["Spandex"],
            status=["archived"],
            tag=[" Work "],
            purchased_from=date(2024, 1, 1),
            price_max=Decimal("100"),
            q="Wool  COAT wool",
        )
    )
    assert f.categories == {Category.TOP, Category.DRESS}
    assert f.brands == {"acme"} and f.colors == {"grey", "black"}
    assert f.sizes == {SizeFilter("m"), SizeFilter("38", SizeSystem.EU), SizeFilter("w32 l34")}
    assert f.materials == {"elastane"} and f.statuses == {ItemStatus.ARCHIVED} and f.tags == {"work"}
    assert f.terms == ("wool", "coat")


def test_filter_reports_every_bad_value() -> None:
    with pytest.raises(InvalidValue) as caught:
        build_filter(
            FilterSpec(category=["top", "cape"], color=["blurple"], price_min=Decimal("-1"), q="x" * 300)
        )
    assert {e.field for e in caught.value.errors} == {"category[1]", "color[0]", "price_min", "q"}
