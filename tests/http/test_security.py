"""Sessions, tokens, recovery and hardening over HTTP."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from datetime import UTC, datetime

import jwt
import pytest
from litestar.testing import AsyncTestClient

from closet.adapters.memory.mail import MemoryMailer
from closet.container import build_container
from closet.domain.totp import code_at, step_at
from closet.entrypoints.http.app import create_app
from closet.settings import Profile, Settings
from tests.http.conftest import PASSWORD, TEST_ENV, SettledClient, SignUp, settings_for

Client = AsyncTestClient  # type: ignore[type-arg]


async def _login(client: Client, email: str, password: str = PASSWORD, **extra: str) -> dict:  # type: ignore[type-arg]
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password, **extra})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def bearer(tokens: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def test_refresh_rotates_and_replay_revokes_the_family(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    first = await _login(client, ann.email)
    assert first["refresh_expires_in"] > 29 * 24 * 3600
    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert (await client.get("/api/v1/me", headers=bearer(second))).status_code == 200
    replay = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    # the whole session is gone: its newest refresh token and its access tokens too
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    ).status_code == 401
    assert (await client.get("/api/v1/me", headers=bearer(second))).status_code == 401
    assert (await client.get("/api/v1/me", headers=ann.headers)).status_code == 200  # other sessions live on


async def test_logout_invalidates_the_session_and_logout_all_every_one(
    client: Client, sign_up: SignUp
) -> None:
    ann = await sign_up()
    one, two = await _login(client, ann.email), await _login(client, ann.email)
    assert (await client.post("/api/v1/auth/logout", headers=bearer(one))).status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer(one))).status_code == 401
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": one["refresh_token"]})
    ).status_code == 401
    listed = (await client.get("/api/v1/me/sessions", headers=bearer(two))).json()
    assert sum(s["current"] for s in listed) == 1 and len(listed) == 2  # two, and sign_up's
    other = next(s for s in listed if not s["current"])
    revoked = await client.delete(f"/api/v1/me/sessions/{other['id']}", headers=bearer(two))
    assert revoked.status_code == 204
    assert (await client.get("/api/v1/me", headers=ann.headers)).status_code == 401
    assert (await client.post("/api/v1/auth/logout-all", headers=bearer(two))).status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer(two))).status_code == 401


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
async def test_tampered_unsigned_and_wrong_algorithm_tokens_are_refused(
    client: Client, sign_up: SignUp
) -> None:
    ann = await sign_up()
    claims = jwt.decode(ann.token, options={"verify_signature": False})
    secret = TEST_ENV["CLOSET_JWT_SECRET"]
    forged_sub = jwt.encode({**claims, "sub": str(uuid.uuid4())}, "x" * 40, algorithm="HS256")
    other_alg = jwt.encode(claims, secret, algorithm="HS512")  # the right key, a refused algorithm
    unsigned = jwt.encode(claims, None, algorithm="none")
    no_session = jwt.encode({k: v for k, v in claims.items() if k != "extras"}, secret, algorithm="HS256")
    expired = jwt.encode({**claims, "exp": int(time.time()) - 5}, secret, algorithm="HS256")
    header, payload, signature = ann.token.split(".")
    flipped = f"{header}.{payload}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}{signature[-1]}"
    for token in (forged_sub, other_alg, unsigned, no_session, expired, flipped):
        response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token


async def test_a_disabled_user_is_locked_out_mid_session(
    sign_up: SignUp, client: Client, app_settings: Settings
) -> None:
    admin, bob = await sign_up("Admin"), await sign_up("Bob")
    await _make_admin(client, app_settings, admin.id)
    admin_headers = bearer(await _login(client, admin.email))
    bob_login = await _login(client, bob.email)
    assert (await client.get("/api/v1/me", headers=bob.headers)).status_code == 200
    off = await client.post(f"/api/v1/admin/users/{bob.id}/disable", headers=admin_headers)
    assert off.status_code == 200 and off.json()["disabled"] is True
    assert (await client.get("/api/v1/me", headers=bob.headers)).status_code == 401
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": bob_login["refresh_token"]})
    ).status_code == 401
    refused = await client.post("/api/v1/auth/login", json={"email": bob.email, "password": PASSWORD})
    assert refused.status_code == 401
    assert (
        await client.post(f"/api/v1/admin/users/{bob.id}/enable", headers=admin_headers)
    ).status_code == 200
    assert (
        await client.post("/api/v1/auth/login", json={"email": bob.email, "password": PASSWORD})
    ).status_code == 200
    audit = (await client.get("/api/v1/admin/audit", headers=admin_headers, params={"limit": 200})).json()
    assert {"admin.user_disabled", "admin.user_enabled"} <= {e["action"] for e in audit}


async def _make_admin(client: Client, settings: Settings, user_id: str) -> None:
    """What `closet admin grant` does: the same use case, from another process (a container of
    its own on this loop); in memory there is only the app's own store to use."""
    if settings.profile is Profile.MEMORY:  # on the app's own event loop, as its requests are
        container = client.app.state.container  # type: ignore[attr-defined]
        client.blocking_portal.call(container.grant_admin(), uuid.UUID(user_id))
        client.blocking_portal.call(container.document_sync().flush)
        return
    cli = build_container(settings)
    await cli.init_resources()  # type: ignore[misc]
    try:
        await cli.grant_admin()(uuid.UUID(user_id))
    finally:
        await cli.document_sync().flush()  # as `closet` does before it stops
        await cli.shutdown_resources()  # type: ignore[misc]


