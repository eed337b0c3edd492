"""Outfits in SQL: a row, its layers (what renders and filters read), its cached renders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import RowMapping, and_, bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from closet.adapters.sql.engine import dialect_insert
from closet.adapters.sql.tables import item_photos, outfit_layers, outfit_renders, outfits
from closet.application.errors import StaleVersion
from closet.application.item_query import season_mask
from closet.application.ports.outfits import (
    OutfitPage,
    OutfitQuery,
    OutfitRepository,
    OutfitToRender,
    StoredRender,
)
from closet.domain.images import BlobKey, CutoutStatus, drawn_image
from closet.domain.items import Category, ItemId, Season
from closet.domain.outfits import Canvas, Layer, Occasion, Outfit, OutfitDetails, OutfitId
from closet.domain.users import UserId

_SEASONS, _OCCASIONS = list(Season), list(Occasion)


def _mask(values: frozenset[Any], order: list[Any]) -> int:
    return sum(1 << order.index(v) for v in values)


def _unmask(mask: int, order: list[Any]) -> frozenset[Any]:
    return frozenset(v for i, v in enumerate(order) if mask & (1 << i))


def outfit_row(outfit: Outfit) -> dict[str, Any]:
    d = outfit.details
    return {
        "id": outfit.id,
        "owner_id": outfit.owner_id,
        "name": d.name,
        "canvas_width": d.canvas.width,
        "canvas_height": d.canvas.height,
        "background": d.canvas.background,
        "seasons": season_mask(d.seasons),
        "occasions": _mask(d.occasions, _OCCASIONS),
        "is_template": outfit.is_template,
        "template_id": outfit.template_id,
        "layout_hash": d.layout_hash(),
        "version": outfit.version,
        "created_at": outfit.created_at,
        "updated_at": outfit.updated_at,
    }


def layer_rows(outfit: Outfit) -> list[dict[str, Any]]:
    return [
        {
            "outfit_id": outfit.id,
            "z": layer.z,
            "owner_id": outfit.owner_id,
            "item_id": layer.item_id,
            "category": layer.category.value if layer.category else None,
            "x": layer.x,
            "y": layer.y,
            "scale": layer.scale,
            "rotation_deg": layer.rotation_deg,
        }
        for layer in outfit.details.layers
    ]


def _layer(row: RowMapping) -> Layer:
    return Layer(
        item_id=ItemId(row["item_id"]) if row["item_id"] is not None else None,
        x=row["x"],
        y=row["y"],
        scale=row["scale"],
        rotation_deg=row["rotation_deg"],
        z=row["z"],
        category=Category(row["category"]) if row["category"] else None,
    )


def _outfit(row: RowMapping, layers: Sequence[Layer]) -> Outfit:
    details = OutfitDetails(
        name=row["name"],
        canvas=Canvas(row["canvas_width"], row["canvas_height"], row["background"]),
        layers=tuple(sorted(layers, key=lambda la: la.z)),
        notes=None,  # the notes live in the outfit's document
        seasons=_unmask(row["seasons"], _SEASONS),
        occasions=_unmask(row["occasions"], _OCCASIONS),
    )
    return Outfit(
        id=OutfitId(row["id"]),
        owner_id=UserId(row["owner_id"]),
        details=details,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        is_template=row["is_template"],
        template_id=OutfitId(row["template_id"]) if row["template_id"] else None,
        version=row["version"],
    )


# The columns ``_layer`` reads: no outfit column shares their names, so they need no labels.
_LAYER_COLUMNS = [
    outfit_layers.c[name] for name in ("item_id", "category", "x", "y", "scale", "rotation_deg", "z")
]
_THE_OUTFIT = and_(
    outfits.c.id == bindparam("outfit_id", type_=outfits.c.id.type),
    outfits.c.owner_id == bindparam("owner_id", type_=outfits.c.owner_id.type),
)
_WITH_LAYERS = outfits.outerjoin(outfit_layers, outfit_layers.c.outfit_id == outfits.c.id)

# One outfit's read, built once: the outfit, a row per layer (one row with no layer if it has none).
_ONE = select(outfits, *_LAYER_COLUMNS).select_from(_WITH_LAYERS).where(_THE_OUTFIT)

# A render's read, built once: as ``_ONE``, each layer with its item's photo (the owner's: a layer
# never shows another owner's photo).
_TO_RENDER = (
    select(
        outfits,
        *_LAYER_COLUMNS,
        item_photos.c.original_key.label("photo_original_key"),
        item_photos.c.cutout_key.label("photo_cutout_key"),
        item_photos.c.status.label("photo_status"),
    )
    .select_from(
        _WITH_LAYERS.outerjoin(
            item_photos,
            and_(
                item_photos.c.item_id == outfit_layers.c.item_id,
                item_photos.c.owner_id == outfits.c.owner_id,
            ),
        )
    )
    .where(_THE_OUTFIT)
)


def _with_layers(rows: Sequence[RowMapping]) -> list[RowMapping]:
    """The rows of a read joined with the layers that hold a layer (an outfit without layers has
    one row, with none)."""
    return [row for row in rows if row["z"] is not None]


class SqlOutfitRepository(OutfitRepository):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, outfit: Outfit) -> None:
        await self.conn.execute(insert(outfits), [outfit_row(outfit)])
        await self._write_layers(outfit)

    async def _write_layers(self, outfit: Outfit) -> None:
        if rows := layer_rows(outfit):
            await self.conn.execute(insert(outfit_layers), rows)

    async def get(self, owner_id: UserId, outfit_id: OutfitId) -> Outfit | None:
        """One query: the outfit joined with its layers."""
        rows = (
            (await self.conn.execute(_ONE, {"outfit_id": outfit_id, "owner_id": owner_id})).mappings().all()
        )
        return _outfit(rows[0], [_layer(row) for row in _with_layers(rows)]) if rows else None

    async def get_to_render(self, owner_id: UserId, outfit_id: OutfitId) -> OutfitToRender | None:
        params = {"outfit_id": outfit_id, "owner_id": owner_id}
        rows = (await self.conn.execute(_TO_RENDER, params)).mappings().all()
        if not rows:
            return None
        layers, images = [], {}
        for row in _with_layers(rows):
            layers.append(_layer(row))
            if row["photo_original_key"] is not None:
                status = CutoutStatus(row["photo_status"])
                key = drawn_image(BlobKey(row["photo_original_key"]), row["photo_cutout_key"], status)
                images[ItemId(row["item_id"])] = key
        return OutfitToRender(_outfit(rows[0], layers), images)

    async def _load(self, where: Any, order: Sequence[Any] = (), limit: int | None = None) -> list[Outfit]:
        query = select(outfits).where(where).order_by(*order)
        if limit is not None:
            query = query.limit(limit)
        rows = (await self.conn.execute(query)).mappings().all()
        if not rows:
            return []
        layers: dict[Any, list[Layer]] = defaultdict(list)
        found = await self.conn.execute(
            select(outfit_layers).where(outfit_layers.c.outfit_id.in_([r["id"] for r in rows]))
        )
        for layer in found.mappings():
            layers[layer["outfit_id"]].append(_layer(layer))
        return [_outfit(r, layers[r["id"]]) for r in rows]

    async def update(self, outfit: Outfit, expected_version: int) -> None:
        values = outfit_row(outfit)
        del values["id"], values["owner_id"], values["created_at"]
        result = await self.conn.execute(
            update(outfits)
            .where(
                outfits.c.id == outfit.id,
                outfits.c.owner_id == outfit.owner_id,
                outfits.c.version == expected_version,
            )
            .values(values)
        )
        if result.rowcount != 1:
            current = await self.conn.scalar(select(outfits.c.version).where(outfits.c.id == outfit.id))
            raise StaleVersion(expected_version, current or 0)
        await self.conn.execute(delete(outfit_layers).where(outfit_layers.c.outfit_id == outfit.id))
        await self._write_layers(outfit)

    async def delete(self, owner_id: UserId, outfit_id: OutfitId) -> list[BlobKey] | None:
        keys = await self.conn.execute(  # before the DELETE, whose cascade takes the render rows
            select(outfit_renders.c.blob_key)
            .join(outfits, outfits.c.id == outfit_renders.c.outfit_id)
            .where(outfits.c.id == outfit_id, outfits.c.owner_id == owner_id)
        )
        released = [BlobKey(k) for (k,) in keys]
        deleted = await self.conn.execute(
            delete(outfits).where(outfits.c.id == outfit_id, outfits.c.owner_id == owner_id)
        )
        # A concurrent delete of it: this DELETE waited for its row lock and found nothing, and the
        # keys read before belong to that delete, not to this one.
        return released if deleted.rowcount else None

    async def list(self, owner_id: UserId, query: OutfitQuery) -> OutfitPage:
        f = query.filter
        where = [outfits.c.owner_id == owner_id, outfits.c.is_template == f.is_template]
        if f.seasons:
            where.append(outfits.c.seasons.op("&")(season_mask(f.seasons)) != 0)
        if f.occasions:
            where.append(outfits.c.occasions.op("&")(_mask(f.occasions, _OCCASIONS)) != 0)
        if f.item_id is not None:
            where.append(
                exists().where(
                    outfit_layers.c.outfit_id == outfits.c.id, outfit_layers.c.item_id == f.item_id
                )
            )
        if query.after is not None:
            at, after_id = query.after
            where.append(
                or_(outfits.c.created_at < at, and_(outfits.c.created_at == at, outfits.c.id < after_id))
            )
        order = (outfits.c.created_at.desc(), outfits.c.id.desc())
        page = await self._load(and_(*where), order, query.limit + 1)
        return OutfitPage(page[: query.limit], len(page) > query.limit)

    async def containing(self, owner_id: UserId, item_id: ItemId) -> list[Outfit]:
        holding = select(outfit_layers.c.outfit_id).where(
            outfit_layers.c.owner_id == owner_id, outfit_layers.c.item_id == item_id
        )
        return await self._load(and_(outfits.c.owner_id == owner_id, outfits.c.id.in_(holding)))

    async def versions(self) -> dict[OutfitId, tuple[UserId, int]]:
        rows = await self.conn.execute(select(outfits.c.id, outfits.c.owner_id, outfits.c.version))
        return {OutfitId(i): (UserId(o), v) for i, o, v in rows}

    async def count(self, owner_id: UserId) -> int:
        total = await self.conn.scalar(
            select(func.count())
            .select_from(outfits)
            .where(outfits.c.owner_id == owner_id, outfits.c.is_template.is_(False))
        )
        return int(total or 0)

    async def get_render(self, outfit_id: OutfitId, render_key: str) -> StoredRender | None:
        row = (
            (
                await self.conn.execute(
                    select(outfit_renders).where(
                        outfit_renders.c.outfit_id == outfit_id, outfit_renders.c.render_key == render_key
                    )
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        return StoredRender(BlobKey(row["blob_key"]), row["media_type"], row["width"], row["height"])

    async def save_render(self, outfit_id: OutfitId, render_key: str, render: StoredRender) -> list[BlobKey]:
        shape = f"{render.media_type}:{render.width}"
        stale = await self.conn.execute(
            delete(outfit_renders)
            .where(outfit_renders.c.outfit_id == outfit_id, outfit_renders.c.shape == shape)
            .returning(outfit_renders.c.blob_key)
        )
        released = [BlobKey(k) for (k,) in stale]
        stored = await self.conn.execute(
            dialect_insert(self.conn)(outfit_renders)
            .values(
                outfit_id=outfit_id,
                render_key=render_key,
                shape=shape,
                blob_key=render.key,
                media_type=render.media_type,
                width=render.width,
                height=render.height,
                created_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing(index_elements=["outfit_id", "render_key"])
        )
        if not stored.rowcount:  # the same picture, stored a moment ago by another request
            released.append(render.key)  # whose row holds the blob: give back this reference
        return released
