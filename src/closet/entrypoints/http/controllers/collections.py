"""Collections over HTTP."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, JSONBody, PathParameter

from closet.application.collections import (
    ChangeMembers,
    CollectionItemsCommand,
    CollectionRef,
    CreateCollection,
    CreateCollectionCommand,
    DeleteCollection,
    GetCollection,
    ListCollectionItems,
    ListCollections,
    MembersCommand,
    UpdateCollection,
    UpdateCollectionCommand,
)
from closet.application.filters import FilterSpec
from closet.application.item_query import DEFAULT_LIMIT
from closet.domain.collections import Collection, CollectionId
from closet.entrypoints.http.controllers.items import (
    AuthRequest,
    IfMatch,
    filter_spec,
    parse_id,
    southern,
    version_from,
)
from closet.entrypoints.http.errors import problem_responses
from closet.entrypoints.http.schemas.collections import (
    CollectionCreate,
    CollectionPatch,
    CollectionRead,
    CollectionSummary,
    MembersIn,
    collection_changes,
    collection_read,
    collection_spec,
    collection_summary,
    members,
)
from closet.entrypoints.http.schemas.items import ItemList, item_summaries

CollectionIdParam = Annotated[str, PathParameter(description="The collection's id (a UUID)", max_length=64)]
ONE = problem_responses(401, 404, 422, 503)
WRITE = problem_responses(400, 401, 404, 409, 412, 413, 422, 503)
UPDATE = problem_responses(400, 401, 404, 409, 412, 413, 422, 428, 503)


def _ref(request: AuthRequest, collection_id: str, version: int | None = None) -> CollectionRef:
    return CollectionRef(
        owner_id=request.user.id,
        collection_id=CollectionId(parse_id(collection_id, "collection_id")),
        expected_version=version,
    )


def _one(collection: Collection, status_code: int = 200) -> Response[CollectionRead]:
    headers = {"ETag": f'"{collection.version}"'}
    if status_code == 201:
        headers["Location"] = f"/api/v1/collections/{collection.id}"
    return Response(collection_read(collection), status_code=status_code, headers=headers)


class CollectionController(Controller):
    path = "/api/v1/collections"
    tags = ["collections"]

    @post("/", operation_id="CreateCollection", responses=WRITE, summary="A collection, by hand or by rules")
    async def create_collection(
        self,
        request: AuthRequest,
        data: JSONBody[CollectionCreate],
        create_collection: NamedDependency[CreateCollection],
    ) -> Response[CollectionRead]:
        command = CreateCollectionCommand(owner_id=request.user.id, spec=collection_spec(data))
        return _one(await create_collection(command), 201)

    @get("/", operation_id="ListCollections", responses=ONE, summary="Your collections, by name")
    async def list_collections(
        self, request: AuthRequest, list_collections: NamedDependency[ListCollections]
    ) -> list[CollectionSummary]:
        return [collection_summary(c) for c in await list_collections(request.user.id)]

    @get("/{collection_id:str}", operation_id="GetCollection", responses=ONE)
    async def get_collection(
        self,
        request: AuthRequest,
        collection_id: CollectionIdParam,
        get_collection: NamedDependency[GetCollection],
    ) -> Response[CollectionRead]:
        return _one(await get_collection(_ref(request, collection_id)))

    @patch("/{collection_id:str}", operation_id="UpdateCollection", responses=UPDATE)
    async def update_collection(
        self,
        request: AuthRequest,
        collection_id: CollectionIdParam,
        data: JSONBody[CollectionPatch],
        update_collection: NamedDependency[UpdateCollection],
        if_match: IfMatch = None,
    ) -> Response[CollectionRead]:
        version = version_from(if_match, data.version if isinstance(data.version, int) else None)
        command = UpdateCollectionCommand(
            ref=_ref(request, collection_id, version), changes=collection_changes(data)
        )
        return _one(await update_collection(command))

    @delete(
        "/{collection_id:str}",
        operation_id="DeleteCollection",
        responses=ONE,
        summary="Delete a collection (never its items or outfits)",
    )
    async def delete_collection(
        self,
        request: AuthRequest,
        collection_id: CollectionIdParam,
        delete_collection: NamedDependency[DeleteCollection],
    ) -> None:
        await delete_collection(_ref(request, collection_id))

    @post(
        "/{collection_id:str}/members",
        operation_id="ChangeCollectionMembers",
        responses=UPDATE,
        status_code=200,
        summary="Add and remove members in bulk, or set their order (`order` needs the version)",
    )
    async def change_members(
        self,
        request: AuthRequest,
        collection_id: CollectionIdParam,
        data: JSONBody[MembersIn],
        change_members: NamedDependency[ChangeMembers],
        if_match: IfMatch = None,
    ) -> Response[CollectionRead]:
        command = MembersCommand(
            ref=_ref(request, collection_id, version_from(if_match, data.version)),
            add=members(data.add, "add"),
            remove=members(data.remove, "remove"),
            order=members(data.order, "order") if data.order is not None else None,
        )
        return _one(await change_members(command))

    @get(
        "/{collection_id:str}/items",
        operation_id="ListCollectionItems",
        responses=ONE,
        summary="The collection's items, with the item list's filters and sorts on top",
        dependencies={"filter": Provide(filter_spec, sync_to_thread=False)},
    )
    async def collection_items(
        self,
        request: AuthRequest,
        collection_id: CollectionIdParam,
        filter: NamedDependency[FilterSpec],
        list_collection_items: NamedDependency[ListCollectionItems],
        sort: FromQuery[str | None] = None,
        limit: FromQuery[int] = DEFAULT_LIMIT,
        cursor: FromQuery[str | None] = None,
    ) -> ItemList:
        command = CollectionItemsCommand(
            ref=_ref(request, collection_id),
            filter=filter,
            sort=sort,
            limit=limit,
            cursor=cursor,
            southern=southern(request.user),
            time_zone=request.user.settings.time_zone,
        )
        page = await list_collection_items(command)
        return ItemList(item_summaries(page.items), page.next_cursor)
