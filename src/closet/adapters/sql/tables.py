"""Tables. The domain classes stay plain: repositories translate rows explicitly."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from closet.adapters.sql.types import ExactDecimal, JsonDoc, UtcDateTime, sortable_text

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("display_name", String(80), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("roles", JsonDoc, nullable=False),
    Column("verified", Boolean, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("settings", JsonDoc, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("totp_secret", String(64)),
    Column("totp_enabled", Boolean, nullable=False),
    Column("totp_last_step", BigInteger),
    Column("recovery_codes", JsonDoc, nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", UtcDateTime),
)

items = Table(
    "items",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("owner_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(120), nullable=False),
    Column("name_key", sortable_text(120), nullable=False),
    Column("category", String(20), nullable=False),
    Column("subcategory", String(60)),
    Column("subcategory_key", String(60)),
    Column("brand", sortable_text(80)),
    Column("brand_key", sortable_text(80)),
    Column("colors", JsonDoc, nullable=False),
    Column("color_sort", Integer),
    Column("size_system", String(12)),
    Column("size_label", String(20)),
    Column("size_key", String(20)),
    Column("materials", JsonDoc, nullable=False),
    Column("condition", String(10)),
    Column("purchase_date", Date),
    Column("price_amount", ExactDecimal),
    Column("price_currency", String(3)),
    Column("purchase_store", String(120)),
    Column("seasons", Integer, nullable=False),
    Column("tags", JsonDoc, nullable=False),
    Column("search_text", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("archive_reason", String(10)),
    Column("archived_at", UtcDateTime),
    Column("wear_count", Integer, nullable=False),
    Column("last_worn_at", Date),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "owner_id", "created_at", "id"),
    Index(None, "owner_id", "updated_at", "id"),
    Index(None, "owner_id", "name_key", "id"),
    Index(None, "owner_id", "category"),
)


def _projection(name: str, value_column: str) -> Table:
    """One row per (item, value): what a filter on a multi-valued field looks up."""
    return Table(
        name,
        metadata,
        Column("item_id", Uuid, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        Column(value_column, String(40), primary_key=True),
        Column("owner_id", Uuid, nullable=False),
        Index(None, "owner_id", value_column, "item_id"),
    )


item_colors = _projection("item_colors", "color")
item_tags = _projection("item_tags", "tag")
item_materials = _projection("item_materials", "fibre")


# --- consistency between the stores (migration 0002) ------------------------------------

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),  # a DocumentKind, or "audit"
    Column("owner_id", Uuid),
    Column("doc_id", Uuid, nullable=False),
    Column("version", Integer, nullable=False),
    Column("body", JsonDoc),  # the document (None: deleted), or the audit entry
    Column("created_at", UtcDateTime, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("done_at", UtcDateTime),
)

documents = Table(
    "documents",
    metadata,
    Column("kind", String(40), primary_key=True),
    Column("doc_id", Uuid, primary_key=True),
    Column("owner_id", Uuid, nullable=False),
    Column("version", Integer, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("body", JsonDoc),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "owner_id"),
)

audit_logs = Table(
    "audit_logs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor_id", Uuid),
    Column("action", String(60), nullable=False),
    Column("resource_type", String(40), nullable=False),
    Column("resource_id", String(80)),
    Column("outcome", String(20), nullable=False),
    Column("request_id", String(64)),
    Column("details", JsonDoc),
    Index(None, "actor_id", "at"),
    Index(None, "at"),
)


# --- sessions and single-use tokens (migration 0003) -------------------------------------

sessions = Table(
    "sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("device", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    Column("revoked_reason", String(60)),
    Index(None, "user_id", "last_used_at"),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("session_id", Uuid, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
    Index(None, "session_id"),
)

account_tokens = Table(
    "account_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("purpose", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
    Index(None, "user_id", "purpose"),
)


# --- photos and jobs (migration 0004) ----------------------------------------------------


def _blob(prefix: str, *, nullable: bool) -> list[Column]:  # type: ignore[type-arg]
    return [
        Column(f"{prefix}_key", String(64), nullable=nullable),
        Column(f"{prefix}_type", String(20), nullable=nullable),
        Column(f"{prefix}_width", Integer, nullable=nullable),
        Column(f"{prefix}_height", Integer, nullable=nullable),
    ]


item_photos = Table(
    "item_photos",
    metadata,
    Column("item_id", Uuid, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("owner_id", Uuid, nullable=False),
    *_blob("original", nullable=False),
    *_blob("thumb256", nullable=False),
    *_blob("thumb512", nullable=False),
    *_blob("cutout", nullable=True),
    Column("phash", String(16), nullable=False),
    Column("uploaded_at", UtcDateTime, nullable=False),
    Column("status", String(12), nullable=False),
    Column("failure", String(500)),
    Column("requested_provider", String(12)),
    Column("cutout_provider", String(12)),
    Column("cutout_millis", Integer),
    Column("cutout_coverage", Float),
    Column("colors", JsonDoc, nullable=False),
    Column("job_id", Uuid),
    Column("revision", Integer, nullable=False),
    Index(None, "owner_id"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("owner_id", Uuid, nullable=False),
    Column("subject_id", Uuid, nullable=False),
    Column("payload", JsonDoc, nullable=False),
    Column("state", String(10), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("run_after", UtcDateTime, nullable=False),
    Column("last_error", Text),
    Index(None, "state", "run_after"),
)


# --- outfits, renders, shares, wear log (migration 0005) -----------------------------------

outfits = Table(
    "outfits",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("owner_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(120), nullable=False),
    Column("canvas_width", Integer, nullable=False),
    Column("canvas_height", Integer, nullable=False),
    Column("background", String(7)),
    Column("seasons", Integer, nullable=False),
    Column("occasions", Integer, nullable=False),
    Column("is_template", Boolean, nullable=False),
    Column("template_id", Uuid),
    Column("layout_hash", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "owner_id", "is_template", "created_at", "id"),
)

outfit_layers = Table(
    "outfit_layers",
    metadata,
    Column("outfit_id", Uuid, ForeignKey("outfits.id", ondelete="CASCADE"), primary_key=True),
    Column("z", Integer, primary_key=True),
    Column("owner_id", Uuid, nullable=False),
    Column("item_id", Uuid, ForeignKey("items.id", ondelete="CASCADE")),
    Column("category", String(20)),
    Column("x", Float, nullable=False),
    Column("y", Float, nullable=False),
    Column("scale", Float, nullable=False),
    Column("rotation_deg", Float, nullable=False),
    Index(None, "owner_id", "item_id"),
    Index(None, "item_id"),
)

outfit_renders = Table(
    "outfit_renders",
    metadata,
    Column("outfit_id", Uuid, ForeignKey("outfits.id", ondelete="CASCADE"), primary_key=True),
    Column("render_key", String(64), primary_key=True),
    Column("shape", String(40), nullable=False),  # format and width: one current render per shape
    Column("blob_key", String(64), nullable=False),
    Column("media_type", String(20), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

share_links = Table(
    "share_links",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("outfit_id", Uuid, ForeignKey("outfits.id", ondelete="CASCADE"), nullable=False),
    Column("owner_id", Uuid, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime),
    Column("revoked_at", UtcDateTime),
    Index(None, "owner_id", "outfit_id"),
)

wear_events = Table(
    "wear_events",
    metadata,
    Column("item_id", Uuid, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("worn_on", Date, primary_key=True),
    Column("owner_id", Uuid, nullable=False),
    Column("outfit_id", Uuid, ForeignKey("outfits.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime, nullable=False),
)


# --- collections (migration 0006) ------------------------------------------------------------

collections = Table(
    "collections",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("owner_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(80), nullable=False),
    Column("name_key", String(80), nullable=False),
    Column("description", Text),
    Column("tags", JsonDoc, nullable=False),
    Column("seasons", Integer, nullable=False),
    Column("is_smart", Boolean, nullable=False),
    Column("cover_kind", String(10)),
    Column("cover_id", Uuid),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("owner_id", "name_key"),
)

collection_members = Table(
    "collection_members",
    metadata,
    Column("collection_id", Uuid, ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(10), primary_key=True),
    Column("member_id", Uuid, primary_key=True),
    Column("owner_id", Uuid, nullable=False),
    Column("position", Integer, nullable=False),
    Index(None, "owner_id", "kind", "member_id"),
)
