"""Audit entries as JSON-friendly dicts (outbox payloads, SQL rows, Mongo documents)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from closet.application.ports.documents import AuditEntry


def audit_to_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "at": entry.at.isoformat(),
        "actor_id": str(entry.actor_id) if entry.actor_id else None,
        "action": entry.action,
        "resource_type": entry.resource_type,
        "resource_id": entry.resource_id,
        "outcome": entry.outcome,
        "request_id": entry.request_id,
        "details": dict(entry.details) if entry.details else None,
    }


def audit_from_json(data: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        id=uuid.UUID(data["id"]),
        at=datetime.fromisoformat(data["at"]),
        actor_id=uuid.UUID(data["actor_id"]) if data.get("actor_id") else None,
        action=data["action"],
        resource_type=data["resource_type"],
        resource_id=data.get("resource_id"),
        outcome=data["outcome"],
        request_id=data.get("request_id"),
        details=data.get("details"),
    )
