"""Outfits and templates over HTTP: CRUD, the rendered image, duplication, wear, shares."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, HeaderParameter, JSONBody, PathParameter

from closet.application.outfits import (
    CreateOutfit,
    CreateOutfitCommand,
    CreateShare,
    CreateShareCommand,
    DeleteOutfit,
    DuplicateOutfit,
    FillTemplate,
    FillTemplateCommand,
    GetOutfit,
    ListOutfits,
    ListOutfitsCommand,
    ListShares,
    OutfitRef,
    RenderCommand,
    RenderOutfit,
    RevokeShare,
    RevokeShareCommand,
    SaveTemplate,
    SaveTemplateCommand,
    UnwearOutfit,
    UpdateOutfit,
    UpdateOutfitCommand,
    WearOutfit,
    WearOutfitCommand,
)
from closet.application.outfits.crud import OutfitView
from closet.application.outfits.render import RenderedOutfit
from closet.domain.errors import InvalidValue
from closet.domain.outfits import OutfitId
from closet.entrypoints.http.controllers.items import (
    AuthRequest,
    IfMatch,
    known_parameters_only,
    parse_id,
    version_from,
)
from closet.entrypoints.http.errors import problem_responses
from closet.entrypoints.http.schemas.outfits import (
    DuplicateIn,
    NewShareRead,
    OutfitCreate,
    OutfitList,
    OutfitPatch,
    OutfitRead,
    ShareCreate,
    ShareRead,
    TemplateCreate,
    TemplateFill,
    WearIn,
    WearRead,
    outfit_changes,
    outfit_read,
    outfit_spec,
    outfit_summary,
    share_read,
    wear_read,
)

OutfitIdParam = Annotated[str, PathParameter(description="The outfit's id (a UUID)", max_length=64)]
TemplateIdParam = Annotated[str, PathParameter(max_length=64, description="The template's id (a UUID)")]
IfNoneMatch = Annotated[str | None, HeaderParameter(name="If-None-Match", required=False)]
READ = problem_responses(400, 401, 422, 503)
LIST_PARAMETERS = frozenset({"season", "occasion", "item", "limit", "cursor"})
ONE = problem_responses(401, 404, 422, 503)
WRITE = problem_responses(400, 401, 404, 413, 422, 503)
CHANGE = problem_responses(400, 401, 404, 412, 422, 503)
UPDATE = problem_responses(400, 401, 404, 412, 413, 422, 428, 503)


def ref(
    request: AuthRequest, outfit_id: str, version: int | None = None, *, template: bool = False
) -> OutfitRef:
    return OutfitRef(
        owner_id=request.user.id,
        outfit_id=OutfitId(parse_id(outfit_id, "outfit_id")),
        expected_version=version,
        template=template,
    )


async def _update(
    request: AuthRequest,
    outfit_id: str,
    data: OutfitPatch,
    update_outfit: UpdateOutfit,
    if_match: str | None,
    *,
    template: bool,
) -> Response[OutfitRead]:
    """PATCH of an outfit or a template: the version from If-Match or the body (both must agree)."""
    version = version_from(if_match, data.version if isinstance(data.version, int) else None)
    command = UpdateOutfitCommand(
        ref=ref(request, outfit_id, version, template=template), changes=outfit_changes(data)
    )
    return one(await update_outfit(command))


def one(view: OutfitView, status_code: int = 200) -> Response[OutfitRead]:
    outfit = view.outfit
    headers = {"ETag": f'"{outfit.version}"'}
    if status_code == 201:
        kind = "templates" if outfit.is_template else "outfits"
        headers["Location"] = f"/api/v1/{kind}/{outfit.id}"
    return Response(outfit_read(view), status_code=status_code, headers=headers)


def known_key(if_none_match: str | None) -> str | None:
    """The render key a client's If-None-Match names (the first ETag in it), if any."""
    if not if_none_match:
        return None
    first = if_none_match.split(",")[0].strip().removeprefix("W/").strip('"')
    return first or None


def image_response(rendered: RenderedOutfit, if_none_match: str | None, download: bool) -> Response[bytes]:
    tag = f'"{rendered.key}"'
    headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{rendered.file_name}"'
    if rendered.not_modified or known_key(if_none_match) == rendered.key:
        return Response(b"", status_code=304, headers=headers)
    return Response(rendered.data, media_type=rendered.media_type, headers=headers)


