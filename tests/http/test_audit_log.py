"""Log-in success and failure, registration and item deletion reach the audit log."""

from __future__ import annotations

import dataclasses
import json

from closet.application.ports.documents import AuditEntry
from closet.entrypoints.http.app import create_app
from tests.http.conftest import PASSWORD, SettledClient, coat, settings_for


async def test_security_events_are_audited_without_secrets() -> None:
    app = create_app(settings_for("memory"))
    async with SettledClient(app=app) as client:
        email = "audit@example.com"
        await client.post(
            "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "display_name": "Au"}
        )
        await client.post("/api/v1/auth/login", json={"email": email, "password": "wrong password!"})
        await client.post("/api/v1/auth/login", json={"email": "ghost@example.com", "password": PASSWORD})
        ok = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        token = ok.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "X-Request-ID": "req-delete-1"}
        user_id = (await client.get("/api/v1/me", headers=headers)).json()["id"]
        item = (await client.post("/api/v1/items", json=coat(name="Old coat"), headers=headers)).json()
        assert (await client.delete(f"/api/v1/items/{item['id']}", headers=headers)).status_code == 204

        entries: list[AuditEntry] = await app.state.container.audit_store().recent(limit=20)
    seen = [(e.action, e.outcome, str(e.actor_id) if e.actor_id else None) for e in reversed(entries)]
    assert seen == [
        ("account.register", "success", user_id),
        ("auth.login", "failure", user_id),
        ("auth.login", "failure", None),
        ("auth.login", "success", user_id),
        ("item.delete", "success", user_id),
    ]
    deletion = entries[0]
    assert (deletion.resource_type, deletion.resource_id) == ("item", item["id"])
    assert deletion.request_id == "req-delete-1"
    assert deletion.details == {"name": "Old coat", "version": 1}
    assert entries[2].details == {"reason": "unknown email"}
    dumped = json.dumps([dataclasses.asdict(e) for e in entries], default=str)
    for secret in (PASSWORD, "wrong password!", token):
        assert secret not in dumped
