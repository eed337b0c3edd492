"""Content-addressed blobs on the local filesystem, with reference counts.

A blob lives at ``<root>/ab/cd/<sha256>``; its reference count beside it in ``<sha256>.refs``.
Blobs are written to a temporary file, flushed to disk and renamed into place, so a reader
sees all of a blob or none of it. Counting and deleting happen under an exclusive lock on
``<root>/.lock`` (flock), so workers sharing the directory never delete a blob another one has
just referenced. The order of operations errs towards keeping: a crash may leave a blob with
one reference too many (storage, never data, is lost), never one too few.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from closet.application.errors import StorageUnavailable
from closet.application.ports.images import ImageStore
from closet.domain.images import BlobKey, blob_key

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: one process only
    fcntl = None  # type: ignore[assignment]


class FileImageStore(ImageStore):
    def __init__(self, root: Path) -> None:
        self.root = root
        self._thread_lock = threading.Lock()

    def _path(self, key: BlobKey) -> Path:
        return self.root / key[:2] / key[2:4] / key

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, open(self.root / ".lock", "a+b") as handle:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    async def put(self, data: bytes) -> BlobKey:
        key = BlobKey(hashlib.sha256(data).hexdigest())
        await self._run(lambda: self._put(key, data))
        return key

    def _put(self, key: BlobKey, data: bytes) -> None:
        path = self._path(key)
        with self._locked():
            refs = self._refs(path)
            if refs == 0 or not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                _write_atomically(path, data)
            _write_atomically(_refs_path(path), str(refs + 1).encode())

    async def get(self, key: BlobKey) -> bytes | None:
        path = self._path(blob_key(key))
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageUnavailable(f"the image store cannot be read: {exc.strerror}") from exc

    async def release(self, key: BlobKey) -> None:
        await self._run(lambda: self._release(blob_key(key)))

    def _release(self, key: BlobKey) -> None:
        path = self._path(key)
        with self._locked():
            refs = self._refs(path)
            if refs <= 1:
                path.unlink(missing_ok=True)
                _refs_path(path).unlink(missing_ok=True)
            else:
                _write_atomically(_refs_path(path), str(refs - 1).encode())

    async def references(self, key: BlobKey) -> int:
        path = self._path(blob_key(key))
        return await asyncio.to_thread(lambda: self._refs(path) if path.exists() else 0)

    def _refs(self, path: Path) -> int:
        try:
            return int(_refs_path(path).read_text() or 0)
        except FileNotFoundError:
            return 0
        except ValueError:  # a torn count (should not happen: writes are atomic): keep the blob
            return 1

    async def _run(self, work: object) -> None:
        try:
            await asyncio.to_thread(work)  # type: ignore[arg-type]
        except OSError as exc:
            raise StorageUnavailable(f"the image store cannot be written: {exc.strerror}") from exc


def _refs_path(path: Path) -> Path:
    return path.with_name(path.name + ".refs")


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
