"""User B can neither read, change, list, facet nor delete user A's items: 404, like a missing one."""

from __future__ import annotations

import uuid

from litestar.testing import AsyncTestClient

from tests.http.conftest import SignUp, coat

Client = AsyncTestClient  # type: ignore[type-arg]


async def test_another_users_items_are_invisible(client: Client, sign_up: SignUp) -> None:
    ann, bob = await sign_up("Ann"), await sign_up("Bob")
    item = (await client.post("/api/v1/items", json=coat(brand="Secret brand"), headers=ann.headers)).json()
    url = f"/api/v1/items/{item['id']}"
    missing = f"/api/v1/items/{uuid.uuid4()}"

    attempts = [
        ("GET", url, None),
        ("PATCH", url, {"version": 1, "name": "mine now"}),
        ("POST", f"{url}/archive", {"reason": "sold", "version": 1}),
        ("POST", f"{url}/restore", {"version": 1}),
        ("DELETE", url, None),
    ]
    for method, path, body in attempts:
        theirs = await client.request(method, path, json=body, headers=bob.headers)
        nothing = await client.request(
            method, missing + path.removeprefix(url), json=body, headers=bob.headers
        )
        assert theirs.status_code == 404, (method, path, theirs.text)
        assert "Secret" not in theirs.text and "mine now" not in theirs.text
        assert theirs.json()["title"] == nothing.json()["title"] == "Not found"

    listed = await client.get("/api/v1/items?status=active&status=archived", headers=bob.headers)
    assert listed.json() == {"items": [], "next_cursor": None}
    searched = await client.get("/api/v1/items?q=secret&brand=secret%20brand", headers=bob.headers)
    assert searched.json()["items"] == []
    facets = await client.get("/api/v1/items/facets", headers=bob.headers)
    assert facets.json() == {"categories": [], "colors": [], "brands": []}
    me = await client.get("/api/v1/me", headers=bob.headers)
    assert me.json()["counts"]["items"] == 0

    still = await client.get(url, headers=ann.headers)
    assert still.status_code == 200 and still.json() == item
