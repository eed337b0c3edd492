"""Share links, the public side: no log-in, rate-limited per client address, 404 for anything
unknown, expired or revoked."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, HeaderParameter, PathParameter

from closet.application.outfits import OpenShare, RenderCommand, RenderOutfit
from closet.entrypoints.http.controllers.outfits import image_response, known_key
from closet.entrypoints.http.errors import problem_responses
from closet.entrypoints.http.schemas.outfits import SharedOutfitRead, shared_read

Token = Annotated[str, PathParameter(description="The share link's token", max_length=100)]
IfNoneMatch = Annotated[str | None, HeaderParameter(name="If-None-Match", required=False)]


class SharedController(Controller):
    path = "/s"
    tags = ["shares"]

    @get("/{token:str}", operation_id="OpenShare", responses=problem_responses(404, 429), security=[])
    async def open_share(self, token: Token, open_share: NamedDependency[OpenShare]) -> SharedOutfitRead:
        return shared_read(await open_share(token), token)

    @get(
        "/{token:str}/image",
        operation_id="SharedImage",
        responses=problem_responses(404, 422, 429),
        media_type="image/*",
        security=[],
    )
    async def shared_image(
        self,
        token: Token,
        open_share: NamedDependency[OpenShare],
        render_outfit: NamedDependency[RenderOutfit],
        format: FromQuery[str] = "png",
        width: FromQuery[int | None] = None,
        download: FromQuery[bool] = False,
        if_none_match: IfNoneMatch = None,
    ) -> Response[bytes]:
        shared = await open_share(token)
        command = RenderCommand(ref=shared.ref, fmt=format, width=width, known=known_key(if_none_match))
        rendered = await render_outfit(command)
        return image_response(rendered, if_none_match, download)
