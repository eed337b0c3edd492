"""Collections over HTTP on every profile: by hand (ordered, with a cover) and by rules."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from tests.http.conftest import Account, SignUp
from tests.http.test_outfits_api import outfit_with
from tests.http.test_photos_api import new_item

Client = AsyncTestClient  # type: ignore[type-arg]


async def collection(client: Client, who: Account, **body: Any) -> dict[str, Any]:
    created = await client.post("/api/v1/collections", json={"name": "Capsule", **body}, headers=who.headers)
    assert created.status_code == 201, created.text
    return created.json()


def ref(kind: str, thing: dict[str, Any]) -> dict[str, str]:
    return {"kind": kind, "id": thing["id"]}


async def test_hand_made_collection_members_order_and_cover(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    items = [
        await new_item(client, ann, name=n, colors=[{"name": col}])
        for n, col in (("A", "navy"), ("B", "red"), ("C", "white"))
    ]
    look = await outfit_with(client, ann, items[0])
    made = await collection(client, ann, tags=[" Work "], seasons=["winter"], description="for the office")
    assert made["smart"] is False and made["members"] == [] and made["tags"] == ["work"]
    url = f"/api/v1/collections/{made['id']}"
    added = await client.post(
        f"{url}/members",
        json={
            "add": [ref("item", items[0]), ref("item", items[1]), ref("outfit", look), ref("item", items[2])]
        },
        headers=ann.headers,
    )
    assert added.status_code == 200, added.text
    body = added.json()
    assert [m["id"] for m in body["members"]] == [items[0]["id"], items[1]["id"], look["id"], items[2]["id"]]
    version = body["version"]
    new_order = [ref("item", items[2]), ref("outfit", look), ref("item", items[0]), ref("item", items[1])]
    no_version = await client.post(f"{url}/members", json={"order": new_order}, headers=ann.headers)
    assert no_version.status_code == 428
    reordered = await client.post(
        f"{url}/members", json={"order": new_order, "version": version}, headers=ann.headers
    )
    assert reordered.status_code == 200 and reordered.json()["members"][0]["id"] == items[2]["id"]
    stale = await client.post(
        f"{url}/members", json={"order": new_order, "version": version}, headers=ann.headers
    )
    assert stale.status_code == 412
    partial = await client.post(
        f"{url}/members", json={"order": new_order[:2], "version": version + 1}, headers=ann.headers
    )
    assert partial.status_code == 422
    listed = (await client.get(f"{url}/items", headers=ann.headers)).json()["items"]
    assert [i["name"] for i in listed] == ["C", "A", "B"]  # the manual order
    by_name = (await client.get(f"{url}/items?sort=name", headers=ann.headers)).json()["items"]
    assert [i["name"] for i in by_name] == ["A", "B", "C"]
    reds = (await client.get(f"{url}/items?color=red", headers=ann.headers)).json()["items"]
    assert [i["name"] for i in reds] == ["B"]

    covered = await client.patch(
        url, json={"cover": ref("outfit", look), "version": version + 1}, headers=ann.headers
    )
    assert covered.status_code == 200 and covered.json()["cover"] == ref("outfit", look)
    stranger = {"kind": "item", "id": str(uuid.uuid4())}
    bad_cover = await client.patch(url, json={"cover": stranger, "version": version + 2}, headers=ann.headers)
    assert bad_cover.status_code == 422 and bad_cover.json()["errors"][0]["field"] == "cover"

    # deleting an item takes it out of the collection; deleting the collection keeps the rest
    item_etag = (await client.get(f"/api/v1/items/{items[1]['id']}", headers=ann.headers)).headers["etag"]
    await client.delete(f"/api/v1/items/{items[1]['id']}", headers={**ann.headers, "If-Match": item_etag})
    after = (await client.get(url, headers=ann.headers)).json()
    assert items[1]["id"] not in [m["id"] for m in after["members"]]
    await client.delete(f"/api/v1/outfits/{look['id']}", headers=ann.headers)
    after = (await client.get(url, headers=ann.headers)).json()
    assert [m["id"] for m in after["members"]] == [items[2]["id"], items[0]["id"]] and after["cover"] is None
    assert (await client.delete(url, headers=ann.headers)).status_code == 204
    assert (await client.get(f"/api/v1/items/{items[0]['id']}", headers=ann.headers)).status_code == 200
    assert (await client.get(url, headers=ann.headers)).status_code == 404


async def test_names_are_unique_per_owner(client: Client, sign_up: SignUp) -> None:
    ann, bob = await sign_up("Ann"), await sign_up("Bob")
    await collection(client, ann, name="Trip")
    again = await client.post("/api/v1/collections", json={"name": " trip "}, headers=ann.headers)
    assert again.status_code == 409
    await collection(client, bob, name="Trip")  # another owner may use the name
    other = await collection(client, ann, name="Other")
    renamed = await client.patch(
        f"/api/v1/collections/{other['id']}", json={"name": "TRIP", "version": 1}, headers=ann.headers
    )
    assert renamed.status_code == 409


async def test_smart_collection_follows_its_rules(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    wool = await new_item(
        client,
        ann,
        name="Jumper",
        category="knitwear",
        materials=[{"fibre": "wool", "percent": 100}],
        seasons=[],
    )
    await new_item(
        client, ann, name="Tee", category="top", materials=[], seasons=[], colors=[{"name": "white"}]
    )
    smart = await collection(
        client, ann, name="Winter knits", rules={"category": ["knitwear"], "season": ["winter"]}, sort="name"
    )
    assert smart["smart"] and smart["rules"] == {"category": ["knitwear"], "season": ["winter"]}
    url = f"/api/v1/collections/{smart['id']}"
    listed = (await client.get(f"{url}/items", headers=ann.headers)).json()["items"]
    assert [i["name"] for i in listed] == ["Jumper"]  # wool knitwear: suggested autumn and winter
    assert wool["seasons"] == ["autumn", "winter"]
    later = await new_item(client, ann, name="Cardigan", category="knitwear", seasons=["winter"])
    listed = (await client.get(f"{url}/items", headers=ann.headers)).json()["items"]
    assert [i["name"] for i in listed] == ["Cardigan", "Jumper"]  # new matches appear by themselves
    filtered = (await client.get(f"{url}/items?q=card", headers=ann.headers)).json()["items"]
    assert [i["id"] for i in filtered] == [later["id"]]
    refused = await client.post(f"{url}/members", json={"add": [ref("item", later)]}, headers=ann.headers)
    assert refused.status_code == 422
    bad_rules = await client.post(
        "/api/v1/collections",
        json={"name": "Bad", "rules": {"color": ["blurple"], "wear_min": -1}},
        headers=ann.headers,
    )
    assert bad_rules.status_code == 422
    assert {e["field"] for e in bad_rules.json()["errors"]} == {"rules.color[0]", "rules.wear_min"}


async def test_not_worn_lately_and_wear_counts(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    fresh = await new_item(client, ann, name="Fresh")
    stale = await new_item(client, ann, name="Stale")
    never = await new_item(client, ann, name="Never")
    today = date.today()
    await client.post(f"/api/v1/items/{fresh['id']}/wear", headers=ann.headers)
    await client.post(
        f"/api/v1/items/{stale['id']}/wear",
        json={"date": (today - timedelta(days=90)).isoformat()},
        headers=ann.headers,
    )
    smart = await collection(client, ann, name="Forgotten", rules={"not_worn_days": 30})
    names = [
        i["name"]
        for i in (
            await client.get(f"/api/v1/collections/{smart['id']}/items?sort=name", headers=ann.headers)
        ).json()["items"]
    ]
    assert names == ["Never", "Stale"]
    worn = (await client.get("/api/v1/items?wear_min=1&sort=name", headers=ann.headers)).json()["items"]
    assert [i["name"] for i in worn] == ["Fresh", "Stale"]
    assert never["wear_count"] == 0


async def test_season_now_follows_the_hemisphere(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    for season in ("spring", "summer", "autumn", "winter"):
        await new_item(client, ann, name=season, seasons=[season])
    month = date.today().month
    north = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
             6: "summer", 7: "summer", 8: "summer"}.get(month, "autumn")  # fmt: skip
    south = {"winter": "summer", "summer": "winter", "spring": "autumn", "autumn": "spring"}[north]
    now = (await client.get("/api/v1/items?season=now", headers=ann.headers)).json()["items"]
    assert [i["name"] for i in now] == [north]
    smart = await collection(client, ann, name="In season", rules={"season": ["now"]})
    in_season = f"/api/v1/collections/{smart['id']}/items"
    assert [i["name"] for i in (await client.get(in_season, headers=ann.headers)).json()["items"]] == [north]
    me = (await client.get("/api/v1/me", headers=ann.headers)).json()
    changed = await client.patch(
        "/api/v1/me",
        json={"settings": {**me["settings"], "hemisphere": "south"}, "version": me["version"]},
        headers=ann.headers,
    )
    assert changed.status_code == 200, changed.text
    now = (await client.get("/api/v1/items?season=now", headers=ann.headers)).json()["items"]
    assert [i["name"] for i in now] == [south]
    assert [i["name"] for i in (await client.get(in_season, headers=ann.headers)).json()["items"]] == [south]


async def test_another_owner_cannot_reach_collections(client: Client, sign_up: SignUp) -> None:
    ann, bob = await sign_up("Ann"), await sign_up("Bob")
    item = await new_item(client, ann)
    mine = await collection(client, ann, name="Mine")
    url = f"/api/v1/collections/{mine['id']}"
    await client.post(f"{url}/members", json={"add": [ref("item", item)]}, headers=ann.headers)
    for method, path, body in [
        ("GET", url, None),
        ("PATCH", url, {"name": "x", "version": 2}),
        ("DELETE", url, None),
        ("POST", f"{url}/members", {"add": []}),
        ("GET", f"{url}/items", None),
    ]:
        answer = await client.request(method, path, json=body, headers=bob.headers)
        assert answer.status_code == 404, (method, path, answer.text)
    assert (await client.get("/api/v1/collections", headers=bob.headers)).json() == []
    theirs = await collection(client, bob, name="Theirs")
    sneaky = await client.post(
        f"/api/v1/collections/{theirs['id']}/members", json={"add": [ref("item", item)]}, headers=bob.headers
    )
    assert sneaky.status_code == 422  # Ann's item is not in Bob's closet
