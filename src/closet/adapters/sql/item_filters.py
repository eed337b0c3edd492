"""The item filter and sort of item_query, as SQL."""

from __future__ import annotations

import uuid

from sqlalchemy import Column, ColumnElement, Table, and_, exists, false, or_, select, true

from closet.adapters.sql.tables import item_colors, item_materials, item_tags, items
from closet.application.item_query import Cursor, ItemFilter, Sort, SortField, season_mask

SORT_COLUMNS = {
    SortField.CREATED_AT: items.c.created_at,
    SortField.UPDATED_AT: items.c.updated_at,
    SortField.NAME: items.c.name_key,
    SortField.BRAND: items.c.brand_key,
    SortField.PURCHASE_DATE: items.c.purchase_date,
    SortField.PRICE: items.c.price_amount,
    SortField.WEAR_COUNT: items.c.wear_count,
    SortField.LAST_WORN_AT: items.c.last_worn_at,
    SortField.COLOR: items.c.color_sort,
}


def conditions(owner_id: uuid.UUID, f: ItemFilter) -> list[ColumnElement[bool]]:
    c: list[ColumnElement[bool]] = [items.c.owner_id == owner_id]
    if f.categories:
        c.append(items.c.category.in_(sorted(x.value for x in f.categories)))
    if f.subcategories:
        c.append(items.c.subcategory_key.in_(sorted(f.subcategories)))
    if f.brands:
        c.append(items.c.brand_key.in_(sorted(f.brands)))
    if f.colors:
        c.append(_has(item_colors, item_colors.c.color, f.colors))
    if f.sizes:
        c.append(
            or_(
                *(
                    and_(
                        items.c.size_key == s.label_key,
                        items.c.size_system == s.system.value if s.system else true(),
                    )
                    for s in f.sizes
                )
            )
        )
    if f.materials:
        c.append(_has(item_materials, item_materials.c.fibre, f.materials))
    if f.conditions:
        c.append(items.c.condition.in_(sorted(x.value for x in f.conditions)))
    if f.statuses:
        c.append(items.c.status.in_(sorted(x.value for x in f.statuses)))
    if f.seasons:
        c.append(items.c.seasons.op("&")(season_mask(f.seasons)) != 0)
    if f.tags:
        c.append(_has(item_tags, item_tags.c.tag, f.tags))
    if f.purchased_from:
        c.append(items.c.purchase_date >= f.purchased_from)
    if f.purchased_to:
        c.append(items.c.purchase_date <= f.purchased_to)
    if f.price_min is not None:
        c.append(items.c.price_amount >= f.price_min)
    if f.price_max is not None:
        c.append(items.c.price_amount <= f.price_max)
    c.extend(items.c.search_text.contains(term, autoescape=True) for term in f.terms)
    return c + _usage(owner_id, f)


def _usage(owner_id: uuid.UUID, f: ItemFilter) -> list[ColumnElement[bool]]:
    """Wear counts, wear recency, a set of ids, and a second filter."""
    c: list[ColumnElement[bool]] = []
    if f.wear_min is not None:
        c.append(items.c.wear_count >= f.wear_min)
    if f.wear_max is not None:
        c.append(items.c.wear_count <= f.wear_max)
    if f.worn_before is not None:
        c.append(or_(items.c.last_worn_at.is_(None), items.c.last_worn_at < f.worn_before))
    if f.ids is not None:
        c.append(items.c.id.in_(sorted(f.ids)) if f.ids else false())
    if f.also is not None:
        c.extend(conditions(owner_id, f.also)[1:])  # [0] is the owner, already there
    return c


def _has(table: Table, column: Column[str], values: frozenset[str]) -> ColumnElement[bool]:
    """The item has one of ``values`` in a projection table (item_id, value, owner_id)."""
    inner = select(1).where(table.c.item_id == items.c.id, column.in_(sorted(values))).correlate(items)
    return exists(inner)  # correlated to the item only (the facet queries read the table too)


def ordering(sort: Sort) -> list[ColumnElement[object]]:
    col = SORT_COLUMNS[sort.field]
    if sort.descending:
        first = col.desc().nulls_last() if col.nullable else col.desc()
        return [first, items.c.id.desc()]
    return [col.asc().nulls_last() if col.nullable else col.asc(), items.c.id.asc()]


def after(cursor: Cursor) -> ColumnElement[bool]:
    """Rows after the cursor in the sort order (nulls last); mirrors item_query.is_after."""
    col = SORT_COLUMNS[cursor.sort.field]
    desc = cursor.sort.descending
    id_after = items.c.id < cursor.item_id if desc else items.c.id > cursor.item_id
    if cursor.value is None:
        return and_(col.is_(None), id_after) if col.nullable else false()
    beyond = col < cursor.value if desc else col > cursor.value
    same = and_(col == cursor.value, id_after)
    return or_(beyond, same, col.is_(None)) if col.nullable else or_(beyond, same)
