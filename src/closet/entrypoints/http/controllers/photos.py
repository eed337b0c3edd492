"""Item photos over HTTP: upload, serve, cut-out control."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromQuery, HeaderParameter, MultipartBody

from closet.application.photos import (
    AddItemWithPhoto,
    AddItemWithPhotoCommand,
    CutoutCommand,
    GetPhoto,
    GetPhotoCommand,
    PhotoUploaded,
    RequestCutout,
    RevertCutout,
    UploadMask,
    UploadMaskCommand,
    UploadPhoto,
    UploadPhotoCommand,
)
from closet.domain.images import ItemPhoto
from closet.domain.items import ItemId
from closet.entrypoints.http.controllers.items import AuthRequest, ItemIdParam, etag, parse_id
from closet.entrypoints.http.errors import problem_responses
from closet.entrypoints.http.schemas.items import ItemCreate, ItemRead, item_read, item_spec
from closet.entrypoints.http.schemas.photos import (
    ItemWithPhotoForm,
    MaskForm,
    PhotoForm,
    PhotoRead,
    PhotoUploadRead,
    photo_read,
)

UPLOAD = problem_responses(400, 401, 404, 412, 413, 415, 422, 503)
CUTOUT = problem_responses(400, 401, 404, 422, 503)
IMMUTABLE = "private, max-age=31536000, immutable"
REVALIDATE = "private, no-cache"
IfNoneMatch = Annotated[str | None, HeaderParameter(name="If-None-Match", required=False)]


def _uploaded(result: PhotoUploaded) -> PhotoUploadRead:
    return PhotoUploadRead(result.item_id, photo_read(result.item_id, result.photo), result.duplicates)


def _item_id(item_id: str) -> ItemId:
    return ItemId(parse_id(item_id))


async def _bytes(form: PhotoForm | MaskForm | ItemWithPhotoForm) -> bytes:
    return await form.file.read()


def _matches(if_none_match: str | None, tag: str) -> bool:
    if if_none_match is None:
        return False
    return any(candidate.strip().removeprefix("W/") in (tag, "*") for candidate in if_none_match.split(","))


class PhotoController(Controller):
    """Uploads are multipart (field ``file``); the bytes decide the format, never the name or type."""

    path = "/api/v1/items"
    tags = ["photos"]

    @post(
        "/{item_id:str}/photo",
        operation_id="UploadItemPhoto",
        responses=UPLOAD,
        status_code=200,
        summary="Upload (or replace) an item's photo; its cut-out follows as a job",
    )
    async def upload_photo(
        self,
        request: AuthRequest,
        item_id: ItemIdParam,
        data: MultipartBody[PhotoForm],
        upload_photo: NamedDependency[UploadPhoto],
    ) -> PhotoUploadRead:
        command = UploadPhotoCommand(
            owner_id=request.user.id, item_id=_item_id(item_id), data=await _bytes(data)
        )
        return _uploaded(await upload_photo(command))

    @post(
        "/with-photo",
        operation_id="CreateItemWithPhoto",
        responses=UPLOAD,
        summary="Add an item and its photo in one request (field `item`: the item as JSON)",
    )
    async def create_with_photo(
        self,
        request: AuthRequest,
        data: MultipartBody[ItemWithPhotoForm],
        add_item_with_photo: NamedDependency[AddItemWithPhoto],
    ) -> Response[ItemRead]:
        try:
            body = msgspec.json.decode(data.item, type=ItemCreate)
        except msgspec.DecodeError as exc:
            raise ValidationException("invalid item", extra=[{"key": "item", "message": str(exc)}]) from None
        command = AddItemWithPhotoCommand(
            owner_id=request.user.id, spec=item_spec(body), data=await _bytes(data)
        )
        result = await add_item_with_photo(command)
        assert result.item is not None
        headers = {"ETag": etag(result.item), "Location": f"/api/v1/items/{result.item_id}"}
        if result.duplicates:
            headers["X-Duplicate-Of"] = ", ".join(str(i) for i in result.duplicates)
        return Response(item_read(result.item), status_code=201, headers=headers)

    @get(
        "/{item_id:str}/photo",
        operation_id="GetItemPhoto",
        responses=problem_responses(401, 404, 422, 503),
        summary="The photo's bytes: original, cut-out or a thumbnail",
        media_type="image/*",
    )
    async def get_photo(
        self,
        request: AuthRequest,
        item_id: ItemIdParam,
        get_photo: NamedDependency[GetPhoto],
        variant: FromQuery[str] = "original",
        v: FromQuery[str | None] = None,
        if_none_match: IfNoneMatch = None,
    ) -> Response[bytes]:
        command = GetPhotoCommand(owner_id=request.user.id, item_id=_item_id(item_id), variant=variant, key=v)
        photo = await get_photo(command)
        tag = f'"{photo.blob.key}"'
        headers = {"ETag": tag, "Cache-Control": IMMUTABLE if photo.current else REVALIDATE}
        if _matches(if_none_match, tag):
            return Response(b"", status_code=304, headers=headers)
        return Response(photo.data, media_type=photo.blob.media_type, headers=headers)

    @post(
        "/{item_id:str}/photo/cutout",
        operation_id="RedoCutout",
        responses=CUTOUT,
        status_code=202,
        summary="Make the cut-out again (optionally with one provider: local or fabrica)",
    )
    async def redo_cutout(
        self,
        request: AuthRequest,
        item_id: ItemIdParam,
        request_cutout: NamedDependency[RequestCutout],
        provider: FromQuery[str | None] = None,
    ) -> PhotoRead:
        command = CutoutCommand(owner_id=request.user.id, item_id=_item_id(item_id), provider=provider)
        return _read(item_id, await request_cutout(command))

    @post(
        "/{item_id:str}/photo/revert",
        operation_id="RevertCutout",
        responses=CUTOUT,
        status_code=200,
        summary="Undo the cut-out: the item shows its original photo",
    )
    async def revert_cutout(
        self, request: AuthRequest, item_id: ItemIdParam, revert_cutout: NamedDependency[RevertCutout]
    ) -> PhotoRead:
        command = CutoutCommand(owner_id=request.user.id, item_id=_item_id(item_id))
        return _read(item_id, await revert_cutout(command))

    @post(
        "/{item_id:str}/photo/mask",
        operation_id="UploadCutoutMask",
        responses=UPLOAD,
        status_code=200,
        summary="Cut out with your own mask (white keeps, black removes; or the image's alpha)",
    )
    async def upload_mask(
        self,
        request: AuthRequest,
        item_id: ItemIdParam,
        data: MultipartBody[MaskForm],
        upload_mask: NamedDependency[UploadMask],
    ) -> PhotoRead:
        command = UploadMaskCommand(
            owner_id=request.user.id, item_id=_item_id(item_id), mask=await _bytes(data)
        )
        return _read(item_id, await upload_mask(command))


def _read(item_id: str, photo: ItemPhoto) -> PhotoRead:
    return photo_read(parse_id(item_id), photo)


__all__ = ["PhotoController"]
