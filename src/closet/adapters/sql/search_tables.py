"""The search index's tables (migration 0007), on the same ``metadata`` as tables.py.

Triggers on the source tables (items and outfits, 0007; collections, 0008) keep them current; no
repository writes them. Importing this module adds them to ``metadata``: whatever compares
``metadata`` with a database (Alembic's autogenerate through migrations/env.py, the migrations
test) imports it.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from closet.adapters.sql.tables import metadata
from closet.adapters.sql.types import sortable_text

# One row per searchable thing, its text by field; ``body`` is all of it (for an item, the
# search text: the only place SQL keeps the description). Apostrophes are taken out.
search_documents = Table(
    "search_documents",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("kind", String(12), nullable=False),  # item, outfit, collection
    Column("doc_id", Uuid, nullable=False),
    Column("owner_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(120), nullable=False),
    Column("archived", Boolean, nullable=False),
    Column("name", Text, nullable=False),
    Column("brand", Text, nullable=False),
    Column("tags", Text, nullable=False),
    Column("body", Text, nullable=False),
    UniqueConstraint("kind", "doc_id"),
    Index(None, "owner_id"),
)

# Per owner: each name, brand, tag, category, colour and material, and how many of the owner's
# things carry it (autocomplete); on Postgres also each word of names, brands and tags (kind
# "word", where typo tolerance looks for near spellings). ``key`` is what the database matches
# a prefix against: on Postgres the words joined by spaces after a leading one, on SQLite the
# case-folded value.
search_vocabulary = Table(
    "search_vocabulary",
    metadata,
    Column("owner_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(10), primary_key=True),
    Column("value", sortable_text(120), primary_key=True),
    Column("key", Text().with_variant(Text(collation="C"), "postgresql"), nullable=False),
    Column("n", Integer, nullable=False),
)

# What migration 0007 makes for one database only, which ``metadata`` cannot describe: the
# schema comparison leaves exactly these out. SQLite: the FTS5 index, its vocabulary and the
# FTS5 shadow tables; Postgres: the weighted tsvector of each document.
SQLITE_ONLY_TABLES = frozenset(
    {
        "search_fts",
        "search_fts_terms",
        "search_fts_data",
        "search_fts_idx",
        "search_fts_docsize",
        "search_fts_config",
    }
)
POSTGRES_ONLY_COLUMNS = frozenset({("search_documents", "document")})
