"""A collection's document, and what happens to collections when a member is deleted."""

from __future__ import annotations

from datetime import datetime

from closet.application.ports.documents import DocumentChange, DocumentKind
from closet.application.ports.uow import UnitOfWork
from closet.domain.collections import Collection, Member
from closet.domain.users import UserId


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


async def drop_member(
    uow: UnitOfWork, owner_id: UserId, member: Member, now: datetime
) -> list[DocumentChange]:
    """A deleted item or outfit leaves every collection that held it (a new version of each).

    The documents keep the rules and sort: a hand-made collection has none to lose, so the
    new version's document is written from the row alone.
    """
    changed = []
    for collection in await uow.collections.holding(owner_id, member):
        loaded = collection.version
        collection.remove([member], now)
        await uow.collections.update(collection, expected_version=loaded)
        changed.append(collection_document(collection))
    return changed
