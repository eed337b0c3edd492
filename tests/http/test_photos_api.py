"""Photos over HTTP on every profile: upload, variants, caching, the cut-out job, refusals."""

from __future__ import annotations

import asyncio
import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from closet.settings import Settings
from tests import photo_files
from tests.http.conftest import DEPLOYMENTS, Account, SignUp, coat, profile_settings
from tests.photos import make_scene

Client = AsyncTestClient  # type: ignore[type-arg]


@pytest.fixture(params=DEPLOYMENTS)
def app_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Image work is the slow part here: the two real deployments (the memory and Postgres-only
    profiles share their code paths, and the other HTTP suites run on them)."""
    return profile_settings(request.param, request, tmp_path)


JOB_DEADLINE = 60.0  # seconds to wait for a cut-out before the test fails (not a speed target)


def garment_jpeg(seed: int = 3) -> bytes:
    photo, _ = make_scene("plain", size=(800, 600), seed=seed)
    return photo_files.encode(photo, "JPEG", quality=90, exif=photo_files.phone_exif(1))


async def new_item(client: Client, who: Account, **overrides: Any) -> dict[str, Any]:
    created = await client.post("/api/v1/items", json=coat(**overrides), headers=who.headers)
    assert created.status_code == 201, created.text
    return created.json()


async def upload(client: Client, who: Account, item_id: str, data: bytes, name: str = "photo.jpg") -> Any:
    files = {"file": (name, data, "application/octet-stream")}
    return await client.post(f"/api/v1/items/{item_id}/photo", files=files, headers=who.headers)


async def settled_photo(client: Client, who: Account, item_id: str) -> dict[str, Any]:
    """The item's photo once its cut-out job has finished (ready, failed or reverted)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + JOB_DEADLINE
    while True:
        item = (await client.get(f"/api/v1/items/{item_id}", headers=who.headers)).json()
        if item["photo"]["status"] not in ("pending", "processing"):
            return item["photo"]
        assert loop.time() < deadline, f"the cut-out job did not finish: {item['photo']}"
        await asyncio.sleep(0.05)


def blob_files(settings: Settings) -> list[Path]:
    if settings.profile.value == "memory":
        return []
    return [p for p in settings.blobs_path.rglob("*") if p.is_file() and not p.name.startswith(".")]


