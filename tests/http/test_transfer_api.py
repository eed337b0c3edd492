"""Export and import over HTTP: a collection travels to another account whole; hostile or
malformed imports are refused with nothing written; the CSV export."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from closet.adapters.imaging.normalise import normalise
from closet.application.ports.images import ImageLimits
from closet.settings import Settings
from tests.http.conftest import DEPLOYMENTS, Account, SignUp, profile_settings
from tests.http.test_outfits_api import outfit_with
from tests.http.test_photos_api import garment_jpeg, new_item, settled_photo, upload

Client = AsyncTestClient  # type: ignore[type-arg]


@pytest.fixture(params=DEPLOYMENTS)
def app_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Image work is the slow part here: the two real deployments (the memory and Postgres-only
    profiles share their code paths, and the other HTTP suites run on them)."""
    return profile_settings(request.param, request, tmp_path)


async def closet_of(client: Client, who: Account) -> dict[str, Any]:
    items = (await client.get("/api/v1/items?status=active&status=archived", headers=who.headers)).json()[
        "items"
    ]
    outfits = (await client.get("/api/v1/outfits", headers=who.headers)).json()["items"]
    collections = (await client.get("/api/v1/collections", headers=who.headers)).json()
    return {"items": items, "outfits": outfits, "collections": collections}


async def import_file(client: Client, who: Account, data: bytes, dry_run: bool = False) -> Any:
    url = "/api/v1/import" + ("?dry_run=true" if dry_run else "")
    return await client.post(url, files={"file": ("export.zip", data)}, headers=who.headers)


