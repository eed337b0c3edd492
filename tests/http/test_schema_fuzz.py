"""Every operation in the app's OpenAPI document, sent requests that schemathesis generates from it:
some that follow the schema, some that break it (wrong types, missing fields, values out of range,
odd strings). Whatever comes in, the answer is never a 5xx, and every refusal is problem+json.

The operations come from the app's own document, so a route added later is fuzzed too. Each runs
on the embedded profile (SQLite and local files, the default deployment), signed in as a user of
its own: an operation that ends the session or the account (logout, DELETE /me) only turns the
rest of its examples into 401s. The ids in paths are generated, or, in about half the examples,
those of the user's own item, outfit, template, collection, share link, session and account, so
the requests reach real things too. ``CLOSET_FUZZ_EXAMPLES`` sets the examples
per operation (default 20: about half a minute for the whole sweep).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from closet.entrypoints.http.app import create_app
from tests.http.conftest import PASSWORD, coat, settings_for

EXAMPLES = int(os.environ.get("CLOSET_FUZZ_EXAMPLES", "20"))
PROBLEM = "application/problem+json"

_DOCUMENT = create_app(settings_for("memory")).openapi_schema.to_schema()
OPERATIONS = [result.ok() for result in schemathesis.openapi.from_dict(_DOCUMENT).get_all_operations()]

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    data = Path(tmp_path_factory.mktemp("fuzz")) / "data"
    with TestClient(app=create_app(settings_for("embedded", CLOSET_DATA_DIR=str(data)))) as test_client:
        yield test_client


def signed_in(client: Client) -> dict[str, str]:
    email = f"fuzz-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": PASSWORD, "display_name": "Fuzz"}
    assert client.post("/api/v1/auth/register", json=body).status_code == 202
    login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def test_the_sweep_sees_the_api() -> None:
    """The document yields every kind of operation: a sweep of nothing would pass."""
    routes = {(operation.method.upper(), operation.path) for operation in OPERATIONS}
    assert len(routes) >= 60
    assert {("POST", "/api/v1/items"), ("GET", "/api/v1/items"), ("POST", "/api/v1/outfits")} <= routes


PATHS = sorted({operation.path for operation in OPERATIONS})
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


@pytest.mark.parametrize("path", PATHS)
def test_every_method_on_every_path_is_answered_without_a_server_error(client: Client, path: str) -> None:
    """The methods a path does not document (405), HEAD, and OPTIONS (the browser's CORS
    preflight, which carries no token and so skips authentication), signed in and not."""
    documented = {op.method.upper() for op in OPERATIONS if op.path == path}
    url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
    for headers in (signed_in(client), {}):
        for method in METHODS:
            response = client.request(method, url, headers=headers)
            where = f"{method} {url} ({'signed in' if headers else 'anonymous'})"
            assert response.status_code < 500, f"{where} → {response.status_code} {response.text[:300]}"
            if response.status_code >= 400 and method != "HEAD":  # a HEAD answer has no body
                assert response.headers["content-type"].startswith(PROBLEM), f"{where} → {response.headers}"
            if method not in documented | {"HEAD", "OPTIONS"}:
                assert response.status_code in (401, 405), where


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_no_request_gets_a_server_error(client: Client, operation: Any) -> None:
    headers, owned = signed_in(client), {}
    if "{" in operation.path:
        owned = things_of(client, headers)
    cases = st.one_of(
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
    )

    @given(case=cases, real_ids=st.booleans())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: Any, real_ids: bool) -> None:
        if real_ids and case.path_parameters:  # the user's own things: the requests reach them
            case.path_parameters = {
                **case.path_parameters,
                **{k: owned[k] for k in case.path_parameters if k in owned},
            }
        sent = case.as_transport_kwargs(base_url=str(client.base_url))
        sent["headers"] = {**sent["headers"], **headers}
        sent.pop("cookies", None)  # none are generated; httpx deprecates passing them per request
        if isinstance(sent.get("data"), bytes | str):
            sent["content"] = sent.pop("data")  # httpx's name for a raw body
        if sent.get("files"):  # on the wire a form field is bytes, whatever value it was made from
            sent["files"] = [(name, _as_bytes(part)) for name, part in sent["files"]]
        response = client.request(**sent)
        where = f"{case.method} {case.formatted_path} {case.query!r} {str(case.body)[:300]!r}"
        assert response.status_code < 500, f"{where} → {response.status_code} {response.text[:300]}"
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith(PROBLEM), f"{where} → {response.headers}"

    check()


def things_of(client: Client, headers: dict[str, str]) -> dict[str, str]:
    """An item, an outfit of it, a template, a collection and a share link of the user's, by the
    path parameter that names each; the user's own id and session."""

    def made(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = client.post(path, json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        return response.json()  # type: ignore[no-any-return]

    item = made("/api/v1/items", coat())
    outfit = made(
        "/api/v1/outfits", {"name": "fuzzed", "layers": [{"item_id": item["id"], "x": 10, "y": 10}]}
    )
    template = made("/api/v1/templates", {"outfit_id": outfit["id"], "name": "fuzzed"})
    collection = made("/api/v1/collections", {"name": "fuzzed"})
    share = made(f"/api/v1/outfits/{outfit['id']}/shares", {})
    me = client.get("/api/v1/me", headers=headers).json()
    session = client.get("/api/v1/me/sessions", headers=headers).json()[0]
    return {
        "item_id": item["id"],
        "outfit_id": outfit["id"],
        "template_id": template["id"],
        "collection_id": collection["id"],
        "share_id": share["id"],
        "token": share["token"],
        "user_id": me["id"],
        "session_id": session["id"],
    }


def _as_bytes(part: Any) -> Any:
    """A multipart part as httpx sends it: (file name, content[, type]) with bytes or text content.
    schemathesis may make a field's content a number or a boolean; httpx would then fail while the
    app reads the body, in this process, which no real client can cause."""
    if isinstance(part, tuple) and not isinstance(part[1], bytes | str):
        return (part[0], str(part[1]).encode(), *part[2:])
    return part
