"""The export document's wire schema (version 1), decoded strictly into the import's shapes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from closet.application.collections import CollectionSpec, rules_from_dict
from closet.application.outfits.specs import CanvasSpec, LayerSpec, OutfitSpec
from closet.application.specs import ColorSpec, ItemSpec, MaterialSpec, PriceSpec, PurchaseSpec, SizeSpec
from closet.application.transfer import (
    ImportDocument,
    ImportedCollection,
    ImportedItem,
    ImportedLayer,
    ImportedOutfit,
    ImportedPhoto,
    ImportReport,
)
from closet.domain.errors import InvalidValue

Text = Annotated[str, Meta(max_length=8000)]
Short = Annotated[str, Meta(max_length=300)]
Ref = Annotated[str, Meta(max_length=100)]
Strings = Annotated[list[Short], Meta(max_length=100)]


class _Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class ColorDoc(_Strict, kw_only=True):
    name: Short | None = None
    hex: Short | None = None


class SizeDoc(_Strict, kw_only=True):
    system: Short
    label: Short


class MaterialDoc(_Strict, kw_only=True):
    fibre: Short
    percent: Decimal


class PriceDoc(_Strict, kw_only=True):
    amount: Decimal
    currency: Short


class PurchaseDoc(_Strict, kw_only=True):
    date: date | None = None
    price: PriceDoc | None = None
    store: Short | None = None


class PhotoDoc(_Strict, kw_only=True):
    original: Short
    cutout: Short | None = None


class ItemDoc(_Strict, kw_only=True):
    ref: Ref
    name: Short
    category: Short
    subcategory: Short | None = None
    brand: Short | None = None
    colors: Annotated[list[ColorDoc], Meta(max_length=20)] = []
    size: SizeDoc | None = None
    materials: Annotated[list[MaterialDoc], Meta(max_length=20)] = []
    condition: Short | None = None
    purchase: PurchaseDoc | None = None
    seasons: Strings = []
    tags: Strings = []
    notes: Text | None = None
    status: Short = "active"
    archive_reason: Short | None = None
    photo: PhotoDoc | None = None


class CanvasDoc(_Strict, kw_only=True):
    width: int
    height: int
    background: Short | None = None


class LayerDoc(_Strict, kw_only=True):
    item: Ref | None = None
    category: Short | None = None
    x: float
    y: float
    scale: float = 1.0
    rotation_deg: float = 0.0
    z: int


class OutfitDoc(_Strict, kw_only=True):
    ref: Ref
    name: Short
    is_template: bool = False
    canvas: CanvasDoc
    layers: Annotated[list[LayerDoc], Meta(max_length=100)] = []
    notes: Text | None = None
    seasons: Strings = []
    occasions: Strings = []


class MemberDoc(_Strict, kw_only=True):
    kind: Short
    ref: Ref


class CollectionDoc(_Strict, kw_only=True):
    ref: Ref
    name: Short
    description: Text | None = None
    tags: Strings = []
    seasons: Strings = []
    rules: dict[str, Any] | None = None
    sort: Short | None = None
    members: Annotated[list[MemberDoc], Meta(max_length=2000)] = []
    cover: MemberDoc | None = None


class ExportDoc(_Strict, kw_only=True):
    format: Short
    version: int
    exported_at: Short | None = None
    scope: dict[str, Any] | None = None
    items: list[ItemDoc] = []
    outfits: list[OutfitDoc] = []
    collections: list[CollectionDoc] = []


class Envelope(msgspec.Struct):
    format: Any = None
    version: Any = None


def decode_document(data: bytes) -> ImportDocument:
    """The file's document: its format and version first (a clear answer for an unknown one),
    then every field with its type; each problem names where it is."""
    try:
        envelope = msgspec.json.decode(data, type=Envelope)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise InvalidValue.of("file", f"not an export document: {exc}") from None
    if envelope.format != "closet-export":
        raise InvalidValue.of("format", "the file is not a closet export (format must be 'closet-export')")
    if envelope.version != 1:
        raise InvalidValue.of(
            "version", f"export version {envelope.version!r} is not one this server reads (1)"
        )
    try:
        doc = msgspec.json.decode(data, type=ExportDoc)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise InvalidValue.of("file", str(exc)) from None
    if len(doc.items) > 5000:  # checked again by the import; refused before any conversion work
        raise InvalidValue.of("items", f"{len(doc.items)} in the file; an import takes at most 5000")
    return ImportDocument(
        version=doc.version,
        items=[_item(i) for i in doc.items],
        outfits=[_outfit(o) for o in doc.outfits],
        collections=[_collection(c) for c in doc.collections],
    )


def _item(doc: ItemDoc) -> ImportedItem:
    purchase = None
    if doc.purchase is not None:
        p = doc.purchase
        price = PriceSpec(amount=p.price.amount, currency=p.price.currency) if p.price else None
        purchase = PurchaseSpec(date=p.date, price=price, store=p.store)
    spec = ItemSpec(
        name=doc.name,
        category=doc.category,
        subcategory=doc.subcategory,
        brand=doc.brand,
        colors=[ColorSpec(name=c.name, hex=c.hex) for c in doc.colors],
        size=SizeSpec(system=doc.size.system, label=doc.size.label) if doc.size else None,
        materials=[MaterialSpec(fibre=m.fibre, percent=m.percent) for m in doc.materials],
        condition=doc.condition,
        purchase=purchase,
        seasons=doc.seasons,
        tags=doc.tags,
        notes=doc.notes,
    )
    photo = ImportedPhoto(original=doc.photo.original, cutout=doc.photo.cutout) if doc.photo else None
    reason = doc.archive_reason or "other" if doc.status == "archived" else None
    return ImportedItem(ref=doc.ref, spec=spec, archive_reason=reason, photo=photo)


def _outfit(doc: OutfitDoc) -> ImportedOutfit:
    layers = [
        ImportedLayer(
            item=la.item,
            spec=LayerSpec(
                x=la.x, y=la.y, scale=la.scale, rotation_deg=la.rotation_deg, z=la.z, category=la.category
            ),
        )
        for la in doc.layers
    ]
    canvas = CanvasSpec(width=doc.canvas.width, height=doc.canvas.height, background=doc.canvas.background)
    spec = OutfitSpec(
        name=doc.name, canvas=canvas, notes=doc.notes, seasons=doc.seasons, occasions=doc.occasions
    )
    return ImportedOutfit(ref=doc.ref, spec=spec, layers=layers, is_template=doc.is_template)


def _collection(doc: CollectionDoc) -> ImportedCollection:
    spec = CollectionSpec(
        name=doc.name,
        description=doc.description,
        tags=doc.tags,
        seasons=doc.seasons,
        rules=rules_from_dict(doc.rules) if doc.rules is not None else None,
        sort=doc.sort,
    )
    cover = (doc.cover.kind, doc.cover.ref) if doc.cover else None
    return ImportedCollection(
        ref=doc.ref, spec=spec, members=[(m.kind, m.ref) for m in doc.members], cover=cover
    )


class SkippedOut(msgspec.Struct):
    kind: str
    ref: str
    reason: str


class RenamedOut(msgspec.Struct):
    asked: str
    given: str


class ImportReportOut(msgspec.Struct):
    dry_run: bool
    created: dict[str, int]
    skipped: list[SkippedOut]
    renamed: list[RenamedOut]
    ids: dict[str, str]  # the file's refs → the new ids


def report_out(report: ImportReport) -> ImportReportOut:
    return ImportReportOut(
        dry_run=report.dry_run,
        created=report.created,
        skipped=[SkippedOut(s.kind, s.ref, s.reason) for s in report.skipped],
        renamed=[RenamedOut(a, g) for a, g in report.renamed],
        ids=report.ids,
    )