async def test_upload_makes_original_thumbnails_and_a_cutout(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    item = await new_item(client, ann, colors=[])
    answer = await upload(client, ann, item["id"], garment_jpeg())
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["item_id"] == item["id"] and body["duplicates"] == []
    photo = body["photo"]
    assert photo["status"] in ("pending", "processing", "ready")
    assert (photo["original"]["width"], photo["original"]["height"]) == (800, 600)
    assert photo["thumb512"]["width"] == 512 and photo["thumb256"]["width"] == 256
    assert photo["thumb256"]["media_type"] == "image/webp"

    thumb = await client.get(photo["thumb256"]["url"], headers=ann.headers)
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == "image/webp"
    assert thumb.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(thumb.content)).size == (256, 192)
    etag = thumb.headers["etag"]
    again = await client.get(photo["thumb256"]["url"], headers={**ann.headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""

    settled = await settled_photo(client, ann, item["id"])
    assert settled["status"] == "ready", settled
    cutout = settled["cutout"]
    assert cutout["provider"] == "local" and 0.05 < cutout["coverage"] < 0.95
    served = await client.get(cutout["url"], headers=ann.headers)
    assert served.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(served.content))
    assert image.mode == "RGBA" and image.getchannel("A").getextrema() == (0, 255)
    assert settled["colors"]  # dominant colours of the garment
    # the item had no colours: the cut-out's are offered as its colours
    fresh = (await client.get(f"/api/v1/items/{item['id']}", headers=ann.headers)).json()
    assert [c["name"] for c in fresh["colors"]] == settled["colors"]


async def test_unversioned_photo_url_revalidates(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    item = await new_item(client, ann)
    await upload(client, ann, item["id"], garment_jpeg())
    plain = await client.get(f"/api/v1/items/{item['id']}/photo?variant=original", headers=ann.headers)
    assert plain.status_code == 200 and plain.headers["content-type"] == "image/jpeg"
    assert plain.headers["cache-control"] == "private, no-cache"
    original = Image.open(io.BytesIO(plain.content))
    assert not original.getexif() and "icc_profile" not in original.info  # no metadata left


async def test_replacing_a_photo_retires_the_old_urls(
    client: Client, sign_up: SignUp, app_settings: Settings
) -> None:
    ann = await sign_up()
    item = await new_item(client, ann)
    first = (await upload(client, ann, item["id"], garment_jpeg(1))).json()["photo"]
    await settled_photo(client, ann, item["id"])
    second = (await upload(client, ann, item["id"], garment_jpeg(2))).json()["photo"]
    assert second["original"]["url"] != first["original"]["url"]
    stale = await client.get(first["original"]["url"], headers=ann.headers)
    assert stale.status_code == 404
    assert stale.headers["content-type"] == "application/problem+json"
    await settled_photo(client, ann, item["id"])
    if app_settings.profile.value != "memory":  # the first photo's blobs are gone from disk
        names = {p.name for p in blob_files(app_settings)}
        assert first["original"]["url"].rsplit("=", 1)[1] not in names


async def test_same_photo_twice_warns_of_a_duplicate(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    one, two = await new_item(client, ann), await new_item(client, ann)
    await upload(client, ann, one["id"], garment_jpeg(5))
    answer = await upload(client, ann, two["id"], garment_jpeg(5))
    assert answer.json()["duplicates"] == [one["id"]]


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (photo_files.gif, 415),
        (photo_files.tiff, 415),
        (photo_files.bmp, 415),
        (lambda: b"%PDF-1.7 not an image", 415),
        (lambda: b"", 400),
        (photo_files.truncated_jpeg, 400),
        (photo_files.truncated_png, 400),
        (photo_files.polyglot_png_zip, 400),
        (photo_files.polyglot_jpeg_html, 400),
        (photo_files.bomb_png, 413),
    ],
)
async def test_refused_uploads_store_nothing(
    client: Client, sign_up: SignUp, app_settings: Settings, make: Any, status: int
) -> None:
    ann = await sign_up()
    item = await new_item(client, ann)
    answer = await upload(client, ann, item["id"], make(), name="holiday.jpg")
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"]
    fresh = (await client.get(f"/api/v1/items/{item['id']}", headers=ann.headers)).json()
    assert fresh["photo"] is None
    assert blob_files(app_settings) == []


async def test_missing_file_field_is_a_bad_request(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    item = await new_item(client, ann)
    answer = await client.post(
        f"/api/v1/items/{item['id']}/photo", files={"other": ("x.jpg", b"abc")}, headers=ann.headers
    )
    assert answer.status_code == 400, answer.text
    json_body = await client.post(
        f"/api/v1/items/{item['id']}/photo", json={"file": "x"}, headers=ann.headers
    )
    assert json_body.status_code in (400, 415), json_body.text


async def test_item_with_photo_is_both_or_neither(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    files = {"file": ("p.jpg", garment_jpeg(), "image/jpeg")}
    created = await client.post(
        "/api/v1/items/with-photo",
        data={"item": '{"name": "Tee", "category": "top"}'},
        files=files,
        headers=ann.headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["name"] == "Tee" and body["photo"]["original"]["width"] == 800
    assert created.headers["location"] == f"/api/v1/items/{body['id']}"

    refused = await client.post(
        "/api/v1/items/with-photo",
        data={"item": '{"name": "Gif", "category": "top"}'},
        files={"file": ("p.jpg", photo_files.gif(), "image/jpeg")},
        headers=ann.headers,
    )
    assert refused.status_code == 415
    invalid = await client.post(
        "/api/v1/items/with-photo",
        data={"item": '{"name": "Odd", "category": "spaceship"}'},
        files=files,
        headers=ann.headers,
    )
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "category"
    garbled = await client.post(
        "/api/v1/items/with-photo", data={"item": "{not json"}, files=files, headers=ann.headers
    )
    assert garbled.status_code == 400
    listed = (await client.get("/api/v1/items", headers=ann.headers)).json()["items"]
    assert [i["name"] for i in listed] == ["Tee"]


async def test_revert_redo_and_own_mask(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    item = await new_item(client, ann)
    base = f"/api/v1/items/{item['id']}/photo"
    await upload(client, ann, item["id"], garment_jpeg())
    ready = await settled_photo(client, ann, item["id"])
    assert ready["status"] == "ready"

    reverted = await client.post(f"{base}/revert", headers=ann.headers)
    assert reverted.status_code == 200 and reverted.json()["status"] == "reverted"
    assert reverted.json()["cutout"] is None
    gone = await client.get(f"{base}?variant=cutout", headers=ann.headers)
    assert gone.status_code == 404

    redo = await client.post(f"{base}/cutout?provider=local", headers=ann.headers)
    assert redo.status_code == 202 and redo.json()["requested_provider"] == "local"
    again = await settled_photo(client, ann, item["id"])
    assert again["status"] == "ready" and again["cutout"]["provider"] == "local"

    unconfigured = await client.post(f"{base}/cutout?provider=fabrica", headers=ann.headers)
    assert unconfigured.status_code == 422 and "not configured" in unconfigured.text
    nonsense = await client.post(f"{base}/cutout?provider=magic", headers=ann.headers)
    assert nonsense.status_code == 422

    mask = Image.new("L", (300, 225), 0)
    mask.paste(255, (75, 50, 225, 175))
    masked = await client.post(
        f"{base}/mask", files={"file": ("mask.png", photo_files.encode(mask, "PNG"))}, headers=ann.headers
    )
    assert masked.status_code == 200, masked.text
    result = masked.json()
    assert result["status"] == "ready" and result["cutout"]["provider"] == "user"
    assert result["cutout"]["coverage"] == pytest.approx(150 * 125 / (300 * 225), abs=0.01)
    # trimmed to the mask (150×125 at 8/3×), give or take the resampled edge
    assert abs(result["cutout"]["width"] - 400) <= 4 and abs(result["cutout"]["height"] - 333) <= 4


async def test_photo_routes_on_missing_things(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    item = await new_item(client, ann)
    base = f"/api/v1/items/{item['id']}/photo"
    assert (await client.get(base, headers=ann.headers)).status_code == 404  # no photo yet
    assert (await client.post(f"{base}/revert", headers=ann.headers)).status_code == 404
    assert (await client.post(f"{base}/cutout", headers=ann.headers)).status_code == 404
    missing = f"/api/v1/items/{uuid.uuid4()}/photo"
    assert (await upload(client, ann, str(uuid.uuid4()), garment_jpeg())).status_code == 404
    assert (await client.get(missing, headers=ann.headers)).status_code == 404
    assert (await client.get(f"{base}?variant=huge", headers=ann.headers)).status_code == 422
    assert (await client.get("/api/v1/items/not-a-uuid/photo", headers=ann.headers)).status_code == 422


async def test_deleting_an_item_deletes_its_photo_files(
    client: Client, sign_up: SignUp, app_settings: Settings
) -> None:
    ann = await sign_up()
    item = await new_item(client, ann)
    await upload(client, ann, item["id"], garment_jpeg())
    await settled_photo(client, ann, item["id"])
    if app_settings.profile.value != "memory":
        assert len([p for p in blob_files(app_settings) if not p.name.endswith(".refs")]) == 4
    current = await client.get(f"/api/v1/items/{item['id']}", headers=ann.headers)
    if_match = {"If-Match": current.headers["etag"]}
    deleted = await client.delete(f"/api/v1/items/{item['id']}", headers={**ann.headers, **if_match})
    assert deleted.status_code == 204, deleted.text
    assert blob_files(app_settings) == []


async def test_another_owner_cannot_touch_a_photo(client: Client, sign_up: SignUp) -> None:
    ann, bob = await sign_up("Ann"), await sign_up("Bob")
    item = await new_item(client, ann)
    photo = (await upload(client, ann, item["id"], garment_jpeg())).json()["photo"]
    base = f"/api/v1/items/{item['id']}/photo"
    assert (await client.get(photo["original"]["url"], headers=bob.headers)).status_code == 404
    assert (await client.get(photo["thumb256"]["url"], headers=bob.headers)).status_code == 404
    assert (await upload(client, bob, item["id"], garment_jpeg(9))).status_code == 404
    assert (await client.post(f"{base}/revert", headers=bob.headers)).status_code == 404
    assert (await client.post(f"{base}/cutout", headers=bob.headers)).status_code == 404
    mask = {"file": ("m.png", photo_files.encode(Image.new("L", (10, 10), 255), "PNG"))}
    assert (await client.post(f"{base}/mask", files=mask, headers=bob.headers)).status_code == 404
    assert (await client.get(photo["original"]["url"])).status_code == 401
    mine = await client.get(photo["original"]["url"], headers=ann.headers)
    assert mine.status_code == 200


async def test_the_list_shows_an_item_as_its_detail_does_photo_included(
    client: Client, sign_up: SignUp
) -> None:
    """The list page reads rows straight into its summaries; the detail read builds the item: the
    two must agree on every field the summary has (all but the description)."""
    ann = await sign_up()
    item = await new_item(client, ann, notes="A description only the detail shows")
    assert (await upload(client, ann, item["id"], garment_jpeg())).status_code == 200
    await settled_photo(client, ann, item["id"])
    detail = (await client.get(f"/api/v1/items/{item['id']}", headers=ann.headers)).json()
    [listed] = (await client.get("/api/v1/items", headers=ann.headers)).json()["items"]
    assert detail.pop("notes") == "A description only the detail shows"
    assert listed == detail and listed["photo"]["cutout"] is not None
