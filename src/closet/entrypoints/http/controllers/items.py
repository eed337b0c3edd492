from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ValidationException
from litestar.params import FromQuery, HeaderParameter, JSONBody, PathParameter

from closet.application.filters import FilterSpec
from closet.application.item_query import DEFAULT_LIMIT
from closet.application.items import (
    AddItem,
    AddItemCommand,
    ArchiveItem,
    ArchiveItemCommand,
    DeleteItem,
    GetItem,
    ItemFacets,
    ItemFacetsCommand,
    ItemRef,
    ListItems,
    ListItemsCommand,
    RestoreItem,
    UpdateItem,
    UpdateItemCommand,
)
from closet.domain.errors import InvalidValue
from closet.domain.items import ClothingItem, ItemId
from closet.domain.users import Hemisphere, User
from closet.entrypoints.http.errors import problem_responses
from closet.entrypoints.http.schemas.items import (
    ArchiveIn,
    FacetsRead,
    ItemCreate,
    ItemList,
    ItemPatch,
    ItemRead,
    RestoreIn,
    facets_read,
    item_changes,
    item_read,
    item_spec,
    item_summaries,
)

ItemIdParam = Annotated[str, PathParameter(description="The item's id (a UUID)", max_length=64)]
IfMatch = Annotated[str | None, HeaderParameter(name="If-Match", required=False)]
_ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,9})"\s*$')

AuthRequest = Request[User, Any, Any]

READ = problem_responses(400, 401, 422, 503)
WRITE = problem_responses(400, 401, 413, 422, 503)
ONE = problem_responses(401, 404, 422, 503)
CHANGE = problem_responses(400, 401, 404, 412, 422, 503)
UPDATE = problem_responses(400, 401, 404, 412, 413, 422, 428, 503)


LIST_PARAMETERS = frozenset(
    [
        "category",
        "subcategory",
        "brand",
        "color",
        "size",
        "material",
        "condition",
        "status",
        "season",
        "tag",
        "purchased_from",
        "purchased_to",
        "price_min",
        "price_max",
        "q",
        "wear_min",
        "wear_max",
        "not_worn_days",
        "sort",
        "limit",
        "cursor",
    ]
)


def known_parameters_only(request: Request[Any, Any, Any], allowed: frozenset[str]) -> None:
    """400 for a query parameter the route does not take: a misspelt filter must not silently
    change (or widen) the answer."""
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ValidationException(
            "unknown query parameter",
            extra=[{"key": k, "message": "is not a parameter of this route"} for k in unknown],
        )


def filter_spec(
    request: Request[Any, Any, Any],
    category: FromQuery[list[str] | None] = None,
    subcategory: FromQuery[list[str] | None] = None,
    brand: FromQuery[list[str] | None] = None,
    color: FromQuery[list[str] | None] = None,
    size: FromQuery[list[str] | None] = None,
    material: FromQuery[list[str] | None] = None,
    condition: FromQuery[list[str] | None] = None,
    status: FromQuery[list[str] | None] = None,
    season: FromQuery[list[str] | None] = None,
    tag: FromQuery[list[str] | None] = None,
    purchased_from: FromQuery[date | None] = None,
    purchased_to: FromQuery[date | None] = None,
    price_min: FromQuery[Decimal | None] = None,
    price_max: FromQuery[Decimal | None] = None,
    q: FromQuery[str | None] = None,
    wear_min: FromQuery[int | None] = None,
    wear_max: FromQuery[int | None] = None,
    not_worn_days: FromQuery[int | None] = None,
) -> FilterSpec:
    """The item filter from repeatable query parameters; no ``status`` means active items."""
    known_parameters_only(request, LIST_PARAMETERS)
    return FilterSpec(
        category=category or (),
        subcategory=subcategory or (),
        brand=brand or (),
        color=color or (),
        size=size or (),
        material=material or (),
        condition=condition or (),
        status=status or ("active",),
        season=season or (),
        tag=tag or (),
        purchased_from=purchased_from,
        purchased_to=purchased_to,
        price_min=price_min,
        price_max=price_max,
        q=q,
        wear_min=wear_min,
        wear_max=wear_max,
        not_worn_days=not_worn_days,
    )


def southern(user: User) -> bool:
    """season=now is the season where the owner lives (their hemisphere setting)."""
    return user.settings.hemisphere is Hemisphere.SOUTH


def etag(item: ClothingItem) -> str:
    return f'"{item.version}"'


def version_from(if_match: str | None, body_version: int | None) -> int | None:
    """The version a write is based on: the If-Match ETag or the body's ``version``."""
    header = None
    if if_match is not None:
        match = _ETAG.match(if_match)
        if not match:
            raise InvalidValue.of("If-Match", 'must be an ETag this API gave out, like "3"')
        header = int(match.group(1))
    if header is not None and body_version is not None and header != body_version:
        raise InvalidValue.of("version", "differs from the If-Match header")
    return header if header is not None else body_version


