"""Export and import: collections or the whole closet as JSON (+ a ZIP with the images), and CSV."""

from closet.application.transfer.archive import Archive, read_archive, write_archive
from closet.application.transfer.export import ExportBundle, ExportCloset, ExportCommand, ExportItemsCsv
from closet.application.transfer.importer import (
    ImportCloset,
    ImportCommand,
    ImportDocument,
    ImportedCollection,
    ImportedItem,
    ImportedLayer,
    ImportedOutfit,
    ImportedPhoto,
    ImportReport,
    Skipped,
)

__all__ = [
    "Archive",
    "ExportBundle",
    "ExportCloset",
    "ExportCommand",
    "ExportItemsCsv",
    "ImportCloset",
    "ImportCommand",
    "ImportDocument",
    "ImportReport",
    "ImportedCollection",
    "ImportedItem",
    "ImportedLayer",
    "ImportedOutfit",
    "ImportedPhoto",
    "Skipped",
    "read_archive",
    "write_archive",
]