async def test_admin_routes_need_the_admin_role(client: Client, sign_up: SignUp) -> None:
    bob = await sign_up("Bob")
    for method, path in [
        ("GET", "/api/v1/admin/users"),
        ("GET", "/api/v1/admin/audit"),
        ("POST", f"/api/v1/admin/users/{bob.id}/disable"),
        ("PUT", f"/api/v1/admin/users/{bob.id}/roles"),
    ]:
        response = await client.request(method, path, headers=bob.headers, json={"roles": ["admin"]})
        assert response.status_code == 403, (method, path)
    assert "admin" not in (await client.get("/api/v1/me", headers=bob.headers)).json()["roles"]


async def test_forgot_password_never_reveals_an_account_and_its_link_works_once() -> None:
    app = create_app(settings_for("memory"))
    async with SettledClient(app=app) as client:
        email = "reset-me@example.com"
        await client.post(
            "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "display_name": "R"}
        )
        known = await client.post("/api/v1/auth/password/forgot", json={"email": email})
        unknown = await client.post("/api/v1/auth/password/forgot", json={"email": "nobody@example.com"})
        malformed = await client.post("/api/v1/auth/password/forgot", json={"email": "not-an-email"})
        assert known.status_code == unknown.status_code == malformed.status_code == 202
        assert known.json() == unknown.json() == malformed.json()
        mailer: MemoryMailer = app.state.container.mailer()
        for _ in range(100):  # mail goes out off the request path (in the app's own loop)
            resets = [m for m in mailer.sent if m.subject.startswith("Reset")]
            if resets:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # and nothing more comes for the unknown addresses
        resets = [m for m in mailer.sent if m.subject.startswith("Reset")]
        assert [m.to for m in resets] == [email]
        token = re.search(r"token=([\w-]+)", resets[0].text).group(1)  # type: ignore[union-attr]
        done = await client.post(
            "/api/v1/auth/password/reset", json={"token": token, "new_password": "a new passphrase"}
        )
        assert done.status_code == 204
        again = await client.post(
            "/api/v1/auth/password/reset", json={"token": token, "new_password": "another one!!"}
        )
        assert again.status_code == 422 and again.json()["errors"][0]["field"] == "token"
        assert (
            await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        ).status_code == 401
        await _login(client, email, "a new passphrase")


async def test_second_factor_over_http(client: Client, sign_up: SignUp) -> None:

    ann = await sign_up()
    enrol = (await client.post("/api/v1/me/2fa/totp", headers=ann.headers)).json()
    now_step = step_at(datetime.now(UTC))
    confirm = {"code": code_at(enrol["secret"], now_step)}
    confirmed = await client.post("/api/v1/me/2fa/totp/confirm", headers=ann.headers, json=confirm)
    codes = confirmed.json()["recovery_codes"]
    needs = await client.post("/api/v1/auth/login", json={"email": ann.email, "password": PASSWORD})
    assert needs.status_code == 401 and needs.json()["type"].endswith("second-factor-required")
    wrong_password = await client.post(
        "/api/v1/auth/login", json={"email": ann.email, "password": "nope nope nope"}
    )
    assert wrong_password.json()["type"].endswith("authentication-failed")  # the factor is asked only after
    await _login(client, ann.email, recovery_code=codes[0])
    me = (await client.get("/api/v1/me", headers=ann.headers)).json()
    assert me["two_factor"] is True


