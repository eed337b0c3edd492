"""Documents beside the SQL rows: the outbox, the embedded documents table, the audit log.

Item descriptions move into ``item_tags`` documents: every item's notes are queued in the
outbox (nothing is lost; the relay writes them to the documents store) before the column goes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    outbox = op.create_table(
        "outbox",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("owner_id", sa.Uuid()),
        sa.Column("doc_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", JSON),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("done_at", TS),
    )
    # The relay's scan: pending rows only, oldest first.
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["next_attempt_at", "id"],
        postgresql_where=sa.text("done_at IS NULL"),
        sqlite_where=sa.text("done_at IS NULL"),
    )
    op.create_index("ix_outbox_kind_doc_id_id", "outbox", ["kind", "doc_id", "id"])
    op.create_table(
        "documents",
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("doc_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("body", JSON),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("kind", "doc_id", name="pk_documents"),
    )
    op.create_index("ix_documents_owner_id", "documents", ["owner_id"])
    op.create_table(
        "audit_logs",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor_id", sa.Uuid()),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("resource_type", sa.String(40), nullable=False),
        sa.Column("resource_id", sa.String(80)),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("request_id", sa.String(64)),
        sa.Column("details", JSON),
    )
    op.create_index("ix_audit_logs_actor_id_at", "audit_logs", ["actor_id", "at"])
    op.create_index("ix_audit_logs_at", "audit_logs", ["at"])

    items = sa.table(
        "items",
        sa.column("id", sa.Uuid()),
        sa.column("owner_id", sa.Uuid()),
        sa.column("version", sa.Integer()),
        sa.column("tags", JSON),
        sa.column("notes", sa.Text()),
    )
    now = datetime.now(UTC)
    rows = op.get_bind().execute(sa.select(items)).mappings().all()
    if rows:
        op.bulk_insert(
            outbox,
            [
                {
                    "kind": "item_tags",
                    "owner_id": r["owner_id"],
                    "doc_id": r["id"],
                    "version": r["version"],
                    "body": {"tags": list(r["tags"]), "description": r["notes"]},
                    "created_at": now,
                    "next_attempt_at": now,
                    "attempts": 0,
                }
                for r in rows
            ],
        )
    with op.batch_alter_table("items") as batch:
        batch.drop_column("notes")


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("notes", sa.Text()))
    for table in ("audit_logs", "documents", "outbox"):
        op.drop_table(table)
