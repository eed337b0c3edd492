"""An item's wear log over HTTP."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from closet.application.outfits import ListWears, UnwearItem, WearItem, WearItemCommand
from closet.domain.items import ItemId
from closet.entrypoints.http.controllers.items import AuthRequest, ItemIdParam, parse_id
from closet.entrypoints.http.errors import problem_responses
from closet.entrypoints.http.schemas.outfits import (
    WearEventRead,
    WearIn,
    WearRead,
    wear_event_read,
    wear_read,
)


class WearController(Controller):
    path = "/api/v1/items"
    tags = ["wear log"]

    @post(
        "/{item_id:str}/wear",
        operation_id="WearItem",
        responses=problem_responses(400, 401, 404, 422, 503),
        status_code=200,
        summary="Log that the item was worn (today, or `date`; once per day)",
    )
    async def wear_item(
        self,
        request: AuthRequest,
        item_id: ItemIdParam,
        wear_item: NamedDependency[WearItem],
        data: JSONBody[WearIn | None] = None,
    ) -> WearRead:
        command = WearItemCommand(
            owner_id=request.user.id,
            item_id=ItemId(parse_id(item_id)),
            worn_on=data.date if data else None,
            time_zone=request.user.settings.time_zone,
        )
        return wear_read(await wear_item(command))

    @get("/{item_id:str}/wears", operation_id="ListWears", responses=problem_responses(401, 404, 422, 503))
    async def list_wears(
        self, request: AuthRequest, item_id: ItemIdParam, list_wears: NamedDependency[ListWears]
    ) -> list[WearEventRead]:
        return [wear_event_read(e) for e in await list_wears(request.user.id, ItemId(parse_id(item_id)))]

    @delete(
        "/{item_id:str}/wears/{worn_on:date}",
        operation_id="UnwearItem",
        responses=problem_responses(401, 404, 422, 503),
        summary="Undo a wear",
    )
    async def unwear_item(
        self,
        request: AuthRequest,
        item_id: ItemIdParam,
        worn_on: Annotated[date, PathParameter(description="The day, YYYY-MM-DD")],
        unwear_item: NamedDependency[UnwearItem],
    ) -> None:
        await unwear_item(
            WearItemCommand(owner_id=request.user.id, item_id=ItemId(parse_id(item_id)), worn_on=worn_on)
        )
