"""The export archive: ``closet.json`` and ``images/<sha256>.<ext>``, read with suspicion."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

from closet.application.errors import InvalidImage
from closet.domain.errors import InvalidValue

DOCUMENT = "closet.json"
IMAGE_NAME = re.compile(r"^images/[0-9a-f]{64}\.(?:jpg|png|webp)$")
MAX_ENTRIES = 25_000
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def image_name(key: str, media_type: str) -> str:
    return f"images/{key}.{EXTENSIONS.get(media_type, 'png')}"


def write_archive(document: bytes, images: Mapping[str, bytes]) -> bytes:
    """A ZIP: the document (deflated) and the images (stored: they are compressed already)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(DOCUMENT, document, compress_type=zipfile.ZIP_DEFLATED)
        for name in sorted(images):
            archive.writestr(name, images[name], compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class Archive:
    document: bytes
    images: dict[str, bytes]


def read_archive(data: bytes, *, max_image_bytes: int, max_total_bytes: int) -> Archive:
    """The document and the images of an export archive. Refused (nothing read further): not
    a ZIP, too many entries, a name outside ``images/<sha256>.<ext>`` (zip-slip paths, links,
    anything unexpected), a member bigger than allowed (decompression bombs), no document."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidImage(f"the file is not a readable ZIP archive ({exc})") from exc
    if len(entries) > MAX_ENTRIES:
        raise InvalidValue.of("file", f"the archive has {len(entries)} entries; at most {MAX_ENTRIES}")
    total = 0
    document: bytes | None = None
    images: dict[str, bytes] = {}
    for entry in entries:
        name = entry.filename
        if entry.is_dir():
            continue
        limit = MAX_DOCUMENT_BYTES if name == DOCUMENT else max_image_bytes
        if name != DOCUMENT and not IMAGE_NAME.match(name):
            raise InvalidValue.of("file", f"unexpected entry {name[:100]!r} in the archive")
        if entry.file_size > limit:
            raise InvalidValue.of("file", f"{name} is {entry.file_size} bytes unpacked; at most {limit}")
        total += entry.file_size
        if total > max_total_bytes:
            raise InvalidValue.of("file", f"the archive unpacks to more than {max_total_bytes} bytes")
        try:
            content = _read(archive, entry, limit)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise InvalidImage(f"{name} cannot be read from the archive ({exc})") from exc
        if name == DOCUMENT:
            document = content
        else:
            images[name] = content
    if document is None:
        raise InvalidValue.of("file", f"the archive has no {DOCUMENT}")
    return Archive(document, images)


def _read(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limit: int) -> bytes:
    """Reads at most ``limit`` bytes, whatever the entry's header claims."""
    with archive.open(entry) as stream:
        content = stream.read(limit + 1)
    if len(content) > limit:
        raise ValueError(f"more than {limit} bytes unpacked")
    return content
