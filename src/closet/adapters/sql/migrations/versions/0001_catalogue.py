"""The clothing catalogue: users, items and their filter projections.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def sortable(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("display_name", sa.String(80), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("roles", JSON, nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("settings", JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("name_key", sortable(120), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("subcategory", sa.String(60)),
        sa.Column("subcategory_key", sa.String(60)),
        sa.Column("brand", sortable(80)),
        sa.Column("brand_key", sortable(80)),
        sa.Column("colors", JSON, nullable=False),
        sa.Column("color_sort", sa.Integer()),
        sa.Column("size_system", sa.String(12)),
        sa.Column("size_label", sa.String(20)),
        sa.Column("size_key", sa.String(20)),
        sa.Column("materials", JSON, nullable=False),
        sa.Column("condition", sa.String(10)),
        sa.Column("purchase_date", sa.Date()),
        sa.Column("price_amount", sa.BigInteger()),
        sa.Column("price_currency", sa.String(3)),
        sa.Column("purchase_store", sa.String(120)),
        sa.Column("seasons", sa.Integer(), nullable=False),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("notes", sa.Text()),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("archive_reason", sa.String(10)),
        sa.Column("archived_at", TS),
        sa.Column("wear_count", sa.Integer(), nullable=False),
        sa.Column("last_worn_at", sa.Date()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_items"),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_items_owner_id_users", ondelete="CASCADE"
        ),
    )
    for columns in (
        ("owner_id", "created_at", "id"),
        ("owner_id", "updated_at", "id"),
        ("owner_id", "name_key", "id"),
        ("owner_id", "category"),
    ):
        op.create_index("ix_items_" + "_".join(columns), "items", list(columns))
    # Serves "recently worn first" (DESC NULLS LAST) as an index scan on Postgres.
    if op.get_bind().dialect.name == "postgresql":
        worn = ["owner_id", sa.text("last_worn_at DESC NULLS LAST"), sa.text("id DESC")]
    else:
        worn = ["owner_id", "last_worn_at", "id"]
    op.create_index("ix_items_owner_id_last_worn_at_id", "items", worn)
    for table, column in (("item_colors", "color"), ("item_tags", "tag"), ("item_materials", "fibre")):
        op.create_table(
            table,
            sa.Column("item_id", sa.Uuid(), nullable=False),
            sa.Column(column, sa.String(40), nullable=False),
            sa.Column("owner_id", sa.Uuid(), nullable=False),
            sa.PrimaryKeyConstraint("item_id", column, name=f"pk_{table}"),
            sa.ForeignKeyConstraint(
                ["item_id"], ["items.id"], name=f"fk_{table}_item_id_items", ondelete="CASCADE"
            ),
        )
        op.create_index(f"ix_{table}_owner_id_{column}_item_id", table, ["owner_id", column, "item_id"])


def downgrade() -> None:
    for table in ("item_materials", "item_tags", "item_colors", "items", "users"):
        op.drop_table(table)
