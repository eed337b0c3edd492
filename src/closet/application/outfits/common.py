"""What the outfit use cases share: loading with the document, checking items, documents."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from closet.application.documents import DocumentSync
from closet.application.errors import NotFound, StaleVersion
from closet.application.item_query import ItemFilter, ItemQuery
from closet.application.ports.documents import DocumentChange, DocumentKind
from closet.application.ports.uow import UnitOfWork
from closet.domain.errors import ErrorCollector
from closet.domain.items import ClothingItem, ItemId
from closet.domain.outfits import Outfit, OutfitId
from closet.domain.users import UserId


def outfit_document(outfit: Outfit) -> DocumentChange:
    """The ``outfit_metadata`` document: the canvas and layers, and the notes."""
    d = outfit.details
    return DocumentChange(
        kind=DocumentKind.OUTFIT_METADATA,
        owner_id=outfit.owner_id,
        doc_id=outfit.id,
        version=outfit.version,
        body={
            "name": d.name,
            "is_template": outfit.is_template,
            "canvas": {"width": d.canvas.width, "height": d.canvas.height, "background": d.canvas.background},
            "layers": [
                {
                    "item_id": str(la.item_id) if la.item_id else None,
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
        },
    )


def outfit_tombstone(outfit: Outfit) -> DocumentChange:
    return replace(outfit_document(outfit), version=outfit.version + 1, body=None)


@dataclass(frozen=True, kw_only=True)
class OutfitRef:
    owner_id: UserId
    outfit_id: OutfitId
    expected_version: int | None = None
    template: bool = False  # which kind the route is about: an outfit or a template


async def load_outfit(uow: UnitOfWork, sync: DocumentSync, ref: OutfitRef) -> Outfit:
    """The outfit as saved (row, layers, and its document's notes); the version checked."""
    outfit = await uow.outfits.get(ref.owner_id, ref.outfit_id)
    if outfit is None or outfit.is_template != ref.template:
        raise NotFound("template" if ref.template else "outfit", ref.outfit_id)
    if ref.expected_version is not None and ref.expected_version != outfit.version:
        raise StaleVersion(ref.expected_version, outfit.version)
    bodies = await sync.bodies(uow, DocumentKind.OUTFIT_METADATA, ref.owner_id, {outfit.id: outfit.version})
    body: dict[str, Any] = bodies.get(outfit.id, {})
    if body.get("notes") is not None:
        outfit.details = replace(outfit.details, notes=body["notes"])
    return outfit


async def owned_items(
    uow: UnitOfWork, owner_id: UserId, item_ids: Iterable[ItemId]
) -> dict[ItemId, ClothingItem]:
    """The owner's items among ``item_ids`` (archived ones too), in that order: one query."""
    wanted = list(dict.fromkeys(item_ids))
    if not wanted:
        return {}
    query = ItemQuery(filter=ItemFilter(ids=frozenset(wanted)), limit=len(wanted))
    found = {item.id: item for item in (await uow.items.list(owner_id, query)).items}
    return {item_id: found[item_id] for item_id in wanted if item_id in found}


async def check_items(uow: UnitOfWork, outfit: Outfit) -> dict[ItemId, ClothingItem]:
    """Every layer's item exists and is the owner's (another owner's reads as missing)."""
    items = await owned_items(uow, outfit.owner_id, outfit.details.item_ids)
    errors = ErrorCollector()
    for index, layer in enumerate(outfit.details.layers):
        if layer.item_id is not None and layer.item_id not in items:
            errors.add(f"layers[{index}].item_id", f"no item {layer.item_id} in your closet")
    errors.raise_if_any()
    return items


async def save_outfit(uow: UnitOfWork, sync: DocumentSync, outfit: Outfit, loaded_version: int) -> None:
    if outfit.version != loaded_version:
        await uow.outfits.update(outfit, expected_version=loaded_version)
        queued = await sync.queue(uow, [outfit_document(outfit)])
        await uow.commit()
        await sync.publish(queued)
