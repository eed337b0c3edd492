"""The client's life cycle (a container Resource) and the indexes the queries need."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from closet.application.ports.documents import DocumentKind

AUDIT_COLLECTION = "audit_logs"


def mongo_client(url: str, timeout_ms: int) -> AsyncMongoClient:  # type: ignore[type-arg]
    """Short time-outs: while the server is down, requests give up fast and the relay retries."""
    return AsyncMongoClient(
        url,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        socketTimeoutMS=max(timeout_ms * 2, 5000),
        retryWrites=True,
        tz_aware=True,
    )


async def ensure_indexes(db: AsyncDatabase) -> None:  # type: ignore[type-arg]
    """`_id` is the document id, unique per collection, so (owner, id) is unique too; owner
    scans (get_many, delete_owner) use an owner_id index. (A compound owner_id+_id index would
    be redundant on MongoDB, and nx-27017, the test server, cannot build one over `_id`.)"""
    for kind in DocumentKind:
        await db[kind.value].create_index([("owner_id", ASCENDING)])
    audit = db[AUDIT_COLLECTION]
    await audit.create_index([("actor_id", ASCENDING), ("at", DESCENDING)])
    await audit.create_index([("at", DESCENDING)])
