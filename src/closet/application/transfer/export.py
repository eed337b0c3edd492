"""Export: a collection, or the whole closet, as one versioned JSON document plus its images."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, replace
from typing import Any

from closet.application.collections import CollectionRef, load_collection, rules_from_dict
from closet.application.documents import DocumentSync
from closet.application.filters import FilterContext, build_filter
from closet.application.item_query import ItemFilter, ItemQuery, Sort
from closet.application.outfits.common import OutfitRef, load_outfit
from closet.application.ports.clock import Clock
from closet.application.ports.images import ImageStore
from closet.application.ports.outfits import OutfitFilter, OutfitQuery
from closet.application.ports.uow import UnitOfWork
from closet.application.transfer.archive import image_name
from closet.domain.collections import Collection, CollectionId, MemberKind
from closet.domain.images import ItemPhoto
from closet.domain.items import ClothingItem, season_names
from closet.domain.outfits import Outfit
from closet.domain.users import Hemisphere, UserId, UserSettings

FORMAT, VERSION = "closet-export", 1
EVERYTHING = 1_000_000


@dataclass(frozen=True, slots=True)
class ExportBundle:
    document: dict[str, Any]
    images: dict[str, bytes]  # archive name → bytes
    missing_images: list[str]  # blobs that could not be read (reported, not fatal)


@dataclass(frozen=True, kw_only=True)
class ExportCommand:
    owner_id: UserId
    collection_id: CollectionId | None = None  # None: the whole closet
    with_images: bool = True


class ExportCloset:
    def __init__(self, uow: UnitOfWork, sync: DocumentSync, store: ImageStore, clock: Clock) -> None:
        self.uow, self.sync, self.store, self.clock = uow, sync, store, clock

    async def __call__(self, cmd: ExportCommand) -> ExportBundle:
        async with self.uow as uow:
            if cmd.collection_id is None:
                items = await _all_items(uow, cmd.owner_id, ItemFilter())
                outfits = await _all_outfits(uow, self.sync, cmd.owner_id)
                collections = [
                    await load_collection(
                        uow, self.sync, CollectionRef(owner_id=cmd.owner_id, collection_id=c.id)
                    )
                    for c in await uow.collections.all(cmd.owner_id)
                ]
                scope = {"kind": "closet", "name": None}
            else:
                ref = CollectionRef(owner_id=cmd.owner_id, collection_id=cmd.collection_id)
                collection = await load_collection(uow, self.sync, ref)
                items, outfits = await self._members(uow, collection)
                collections = [collection]
                scope = {"kind": "collection", "name": collection.details.name}
            items = await self.sync.with_documents(uow, items) if items else []
        images: dict[str, bytes] = {}
        missing: list[str] = []
        if cmd.with_images:
            for item in items:
                await self._images(item.photo, images, missing)
        gone = set(missing)
        document = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": self.clock.now().isoformat(),
            "scope": scope,
            "items": [_without(item_entry(i, cmd.with_images), gone) for i in items],
            "outfits": [outfit_entry(o) for o in outfits],
            "collections": [collection_entry(c) for c in collections],
        }
        return ExportBundle(document, images, missing)

    async def _members(
        self, uow: UnitOfWork, collection: Collection
    ) -> tuple[list[ClothingItem], list[Outfit]]:
        owner = collection.owner_id
        if collection.details.rules is not None:
            user = await uow.users.get(owner)
            settings = user.settings if user is not None else UserSettings()
            southern = settings.hemisphere is Hemisphere.SOUTH
            context = FilterContext.owners(self.clock, time_zone=settings.time_zone, southern=southern)
            spec = rules_from_dict(collection.details.rules)
            spec = replace(spec, status=spec.status or ("active",))  # what its item list shows
            return await _all_items(uow, owner, build_filter(spec, context)), []
        outfits = [
            await load_outfit(uow, self.sync, OutfitRef(owner_id=owner, outfit_id=m.id))  # type: ignore[arg-type]
            for m in collection.members
            if m.kind is MemberKind.OUTFIT
        ]
        wanted = {m.id for m in collection.members if m.kind is MemberKind.ITEM}
        wanted |= {i for o in outfits for i in o.details.item_ids}  # what the layouts show
        items = await _all_items(uow, owner, ItemFilter(ids=frozenset(wanted)))
        return items, outfits

    async def _images(self, photo: ItemPhoto | None, images: dict[str, bytes], missing: list[str]) -> None:
        if photo is None:
            return
        blobs = [photo.original] + ([photo.cutout.blob] if photo.cutout else [])
        for blob in blobs:
            name = image_name(blob.key, blob.media_type)
            if name in images:
                continue
            data = await self.store.get(blob.key)
            if data is None:
                missing.append(name)
            else:
                images[name] = data


async def _all_items(uow: UnitOfWork, owner_id: UserId, item_filter: ItemFilter) -> list[ClothingItem]:
    query = ItemQuery(filter=item_filter, sort=Sort.parse("created_at"), limit=EVERYTHING)
    return list((await uow.items.list(owner_id, query)).items)


async def _all_outfits(uow: UnitOfWork, sync: DocumentSync, owner_id: UserId) -> list[Outfit]:
    found: list[Outfit] = []
    for template in (False, True):
        query = OutfitQuery(filter=OutfitFilter(is_template=template), limit=EVERYTHING)
        for outfit in (await uow.outfits.list(owner_id, query)).outfits:
            ref = OutfitRef(owner_id=owner_id, outfit_id=outfit.id, template=template)
            found.append(await load_outfit(uow, sync, ref))
    return sorted(found, key=lambda o: (o.created_at, o.id))


def _ref(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def _without(entry: dict[str, Any], missing: set[str]) -> dict[str, Any]:
    """An image that could not be read is left out of the document (and so of the archive)."""
    photo = entry.get("photo")
    if photo is None or not missing:
        return entry
    if photo["original"] in missing:
        return {**entry, "photo": None}
    if photo["cutout"] in missing:
        return {**entry, "photo": {**photo, "cutout": None}}
    return entry


def item_entry(item: ClothingItem, with_images: bool) -> dict[str, Any]:
    d, p = item.details, item.details.purchase
    photo = item.photo if with_images else None
    return {
        "ref": str(item.id),
        "name": d.name,
        "category": d.category.value,
        "subcategory": d.subcategory,
        "brand": d.brand,
        "colors": [{"name": c.name, "hex": c.hex} for c in d.colors],
        "size": {"system": d.size.system.value, "label": d.size.label} if d.size else None,
        "materials": [{"fibre": m.fibre, "percent": str(m.percent)} for m in d.materials],
        "condition": d.condition.value if d.condition else None,
        "purchase": {
            "date": p.on.isoformat() if p.on else None,
            "price": {"amount": str(p.price.amount), "currency": p.price.currency} if p.price else None,
            "store": p.store,
        }
        if p
        else None,
        "seasons": season_names(d.seasons),
        "tags": list(d.tags),
        "notes": d.notes,
        "status": item.status.value,
        "archive_reason": item.archive_reason.value if item.archive_reason else None,
        "photo": {
            "original": image_name(photo.original.key, photo.original.media_type),
            "cutout": image_name(photo.cutout.blob.key, photo.cutout.blob.media_type)
            if photo.cutout
            else None,
        }
        if photo
        else None,
    }


def outfit_entry(outfit: Outfit) -> dict[str, Any]:
    d = outfit.details
    return {
        "ref": str(outfit.id),
        "name": d.name,
        "is_template": outfit.is_template,
        "canvas": {"width": d.canvas.width, "height": d.canvas.height, "background": d.canvas.background},
        "layers": [
            {
                "item": _ref(la.item_id),
                "category": la.category.value if la.category else None,
                "x": la.x,
                "y": la.y,
                "scale": la.scale,
                "rotation_deg": la.rotation_deg,
                "z": la.z,
            }
            for la in d.layers
        ],
        "notes": d.notes,
        "seasons": season_names(d.seasons),
        "occasions": sorted(o.value for o in d.occasions),
    }


def collection_entry(collection: Collection) -> dict[str, Any]:
    d = collection.details
    return {
        "ref": str(collection.id),
        "name": d.name,
        "description": d.description,
        "tags": list(d.tags),
        "seasons": season_names(d.seasons),
        "rules": d.rules,
        "sort": d.sort,
        "members": [{"kind": m.kind.value, "ref": str(m.id)} for m in collection.members],
        "cover": {"kind": d.cover.kind.value, "ref": str(d.cover.id)} if d.cover else None,
    }


CSV_COLUMNS = [
    "id", "name", "category", "subcategory", "brand", "colors", "size", "materials", "condition",
    "purchase_date", "price", "currency", "store", "seasons", "tags", "status", "wear_count",
    "last_worn_at", "created_at",
]  # fmt: skip


class ExportItemsCsv:
    """Every item as a spreadsheet row (the free-text notes stay out: one line per item)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def __call__(self, owner_id: UserId) -> str:
        async with self.uow as uow:
            items = await _all_items(uow, owner_id, ItemFilter())
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for item in items:
            writer.writerow(_csv_row(item))
        return out.getvalue()


def _csv_row(item: ClothingItem) -> list[str]:
    d, p = item.details, item.details.purchase
    price = p.price if p else None
    cells: list[object] = [
        item.id,
        d.name,
        d.category.value,
        d.subcategory or "",
        d.brand or "",
        "; ".join(c.name for c in d.colors),
        f"{d.size.system.value} {d.size.label}" if d.size else "",
        "; ".join(f"{m.percent}% {m.fibre}" for m in d.materials),
        d.condition.value if d.condition else "",
        p.on.isoformat() if p and p.on else "",
        str(price.amount) if price else "",
        price.currency if price else "",
        p.store if p and p.store else "",
        "; ".join(season_names(d.seasons)),
        "; ".join(d.tags),
        item.status.value,
        item.wear_count,
        item.last_worn_at.isoformat() if item.last_worn_at else "",
        item.created_at.isoformat(),
    ]
    return [_safe(str(c)) for c in cells]


def _safe(cell: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: such text is quoted."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
