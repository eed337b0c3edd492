from __future__ import annotations

import hashlib

from closet.application.ports.images import ImageStore
from closet.domain.images import BlobKey


class MemoryImageStore(ImageStore):
    def __init__(self) -> None:
        self.blobs: dict[BlobKey, bytes] = {}
        self.refs: dict[BlobKey, int] = {}

    async def put(self, data: bytes) -> BlobKey:
        key = BlobKey(hashlib.sha256(data).hexdigest())
        self.blobs[key] = data
        self.refs[key] = self.refs.get(key, 0) + 1
        return key

    async def get(self, key: BlobKey) -> bytes | None:
        return self.blobs.get(key)

    async def release(self, key: BlobKey) -> None:
        refs = self.refs.get(key, 0) - 1
        if refs <= 0:
            self.blobs.pop(key, None)
            self.refs.pop(key, None)
        else:
            self.refs[key] = refs

    async def references(self, key: BlobKey) -> int:
        return self.refs.get(key, 0)