async def test_rate_limits_answer_429_with_retry_after() -> None:
    settings = settings_for("memory", CLOSET_LOGIN_RATE_PER_MINUTE="3", CLOSET_RESET_RATE_PER_MINUTE="2")
    async with SettledClient(app=create_app(settings)) as client:
        body = {"email": "nobody@example.com", "password": "x" * 12}
        statuses = [(await client.post("/api/v1/auth/login", json=body)).status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        limited = await client.post("/api/v1/auth/login", json=body)
        assert limited.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        forgot = [
            (await client.post("/api/v1/auth/password/forgot", json={"email": "a@b.co"})).status_code
            for _ in range(3)
        ]
        assert forgot == [202, 202, 429]
        # the limits are per route group: the API itself is still reachable
        assert (await client.get("/health")).status_code == 200


async def _signed_up(client: Client, email: str) -> dict[str, str]:
    body = {"email": email, "password": PASSWORD, "display_name": "R"}
    assert (await client.post("/api/v1/auth/register", json=body)).status_code == 202
    return bearer(await _login(client, email))


async def test_the_api_limit_counts_per_user_and_says_what_is_left() -> None:
    settings = settings_for("memory", CLOSET_RATE_LIMIT_PER_MINUTE="4")
    async with SettledClient(app=create_app(settings)) as client:
        ann, ben = [await _signed_up(client, f"{n}-{uuid.uuid4().hex[:6]}@example.com") for n in "ab"]
        answers = [await client.get("/api/v1/items", headers=ann) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert answers[-1].headers["ratelimit-limit"] == "4"
        assert answers[-1].headers["ratelimit-policy"] == "4;w=60"
        assert int(answers[-1].headers["ratelimit-remaining"]) < 4
        assert 1 <= int(answers[-1].headers["ratelimit-reset"]) <= 60
        while (refused := await client.get("/api/v1/items", headers=ann)).status_code == 200:
            pass
        assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert (await client.get("/api/v1/items", headers=ben)).status_code == 200  # ben has his own
        assert (await client.get("/health")).status_code == 200  # not limited


async def test_security_headers_on_every_response(client: Client) -> None:
    for path in ("/health", "/api/v1/items", "/nowhere", "/schema/swagger"):
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "strict-transport-security" not in response.headers  # plain HTTP here
    assert (await client.get("/api/v1/items")).headers["cache-control"] == "no-store"
    docs = await client.get("/schema/swagger")
    assert "cdn.jsdelivr.net" in docs.headers["content-security-policy"]


async def test_security_headers_behind_tls() -> None:
    async with SettledClient(
        app=create_app(settings_for("memory")), base_url="https://testserver.local"
    ) as client:
        response = await client.get("/health")
        assert response.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
        # each header once, with our value
        for name in ("x-frame-options", "content-security-policy", "strict-transport-security"):
            assert len(response.headers.get_list(name)) == 1
        assert response.headers["x-request-id"]  # the other middleware's headers are kept


async def test_failed_log_ins_do_not_move_the_profile_version(client: Client, sign_up: SignUp) -> None:
    ann = await sign_up()
    version = (await client.get("/api/v1/me", headers=ann.headers)).json()["version"]
    for _ in range(2):
        await client.post("/api/v1/auth/login", json={"email": ann.email, "password": "wrong password!"})
    await _login(client, ann.email)
    patched = await client.patch(
        "/api/v1/me", headers=ann.headers, json={"version": version, "display_name": "Ann B"}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["version"] == version + 1


async def test_a_redis_outage_never_fails_requests_and_ready_says_so(
    postgres_url: str, mongo_url: str
) -> None:
    settings = settings_for(
        "production",
        CLOSET_DATABASE_URL=postgres_url,
        CLOSET_MONGO_URL=mongo_url,
        CLOSET_MONGO_DATABASE=f"closet_redis_{uuid.uuid4().hex[:6]}",
        CLOSET_REDIS_URL="redis://127.0.0.1:1/0",  # nothing listens there
    )
    async with SettledClient(app=create_app(settings)) as client:
        email = f"r-{uuid.uuid4().hex[:6]}@example.com"
        await client.post(
            "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "display_name": "R"}
        )
        await _login(client, email)
        ready = await client.get("/ready")
        assert ready.status_code == 503
        assert {c["name"]: c["ok"] for c in ready.json()["checks"]}["redis"] is False
