"""Search and autocomplete over HTTP on every profile: ranked, typo-tolerant, owner-scoped."""

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
