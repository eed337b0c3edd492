"""Every item endpoint over HTTP, on the memory and the Postgres container."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.http.conftest import SignUp, coat

Client = AsyncTestClient  # type: ignore[type-arg]


async def test_create_normalises_and_get_returns_it(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    created = await client.post("/api/v1/items", json=coat(), headers=ann.headers)
    assert created.status_code == 201, created.text
    item = created.json()
    assert created.headers["location"] == f"/api/v1/items/{item['id']}"
    assert created.headers["etag"] == '"1"'
    assert item["colors"] == [{"name": "navy", "hex": "#1f2a44"}, {"name": "red", "hex": "#ff0000"}]
    assert item["size"] == {"system": "letter", "label": "M"}
    assert item["materials"] == [{"fibre": "wool", "percent": "80"}, {"fibre": "nylon", "percent": "20"}]
    assert item["purchase"] == {
        "date": "2024-01-02",
        "price": {"amount": "120.50", "currency": "EUR"},
        "store": "Shop",
    }
    assert item["seasons"] == ["autumn", "winter"]
    assert item["tags"] == ["work", "warm"]
    assert (item["status"], item["version"], item["wear_count"]) == ("active", 1, 0)

    fetched = await client.get(f"/api/v1/items/{item['id']}", headers=ann.headers)
    assert fetched.status_code == 200
    assert fetched.json() == item
    assert fetched.headers["etag"] == '"1"'


async def test_patch_changes_only_what_was_sent(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    item = (await client.post("/api/v1/items", json=coat(), headers=ann.headers)).json()
    url = f"/api/v1/items/{item['id']}"
    patched = await client.patch(
        url, json={"name": "Long coat", "brand": None, "tags": []}, headers={**ann.headers, "If-Match": '"1"'}
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["name"], body["brand"], body["tags"], body["version"]) == ("Long coat", None, [], 2)
    assert body["colors"] == item["colors"] and body["purchase"] == item["purchase"]
    assert patched.headers["etag"] == '"2"'

    by_body = await client.patch(url, json={"version": 2, "notes": "hang up"}, headers=ann.headers)
    assert by_body.status_code == 200 and by_body.json()["version"] == 3

    unchanged = await client.patch(url, json={"version": 3, "notes": "hang up"}, headers=ann.headers)
    assert unchanged.json()["version"] == 3  # nothing changed, no new version


async def test_stale_version_is_412_and_changes_nothing(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    item = (await client.post("/api/v1/items", json=coat(), headers=ann.headers)).json()
    url = f"/api/v1/items/{item['id']}"
    assert (await client.patch(url, json={"version": 1, "name": "A"}, headers=ann.headers)).status_code == 200
    stale = await client.patch(url, json={"version": 1, "name": "B"}, headers=ann.headers)
    assert stale.status_code == 412
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert "current version is 2" in stale.json()["detail"]
    missing = await client.patch(url, json={"name": "C"}, headers=ann.headers)
    assert missing.status_code == 428
    assert (await client.get(url, headers=ann.headers)).json()["name"] == "A"


async def test_archive_restore_and_delete(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    item = (await client.post("/api/v1/items", json=coat(), headers=ann.headers)).json()
    url = f"/api/v1/items/{item['id']}"
    archived = await client.post(f"{url}/archive", json={"reason": "sold", "version": 1}, headers=ann.headers)
    assert archived.status_code == 200
    assert (archived.json()["status"], archived.json()["archive_reason"]) == ("archived", "sold")
    assert archived.json()["archived_at"] is not None

    listed = await client.get("/api/v1/items", headers=ann.headers)
    assert listed.json()["items"] == []  # lists show active items unless asked
    shown = await client.get("/api/v1/items?status=archived", headers=ann.headers)
    assert [i["id"] for i in shown.json()["items"]] == [item["id"]]

    restored = await client.post(f"{url}/restore", headers=ann.headers)
    assert restored.status_code == 200
    assert (restored.json()["status"], restored.json()["archive_reason"]) == ("active", None)

    stale_delete = await client.delete(url, headers={**ann.headers, "If-Match": '"1"'})
    assert stale_delete.status_code == 412
    assert (await client.delete(url, headers=ann.headers)).status_code == 204
    assert (await client.get(url, headers=ann.headers)).status_code == 404
    assert (await client.delete(url, headers=ann.headers)).status_code == 404


async def test_list_filters_sorts_and_pages(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    specs = [
        coat(name="Red dress", category="dress", colors=[{"name": "red"}], brand="Zara"),
        coat(name="Black tee", category="top", colors=[{"name": "black"}], brand="Uniqlo"),
        coat(name="White tee", category="top", colors=[{"name": "white"}], brand=None),
        coat(name="Navy blazer", category="outerwear", colors=[{"name": "navy"}], brand="acme"),
    ]
    for body in specs:
        assert (await client.post("/api/v1/items", json=body, headers=ann.headers)).status_code == 201

    tops = await client.get("/api/v1/items?category=top&category=dress&sort=name", headers=ann.headers)
    assert [i["name"] for i in tops.json()["items"]] == ["Black tee", "Red dress", "White tee"]

    by_colour = await client.get("/api/v1/items?sort=color", headers=ann.headers)
    assert [i["name"] for i in by_colour.json()["items"]] == [
        "Black tee",
        "White tee",
        "Red dress",
        "Navy blazer",
    ]

    text = await client.get("/api/v1/items?q=TEE%20black", headers=ann.headers)
    assert [i["name"] for i in text.json()["items"]] == ["Black tee"]

    brand = await client.get("/api/v1/items?brand=ACME&sort=-brand", headers=ann.headers)
    assert [i["name"] for i in brand.json()["items"]] == ["Navy blazer"]

    names, cursor = [], None
    while True:
        query = "/api/v1/items?sort=-name&limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(query, headers=ann.headers)).json()
        names += [i["name"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert names == ["White tee", "Red dress", "Navy blazer", "Black tee"]


async def test_facets_follow_the_filter(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    for body in (
        coat(category="top", colors=[{"name": "red"}], brand="Acme"),
        coat(category="top", colors=[{"name": "red"}, {"name": "white"}], brand="ACME"),
        coat(category="shoes", colors=[{"name": "black"}], brand="Zara"),
    ):
        await client.post("/api/v1/items", json=body, headers=ann.headers)
    facets = (await client.get("/api/v1/items/facets?color=red", headers=ann.headers)).json()
    assert facets["categories"] == [{"value": "top", "label": "top", "count": 2}]
    assert facets["colors"] == [
        {"value": "red", "label": "red", "count": 2},
        {"value": "black", "label": "black", "count": 1},
        {"value": "white", "label": "white", "count": 1},
    ]
    assert facets["brands"] == [{"value": "acme", "label": "ACME", "count": 2}]


async def test_me_counts_items(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up("Ann")
    await client.post("/api/v1/items", json=coat(), headers=ann.headers)
    me = await client.get("/api/v1/me", headers=ann.headers)
    assert me.status_code == 200
    assert me.json()["email"] == ann.email
    assert (me.json()["display_name"], me.json()["counts"]["items"]) == ("Ann", 1)


async def test_responses_carry_a_request_id(client: Client) -> None:
    given = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    hostile = await client.get("/health", headers={"X-Request-ID": "<script>" * 20})
    assert hostile.headers["x-request-id"] != "<script>" * 20
    assert len(hostile.headers["x-request-id"]) == 32


async def test_every_response_has_a_request_id_even_errors(client: Client) -> None:
    for response in (
        await client.get("/api/v1/items"),  # 401 from the auth middleware
        await client.get("/no/such/route"),  # 404 from the router
        await client.put("/health"),  # 405
    ):
        assert len(response.headers["x-request-id"]) == 32
        assert response.json()["request_id"] == response.headers["x-request-id"]
