"""Search across items, outfits and collections, and autocomplete, over HTTP."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from closet.application.search import (
    SEARCH_LIMIT_DEFAULT,
    SUGGEST_LIMIT_DEFAULT,
    Search,
    SearchCommand,
    Suggest,
    SuggestCommand,
)
from closet.entrypoints.http.controllers.items import AuthRequest, known_parameters_only
from closet.entrypoints.http.errors import problem_responses
from closet.entrypoints.http.schemas.search import (
    SearchResults,
    Suggestions,
    search_results,
    suggestions_read,
)

READ = problem_responses(400, 401, 422, 503)
PARAMETERS = frozenset({"q", "limit"})


class SearchController(Controller):
    path = "/api/v1/search"
    tags = ["search"]

    @get(
        "/",
        operation_id="Search",
        responses=READ,
        summary="Search your items, outfits and collections",
        description=(
            "Every word of `q` must match a word of the thing: exactly, as its beginning, or (words "
            "of four letters or more) with one typo in a name, brand or tag. Ranked by where the "
            "words match (name > brand > tags > notes) and how well (exact > beginning > typo); "
            "archived items are included, marked, after active things of the same score."
        ),
    )
    async def search(
        self,
        request: AuthRequest,
        search: NamedDependency[Search],
        q: FromQuery[str | None] = None,
        limit: FromQuery[int] = SEARCH_LIMIT_DEFAULT,
    ) -> SearchResults:
        known_parameters_only(request, PARAMETERS)
        return search_results(await search(SearchCommand(owner_id=request.user.id, q=q, limit=limit)))

    @get(
        "/suggest",
        operation_id="SearchSuggest",
        responses=READ,
        summary="Autocomplete from your names, brands, tags, categories, colours and materials",
        description=(
            "Values with a word starting with `q` (several words: in a row, the last one as a "
            "beginning), most frequent in your closet first, at most `limit` (≤ 10)."
        ),
    )
    async def suggest(
        self,
        request: AuthRequest,
        suggest: NamedDependency[Suggest],
        q: FromQuery[str | None] = None,
        limit: FromQuery[int] = SUGGEST_LIMIT_DEFAULT,
    ) -> Suggestions:
        known_parameters_only(request, PARAMETERS)
        return suggestions_read(await suggest(SuggestCommand(owner_id=request.user.id, q=q, limit=limit)))