class OutfitController(Controller):
    path = "/api/v1/outfits"
    tags = ["outfits"]

    @post("/", operation_id="CreateOutfit", responses=WRITE, summary="Compose an outfit on a canvas")
    async def create_outfit(
        self, request: AuthRequest, data: JSONBody[OutfitCreate], create_outfit: NamedDependency[CreateOutfit]
    ) -> Response[OutfitRead]:
        view = await create_outfit(CreateOutfitCommand(owner_id=request.user.id, spec=outfit_spec(data)))
        return one(view, 201)

    @get("/", operation_id="ListOutfits", responses=READ, summary="List outfits, newest first")
    async def list_outfits(
        self,
        request: AuthRequest,
        list_outfits: NamedDependency[ListOutfits],
        season: FromQuery[list[str] | None] = None,
        occasion: FromQuery[list[str] | None] = None,
        item: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> OutfitList:
        known_parameters_only(request, LIST_PARAMETERS)
        command = ListOutfitsCommand(
            owner_id=request.user.id,
            seasons=season or [],
            occasions=occasion or [],
            item_id=item,
            limit=limit,
            cursor=cursor,
        )
        page = await list_outfits(command)
        return OutfitList([outfit_summary(o) for o in page.outfits], page.next_cursor)

    @get("/{outfit_id:str}", operation_id="GetOutfit", responses=ONE, summary="One outfit, with its layers")
    async def get_outfit(
        self, request: AuthRequest, outfit_id: OutfitIdParam, get_outfit: NamedDependency[GetOutfit]
    ) -> Response[OutfitRead]:
        return one(await get_outfit(ref(request, outfit_id)))

    @patch("/{outfit_id:str}", operation_id="UpdateOutfit", responses=UPDATE, summary="Change an outfit")
    async def update_outfit(
        self,
        request: AuthRequest,
        outfit_id: OutfitIdParam,
        data: JSONBody[OutfitPatch],
        update_outfit: NamedDependency[UpdateOutfit],
        if_match: IfMatch = None,
    ) -> Response[OutfitRead]:
        return await _update(request, outfit_id, data, update_outfit, if_match, template=False)

    @delete(
        "/{outfit_id:str}",
        operation_id="DeleteOutfit",
        responses=CHANGE,
        summary="Delete an outfit (with If-Match, only at that version)",
    )
    async def delete_outfit(
        self,
        request: AuthRequest,
        outfit_id: OutfitIdParam,
        delete_outfit: NamedDependency[DeleteOutfit],
        if_match: IfMatch = None,
    ) -> None:
        await delete_outfit(ref(request, outfit_id, version_from(if_match, None)))

    @post("/{outfit_id:str}/duplicate", operation_id="DuplicateOutfit", responses=WRITE)
    async def duplicate_outfit(
        self,
        request: AuthRequest,
        outfit_id: OutfitIdParam,
        duplicate_outfit: NamedDependency[DuplicateOutfit],
        data: JSONBody[DuplicateIn | None] = None,
    ) -> Response[OutfitRead]:
        view = await duplicate_outfit(ref(request, outfit_id), data.name if data else None)
        return one(view, 201)

    @get(
        "/{outfit_id:str}/image",
        operation_id="RenderOutfit",
        responses=ONE,
        media_type="image/*",
        summary="The outfit drawn as an image (png or webp); ?download=1 to save it",
    )
    async def outfit_image(
        self,
        request: AuthRequest,
        outfit_id: OutfitIdParam,
        render_outfit: NamedDependency[RenderOutfit],
        format: FromQuery[str] = "png",
        width: FromQuery[int | None] = None,
        download: FromQuery[bool] = False,
        if_none_match: IfNoneMatch = None,
    ) -> Response[bytes]:
        command = RenderCommand(
            ref=ref(request, outfit_id), fmt=format, width=width, known=known_key(if_none_match)
        )
        rendered = await render_outfit(command)
        return image_response(rendered, if_none_match, download)

    @post("/{outfit_id:str}/wear", operation_id="WearOutfit", responses=WRITE, status_code=200)
    async def wear_outfit(
        self,
        request: AuthRequest,
        outfit_id: OutfitIdParam,
        wear_outfit: NamedDependency[WearOutfit],
        data: JSONBody[WearIn | None] = None,
    ) -> WearRead:
        command = WearOutfitCommand(
            ref=ref(request, outfit_id),
            worn_on=data.date if data else None,
            time_zone=request.user.settings.time_zone,
        )
        return wear_read(await wear_outfit(command))

    @delete(
        "/{outfit_id:str}/wear/{worn_on:date}",
        operation_id="UnwearOutfit",
        responses=ONE,
        summary="Undo wearing this outfit that day",
    )
    async def unwear_outfit(
        self,
        request: AuthRequest,
        outfit_id: OutfitIdParam,
        worn_on: Annotated[date, PathParameter(description="The day, YYYY-MM-DD")],
        unwear_outfit: NamedDependency[UnwearOutfit],
    ) -> None:
        await unwear_outfit(WearOutfitCommand(ref=ref(request, outfit_id), worn_on=worn_on))

    @post("/{outfit_id:str}/shares", operation_id="CreateShare", responses=WRITE, summary="Share by link")
    async def create_share(
        self,
        request: AuthRequest,
        outfit_id: OutfitIdParam,
        create_share: NamedDependency[CreateShare],
        data: JSONBody[ShareCreate | None] = None,
    ) -> Response[NewShareRead]:
        command = CreateShareCommand(
            ref=ref(request, outfit_id), expires_in_days=data.expires_in_days if data else None
        )
        new = await create_share(command)
        base = request.app.state.settings.public_url.rstrip("/")
        plain = share_read(new.share, new.share.created_at)
        body = NewShareRead(
            **{f: getattr(plain, f) for f in plain.__struct_fields__},
            token=new.token,
            url=f"{base}/s/{new.token}",
            image_url=f"{base}/s/{new.token}/image",
        )
        return Response(body, status_code=201)

    @get("/{outfit_id:str}/shares", operation_id="ListShares", responses=ONE)
    async def list_shares(
        self, request: AuthRequest, outfit_id: OutfitIdParam, list_shares: NamedDependency[ListShares]
    ) -> list[ShareRead]:
        now = request.app.state.container.clock().now()
        return [share_read(s, now) for s in await list_shares(ref(request, outfit_id))]

    @delete("/{outfit_id:str}/shares/{share_id:str}", operation_id="RevokeShare", responses=ONE)
    async def revoke_share(
        self,
        request: AuthRequest,
        outfit_id: OutfitIdParam,
        share_id: Annotated[str, PathParameter(max_length=64)],
        revoke_share: NamedDependency[RevokeShare],
    ) -> None:
        command = RevokeShareCommand(ref=ref(request, outfit_id), share_id=parse_id(share_id, "share_id"))
        await revoke_share(command)


class TemplateController(Controller):
    path = "/api/v1/templates"
    tags = ["templates"]

    @post("/", operation_id="SaveTemplate", responses=WRITE, summary="Keep an outfit's layout as a template")
    async def save_template(
        self,
        request: AuthRequest,
        data: JSONBody[TemplateCreate],
        save_template: NamedDependency[SaveTemplate],
    ) -> Response[OutfitRead]:
        command = SaveTemplateCommand(ref=ref(request, str(data.outfit_id)), name=data.name)
        return one(await save_template(command), 201)

    @get("/", operation_id="ListTemplates", responses=READ)
    async def list_templates(
        self,
        request: AuthRequest,
        list_outfits: NamedDependency[ListOutfits],
        limit: FromQuery[int] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> OutfitList:
        command = ListOutfitsCommand(owner_id=request.user.id, is_template=True, limit=limit, cursor=cursor)
        page = await list_outfits(command)
        return OutfitList([outfit_summary(o) for o in page.outfits], page.next_cursor)

    @get("/{template_id:str}", operation_id="GetTemplate", responses=ONE)
    async def get_template(
        self,
        request: AuthRequest,
        template_id: TemplateIdParam,
        get_outfit: NamedDependency[GetOutfit],
    ) -> Response[OutfitRead]:
        return one(await get_outfit(ref(request, template_id, template=True)))

    @patch(
        "/{template_id:str}",
        operation_id="UpdateTemplate",
        responses=UPDATE,
        summary="Change a template: its name, canvas, slots (each a category and a transform), notes…",
    )
    async def update_template(
        self,
        request: AuthRequest,
        template_id: TemplateIdParam,
        data: JSONBody[OutfitPatch],
        update_outfit: NamedDependency[UpdateOutfit],
        if_match: IfMatch = None,
    ) -> Response[OutfitRead]:
        return await _update(request, template_id, data, update_outfit, if_match, template=True)

    @delete("/{template_id:str}", operation_id="DeleteTemplate", responses=CHANGE)
    async def delete_template(
        self,
        request: AuthRequest,
        template_id: TemplateIdParam,
        delete_outfit: NamedDependency[DeleteOutfit],
        if_match: IfMatch = None,
    ) -> None:
        await delete_outfit(ref(request, template_id, version_from(if_match, None), template=True))

    @post(
        "/{template_id:str}/outfits",
        operation_id="FillTemplate",
        responses=WRITE,
        summary="A new outfit from a template: slot index → item (slots left out stay empty)",
    )
    async def fill_template(
        self,
        request: AuthRequest,
        template_id: TemplateIdParam,
        data: JSONBody[TemplateFill],
        fill_template: NamedDependency[FillTemplate],
    ) -> Response[OutfitRead]:
        fill = {}
        for key, item_id in data.fill.items():
            if not key.isdigit():
                raise InvalidValue.of(f"fill.{key[:20]}", "keys are slot numbers: 0, 1, 2…")
            fill[int(key)] = item_id
        command = FillTemplateCommand(ref=ref(request, template_id, template=True), name=data.name, fill=fill)
        return one(await fill_template(command), 201)