async def test_a_collection_travels_to_another_account(client: Client, sign_up: SignUp) -> None:
    ann, bob = await sign_up("Ann"), await sign_up("Bob")
    shirt = await new_item(client, ann, name="Shirt", category="top", notes="iron it")
    coat = await new_item(client, ann, name="Coat")
    await upload(client, ann, shirt["id"], garment_jpeg())
    await settled_photo(client, ann, shirt["id"])
    look = await outfit_with(client, ann, shirt, coat)
    shelf = (
        await client.post("/api/v1/collections", json={"name": "Trip", "tags": ["away"]}, headers=ann.headers)
    ).json()
    members = [{"kind": "item", "id": shirt["id"]}, {"kind": "outfit", "id": look["id"]}]
    await client.post(
        f"/api/v1/collections/{shelf['id']}/members", json={"add": members}, headers=ann.headers
    )
    await client.patch(
        f"/api/v1/collections/{shelf['id']}",
        json={"cover": {"kind": "outfit", "id": look["id"]}, "version": 2},
        headers=ann.headers,
    )
    exported = await client.get(f"/api/v1/export?collection={shelf['id']}", headers=ann.headers)
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(exported.content))
    document = json.loads(archive.read("closet.json"))
    assert (document["format"], document["version"]) == ("closet-export", 1)
    assert {i["name"] for i in document["items"]} == {"Shirt", "Coat"}  # the coat comes with the outfit
    image_names = [n for n in archive.namelist() if n.startswith("images/")]
    assert len(image_names) == 2  # the shirt's original and its cut-out

    dry = await import_file(client, bob, exported.content, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert dry.json()["skipped"] == []
    assert dry.json()["created"] == {"items": 2, "outfits": 1, "collections": 1, "photos": 1}
    assert dry.json()["dry_run"] is True
    assert (await closet_of(client, bob))["items"] == []  # a dry run writes nothing

    done = await import_file(client, bob, exported.content)
    assert done.status_code == 200, done.text
    report = done.json()
    assert report["skipped"] == [] and report["created"]["items"] == 2
    theirs = await closet_of(client, bob)
    assert {i["name"] for i in theirs["items"]} == {"Shirt", "Coat"}
    assert not {i["id"] for i in theirs["items"]} & {shirt["id"], coat["id"]}  # new ids
    [collection] = theirs["collections"]
    detail = (await client.get(f"/api/v1/collections/{collection['id']}", headers=bob.headers)).json()
    assert detail["name"] == "Trip" and detail["tags"] == ["away"]
    new_shirt, new_look = report["ids"][shirt["id"]], report["ids"][look["id"]]
    assert [m["id"] for m in detail["members"]] == [new_shirt, new_look]
    assert detail["cover"] == {"kind": "outfit", "id": new_look}
    outfit = (await client.get(f"/api/v1/outfits/{new_look}", headers=bob.headers)).json()
    geometry = [(la["x"], la["y"], la["scale"], la["rotation_deg"], la["z"]) for la in outfit["layers"]]
    assert geometry == [(la["x"], la["y"], la["scale"], la["rotation_deg"], la["z"]) for la in look["layers"]]
    assert outfit["layers"][0]["item_id"] == new_shirt
    item = (await client.get(f"/api/v1/items/{new_shirt}", headers=bob.headers)).json()
    assert item["notes"] == "iron it" and item["photo"]["status"] == "ready"
    original_name = next(i for i in document["items"] if i["name"] == "Shirt")["photo"]["original"]
    expected = normalise(archive.read(original_name), ImageLimits()).original.data
    stored = await client.get(item["photo"]["original"]["url"], headers=bob.headers)
    assert stored.content == expected  # byte-equal after normalisation

    again = await import_file(client, bob, exported.content)  # the name is taken now
    assert again.json()["renamed"] == [{"asked": "Trip", "given": "Trip (imported)"}]


def archive_with(document: Any, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr("closet.json", json.dumps(document) if not isinstance(document, bytes) else document)
        for name, data in (extra or {}).items():
            zipped.writestr(name, data)
    return buffer.getvalue()


def doc(**extra: Any) -> dict[str, Any]:
    return {"format": "closet-export", "version": 1, "items": [], "outfits": [], "collections": [], **extra}


ITEM = {"ref": "a", "name": "Tee", "category": "top"}
IMAGE = "images/" + "ab" * 32 + ".jpg"


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (archive_with(doc(version=2)), 422),  # an unknown schema version
        (archive_with(doc(format="other")), 422),
        (archive_with(doc(items=[{**ITEM, "name": 42}])), 422),  # wrong types
        (archive_with(doc(items=[{**ITEM, "colour": "red"}])), 422),  # unknown fields
        (archive_with(doc(items=[{**ITEM, "ref": str(n)} for n in range(10_001)])), 422),  # the bomb
        (archive_with(doc(items=[{**ITEM, "photo": {"original": IMAGE}}])), 422),  # not in the archive
        (archive_with(doc(items=[{**ITEM, "photo": {"original": "../../etc/passwd"}}])), 422),
        (archive_with(doc(), {"../../evil.sh": b"#!/bin/sh"}), 422),  # zip-slip
        (archive_with(doc(), {"images/../../x.jpg": b"x"}), 422),
        (archive_with(doc(items=[ITEM, ITEM])), 422),  # the same ref twice
        (archive_with(b"{not json"), 422),
        (b"PK\x03\x04 not really a zip", 400),
        (b"%PDF-1.7", 415),
        (json.dumps(doc(items=[{**ITEM, "photo": {"original": IMAGE}}])).encode(), 422),
    ],
)
async def test_hostile_imports_are_refused_with_nothing_written(
    client: Client, sign_up: SignUp, data: bytes, status: int
) -> None:
    bob = await sign_up("Bob")
    answer = await import_file(client, bob, data)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert await closet_of(client, bob) == {"items": [], "outfits": [], "collections": []}


async def test_invalid_entries_are_skipped_and_reported(client: Client, sign_up: SignUp) -> None:
    bob = await sign_up("Bob")
    document = doc(
        items=[ITEM, {"ref": "b", "name": "Odd", "category": "spaceship"}],
        outfits=[{"ref": "o", "name": "Look", "canvas": {"width": 100, "height": 100},
                  "layers": [{"item": "a", "x": 1, "y": 1, "z": 0}, {"item": "b", "x": 2, "y": 2, "z": 1}]}],
    )  # fmt: skip
    answer = await import_file(client, bob, json.dumps(document).encode())
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["created"] == {"items": 1, "outfits": 1, "collections": 0, "photos": 0}
    assert [(s["kind"], s["ref"]) for s in report["skipped"]] == [("item", "b"), ("layer", "o/1")]
    assert "category" in report["skipped"][0]["reason"]


async def test_csv_export_and_the_whole_closet(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    await new_item(client, ann, name="=HYPERLINK(1)", brand="Acme")
    answer = await client.get("/api/v1/export/items.csv", headers=ann.headers)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0][:3] == ["id", "name", "category"]
    assert rows[1][1] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet
    whole = await client.get("/api/v1/export?format=json", headers=ann.headers)
    assert whole.status_code == 200 and whole.json()["scope"] == {"kind": "closet", "name": None}
    assert [i["name"] for i in whole.json()["items"]] == ["=HYPERLINK(1)"]
    assert (await client.get("/api/v1/export?format=tar", headers=ann.headers)).status_code == 422
