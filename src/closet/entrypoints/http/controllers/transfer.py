"""Export (JSON, ZIP with images, CSV) and import over HTTP."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromQuery, MultipartBody

from closet.application.errors import UnsupportedImage
from closet.application.transfer import (
    ExportCloset,
    ExportCommand,
    ExportItemsCsv,
    ImportCloset,
    ImportCommand,
    read_archive,
    write_archive,
)
from closet.domain.collections import CollectionId
from closet.domain.errors import InvalidValue
from closet.entrypoints.http.controllers.items import AuthRequest, parse_id
from closet.entrypoints.http.errors import problem_responses
from closet.entrypoints.http.schemas.transfer import ImportReportOut, decode_document, report_out


@dataclass
class ImportForm:
    file: UploadFile


class TransferController(Controller):
    path = "/api/v1"
    tags = ["export and import"]

    @get(
        "/export",
        operation_id="Export",
        responses=problem_responses(401, 404, 422, 503),
        summary="The closet, or one collection (?collection=), as a ZIP (document + images) or JSON",
        media_type="application/zip",
    )
    async def export(
        self,
        request: AuthRequest,
        export_closet: NamedDependency[ExportCloset],
        collection: FromQuery[str | None] = None,
        format: FromQuery[str] = "zip",
    ) -> Response[bytes]:
        if format not in ("zip", "json"):
            raise InvalidValue.of("format", "use zip (the document and the images) or json (the document)")
        target = CollectionId(parse_id(collection, "collection")) if collection else None
        bundle = await export_closet(
            ExportCommand(owner_id=request.user.id, collection_id=target, with_images=format == "zip")
        )
        document = msgspec.json.encode(bundle.document)
        stem = "closet-export"
        headers = {"Cache-Control": "no-store"}
        if bundle.missing_images:
            headers["X-Missing-Images"] = str(len(bundle.missing_images))
        if format == "json":
            headers["Content-Disposition"] = f'attachment; filename="{stem}.json"'
            return Response(document, media_type="application/json", headers=headers)
        headers["Content-Disposition"] = f'attachment; filename="{stem}.zip"'
        return Response(write_archive(document, bundle.images), media_type="application/zip", headers=headers)

    @get(
        "/export/items.csv",
        operation_id="ExportItemsCsv",
        responses=problem_responses(401, 503),
        media_type="text/csv",
        summary="Every item as a spreadsheet row",
    )
    async def export_csv(
        self, request: AuthRequest, export_items_csv: NamedDependency[ExportItemsCsv]
    ) -> Response[str]:
        headers = {
            "Content-Disposition": 'attachment; filename="closet-items.csv"',
            "Cache-Control": "no-store",
        }
        return Response(await export_items_csv(request.user.id), media_type="text/csv", headers=headers)

    @post(
        "/import",
        operation_id="Import",
        responses=problem_responses(400, 401, 413, 415, 422, 503),
        status_code=200,
        summary="Import an export (ZIP or JSON) with new ids; ?dry_run=true reports without writing",
    )
    async def import_closet(
        self,
        request: Request,  # type: ignore[type-arg]
        data: MultipartBody[ImportForm],
        import_closet: NamedDependency[ImportCloset],
        dry_run: FromQuery[bool] = False,
    ) -> ImportReportOut:
        raw = await data.file.read()
        settings = request.app.state.settings
        if raw[:4] == b"PK\x03\x04":
            archive = read_archive(
                raw, max_image_bytes=settings.image_max_bytes, max_total_bytes=settings.import_max_bytes
            )
            document, images = archive.document, archive.images
        elif raw.lstrip()[:1] == b"{":
            document, images = raw, {}
        else:
            raise UnsupportedImage("send an export: the ZIP (document and images) or its JSON document")
        command = ImportCommand(
            owner_id=request.user.id, document=decode_document(document), images=images, dry_run=dry_run
        )
        return report_out(await import_closet(command))
