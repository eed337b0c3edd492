"""Every route in the OpenAPI document, called by user B with user A's ids: 404/403, no A data.

The routes come from the app's own OpenAPI document, so a route added later is swept too.
A path parameter is filled with the id of A's thing of that kind; a request body is a
plausible one for the route when the test knows it, else an empty object.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from litestar.testing import AsyncTestClient

from tests.http.conftest import PASSWORD, SignUp, coat
from tests.photo_files import encode, scene

Client = AsyncTestClient  # type: ignore[type-arg]

BODIES: dict[str, Any] = {
    "UpdateItem": {"version": 1, "name": "stolen"},
    "UpdateOutfit": {"version": 1, "name": "stolen"},
    "UpdateTemplate": {"version": 1, "name": "stolen"},
    "UpdateCollection": {"version": 2, "name": "stolen"},
    "ChangeCollectionMembers": {"remove": [], "add": []},
    "ArchiveItem": {"reason": "sold", "version": 1},
    "RestoreItem": {"version": 1},
    "AdminSetRoles": {"roles": ["user"]},
}
FILES: dict[str, Any] = {  # multipart routes: a real photo, so only ownership can refuse it
    "UploadItemPhoto": {"file": ("p.jpg", encode(scene((300, 200), seed=1), "JPEG"))},
    "UploadCutoutMask": {"file": ("m.png", encode(scene((300, 200), seed=2).convert("L"), "PNG"))},
}
SAFE_STATUSES = {401, 403, 404}  # what another user's id may answer: nothing about it


async def test_no_route_lets_one_user_reach_anothers_things(client: Client, sign_up: SignUp) -> None:
    ann, bob = await sign_up("Ann"), await sign_up("Bob")
    marker = f"Secret-{uuid.uuid4().hex[:8]}"
    item = (await client.post("/api/v1/items", json=coat(name=marker, brand=marker, notes=marker),
                              headers=ann.headers)).json()  # fmt: skip
    photo = {"file": ("a.jpg", encode(scene((400, 300)), "JPEG"))}
    uploaded = await client.post(f"/api/v1/items/{item['id']}/photo", files=photo, headers=ann.headers)
    assert uploaded.status_code == 200, uploaded.text
    item = (await client.get(f"/api/v1/items/{item['id']}", headers=ann.headers)).json()
    ann_session = (await client.get("/api/v1/me/sessions", headers=ann.headers)).json()[0]["id"]
    layers = [{"item_id": item["id"], "x": 10, "y": 10}]
    outfit = (await client.post("/api/v1/outfits", json={"name": marker, "layers": layers},
                                headers=ann.headers)).json()  # fmt: skip
    template = (await client.post("/api/v1/templates", json={"outfit_id": outfit["id"], "name": marker},
                                  headers=ann.headers)).json()  # fmt: skip
    await client.post(f"/api/v1/outfits/{outfit['id']}/wear", headers=ann.headers)
    share = (await client.post(f"/api/v1/outfits/{outfit['id']}/shares", headers=ann.headers)).json()
    revoked = (await client.post(f"/api/v1/outfits/{outfit['id']}/shares", headers=ann.headers)).json()
    await client.delete(f"/api/v1/outfits/{outfit['id']}/shares/{revoked['id']}", headers=ann.headers)
    shelf = (await client.post("/api/v1/collections", json={"name": marker}, headers=ann.headers)).json()
    await client.post(
        f"/api/v1/collections/{shelf['id']}/members",
        json={"add": [{"kind": "item", "id": item["id"]}]},
        headers=ann.headers,
    )
    item = (await client.get(f"/api/v1/items/{item['id']}", headers=ann.headers)).json()  # worn now
    BODIES["SaveTemplate"] = {"outfit_id": outfit["id"], "name": "stolen"}
    BODIES["FillTemplate"] = {"name": "stolen", "fill": {"0": item["id"]}}
    BODIES["CreateOutfit"] = {"name": "stolen", "layers": layers}
    ids = {
        "item_id": item["id"],
        "session_id": ann_session,
        "user_id": ann.id,
        "outfit_id": outfit["id"],
        "template_id": template["id"],
        "share_id": share["id"],
        "worn_on": date.today().isoformat(),
        "token": revoked["token"],
        "collection_id": shelf["id"],  # a live link is public by design (the share tests cover it)
    }
    secrets = [marker, ann.email]

    schema = (await client.get("/schema/openapi.json")).json()
    swept = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            names = re.findall(r"{(\w+)}", path)
            url = path.format(**{n: ids[n] for n in names})
            # a fresh session for Bob each time: the routes include logging out
            login = await client.post("/api/v1/auth/login", json={"email": bob.email, "password": PASSWORD})
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            body = BODIES.get(operation["operationId"], {})
            if operation["operationId"] in FILES:
                files = FILES[operation["operationId"]]
                response = await client.request(method.upper(), url, headers=headers, files=files)
            else:
                response = await client.request(method.upper(), url, headers=headers, json=body)
            label = f"{method.upper()} {path}"
            assert response.status_code < 500, label
            for secret in secrets:
                assert secret not in response.text, f"{label} shows user A's data"
            if names:
                assert response.status_code in SAFE_STATUSES, f"{label} answered {response.status_code}"
            swept += 1
    assert swept >= 30  # every route of the API at the time of writing, and any added since

    # and nothing of Ann's changed
    again = await client.get(f"/api/v1/items/{item['id']}", headers=ann.headers)
    assert again.status_code == 200
    ignored = {"photo"}  # its cut-out job may have finished meanwhile; the photo itself is unchanged
    assert {k: v for k, v in again.json().items() if k not in ignored} == {
        k: v for k, v in item.items() if k not in ignored
    }
    assert again.json()["photo"]["original"] == item["photo"]["original"]
    assert (await client.get("/api/v1/me/sessions", headers=ann.headers)).status_code == 200
    assert (await client.get(f"/api/v1/outfits/{outfit['id']}", headers=ann.headers)).json() == outfit
    assert (await client.get(f"/s/{share['token']}")).status_code == 200  # Ann's link still works
