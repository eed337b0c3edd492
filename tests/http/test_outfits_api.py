"""Outfits over HTTP on every profile: the canvas, versions, lists, templates, renders, shares,
the wear log, and that nobody else can reach any of it."""

from __future__ import annotations

import io
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from tests.http.conftest import Account, SignUp
from tests.http.test_photos_api import garment_jpeg, new_item, settled_photo, upload

Client = AsyncTestClient  # type: ignore[type-arg]


def layer(item_id: str, z: int, **extra: Any) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "x": 540,
        "y": 400 + 100 * z,
        "scale": 0.5,
        "rotation_deg": 0,
        "z": z,
        **extra,
    }


async def outfit_with(client: Client, who: Account, *items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {
        "name": "Monday office",
        "canvas": {"width": 1080, "height": 1350, "background": "#f5f5f0"},
        "layers": [layer(i["id"], z) for z, i in enumerate(items)],
        "seasons": ["autumn"],
        "occasions": ["work"],
        "notes": "with the brown belt",
        **extra,
    }
    created = await client.post("/api/v1/outfits", json=body, headers=who.headers)
    assert created.status_code == 201, created.text
    return created.json()


async def test_create_read_update_with_versions(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    shirt, trousers = await new_item(client, ann, name="Shirt", category="top"), await new_item(client, ann)
    outfit = await outfit_with(client, ann, shirt, trousers)
    assert [la["item_name"] for la in outfit["layers"]] == ["Shirt", "Navy wool coat"]
    assert outfit["layers"][0]["category"] == "top" and outfit["notes"] == "with the brown belt"
    assert outfit["version"] == 1 and outfit["image_url"] == f"/api/v1/outfits/{outfit['id']}/image"
    url = f"/api/v1/outfits/{outfit['id']}"
    fetched = await client.get(url, headers=ann.headers)
    assert fetched.json() == outfit and fetched.headers["etag"] == '"1"'

    moved = [layer(shirt["id"], 5, x=100.5, rotation_deg=-30), layer(trousers["id"], 2)]
    patched = await client.patch(url, json={"layers": moved, "version": 1}, headers=ann.headers)
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert [la["z"] for la in body["layers"]] == [2, 5]  # back to front
    assert body["version"] == 2 and body["notes"] == "with the brown belt"
    stale = await client.patch(url, json={"name": "x", "version": 1}, headers=ann.headers)
    assert stale.status_code == 412
    missing_version = await client.patch(url, json={"name": "x"}, headers=ann.headers)
    assert missing_version.status_code == 428


async def test_bad_outfits_are_refused_naming_the_field(client: Client, sign_up: SignUp) -> None:
    ann, bob = await sign_up("Ann"), await sign_up("Bob")
    mine, theirs = await new_item(client, ann), await new_item(client, bob)
    cases = [
        ({"canvas": {"width": 5000, "height": 10}}, "canvas.width"),
        ({"layers": [layer(mine["id"], 0, scale=20)]}, "layers[0].scale"),
        ({"layers": [layer(mine["id"], 0, rotation_deg=400)]}, "layers[0].rotation_deg"),
        ({"layers": [layer(mine["id"], 1), layer(mine["id"], 1)]}, "layers[1].z"),
        ({"layers": [layer(str(uuid.uuid4()), 0)]}, "layers[0].item_id"),
        ({"layers": [layer(theirs["id"], 0)]}, "layers[0].item_id"),  # another owner's: missing
        ({"occasions": ["funeral"]}, "occasions[0]"),
        ({"canvas": {"width": 100, "height": 100, "background": "blurple"}}, "canvas.background.hex"),
    ]
    for extra, field in cases:
        answer = await client.post("/api/v1/outfits", json={"name": "Bad", **extra}, headers=ann.headers)
        assert answer.status_code == 422, (extra, answer.text)
        assert field in [e["field"] for e in answer.json()["errors"]], (field, answer.json())
    assert (await client.get("/api/v1/outfits", headers=ann.headers)).json()["items"] == []


async def test_list_filters_and_pages(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    a, b = await new_item(client, ann), await new_item(client, ann)
    first = await outfit_with(client, ann, a, seasons=["summer"], occasions=["party"])
    second = await outfit_with(client, ann, a, b)
    third = await outfit_with(client, ann, b)
    listing = (await client.get("/api/v1/outfits", headers=ann.headers)).json()
    assert [o["id"] for o in listing["items"]] == [third["id"], second["id"], first["id"]]
    with_b = (await client.get(f"/api/v1/outfits?item={b['id']}", headers=ann.headers)).json()["items"]
    assert {o["id"] for o in with_b} == {second["id"], third["id"]}
    party = (await client.get("/api/v1/outfits?occasion=party", headers=ann.headers)).json()["items"]
    assert [o["id"] for o in party] == [first["id"]]
    page = (await client.get("/api/v1/outfits?limit=2", headers=ann.headers)).json()
    rest = (
        await client.get(f"/api/v1/outfits?limit=2&cursor={page['next_cursor']}", headers=ann.headers)
    ).json()
    assert [o["id"] for o in page["items"] + rest["items"]] == [third["id"], second["id"], first["id"]]
    assert rest["next_cursor"] is None
    bad = await client.get("/api/v1/outfits?cursor=nonsense&season=monsoon", headers=ann.headers)
    assert bad.status_code == 422
    misspelt = await client.get("/api/v1/outfits?seasons=summer", headers=ann.headers)
    assert misspelt.status_code == 400 and misspelt.json()["errors"][0]["field"] == "seasons"


async def test_duplicate_and_delete(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    item = await new_item(client, ann)
    outfit = await outfit_with(client, ann, item)
    copy = await client.post(f"/api/v1/outfits/{outfit['id']}/duplicate", headers=ann.headers)
    assert copy.status_code == 201 and copy.json()["name"] == "Monday office (copy)"
    assert copy.json()["layers"] == outfit["layers"] and copy.json()["notes"] == outfit["notes"]
    url = f"/api/v1/outfits/{outfit['id']}"
    stale = await client.delete(url, headers={**ann.headers, "If-Match": f'"{outfit["version"] + 1}"'})
    assert stale.status_code == 412  # someone changed it since: not deleted
    assert (await client.get(url, headers=ann.headers)).status_code == 200
    current = {**ann.headers, "If-Match": f'"{outfit["version"]}"'}
    deleted = await client.delete(url, headers=current)
    assert deleted.status_code == 204
    assert (await client.get(f"/api/v1/outfits/{outfit['id']}", headers=ann.headers)).status_code == 404
    assert (await client.get(f"/api/v1/items/{item['id']}", headers=ann.headers)).status_code == 200


async def test_archived_items_stay_marked_and_deleted_items_leave(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    kept, gone = await new_item(client, ann), await new_item(client, ann)
    outfit = await outfit_with(client, ann, kept, gone)
    archived = await client.post(
        f"/api/v1/items/{kept['id']}/archive", json={"reason": "sold", "version": 1}, headers=ann.headers
    )
    assert archived.status_code == 200
    await client.delete(f"/api/v1/items/{gone['id']}", headers={**ann.headers, "If-Match": '"1"'})
    fresh = (await client.get(f"/api/v1/outfits/{outfit['id']}", headers=ann.headers)).json()
    assert [(la["item_id"], la["archived"]) for la in fresh["layers"]] == [(kept["id"], True)]
    assert fresh["version"] == 2 and fresh["notes"] == outfit["notes"]


async def test_templates_round_trip(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    top = await new_item(client, ann, name="Tee", category="top")
    coat_item = await new_item(client, ann)
    outfit = await outfit_with(client, ann, top, coat_item)
    saved = await client.post(
        "/api/v1/templates", json={"outfit_id": outfit["id"], "name": "Office base"}, headers=ann.headers
    )
    assert saved.status_code == 201, saved.text
    template = saved.json()
    assert template["is_template"] and template["image_url"] is None
    assert [(la["item_id"], la["category"]) for la in template["layers"]] == [
        (None, "top"),
        (None, "outerwear"),
    ]
    geometry = [(la["x"], la["y"], la["scale"], la["rotation_deg"], la["z"]) for la in template["layers"]]
    assert geometry == [
        (la["x"], la["y"], la["scale"], la["rotation_deg"], la["z"]) for la in outfit["layers"]
    ]
    listed = (await client.get("/api/v1/templates", headers=ann.headers)).json()["items"]
    assert [t["id"] for t in listed] == [template["id"]]
    counts = (await client.get("/api/v1/me", headers=ann.headers)).json()["counts"]
    assert counts["outfits"] == 1  # the template is not an outfit
    assert template["id"] not in [
        o["id"] for o in (await client.get("/api/v1/outfits", headers=ann.headers)).json()["items"]
    ]

    other_top = await new_item(client, ann, name="Blouse", category="top")
    filled = await client.post(
        f"/api/v1/templates/{template['id']}/outfits",
        json={"name": "Tuesday", "fill": {"0": other_top["id"]}},  # slot 1 stays empty
        headers=ann.headers,
    )
    assert filled.status_code == 201, filled.text
    made = filled.json()
    assert made["template_id"] == template["id"] and not made["is_template"]
    assert [(la["item_id"], la["x"]) for la in made["layers"]] == [
        (other_top["id"], outfit["layers"][0]["x"])
    ]
    wrong_slot = await client.post(
        f"/api/v1/templates/{template['id']}/outfits",
        json={"name": "x", "fill": {"7": other_top["id"]}},
        headers=ann.headers,
    )
    assert wrong_slot.status_code == 422
    assert (await client.get(f"/api/v1/outfits/{template['id']}", headers=ann.headers)).status_code == 404
    assert (
        await client.delete(f"/api/v1/templates/{template['id']}", headers=ann.headers)
    ).status_code == 204
    assert (await client.get("/api/v1/templates", headers=ann.headers)).json()["items"] == []


async def test_a_template_can_be_changed(client: Client, sign_up: SignUp) -> None:
    """Renamed, its slots moved or given other categories; never given items; at its version."""
    ann = await sign_up()
    outfit = await outfit_with(
        client, ann, await new_item(client, ann, category="top"), await new_item(client, ann)
    )
    template = (
        await client.post(
            "/api/v1/templates", json={"outfit_id": outfit["id"], "name": "Base"}, headers=ann.headers
        )
    ).json()
    url = f"/api/v1/templates/{template['id']}"
    slots = [
        {"x": 100, "y": 120, "scale": 0.5, "rotation_deg": -10, "category": "knitwear"},
        {"x": 300, "y": 500, "category": "shoes"},
    ]
    changed = await client.patch(
        url, json={"name": "Winter base", "layers": slots}, headers={**ann.headers, "If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["name"], body["version"], body["is_template"], changed.headers["etag"]) == (
        "Winter base",
        2,
        True,
        '"2"',
    )
    assert [(la["item_id"], la["category"], la["x"], la["z"]) for la in body["layers"]] == [
        (None, "knitwear", 100, 0),
        (None, "shoes", 300, 1),
    ]
    assert (await client.get(url, headers=ann.headers)).json()["name"] == "Winter base"

    stale = await client.patch(url, json={"name": "x", "version": 1}, headers=ann.headers)
    assert stale.status_code == 412
    for slot, field in [
        ({"x": 1, "y": 1, "category": "top", "item_id": outfit["layers"][0]["item_id"]}, "layers[0].item_id"),
        ({"x": 1, "y": 1}, "layers[0].category"),
        ({"x": 1, "y": 1, "category": "hat"}, "layers[0].category"),
    ]:
        refused = await client.patch(url, json={"layers": [slot], "version": 2}, headers=ann.headers)
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    after = (await client.get(url, headers=ann.headers)).json()
    assert (after["version"], len(after["layers"])) == (2, 2)  # nothing was written
    # an outfit is not a template, nor a template an outfit, on either route
    wrong_route = await client.patch(
        f"/api/v1/templates/{outfit['id']}", json={"name": "x", "version": 1}, headers=ann.headers
    )
    assert wrong_route.status_code == 404
    wrong_way = await client.patch(
        f"/api/v1/outfits/{template['id']}", json={"name": "x", "version": 2}, headers=ann.headers
    )
    assert wrong_way.status_code == 404
    bob = await sign_up("Bob")
    assert (
        await client.patch(url, json={"name": "mine", "version": 2}, headers=bob.headers)
    ).status_code == 404


async def test_render_caching_and_download(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    item = await new_item(client, ann)
    await upload(client, ann, item["id"], garment_jpeg())
    await settled_photo(client, ann, item["id"])
    outfit = await outfit_with(client, ann, item)
    url = outfit["image_url"]
    first = await client.get(f"{url}?width=540", headers=ann.headers)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(first.content))
    assert image.size == (540, 675)
    assert image.getpixel((2, 2))[:3] == (245, 245, 240)  # the background
    again = await client.get(
        f"{url}?width=540", headers={**ann.headers, "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    same = await client.get(f"{url}?width=540", headers=ann.headers)
    assert same.content == first.content and same.headers["etag"] == first.headers["etag"]
    webp = await client.get(f"{url}?format=webp&download=1", headers=ann.headers)
    assert webp.headers["content-type"] == "image/webp"
    assert webp.headers["content-disposition"] == 'attachment; filename="monday-office.webp"'
    # the item's cut-out is undone: the render changes (its image key is part of the cache key)
    await client.post(f"/api/v1/items/{item['id']}/photo/revert", headers=ann.headers)
    changed = await client.get(f"{url}?width=540", headers=ann.headers)
    assert changed.headers["etag"] != first.headers["etag"]
    for bad in ("format=gif", "width=5", "width=99999"):
        assert (await client.get(f"{url}?{bad}", headers=ann.headers)).status_code == 422


async def test_share_links(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up("Ann")
    item, private = await new_item(client, ann, name="Red scarf"), await new_item(client, ann, name="Secret")
    outfit = await outfit_with(client, ann, item)
    shared = await client.post(f"/api/v1/outfits/{outfit['id']}/shares", json={}, headers=ann.headers)
    assert shared.status_code == 201, shared.text
    share = shared.json()
    assert len(share["token"]) >= 32 and share["url"].endswith(f"/s/{share['token']}")
    public = await client.get(f"/s/{share['token']}")  # no log-in
    assert public.status_code == 200, public.text
    body = public.json()
    assert body == {
        "name": "Monday office",
        "owner": "Ann",
        "canvas": {"width": 1080, "height": 1350, "background": "#f5f5f0"},
        "layers": [{"name": "Red scarf", "category": "outerwear", "z": 0}],
        "image_url": f"/s/{share['token']}/image",
    }
    assert ann.email not in public.text and private["id"] not in public.text
    picture = await client.get(f"/s/{share['token']}/image")
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    listed = (await client.get(f"/api/v1/outfits/{outfit['id']}/shares", headers=ann.headers)).json()
    assert [s["id"] for s in listed] == [share["id"]] and listed[0]["active"]
    assert "token" not in listed[0]
    # nothing else of Ann's is reachable with the token
    for probe in (f"/s/{share['token']}/../api/v1/items", f"/api/v1/items/{private['id']}"):
        assert (await client.get(probe)).status_code in (401, 404)
    revoked = await client.delete(f"/api/v1/outfits/{outfit['id']}/shares/{share['id']}", headers=ann.headers)
    assert revoked.status_code == 204
    assert (await client.get(f"/s/{share['token']}")).status_code == 404
    assert (await client.get(f"/s/{share['token']}/image")).status_code == 404
    assert (await client.get("/s/not-a-real-token")).status_code == 404
    bad = await client.post(
        f"/api/v1/outfits/{outfit['id']}/shares", json={"expires_in_days": 0}, headers=ann.headers
    )
    assert bad.status_code == 422


async def test_share_tokens_stay_out_of_the_access_log(
    client: Client, sign_up: SignUp, caplog: pytest.LogCaptureFixture
) -> None:
    ann = await sign_up("Ann")
    outfit = await outfit_with(client, ann, await new_item(client, ann))
    token = (
        await client.post(f"/api/v1/outfits/{outfit['id']}/shares", json={}, headers=ann.headers)
    ).json()["token"]
    with caplog.at_level(logging.INFO, logger="closet.access"):
        assert (await client.get(f"/s/{token}")).status_code == 200
        assert (await client.get(f"/s/{token}/image")).status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "closet.access"]
    assert any(line.startswith("GET /s/… 200") for line in lines)
    assert any(line.startswith("GET /s/…/image 200") for line in lines)
    assert token not in caplog.text


async def test_a_wear_is_logged_on_today_where_the_user_is(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    item = await new_item(client, ann)
    me = (await client.get("/api/v1/me", headers=ann.headers)).json()
    assert me["settings"]["time_zone"] == "UTC"
    for bad, status, field in [("Mars/Olympus_Mons", 422, "settings.time_zone"), ("x" * 65, 400, None)]:
        refused = await client.patch("/api/v1/me", json={"settings": {"time_zone": bad}}, headers=ann.headers)
        assert refused.status_code == status, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        if field:
            assert [e["field"] for e in refused.json()["errors"]] == [field]
    unchanged = (await client.get("/api/v1/me", headers=ann.headers)).json()
    assert (unchanged["settings"], unchanged["version"]) == (me["settings"], me["version"])
    changed = await client.patch(
        "/api/v1/me", json={"settings": {"time_zone": "pacific/KIRITIMATI"}}, headers=ann.headers
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["settings"]["time_zone"] == "Pacific/Kiritimati"  # the canonical spelling
    before = (datetime.now(UTC) + timedelta(hours=14)).date()  # Kiritimati is UTC+14 all year
    worn = await client.post(f"/api/v1/items/{item['id']}/wear", headers=ann.headers)
    after = (datetime.now(UTC) + timedelta(hours=14)).date()
    assert worn.status_code == 200, worn.text
    assert worn.json()["date"] in {before.isoformat(), after.isoformat()}


async def test_wear_log(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    a, b = await new_item(client, ann), await new_item(client, ann)
    outfit = await outfit_with(client, ann, a, b)
    today = datetime.now(UTC).date()  # the user has set no time zone: today in UTC
    worn = await client.post(f"/api/v1/outfits/{outfit['id']}/wear", headers=ann.headers)
    assert worn.status_code == 200, worn.text
    assert worn.json() == {"date": today.isoformat(), "recorded": [a["id"], b["id"]], "already": []}
    again = (await client.post(f"/api/v1/outfits/{outfit['id']}/wear", headers=ann.headers)).json()
    assert again["recorded"] == [] and again["already"] == [a["id"], b["id"]]  # idempotent per day
    earlier = (today - timedelta(days=3)).isoformat()
    alone = await client.post(f"/api/v1/items/{a['id']}/wear", json={"date": earlier}, headers=ann.headers)
    assert alone.json()["recorded"] == [a["id"]]
    item = (await client.get(f"/api/v1/items/{a['id']}", headers=ann.headers)).json()
    assert (item["wear_count"], item["last_worn_at"], item["version"]) == (2, today.isoformat(), 1)
    wears = (await client.get(f"/api/v1/items/{a['id']}/wears", headers=ann.headers)).json()
    assert wears == [
        {"date": today.isoformat(), "outfit_id": outfit["id"]},
        {"date": earlier, "outfit_id": None},
    ]
    future = (today + timedelta(days=2)).isoformat()  # begun nowhere yet (tomorrow may have, at UTC+14)
    assert (
        await client.post(f"/api/v1/items/{a['id']}/wear", json={"date": future}, headers=ann.headers)
    ).status_code == 422
    undone = await client.delete(
        f"/api/v1/outfits/{outfit['id']}/wear/{today.isoformat()}", headers=ann.headers
    )
    assert undone.status_code == 204
    item = (await client.get(f"/api/v1/items/{a['id']}", headers=ann.headers)).json()
    assert (item["wear_count"], item["last_worn_at"]) == (1, earlier)
    assert (
        await client.delete(f"/api/v1/items/{a['id']}/wears/{earlier}", headers=ann.headers)
    ).status_code == 204
    assert (
        await client.delete(f"/api/v1/items/{a['id']}/wears/{earlier}", headers=ann.headers)
    ).status_code == 404
    item = (await client.get(f"/api/v1/items/{a['id']}", headers=ann.headers)).json()
    assert (item["wear_count"], item["last_worn_at"]) == (0, None)
    # an edit based on a read from before a wear does not undo the wear
    before = (await client.get(f"/api/v1/items/{b['id']}", headers=ann.headers)).json()
    await client.post(f"/api/v1/items/{b['id']}/wear", json={"date": earlier}, headers=ann.headers)
    edited = await client.patch(
        f"/api/v1/items/{b['id']}",
        json={"name": "Renamed", "version": before["version"]},
        headers=ann.headers,
    )
    assert edited.status_code == 200 and edited.json()["wear_count"] == before["wear_count"] + 1


async def test_another_owner_cannot_reach_outfits(client: Client, sign_up: SignUp) -> None:
    ann, bob = await sign_up("Ann"), await sign_up("Bob")
    item = await new_item(client, ann)
    outfit = await outfit_with(client, ann, item)
    url = f"/api/v1/outfits/{outfit['id']}"
    for method, path, body in [
        ("GET", url, None),
        ("PATCH", url, {"name": "mine now", "version": 1}),
        ("DELETE", url, None),
        ("GET", f"{url}/image", None),
        ("POST", f"{url}/duplicate", None),
        ("POST", f"{url}/wear", None),
        ("POST", f"{url}/shares", {}),
        ("GET", f"{url}/shares", None),
        ("POST", "/api/v1/templates", {"outfit_id": outfit["id"], "name": "t"}),
    ]:
        answer = await client.request(method, path, json=body, headers=bob.headers)
        assert answer.status_code == 404, (method, path, answer.status_code)
    assert (await client.get("/api/v1/outfits", headers=bob.headers)).json()["items"] == []
    stolen = await client.post(
        "/api/v1/outfits", json={"name": "x", "layers": [layer(item["id"], 0)]}, headers=bob.headers
    )
    assert stolen.status_code == 422  # Ann's item is not in Bob's closet
    assert (await client.get(url, headers=ann.headers)).json() == outfit
