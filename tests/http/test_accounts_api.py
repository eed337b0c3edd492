"""Register, log in (JSON and the OAuth2 password form), /me."""

from __future__ import annotations

import time
import uuid

import jwt
from litestar.testing import AsyncTestClient

from tests.http.conftest import PASSWORD, TEST_ENV, SignUp

Client = AsyncTestClient  # type: ignore[type-arg]


async def test_register_normalises_and_never_reveals_a_taken_address(client: Client) -> None:
    local = f"Ann.Smith.{uuid.uuid4().hex[:6]}"
    body = {"email": f"  {local}@Example.COM ", "password": PASSWORD, "display_name": " Ann  Smith "}
    first = await client.post("/api/v1/auth/register", json=body)
    assert first.status_code == 202, first.text
    # the same address, differently written, by someone else: the same answer, no new account
    again = await client.post(
        "/api/v1/auth/register", json={**body, "email": f"{local.upper()}@example.com", "password": "x" * 14}
    )
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    login = await client.post(
        "/api/v1/auth/login", json={"email": f"{local}@example.com", "password": PASSWORD}
    )
    me = (
        await client.get("/api/v1/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"})
    ).json()
    assert (me["email"], me["display_name"]) == (f"{local.casefold()}@example.com", "Ann Smith")
    assert "password" not in str(me) and "hash" not in str(me)
    hijack = await client.post(
        "/api/v1/auth/login", json={"email": f"{local}@example.com", "password": "x" * 14}
    )
    assert hijack.status_code == 401  # the second registration changed nothing


async def test_register_validates_every_field(client: Client) -> None:
    short = await client.post(
        "/api/v1/auth/register", json={"email": "not-an-email", "password": "short", "display_name": ""}
    )
    assert short.status_code == 422
    assert {e["field"] for e in short.json()["errors"]} == {"email", "password", "display_name"}
    extra = await client.post(
        "/api/v1/auth/register",
        json={"email": "a@example.com", "password": PASSWORD, "display_name": "A", "roles": ["admin"]},
    )
    assert extra.status_code == 400


async def test_both_log_in_flows_give_a_working_token(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    form = await client.post("/api/v1/auth/token", data={"username": ann.email, "password": PASSWORD})
    assert form.status_code == 200, form.text
    assert form.json()["token_type"] == "bearer" and form.json()["expires_in"] == 15 * 60
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {form.json()['access_token']}"})
    assert me.status_code == 200 and me.json()["id"] == ann.id


async def test_wrong_credentials_look_the_same_for_known_and_unknown_emails(
    client: Client, sign_up: SignUp
) -> None:
    ann = await sign_up()
    wrong = await client.post("/api/v1/auth/login", json={"email": ann.email, "password": "x" * 20})
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "x" * 20}
    )
    assert wrong.status_code == unknown.status_code == 401
    strip = ("instance", "request_id")
    assert {k: v for k, v in wrong.json().items() if k not in strip} == {
        k: v for k, v in unknown.json().items() if k not in strip
    }


async def test_expired_and_foreign_tokens_are_refused(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    secret = TEST_ENV["CLOSET_JWT_SECRET"]
    now = int(time.time())
    expired = jwt.encode({"sub": ann.id, "iat": now - 3600, "exp": now - 60}, secret, algorithm="HS256")
    other_key = jwt.encode({"sub": ann.id, "iat": now, "exp": now + 600}, "k" * 48, algorithm="HS256")
    unsigned = jwt.encode({"sub": ann.id, "iat": now, "exp": now + 600}, None, algorithm="none")
    ghost = jwt.encode({"sub": "00000000-0000-0000-0000-000000000000", "iat": now, "exp": now + 600}, secret)
    for token in (expired, other_key, unsigned, ghost):
        response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
        assert response.headers["www-authenticate"].startswith("Bearer")
