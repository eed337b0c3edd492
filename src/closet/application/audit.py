"""Building audit entries: who did what, to which resource, and how it went."""

from __future__ import annotations

import uuid

from closet.application import context
from closet.application.ports.clock import Clock
from closet.application.ports.documents import AuditEntry, JsonObject


def audit_entry(
    clock: Clock,
    *,
    actor_id: uuid.UUID | None,
    action: str,
    resource_type: str,
    resource_id: object | None = None,
    outcome: str = "success",
    details: JsonObject | None = None,
) -> AuditEntry:
    return AuditEntry(
        id=uuid.uuid4(),
        at=clock.now(),
        actor_id=actor_id,
        action=action,
        resource_type=resource_type,
        resource_id=str(resource_id) if resource_id is not None else None,
        outcome=outcome,
        request_id=context.request_id.get(),
        details=details,
    )
