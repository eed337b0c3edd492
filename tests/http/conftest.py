"""The Litestar app through its async test client, on the memory and the Postgres container."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from closet.entrypoints.http.app import create_app
from closet.settings import Settings, load_settings

TEST_ENV = {
    "CLOSET_PASSWORD_TIME_COST": "1",
    "CLOSET_PASSWORD_MEMORY_KIB": "64",
    "CLOSET_JWT_SECRET": "test-secret-" + "x" * 40,
    "CLOSET_LOG_LEVEL": "WARNING",
    # The suite logs in far more than a person would; the rate-limit tests set their own.
    "CLOSET_LOGIN_RATE_PER_MINUTE": "10000",
    "CLOSET_RESET_RATE_PER_MINUTE": "10000",
    "CLOSET_RATE_LIMIT_PER_MINUTE": "100000",
    "CLOSET_REDIS_URL": "redis://127.0.0.1:6379/0",
}
PASSWORD = "correct horse battery staple"


def settings_for(profile: str, **env: str) -> Settings:
    return load_settings({**TEST_ENV, "CLOSET_PROFILE": profile, **env})


def profile_settings(profile: str, request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if profile == "embedded":
        return settings_for("embedded", CLOSET_DATA_DIR=str(tmp_path / "data"))
    if profile in ("postgres", "production"):
        url = request.getfixturevalue("postgres_url")
        blobs = str(tmp_path / "blobs")
        if profile == "postgres":
            return settings_for("postgres", CLOSET_DATABASE_URL=url, CLOSET_BLOB_DIR=blobs)
        return settings_for(
            "production",
            CLOSET_DATABASE_URL=url,
            CLOSET_BLOB_DIR=blobs,
            CLOSET_MONGO_URL=request.getfixturevalue("mongo_url"),
            CLOSET_MONGO_DATABASE=f"closet_http_{uuid.uuid4().hex[:8]}",
        )
    return settings_for("memory")


@pytest.fixture(params=["memory", "embedded", "postgres", "production"])
def app_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Each HTTP test runs on every profile: in-memory adapters; the embedded default (SQLite,
    documents in a JSON table); Postgres only; and production (Postgres + MongoDB wire).
    Modules whose tests spend their time on images run on the two deployments (embedded and
    production) only: see ``DEPLOYMENTS``."""
    return profile_settings(request.param, request, tmp_path)


DEPLOYMENTS = ["embedded", "production"]  # SQLite + local files; Postgres + MongoDB + Redis


class SettledClient(AsyncTestClient):  # type: ignore[type-arg]
    """The test client, waiting after each request for the document changes the app applies behind
    its responses (``DocumentSync.publish``), so a test sees the documents store as a client would a
    moment later, every time. (Reads do not need it: they fall back to the outbox.)"""

    async def request(self, *args: Any, **kwargs: Any) -> Any:
        response = await super().request(*args, **kwargs)
        # The app runs on the portal's event loop (its thread), where its tasks are.
        self.blocking_portal.call(self.app.state.container.document_sync().flush)
        return response


@pytest.fixture
async def client(app_settings: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with SettledClient(app=create_app(app_settings)) as test_client:
        yield test_client


@dataclass
class Account:
    email: str
    token: str
    id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


SignUp = Callable[..., Awaitable[Account]]


@pytest.fixture
def sign_up(client: AsyncTestClient) -> SignUp:  # type: ignore[type-arg]
    async def make(name: str = "Ann") -> Account:
        email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
        body = {"email": email, "password": PASSWORD, "display_name": name}
        registered = await client.post("/api/v1/auth/register", json=body)
        assert registered.status_code == 202, registered.text
        login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        return Account(email, token, me.json()["id"])

    return make


def coat(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Navy wool coat",
        "category": "outerwear",
        "brand": "Acme",
        "colors": [{"name": "navy"}, {"hex": "#FF0000"}],
        "size": {"system": "letter", "label": "m"},
        "materials": [{"fibre": "wool", "percent": 80}, {"fibre": "polyamide", "percent": "20"}],
        "condition": "good",
        "purchase": {"date": "2024-01-02", "price": {"amount": "120.5", "currency": "eur"}, "store": "Shop"},
        "seasons": ["winter", "autumn"],
        "tags": [" Work ", "warm"],
        "notes": "dry clean only",
    }
    body.update(overrides)
    return body
