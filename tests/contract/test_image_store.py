"""The image-store port: the filesystem adapter and the memory one agree."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from closet.adapters.files.blobs import FileImageStore
from closet.adapters.memory.blobs import MemoryImageStore
from closet.application.ports.images import ImageStore
from closet.domain.errors import InvalidValue
from closet.domain.images import BlobKey


@pytest.fixture(params=["memory", "files"])
def image_store(request: pytest.FixtureRequest, tmp_path: Path) -> ImageStore:
    return MemoryImageStore() if request.param == "memory" else FileImageStore(tmp_path / "blobs")


async def test_content_addressed_and_reference_counted(image_store: ImageStore) -> None:
    data = b"\x89PNG pretend image bytes"
    key = await image_store.put(data)
    assert key == hashlib.sha256(data).hexdigest()
    assert await image_store.put(data) == key  # stored once, referenced twice
    assert await image_store.references(key) == 2
    assert await image_store.get(key) == data
    await image_store.release(key)
    assert await image_store.get(key) == data  # one reference left
    await image_store.release(key)
    assert await image_store.get(key) is None
    assert await image_store.references(key) == 0
    await image_store.release(key)  # releasing what is gone is harmless
    assert await image_store.get(BlobKey("0" * 64)) is None


async def test_concurrent_puts_and_releases_keep_count(image_store: ImageStore) -> None:
    data = b"shared bytes" * 1000
    keys = await asyncio.gather(*(image_store.put(data) for _ in range(20)))
    assert len(set(keys)) == 1 and await image_store.references(keys[0]) == 20
    await asyncio.gather(*(image_store.release(keys[0]) for _ in range(19)))
    assert await image_store.get(keys[0]) == data
    await image_store.release(keys[0])
    assert await image_store.get(keys[0]) is None


async def test_files_leave_no_temporaries_and_survive_a_new_instance(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    store = FileImageStore(root)
    key = await store.put(b"abc")
    files = sorted(p.name for p in root.rglob("*") if p.is_file())
    assert files == [".lock", key, f"{key}.refs"]
    assert (root / key[:2] / key[2:4] / key).read_bytes() == b"abc"
    reopened = FileImageStore(root)  # another worker, or after a restart
    assert await reopened.references(key) == 1
    await reopened.release(key)
    assert [p.name for p in root.rglob("*") if p.is_file()] == [".lock"]


async def test_file_keys_cannot_escape_the_root(tmp_path: Path) -> None:
    store = FileImageStore(tmp_path / "blobs")
    for bad in ("../../etc/passwd", "A" * 64, "0" * 63):
        with pytest.raises(InvalidValue):
            await store.get(BlobKey(bad))
        with pytest.raises(InvalidValue):
            await store.release(BlobKey(bad))