def _one(item: ClothingItem, status_code: int = 200) -> Response[ItemRead]:
    headers = {"ETag": etag(item)}
    if status_code == 201:
        headers["Location"] = f"/api/v1/items/{item.id}"
    return Response(item_read(item), status_code=status_code, headers=headers)


def parse_id(value: str, field: str = "item_id") -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidValue.of(field, f"{value[:40]!r} is not a UUID") from None


def _ref(request: AuthRequest, item_id: str, version: int | None = None) -> ItemRef:
    return ItemRef(owner_id=request.user.id, item_id=ItemId(parse_id(item_id)), expected_version=version)


class ItemController(Controller):
    path = "/api/v1/items"
    tags = ["items"]
    dependencies = {"filter": Provide(filter_spec, sync_to_thread=False)}

    @post("/", operation_id="CreateItem", responses=WRITE, summary="Add an item to the closet")
    async def create_item(
        self, request: AuthRequest, data: JSONBody[ItemCreate], add_item: NamedDependency[AddItem]
    ) -> Response[ItemRead]:
        item = await add_item(AddItemCommand(owner_id=request.user.id, spec=item_spec(data)))
        return _one(item, 201)

    @get("/", operation_id="ListItems", responses=READ, summary="List, filter and sort items")
    async def list_items(
        self,
        request: AuthRequest,
        filter: NamedDependency[FilterSpec],
        list_items: NamedDependency[ListItems],
        sort: FromQuery[str] = "-created_at",
        limit: FromQuery[int] = DEFAULT_LIMIT,
        cursor: FromQuery[str | None] = None,
    ) -> ItemList:
        command = ListItemsCommand(
            owner_id=request.user.id,
            filter=filter,
            sort=sort,
            limit=limit,
            cursor=cursor,
            southern=southern(request.user),
            time_zone=request.user.settings.time_zone,
        )
        page = await list_items(command)
        return ItemList(item_summaries(page.items), page.next_cursor)

    @get(
        "/facets", operation_id="ItemFacets", responses=READ, summary="Counts per category, colour and brand"
    )
    async def item_facets(
        self,
        request: AuthRequest,
        filter: NamedDependency[FilterSpec],
        item_facets: NamedDependency[ItemFacets],
    ) -> FacetsRead:
        command = ItemFacetsCommand(
            owner_id=request.user.id,
            filter=filter,
            southern=southern(request.user),
            time_zone=request.user.settings.time_zone,
        )
        facets = await item_facets(command)
        return facets_read(facets)

    @get("/{item_id:str}", operation_id="GetItem", responses=ONE, summary="One item")
    async def get_item(
        self, request: AuthRequest, item_id: ItemIdParam, get_item: NamedDependency[GetItem]
    ) -> Response[ItemRead]:
        return _one(await get_item(_ref(request, item_id)))

    @patch(
        "/{item_id:str}", operation_id="UpdateItem", responses=UPDATE, summary="Change some fields of an item"
    )
    async def update_item(
        self,
        request: AuthRequest,
        item_id: ItemIdParam,
        data: JSONBody[ItemPatch],
        update_item: NamedDependency[UpdateItem],
        if_match: IfMatch = None,
    ) -> Response[ItemRead]:
        body_version = data.version if isinstance(data.version, int) else None
        ref = _ref(request, item_id, version_from(if_match, body_version))
        return _one(await update_item(UpdateItemCommand(ref=ref, changes=item_changes(data))))

    @post("/{item_id:str}/archive", operation_id="ArchiveItem", responses=CHANGE, status_code=200)
    async def archive_item(
        self,
        request: AuthRequest,
        item_id: ItemIdParam,
        data: JSONBody[ArchiveIn],
        archive_item: NamedDependency[ArchiveItem],
        if_match: IfMatch = None,
    ) -> Response[ItemRead]:
        ref = _ref(request, item_id, version_from(if_match, data.version))
        return _one(await archive_item(ArchiveItemCommand(ref=ref, reason=data.reason)))

    @post("/{item_id:str}/restore", operation_id="RestoreItem", responses=CHANGE, status_code=200)
    async def restore_item(
        self,
        request: AuthRequest,
        item_id: ItemIdParam,
        restore_item: NamedDependency[RestoreItem],
        data: JSONBody[RestoreIn | None] = None,
        if_match: IfMatch = None,
    ) -> Response[ItemRead]:
        ref = _ref(request, item_id, version_from(if_match, data.version if data else None))
        return _one(await restore_item(ref))

    @delete("/{item_id:str}", operation_id="DeleteItem", responses=CHANGE, summary="Delete an item for good")
    async def delete_item(
        self,
        request: AuthRequest,
        item_id: ItemIdParam,
        delete_item: NamedDependency[DeleteItem],
        if_match: IfMatch = None,
    ) -> None:
        await delete_item(_ref(request, item_id, version_from(if_match, None)))
