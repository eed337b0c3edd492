"""Bad input gets a 4xx problem+json naming the field, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.http.conftest import Account, SignUp, coat

Client = AsyncTestClient  # type: ignore[type-arg]


async def _count(client: Client, ann: Account) -> int:
    me = await client.get("/api/v1/me", headers=ann.headers)
    return int(me.json()["counts"]["items"])


def _problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["type"].startswith("urn:closet:problem:")
    assert "Traceback" not in response.text
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body


BAD_BODIES = [
    ("unknown field", coat(colour="red"), 400, "colour"),
    ("nested unknown field", coat(purchase={"date": "2024-01-01", "shop": "x"}), 400, "purchase.shop"),
    ("wrong type", coat(name=12), 400, "name"),
    (
        "wrong nested type",
        coat(materials=[{"fibre": "wool", "percent": "lots"}]),
        400,
        "materials[0].percent",
    ),
    ("name too long", coat(name="x" * 121), 422, "name"),
    ("name way too long", coat(name="x" * 501), 400, "name"),
    ("empty name", coat(name="   "), 422, "name"),
    ("brand too long", coat(brand="b" * 81), 422, "brand"),
    ("unknown category", coat(category="cape"), 422, "category"),
    ("unknown condition", coat(condition="mint"), 422, "condition"),
    ("unknown season", coat(seasons=["monsoon"]), 422, "seasons[0]"),
    ("unknown colour", coat(colors=[{"name": "blurple"}]), 422, "colors[0].name"),
    ("bad hex", coat(colors=[{"hex": "#12345"}]), 422, "colors[0].hex"),
    ("nonsense size", coat(size={"system": "eu", "label": "XL"}), 422, "size.label"),
    ("unknown size system", coat(size={"system": "mars", "label": "1"}), 422, "size.system"),
    ("materials not 100", coat(materials=[{"fibre": "wool", "percent": 50}]), 422, "materials"),
    ("unknown fibre", coat(materials=[{"fibre": "kevlarish", "percent": 100}]), 422, "materials[0].fibre"),
    (
        "bad currency",
        coat(purchase={"price": {"amount": "10", "currency": "XXX"}}),
        422,
        "purchase.price.currency",
    ),
    (
        "negative price",
        coat(purchase={"price": {"amount": "-1", "currency": "EUR"}}),
        422,
        "purchase.price.amount",
    ),
    (
        "too many decimals",
        coat(purchase={"price": {"amount": "1.001", "currency": "EUR"}}),
        422,
        "purchase.price.amount",
    ),
    ("future purchase", coat(purchase={"date": "2999-01-01"}), 422, "purchase.date"),
    ("too many tags", coat(tags=[f"t{n}" for n in range(51)]), 422, "tags"),
    ("tag too long", coat(tags=["t" * 41]), 422, "tags[0]"),
]


@pytest.mark.parametrize(("case", "body", "status", "field"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
async def test_bad_item_bodies_are_refused(
    client: Client, sign_up: SignUp, case: str, body: dict[str, Any], status: int, field: str
) -> None:
    ann = await sign_up()
    response = await client.post("/api/v1/items", json=body, headers=ann.headers)
    _problem(response, status, field)
    assert await _count(client, ann) == 0


async def test_several_errors_are_reported_together(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    response = await client.post(
        "/api/v1/items", json=coat(name="", category="cape", condition="mint"), headers=ann.headers
    )
    body = _problem(response, 422)
    assert {e["field"] for e in body["errors"]} == {"name", "category", "condition"}


async def test_malformed_json_and_oversized_bodies(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    headers = {**ann.headers, "content-type": "application/json"}
    _problem(await client.post("/api/v1/items", content=b'{"name": ', headers=headers), 400)
    _problem(await client.post("/api/v1/items", content=b"[]", headers=headers), 400)
    huge = b'{"name": "' + b"x" * 2_000_000 + b'"}'
    _problem(await client.post("/api/v1/items", content=huge, headers=headers), 413)
    assert await _count(client, ann) == 0


BAD_QUERIES = [
    ("sort=shoe_size", 422, "sort"),
    ("sort=-", 422, "sort"),
    ("limit=0", 422, "limit"),
    ("limit=201", 422, "limit"),
    ("limit=ten", 400, "limit"),
    ("cursor=not-a-cursor", 422, "cursor"),
    ("category=cape", 422, "category[0]"),
    ("color=blurple", 422, "color[0]"),
    ("size=eu:XL", 422, "size[0].label"),
    ("material=kevlarish", 422, "material[0]"),
    ("color=%23zzzzzz", 422, "color[0]"),
    ("status=lost", 422, "status[0]"),
    ("price_min=-1", 422, "price_min"),
    ("price_min=5&price_max=1", 422, "price_min"),
    ("price_min=abc", 400, "price_min"),
    ("purchased_from=2024-13-01", 400, "purchased_from"),
    ("purchased_from=2024-02-01&purchased_to=2024-01-01", 422, "purchased_from"),
    ("q=" + "x" * 201, 422, "q"),
    ("colour=red", 400, "colour"),
]


@pytest.mark.parametrize(("query", "status", "field"), BAD_QUERIES, ids=[q[0][:30] for q in BAD_QUERIES])
async def test_bad_list_queries_are_refused(
    client: Client, sign_up: SignUp, query: str, status: int, field: str
) -> None:
    ann = await sign_up()
    _problem(await client.get(f"/api/v1/items?{query}", headers=ann.headers), status, field)


async def test_a_cursor_from_another_sort_is_refused(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    for n in range(3):
        await client.post("/api/v1/items", json=coat(name=f"Item {n}"), headers=ann.headers)
    page = (await client.get("/api/v1/items?sort=name&limit=1", headers=ann.headers)).json()
    other = await client.get(f"/api/v1/items?sort=-name&cursor={page['next_cursor']}", headers=ann.headers)
    _problem(other, 422, "cursor")


async def test_bad_ids_and_versions(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    item = (await client.post("/api/v1/items", json=coat(), headers=ann.headers)).json()
    url = f"/api/v1/items/{item['id']}"
    _problem(await client.get("/api/v1/items/not-a-uuid", headers=ann.headers), 422, "item_id")
    _problem(
        await client.patch(url, json={"name": "x"}, headers={**ann.headers, "If-Match": "1"}), 422, "If-Match"
    )
    _problem(
        await client.patch(url, json={"version": 2, "name": "x"}, headers={**ann.headers, "If-Match": '"1"'}),
        422,
        "version",
    )
    _problem(
        await client.post(f"{url}/archive", json={"reason": "eaten"}, headers=ann.headers), 422, "reason"
    )
    _problem(
        await client.patch(url, json={"version": 1, "category": "cape"}, headers=ann.headers), 422, "category"
    )
    unchanged = await client.get(url, headers=ann.headers)
    assert unchanged.json() == item


async def test_tokens_must_be_valid(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    _problem(await client.get("/api/v1/items"), 401)
    _problem(await client.get("/api/v1/items", headers={"Authorization": "Bearer nonsense"}), 401)
    forged = ann.token[:-4] + ("AAAA" if not ann.token.endswith("AAAA") else "BBBB")
    _problem(await client.get("/api/v1/items", headers={"Authorization": f"Bearer {forged}"}), 401)
    assert (await client.get("/api/v1/items", headers=ann.headers)).status_code == 200
