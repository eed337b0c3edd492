"""Search and autocomplete over HTTP, on every profile."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.http.conftest import SignUp, coat

Client = AsyncTestClient  # type: ignore[type-arg]


async def test_search_ranks_across_items_and_outfits(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    cardigan = (
        await client.post(
            "/api/v1/items", json=coat(name="Grey cardigan", brand="Levi's"), headers=ann.headers
        )
    ).json()
    jumper = await client.post(
        "/api/v1/items", json=coat(name="Wool jumper", brand="Cardigan & Co", tags=[]), headers=ann.headers
    )
    layers = [{"item_id": cardigan["id"], "x": 0, "y": 0}]
    look = await client.post(
        "/api/v1/outfits", json={"name": "Cardigan weather", "layers": layers}, headers=ann.headers
    )
    assert jumper.status_code == look.status_code == 201

    found = await client.get("/api/v1/search", params={"q": "cardgian"}, headers=ann.headers)
    assert found.status_code == 200, found.text
    assert [(h["kind"], h["title"], h["field"], h["score"]) for h in found.json()["hits"]] == [
        ("outfit", "Cardigan weather", "name", 4.8),
        ("item", "Grey cardigan", "name", 4.8),
        ("item", "Wool jumper", "brand", 2.4),
    ]
    hit = found.json()["hits"][1]
    assert hit == {
        "kind": "item",
        "id": cardigan["id"],
        "title": "Grey cardigan",
        "score": 4.8,
        "field": "name",
        "archived": False,
    }
    levis = await client.get("/api/v1/search", params={"q": "levis", "limit": 1}, headers=ann.headers)
    assert [h["title"] for h in levis.json()["hits"]] == ["Grey cardigan"]


async def test_suggest_completes_from_the_owners_closet(client: Client, sign_up: SignUp) -> None:
    ann, bob = await sign_up("Ann"), await sign_up("Bob")
    for name in ("Navy coat", "Navy blazer"):
        await client.post("/api/v1/items", json=coat(name=name, brand="Acme"), headers=ann.headers)
    await client.post("/api/v1/items", json=coat(brand="Acne Studios", tags=["acrobat"]), headers=bob.headers)

    found = await client.get("/api/v1/search/suggest", params={"q": "ac"}, headers=ann.headers)
    assert found.status_code == 200, found.text
    assert found.json() == {"suggestions": [{"text": "Acme", "kind": "brand", "count": 2}]}
    navy = await client.get("/api/v1/search/suggest", params={"q": "navy", "limit": 2}, headers=ann.headers)
    assert [(s["text"], s["kind"], s["count"]) for s in navy.json()["suggestions"]] == [
        ("navy", "color", 2),
        ("Navy blazer", "name", 1),
    ]
    theirs = await client.get("/api/v1/search/suggest", params={"q": "acr"}, headers=ann.headers)
    assert theirs.json() == {"suggestions": []}


async def test_bad_input_is_a_problem_not_a_crash(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    await client.post("/api/v1/items", json=coat(), headers=ann.headers)
    for path in ("/api/v1/search", "/api/v1/search/suggest"):
        for params, status, field in [
            ({}, 422, "q"),
            ({"q": "   "}, 422, "q"),
            ({"q": "x" * 101}, 422, "q"),
            ({"q": "coat", "limit": "0"}, 422, "limit"),
            ({"q": "coat", "limit": "51"}, 422, "limit"),
            ({"q": "coat", "limit": "many"}, 400, None),
            ({"q": "coat", "lmit": "5"}, 400, None),
        ]:
            response = await client.get(path, params=params, headers=ann.headers)
            assert response.status_code == status, (path, params, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            if field:
                assert [e["field"] for e in response.json()["errors"]] == [field]
        for q in ['"', "AND (", "NEAR(a b)", "{name}: *", "'", "%", "\\", "🧥"]:
            response = await client.get(path, params={"q": q}, headers=ann.headers)
            assert response.status_code == 200, (path, q, response.text)
    assert (
        await client.get("/api/v1/search/suggest", params={"q": "c", "limit": 11}, headers=ann.headers)
    ).status_code == 422
    assert (await client.get("/api/v1/search", params={"q": "coat"})).status_code == 401
