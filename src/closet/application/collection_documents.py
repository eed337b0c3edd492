"""A collection's document, and what happens to collections when a member is deleted."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from closet.application.documents import DocumentSync
from closet.application.errors import StorageUnavailable
from closet.application.ports.documents import DocumentChange, DocumentKind
from closet.application.ports.uow import UnitOfWork
from closet.domain.collections import Collection, Member
from closet.domain.users import UserId

RULES_UNREADABLE = (
    "this smart collection's rules cannot be read: the documents store is unavailable, or they were "
    "lost (`closet doctor` tells which). Try again shortly; if it lasts, set its rules again with "
    "PATCH (`rules`), or delete it"
)


def collection_document(collection: Collection) -> DocumentChange:
    """The ``collection_filters`` document: a smart collection's rules and sort."""
    d = collection.details
    return DocumentChange(
        kind=DocumentKind.COLLECTION_FILTERS,
        owner_id=collection.owner_id,
        doc_id=collection.id,
        version=collection.version,
        body={"rules": d.rules, "sort": d.sort, "name": d.name},
    )


async def with_rules(
    uow: UnitOfWork, sync: DocumentSync, collection: Collection, *, rules_needed: bool = True
) -> Collection:
    """``collection`` with its rules and sort from its document (a hand-made one has none). A smart
    one whose document cannot be read (the store down and no change of it queued, or the document
    lost) raises StorageUnavailable: read as the row has it, with empty rules, it would hold every
    item, and written back so it would stay that way. Unless ``rules_needed`` is false (a delete,
    or a change that sets new rules): then the row's placeholder stays, and must not be written."""
    wanted: dict[uuid.UUID, int] = {collection.id: collection.version}
    body = (await sync.bodies(uow, DocumentKind.COLLECTION_FILTERS, collection.owner_id, wanted)).get(
        collection.id
    )
    if body:
        collection.details = replace(collection.details, rules=body.get("rules"), sort=body.get("sort"))
    elif collection.details.smart and rules_needed:
        raise StorageUnavailable(RULES_UNREADABLE)
    return collection


async def drop_member(
    uow: UnitOfWork, sync: DocumentSync, owner_id: UserId, member: Member, now: datetime
) -> list[DocumentChange]:
    """A deleted item or outfit leaves every collection that held it (a new version of each).

    A smart collection (only its cover can be the member) keeps its rules, read from its
    document.
    """
    changed = []
    for collection in await uow.collections.holding(owner_id, member):
        loaded = collection.version
        if collection.details.smart:  # its rules live in its document: carry them over
            await with_rules(uow, sync, collection)
        collection.remove([member], now)
        await uow.collections.update(collection, expected_version=loaded)
        changed.append(collection_document(collection))
    return changed
