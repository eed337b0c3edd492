"""Fabrica configured: used first; out of credit, refusing, garbage or unreachable, the local
remover makes the cut-out and the upload never fails."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from closet.entrypoints.http.app import create_app
from tests.fabrica_server import Answer, FakeFabrica, running_fabrica
from tests.http.conftest import PASSWORD, Account, SettledClient, settings_for
from tests.http.test_photos_api import garment_jpeg, new_item, settled_photo, upload

KEY = "fabrica-test-key-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def fabrica() -> Iterator[FakeFabrica]:
    with running_fabrica(api_key=KEY) as server:
        yield server


async def _account(client: AsyncTestClient) -> Account:  # type: ignore[type-arg]
    email = "fab@example.com"
    await client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "display_name": "F"}
    )
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    token = login.json()["access_token"]
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    return Account(email, token, me.json()["id"])


@pytest.mark.parametrize(
    ("answers", "provider"),
    [
        ([], "fabrica"),
        ([Answer.error(402, "Insufficient credits")], "local"),
        ([Answer.error(400, "Could not identify foreground")], "local"),
        ([Answer.garbage()], "local"),
        ([Answer.with_status(503)] * 3, "local"),
    ],
)
async def test_fabrica_first_local_on_any_failure(
    fabrica: FakeFabrica, tmp_path: Path, answers: list[Answer], provider: str
) -> None:
    fabrica.plan(*answers)
    settings = settings_for(
        "embedded",
        CLOSET_DATA_DIR=str(tmp_path / "data"),
        CLOSET_FABRICA_URL=fabrica.url,
        CLOSET_FABRICA_API_KEY=KEY,
    )
    async with SettledClient(app=create_app(settings)) as client:
        ann = await _account(client)
        item = await new_item(client, ann)
        answer = await upload(client, ann, item["id"], garment_jpeg())
        assert answer.status_code == 200, answer.text
        photo = await settled_photo(client, ann, item["id"])
    assert photo["status"] == "ready" and photo["cutout"]["provider"] == provider
    sent = fabrica.requests[0]
    assert sent.path == "/v1/remove-background" and sent.headers["x-api-key"] == KEY
    assert sent.files["image_file"].data[:3] == b"\xff\xd8\xff"  # the normalised original


async def test_fabrica_unreachable_never_fails_an_upload(tmp_path: Path) -> None:
    settings = settings_for(
        "memory", CLOSET_FABRICA_URL=f"http://127.0.0.1:{free_port()}", CLOSET_FABRICA_API_KEY=KEY
    )
    async with SettledClient(app=create_app(settings)) as client:
        ann = await _account(client)
        item = await new_item(client, ann)
        assert (await upload(client, ann, item["id"], garment_jpeg())).status_code == 200
        photo = await settled_photo(client, ann, item["id"])
        assert photo["cutout"]["provider"] == "local"
        # asking for Fabrica by name, while it is down: retried later, never a server error
        redo = await client.post(
            f"/api/v1/items/{item['id']}/photo/cutout?provider=fabrica", headers=ann.headers
        )
        assert redo.status_code == 202
