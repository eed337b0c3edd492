"""Search and autocomplete over HTTP on every profile: items, outfits and collections, ranked,
typo-tolerant, owner-scoped."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.http.conftest import SignUp
from tests.http.test_photos_api import new_item

Client = AsyncTestClient  # type: ignore[type-arg]


async def test_search_ranks_tolerates_typos_and_stays_in_the_closet(client: Client, sign_up: SignUp) -> None:
    ann, bob = await sign_up("Ann"), await sign_up("Bob")
    cardigan = await new_item(client, ann, name="Grey cardigan", brand="Acme", tags=["office"])
    await new_item(client, ann, name="Scarf", brand="Cardiff Knits", tags=["cardigan-match"])
    await new_item(client, bob, name="Bob's cardigan", brand="Bobwear", tags=["secret-tag"])
    found = await client.get("/api/v1/search?q=cardigan", headers=ann.headers)
    assert found.status_code == 200, found.text
    hits = found.json()["hits"]
    assert hits[0]["id"] == cardigan["id"] and hits[0]["field"] == "name"  # name ranks first
    assert all("Bob" not in h["title"] for h in hits)
    typo = (await client.get("/api/v1/search?q=cardgian", headers=ann.headers)).json()["hits"]
    assert cardigan["id"] in [h["id"] for h in typo]

    suggest = await client.get("/api/v1/search/suggest?q=bo", headers=ann.headers)
    assert suggest.status_code == 200, suggest.text
    assert all(not s["text"].lower().startswith("bob") for s in suggest.json()["suggestions"])
    mine = (await client.get("/api/v1/search/suggest?q=off", headers=ann.headers)).json()["suggestions"]
    assert {"text": "office", "kind": "tag", "count": 1} in mine
    theirs = (await client.get("/api/v1/search/suggest?q=secret", headers=ann.headers)).json()["suggestions"]
    assert theirs == []  # never another user's tag

    for bad in ("", "q=", "q=" + "x" * 101, "q=a&limit=0", "q=a&colour=red"):
        answer = await client.get(f"/api/v1/search?{bad}", headers=ann.headers)
        assert 400 <= answer.status_code < 500, (bad, answer.status_code)
    odd = await client.get("/api/v1/search?q=%22%20AND%20(", headers=ann.headers)  # FTS syntax in user text
    assert odd.status_code in (200, 422)


async def test_collections_are_found_by_name_and_only_by_their_owner(client: Client, sign_up: SignUp) -> None:
    ann, bob = await sign_up("Ann"), await sign_up("Bob")
    body = {"name": "Weekend trip", "tags": ["Travel"], "description": "Two nights in Lisbon"}
    made = await client.post("/api/v1/collections", json=body, headers=ann.headers)
    assert made.status_code == 201, made.text
    trip = made.json()
    smart = {"name": "Knits", "tags": ["weekend"], "rules": {"category": ["knitwear"]}}
    assert (await client.post("/api/v1/collections", json=smart, headers=ann.headers)).status_code == 201
    await new_item(client, ann, name="Linen shirt", tags=["travel"])

    found = await client.get("/api/v1/search?q=weekend", headers=ann.headers)
    assert found.status_code == 200, found.text
    hits = found.json()["hits"]
    assert hits[0] == {
        "kind": "collection",
        "id": trip["id"],
        "title": "Weekend trip",
        "score": 8.0,
        "field": "name",
        "archived": False,
    }
    assert [(h["kind"], h["title"], h["field"]) for h in hits[1:]] == [("collection", "Knits", "tags")]
    lisbon = (await client.get("/api/v1/search?q=lisbon", headers=ann.headers)).json()["hits"]
    assert [(h["id"], h["field"]) for h in lisbon] == [(trip["id"], "notes")]
    typo = (await client.get("/api/v1/search?q=weeknd%20trip", headers=ann.headers)).json()["hits"]
    assert [h["id"] for h in typo] == [trip["id"]]
    suggested = (await client.get("/api/v1/search/suggest?q=wee", headers=ann.headers)).json()["suggestions"]
    assert suggested == [  # the same count: names before tags
        {"text": "Weekend trip", "kind": "name", "count": 1},
        {"text": "weekend", "kind": "tag", "count": 1},
    ]
    travel = (await client.get("/api/v1/search/suggest?q=trav", headers=ann.headers)).json()["suggestions"]
    assert travel == [{"text": "travel", "kind": "tag", "count": 2}]  # the item's tag and the collection's

    # Bob finds none of it, by name, tag, description or autocomplete
    for q in ("weekend", "weekend trip", "lisbon", "knits", "travel"):
        theirs = await client.get("/api/v1/search", params={"q": q}, headers=bob.headers)
        assert theirs.status_code == 200 and theirs.json()["hits"] == [], q
        hints = await client.get("/api/v1/search/suggest", params={"q": q}, headers=bob.headers)
        assert hints.status_code == 200 and hints.json()["suggestions"] == [], q
    bobs = await client.post("/api/v1/collections", json={"name": "Weekend trip"}, headers=bob.headers)
    assert bobs.status_code == 201  # the same name is Bob's own
    mine = (await client.get("/api/v1/search?q=weekend%20trip", headers=ann.headers)).json()["hits"]
    assert [h["id"] for h in mine] == [trip["id"]]
    his = (await client.get("/api/v1/search?q=weekend%20trip", headers=bob.headers)).json()["hits"]
    assert [h["id"] for h in his] == [bobs.json()["id"]]

    # a rename is found under the new name only; a deleted collection is found no more
    url = f"/api/v1/collections/{trip['id']}"
    renamed = await client.patch(url, json={"name": "City break"}, headers={**ann.headers, "If-Match": '"1"'})
    assert renamed.status_code == 200, renamed.text
    city = (await client.get("/api/v1/search?q=city", headers=ann.headers)).json()["hits"]
    assert [(h["id"], h["title"]) for h in city] == [(trip["id"], "City break")]
    assert trip["id"] not in [
        h["id"] for h in (await client.get("/api/v1/search?q=trip", headers=ann.headers)).json()["hits"]
    ]
    assert (await client.delete(url, headers=ann.headers)).status_code == 204
    assert (await client.get("/api/v1/search?q=city", headers=ann.headers)).json()["hits"] == []
    assert (await client.get("/api/v1/search/suggest?q=cit", headers=ann.headers)).json()["suggestions"] == []
