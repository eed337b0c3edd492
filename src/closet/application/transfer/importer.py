"""Import: an export document (and its images) into an account, with new ids throughout.

Everything is checked before anything is written: the schema version, the limits, every
image reference (it must name an image in the archive), every item (an invalid one is skipped
and reported), every image (normalised again, as an upload is). Then one transaction writes
it all; a dry run stops before it and answers the same report.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

from closet.application.collection_documents import collection_document
from closet.application.collections import CollectionSpec, build_collection
from closet.application.documents import DocumentSync, item_document
from closet.application.errors import (
    Conflict,
    Contention,
    ImageTooLarge,
    InvalidImage,
    UnsupportedImage,
    retries_contention,
)
from closet.application.outfits.common import outfit_document
from closet.application.outfits.specs import LayerSpec, OutfitSpec, build_layers, build_outfit
from closet.application.photos.common import PhotoKit
from closet.application.ports.documents import DocumentChange
from closet.application.ports.uow import UnitOfWork
from closet.application.specs import ItemSpec, build_details
from closet.application.transfer.archive import IMAGE_NAME
from closet.domain.collections import Collection, Member, MemberKind
from closet.domain.errors import InvalidValue, enum_value
from closet.domain.images import BlobKey, Cutout, CutoutProvider, CutoutStatus, ItemPhoto, StoredBlob
from closet.domain.items import ArchiveReason, ClothingItem, ItemId
from closet.domain.outfits import Outfit
from closet.domain.users import UserId, latest_date

VERSION = 1
MAX_ITEMS, MAX_OUTFITS, MAX_COLLECTIONS = 5_000, 2_000, 500


@dataclass(frozen=True, kw_only=True)
class ImportedPhoto:
    original: str
    cutout: str | None = None


@dataclass(frozen=True, kw_only=True)
class ImportedItem:
    ref: str
    spec: ItemSpec
    archive_reason: str | None = None  # set: the item was archived
    photo: ImportedPhoto | None = None


@dataclass(frozen=True, kw_only=True)
class ImportedLayer:
    item: str | None
    spec: LayerSpec


@dataclass(frozen=True, kw_only=True)
class ImportedOutfit:
    ref: str
    spec: OutfitSpec
    layers: list[ImportedLayer]
    is_template: bool = False


@dataclass(frozen=True, kw_only=True)
class ImportedCollection:
    ref: str
    spec: CollectionSpec
    members: list[tuple[str, str]]  # (kind, ref)
    cover: tuple[str, str] | None = None


@dataclass(frozen=True, kw_only=True)
class ImportDocument:
    version: int
    items: list[ImportedItem]
    outfits: list[ImportedOutfit]
    collections: list[ImportedCollection]


@dataclass(frozen=True, slots=True)
class Skipped:
    kind: str
    ref: str
    reason: str


@dataclass(slots=True)
class ImportReport:
    dry_run: bool
    created: dict[str, int] = field(
        default_factory=lambda: {"items": 0, "outfits": 0, "collections": 0, "photos": 0}
    )
    skipped: list[Skipped] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # collections: (asked, given)
    ids: dict[str, str] = field(default_factory=dict)  # old ref → new id


@dataclass(frozen=True, kw_only=True)
class ImportCommand:
    owner_id: UserId
    document: ImportDocument
    images: dict[str, bytes]
    dry_run: bool = False


def check_document(document: ImportDocument, images: dict[str, bytes]) -> None:
    """What makes the whole import refused: version, limits, duplicate refs, image references."""
    if document.version != VERSION:
        raise InvalidValue.of(
            "version", f"export version {document.version} is not one this server reads ({VERSION})"
        )
    for name, found, limit in (
        ("items", len(document.items), MAX_ITEMS),
        ("outfits", len(document.outfits), MAX_OUTFITS),
        ("collections", len(document.collections), MAX_COLLECTIONS),
    ):
        if found > limit:
            raise InvalidValue.of(name, f"{found} in the file; an import takes at most {limit}")
    for name, refs in (
        ("items", [i.ref for i in document.items]),
        ("outfits", [o.ref for o in document.outfits]),
        ("collections", [c.ref for c in document.collections]),
    ):
        if len(set(refs)) != len(refs):
            raise InvalidValue.of(name, "two entries have the same ref")
    for index, item in enumerate(document.items):
        if item.photo is None:
            continue
        for label, image in (("original", item.photo.original), ("cutout", item.photo.cutout)):
            if image is not None and (not IMAGE_NAME.match(image) or image not in images):
                raise InvalidValue.of(
                    f"items[{index}].photo.{label}", f"{image[:100]!r} is not an image in the archive"
                )


@dataclass
class _Plan:
    items: list[tuple[ImportedItem, ClothingItem]] = field(default_factory=list)
    photos: dict[str, tuple[ItemPhoto, list[bytes]]] = field(default_factory=dict)  # item ref → photo, blobs
    outfits: list[Outfit] = field(default_factory=list)
    collections: list[Collection] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)  # each collection's name in the file


class ImportCloset:
    def __init__(self, uow: UnitOfWork, kit: PhotoKit, sync: DocumentSync) -> None:
        self.uow, self.kit, self.sync = uow, kit, sync

    async def __call__(self, cmd: ImportCommand) -> ImportReport:
        check_document(cmd.document, cmd.images)
        report = ImportReport(dry_run=cmd.dry_run)
        plan = _Plan()
        now = self.kit.clock.now()
        new_ids: dict[tuple[str, str], uuid.UUID] = {}
        for entry in cmd.document.items:
            item = self._item(entry, cmd.owner_id, report)
            if item is not None:
                plan.items.append((entry, item))
                new_ids[("item", entry.ref)] = item.id
                if entry.photo is not None:
                    await self._photo(entry, cmd.images, plan, report)
        for outfit_entry in cmd.document.outfits:
            outfit = self._outfit(outfit_entry, cmd.owner_id, new_ids, report)
            if outfit is not None:
                plan.outfits.append(outfit)
                new_ids[("outfit", outfit_entry.ref)] = outfit.id
        async with self.uow as uow:
            taken = {c.details.name.casefold() for c in await uow.collections.all(cmd.owner_id)}
        for collection_entry in cmd.document.collections:
            collection = self._collection(collection_entry, cmd.owner_id, new_ids, taken, report)
            if collection is not None:
                plan.collections.append(collection)
                plan.asked.append(collection_entry.spec.name)
        report.created = {
            "items": len(plan.items),
            "outfits": len(plan.outfits),
            "collections": len(plan.collections),
            "photos": len(plan.photos),
        }
        report.ids = {ref: str(new) for (_kind, ref), new in new_ids.items()}
        if not cmd.dry_run:
            planned = [c.details.name for c in plan.collections]
            await self._write(cmd.owner_id, plan, now)
            given = [c.details.name for c in plan.collections]
            for asked, before, after in zip(plan.asked, planned, given, strict=True):
                if after != before:  # taken between planning and writing
                    report.renamed = [r for r in report.renamed if r != (asked, before)] + [(asked, after)]
        return report

    def _item(self, entry: ImportedItem, owner_id: UserId, report: ImportReport) -> ClothingItem | None:
        now = self.kit.clock.now()
        try:
            item = ClothingItem.create(owner_id, build_details(entry.spec, latest_date(now)), now)
            if entry.archive_reason is not None:
                item.archive(enum_value(ArchiveReason, entry.archive_reason, "archive_reason"), now)
                item.version = 1  # a new item in this closet, archived from the start
        except InvalidValue as exc:
            report.skipped.append(Skipped("item", entry.ref, str(exc)))
            return None
        return item

    async def _photo(
        self, entry: ImportedItem, images: dict[str, bytes], plan: _Plan, report: ImportReport
    ) -> None:
        assert entry.photo is not None
        try:
            normalised = await self.kit.processor.normalise(images[entry.photo.original])
            cutout = None
            if entry.photo.cutout is not None:
                cutout = await self.kit.processor.adopt_cutout(images[entry.photo.cutout])
        except (InvalidImage, UnsupportedImage, ImageTooLarge) as exc:
            report.skipped.append(Skipped("photo", entry.ref, exc.detail))
            return
        encoded = [normalised.original, normalised.thumb256, normalised.thumb512]
        blobs = [StoredBlob(_key(e.data), e.media_type, e.width, e.height) for e in encoded]
        datas = [e.data for e in encoded]
        photo = ItemPhoto(
            original=blobs[0],
            thumb256=blobs[1],
            thumb512=blobs[2],
            phash=normalised.phash,
            uploaded_at=self.kit.clock.now(),
            status=CutoutStatus.PENDING,
        )
        if cutout is not None:
            image = cutout.image
            blob = StoredBlob(_key(image.data), image.media_type, image.width, image.height)
            made = Cutout(blob, CutoutProvider.USER, 0, cutout.coverage)  # an imported cut-out is the owner's
            photo = replace(photo, status=CutoutStatus.READY, cutout=made)
            datas.append(image.data)
        plan.photos[entry.ref] = (photo, datas)

    def _outfit(
        self,
        entry: ImportedOutfit,
        owner_id: UserId,
        ids: dict[tuple[str, str], uuid.UUID],
        report: ImportReport,
    ) -> Outfit | None:
        layers: list[LayerSpec] = []
        for layer in entry.layers:
            if layer.item is None and entry.is_template:
                layers.append(layer.spec)
            elif layer.item is not None and ("item", layer.item) in ids:
                layers.append(replace(layer.spec, item_id=ids[("item", layer.item)]))
            else:
                report.skipped.append(
                    Skipped("layer", f"{entry.ref}/{layer.spec.z}", "its item is not imported")
                )
        try:
            if entry.is_template:
                details = replace(
                    build_outfit(replace(entry.spec, layers=[])), layers=build_layers(layers, template=True)
                )
            else:
                details = build_outfit(replace(entry.spec, layers=layers))
        except InvalidValue as exc:
            report.skipped.append(Skipped("outfit", entry.ref, str(exc)))
            return None
        return Outfit.create(owner_id, details, self.kit.clock.now(), is_template=entry.is_template)

    def _collection(
        self,
        entry: ImportedCollection,
        owner_id: UserId,
        ids: dict[tuple[str, str], uuid.UUID],
        taken: set[str],
        report: ImportReport,
    ) -> Collection | None:
        now = self.kit.clock.now()
        name = _free_name(entry.spec.name, taken)
        try:
            details = build_collection(replace(entry.spec, name=name), now.date())
        except InvalidValue as exc:
            report.skipped.append(Skipped("collection", entry.ref, str(exc)))
            return None
        if name != entry.spec.name:
            report.renamed.append((entry.spec.name, name))
        taken.add(name.casefold())
        collection = Collection.create(owner_id, details, now)
        if not details.smart:
            members = []
            for kind, ref in entry.members:
                if (kind, ref) in ids:
                    members.append(Member(MemberKind(kind), ids[(kind, ref)]))
                else:
                    report.skipped.append(
                        Skipped("member", f"{entry.ref}/{kind}:{ref}", "it is not imported")
                    )
            collection.members = members
        if entry.cover is not None and entry.cover in ids:  # hand-made or smart: the cover follows
            collection.details = replace(details, cover=Member(MemberKind(entry.cover[0]), ids[entry.cover]))
        return collection

    @retries_contention
    async def _write(self, owner_id: UserId, plan: _Plan, now: datetime) -> None:
        stored: list[BlobKey] = []
        try:
            for _photo, datas in plan.photos.values():
                for data in datas:
                    stored.append(await self.kit.store.put(data))
            changes: list[DocumentChange] = []
            async with self.uow as uow:
                for entry, item in plan.items:
                    await uow.items.add(item)
                    changes.append(item_document(item))
                    if entry.ref in plan.photos:
                        photo = plan.photos[entry.ref][0]
                        if photo.status is CutoutStatus.PENDING:  # no cut-out came with it: make one
                            job = self.kit.cutout_job(owner_id, item.id, now)
                            photo = replace(photo, job_id=job.id)
                            await uow.jobs.add(job)
                        await uow.photos.save(owner_id, ItemId(item.id), photo, expected_revision=None)
                for outfit in plan.outfits:
                    await uow.outfits.add(outfit)
                    changes.append(outfit_document(outfit))
                taken = {c.details.name.casefold() for c in await uow.collections.all(owner_id)}
                for collection, asked in zip(plan.collections, plan.asked, strict=True):
                    # a collection made since the plan's names were picked (another import of the
                    # same file, at once) takes a name: pick the next free one
                    name = collection.details.name
                    if name.casefold() in taken:
                        name = _free_name(asked, taken)
                    collection.details = replace(collection.details, name=name)
                    taken.add(name.casefold())
                    try:
                        await uow.collections.add(collection)
                    except Conflict:  # made in the moment since: read the names again
                        raise Contention() from None
                    changes.append(collection_document(collection))
                queued = await self.sync.queue(uow, changes)
                await uow.commit()
        except BaseException:
            await self.kit.release(stored)
            raise
        await self.sync.publish(queued)
        self.kit.signal.notify()


def _free_name(name: str, taken: set[str]) -> str:
    if name.strip().casefold() not in taken:
        return name
    for n in range(1, 1000):
        candidate = f"{name[:60]} (imported{'' if n == 1 else f' {n}'})"
        if candidate.casefold() not in taken:
            return candidate
    return f"{name[:40]} ({uuid.uuid4().hex[:8]})"


def _key(data: bytes) -> BlobKey:
    return BlobKey(hashlib.sha256(data).hexdigest())  # what the image store will name it
