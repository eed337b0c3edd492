"""Photos: item photos (keys, sizes, cut-out status) and the persisted job queue.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def _blob(prefix: str, *, nullable: bool) -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column(f"{prefix}_key", sa.String(64), nullable=nullable),
        sa.Column(f"{prefix}_type", sa.String(20), nullable=nullable),
        sa.Column(f"{prefix}_width", sa.Integer(), nullable=nullable),
        sa.Column(f"{prefix}_height", sa.Integer(), nullable=nullable),
    ]


def upgrade() -> None:
    op.create_table(
        "item_photos",
        sa.Column("item_id", sa.Uuid(), primary_key=True),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        *_blob("original", nullable=False),
        *_blob("thumb256", nullable=False),
        *_blob("thumb512", nullable=False),
        *_blob("cutout", nullable=True),
        sa.Column("phash", sa.String(16), nullable=False),
        sa.Column("uploaded_at", TS, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("failure", sa.String(500)),
        sa.Column("requested_provider", sa.String(12)),
        sa.Column("cutout_provider", sa.String(12)),
        sa.Column("cutout_millis", sa.Integer()),
        sa.Column("cutout_coverage", sa.Float()),
        sa.Column("colors", JSON, nullable=False),
        sa.Column("job_id", sa.Uuid()),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_item_photos_item_id_items", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_item_photos_owner_id", "item_photos", ["owner_id"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("run_after", TS, nullable=False),
        sa.Column("last_error", sa.Text()),
    )
    op.create_index("ix_jobs_state_run_after", "jobs", ["state", "run_after"])


def downgrade() -> None:
    op.drop_table("jobs")
    op.drop_table("item_photos")
