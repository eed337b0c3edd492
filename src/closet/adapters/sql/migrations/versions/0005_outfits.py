"""Outfits: rows and layers, cached renders, share links, the wear log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outfits",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("canvas_width", sa.Integer(), nullable=False),
        sa.Column("canvas_height", sa.Integer(), nullable=False),
        sa.Column("background", sa.String(7)),
        sa.Column("seasons", sa.Integer(), nullable=False),
        sa.Column("occasions", sa.Integer(), nullable=False),
        sa.Column("is_template", sa.Boolean(), nullable=False),
        sa.Column("template_id", sa.Uuid()),
        sa.Column("layout_hash", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_outfits_owner_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index(
        "ix_outfits_owner_id_is_template_created_at_id",
        "outfits",
        ["owner_id", "is_template", "created_at", "id"],
    )
    op.create_table(
        "outfit_layers",
        sa.Column("outfit_id", sa.Uuid(), primary_key=True),
        sa.Column("z", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid()),
        sa.Column("category", sa.String(20)),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("scale", sa.Float(), nullable=False),
        sa.Column("rotation_deg", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outfit_id"], ["outfits.id"], name="fk_outfit_layers_outfit_id_outfits", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_outfit_layers_item_id_items", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_outfit_layers_owner_id_item_id", "outfit_layers", ["owner_id", "item_id"])
    op.create_index("ix_outfit_layers_item_id", "outfit_layers", ["item_id"])
    op.create_table(
        "outfit_renders",
        sa.Column("outfit_id", sa.Uuid(), primary_key=True),
        sa.Column("render_key", sa.String(64), primary_key=True),
        sa.Column("shape", sa.String(40), nullable=False),
        sa.Column("blob_key", sa.String(64), nullable=False),
        sa.Column("media_type", sa.String(20), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["outfit_id"], ["outfits.id"], name="fk_outfit_renders_outfit_id_outfits", ondelete="CASCADE"
        ),
    )
    op.create_table(
        "share_links",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("outfit_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS),
        sa.Column("revoked_at", TS),
        sa.ForeignKeyConstraint(
            ["outfit_id"], ["outfits.id"], name="fk_share_links_outfit_id_outfits", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("token_hash", name="uq_share_links_token_hash"),
    )
    op.create_index("ix_share_links_owner_id_outfit_id", "share_links", ["owner_id", "outfit_id"])
    op.create_table(
        "wear_events",
        sa.Column("item_id", sa.Uuid(), primary_key=True),
        sa.Column("worn_on", sa.Date(), primary_key=True),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("outfit_id", sa.Uuid()),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_wear_events_item_id_items", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["outfit_id"], ["outfits.id"], name="fk_wear_events_outfit_id_outfits", ondelete="SET NULL"
        ),
    )


def downgrade() -> None:
    for table in ("wear_events", "share_links", "outfit_renders", "outfit_layers", "outfits"):
        op.drop_table(table)
