"""Collections: hand-made (members in order, a cover) or smart (rules in their document).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "collections",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("name_key", sa.String(80), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("seasons", sa.Integer(), nullable=False),
        sa.Column("is_smart", sa.Boolean(), nullable=False),
        sa.Column("cover_kind", sa.String(10)),
        sa.Column("cover_id", sa.Uuid()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_collections_owner_id_users", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("owner_id", "name_key", name="uq_collections_owner_id_name_key"),
    )
    op.create_table(
        "collection_members",
        sa.Column("collection_id", sa.Uuid(), primary_key=True),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("member_id", sa.Uuid(), primary_key=True),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collections.id"],
            name="fk_collection_members_collection_id_collections",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_collection_members_owner_id_kind_member_id",
        "collection_members",
        ["owner_id", "kind", "member_id"],
    )


def downgrade() -> None:
    op.drop_table("collection_members")
    op.drop_table("collections")
