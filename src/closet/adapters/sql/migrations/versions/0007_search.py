"""Search: one index over items and outfits, and each owner's vocabulary for autocomplete.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23

Both databases get two ordinary tables (adapters/sql/search_tables.py), written only by the
triggers made here, and filled from the rows already there (500,000 items: about 3 minutes on
Postgres on the 2-core development machine):

- ``search_documents``: one row per item and per outfit (templates are not searched), with
  the title, the archived flag and the text by field (name, brand, tags one per line, and
  ``body``, all of the text; apostrophes taken out, so "Levi's" is the word "levis").
- ``search_vocabulary``: per owner, each name, brand, tag, category, colour and material and how
  many of the owner's things carry it; archived items count (search finds them too).

The triggers assume what the repositories guarantee: an item's or outfit's owner never changes.
Counts change by row upserts taken in (kind, value) order, so two writes of one owner touching
the same value wait for each other but single-row writes cannot deadlock.

Postgres. ``search_documents.document`` is a tsvector, weights A name, B brand, C tags, D body,
of the words as the application splits them (``closet_search_words``: lower-cased and split at
anything not alphanumeric under the ICU root collation when the server has it, so neither the
"C" collation of ``brand`` nor the database's locale changes the words; written as tsvector
input, never re-parsed by to_tsvector). A *stored* vector, not an expression index: every query
is one owner's, so the plan is the owner_id btree then the ``@@`` test on each of the owner's
rows (about 0.5 ms for 500 items), where an expression would be recomputed on each row (about
10 ms). No GIN index on it: that plan never wants one, and it would cost every write (and now
and then one write the flush of its pending list). Typo tolerance: the vocabulary also holds
each word of names, brands and tags (kind "word": a set, only ever added to, as a word no
longer used costs a row and matches nothing); a search turns a query word into ``word:*`` OR
the owner's words of about its length whose pg_trgm similarity() reaches 0.1 (4-letter words)
or 0.19 (longer) — every spelling one edit away scores at least that (checked on all words of
4 to 7 letters over a small alphabet, and on random words up to 14) — and the application keeps
only the true one-edit matches. No trigram GIN index: it would cover every owner at once, its
posting lists growing with the whole user base, while a query wants one owner's few hundred
rows, which the owner_id range reads directly. A covering index lets autocomplete read the
owner's vocabulary without visiting the table. The triggers add about 1 ms to an item write.

SQLite. ``search_fts`` is an FTS5 table over search_documents (external content; unicode61
without diacritic folding, like Postgres; prefix indexes for 2 and 3 letters) kept in step by
triggers on search_documents; queries rank with bm25() weighted 8/4/2/1. ``search_fts_terms``
(fts5vocab) lists its words, where typo tolerance looks for near spellings; the vocabulary
table has no "word" rows here.

Adding a kind (collections, in a later migration): a trigger on its table that upserts its row
into search_documents with its kind (``closet_search_put`` / a DELETE on Postgres; INSERT,
UPDATE, DELETE on SQLite, as for outfits below), counts its values with
``closet_search_recount`` (Postgres) or the same upserts (SQLite), and a backfill; the SQL
adapter needs no change, the memory index a source in ``_documents`` and ``_values``.

The downgrade removes all of it but the pg_trgm extension, which other things may use.
"""

# The SQL below is assembled from constants of this file only (no input reaches it).
# ruff: noqa: S608

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("doc_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        *(sa.Column(name, sa.Text(), nullable=False) for name in ("name", "brand", "tags", "body")),
        sa.PrimaryKeyConstraint("id", name="pk_search_documents"),
        sa.UniqueConstraint("kind", "doc_id", name="uq_search_documents_kind_doc_id"),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_search_documents_owner_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_search_documents_owner_id", "search_documents", ["owner_id"])
    op.create_table(
        "search_vocabulary",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column(
            "value", sa.String(120).with_variant(sa.String(120, collation="C"), "postgresql"), nullable=False
        ),
        sa.Column("key", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "kind", "value", name="pk_search_vocabulary"),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_search_vocabulary_owner_id_users", ondelete="CASCADE"
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgres()
    else:
        _upgrade_sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger, table in _PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        for function in _PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")
    else:
        for trigger in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts_terms")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_vocabulary")
    op.drop_table("search_documents")


# --- Postgres --------------------------------------------------------------------------------

_PG_TRIGGERS = (
    ("search_items_write", "items"),
    ("search_items_change", "items"),
    ("search_outfits_write", "outfits"),
    ("search_outfits_change", "outfits"),
)
_PG_FUNCTIONS = (
    "closet_search_item()",
    "closet_search_outfit()",
    "closet_search_item_values(text, text, text, jsonb, jsonb, jsonb)",
    "closet_search_add_words(uuid, text)",
    "closet_search_recount(uuid, text[], text[], text[], text[])",
    "closet_search_put(text, uuid, uuid, text, boolean, text, text, text, text)",
    "closet_search_vector(text, text, text, text)",
    "closet_search_lexemes(text, text)",
    "closet_search_words(text)",
)

# Every helper that runs a query is PL/pgSQL, not a SQL function: PL/pgSQL keeps its plans for
# the session, where a SQL function called from a trigger is planned anew on every call.
_PG_SQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE search_documents ADD COLUMN document tsvector NOT NULL",
    "CREATE INDEX ix_search_vocabulary_owner_id_kind_cover ON search_vocabulary (owner_id, kind)"
    " INCLUDE (key, value, n)",
    # The words of a text, as search_query.words() makes them: lower-cased and split by Unicode
    # rules whatever the column's collation (brand is "C") or the database's locale.
    """CREATE FUNCTION closet_search_words(value text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT array_remove(regexp_split_to_array(
            lower(translate(coalesce(value, ''), '''’', '') COLLATE {collation}), '[^[:alnum:]]+'), '')
    $$""",
    # Written as tsvector input, not parsed again by to_tsvector (whose parser follows the
    # database's locale): the lexemes are exactly those words, at their positions, weighted.
    """CREATE FUNCTION closet_search_lexemes(value text, weight text) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
    BEGIN
        RETURN (SELECT coalesce(string_agg(quote_literal(w) || ':' || n || weight, ' ')::tsvector, '')
                FROM unnest(closet_search_words(value)) WITH ORDINALITY AS u(w, n)
                WHERE octet_length(w) < 1000 AND n < 16384);
    END $$""",
    """CREATE FUNCTION closet_search_vector(name text, brand text, tags text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT closet_search_lexemes(name, 'A') || closet_search_lexemes(brand, 'B')
            || closet_search_lexemes(tags, 'C') || closet_search_lexemes(body, 'D')
    $$""",
    # Index (or re-index) one document.
    """CREATE FUNCTION closet_search_put(
        p_kind text, p_doc uuid, p_owner uuid, p_title text, p_archived boolean,
        p_name text, p_brand text, p_tags text, p_body text) RETURNS void
    LANGUAGE plpgsql AS $$
    DECLARE
        name text := translate(coalesce(p_name, ''), '''’', '');
        brand text := translate(coalesce(p_brand, ''), '''’', '');
        tags text := translate(coalesce(p_tags, ''), '''’', '');
        body text := translate(coalesce(p_body, ''), '''’', '');
    BEGIN
        INSERT INTO search_documents AS d
            (kind, doc_id, owner_id, title, archived, name, brand, tags, body, document)
        VALUES (p_kind, p_doc, p_owner, p_title, p_archived, name, brand, tags, body,
                closet_search_vector(name, brand, tags, body))
        ON CONFLICT (kind, doc_id) DO UPDATE SET
            title = excluded.title, archived = excluded.archived, name = excluded.name,
            brand = excluded.brand, tags = excluded.tags, body = excluded.body,
            document = excluded.document;
    END $$""",
    # Count what a change brought (+1) and took away (-1); rows reaching 0 go. In (kind, value)
    # order, so that two writes of one owner lock the rows they share in the same order.
    """CREATE FUNCTION closet_search_recount(
        p_owner uuid, p_old_kinds text[], p_old_values text[], p_new_kinds text[], p_new_values text[])
        RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_vocabulary AS v (owner_id, kind, value, key, n)
        SELECT p_owner, kind, value, ' ' || array_to_string(closet_search_words(value), ' '), 1
        FROM (SELECT * FROM unnest(p_new_kinds, p_new_values)
              EXCEPT SELECT * FROM unnest(p_old_kinds, p_old_values)) AS came(kind, value)
        ORDER BY kind, value
        ON CONFLICT (owner_id, kind, value) DO UPDATE SET n = v.n + 1;
        IF cardinality(p_old_kinds) > 0 THEN
            UPDATE search_vocabulary AS v SET n = v.n - 1
            FROM (SELECT * FROM unnest(p_old_kinds, p_old_values)
                  EXCEPT SELECT * FROM unnest(p_new_kinds, p_new_values)) AS gone(kind, value)
            WHERE v.owner_id = p_owner AND v.kind = gone.kind AND v.value = gone.value;
            DELETE FROM search_vocabulary
            WHERE owner_id = p_owner AND n <= 0
              AND (kind, value) IN (SELECT * FROM unnest(p_old_kinds, p_old_values));
        END IF;
    END $$""",
    # The owner's words, for typo tolerance: a set, only ever added to (a word no longer used
    # costs a row and matches nothing), so writes never wait on each other for them.
    """CREATE FUNCTION closet_search_add_words(p_owner uuid, p_text text) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_vocabulary (owner_id, kind, value, key, n)
        SELECT DISTINCT p_owner, 'word', w, ' ' || w, 1
        FROM unnest(closet_search_words(p_text)) AS w WHERE length(w) <= 120
        ORDER BY 3
        ON CONFLICT DO NOTHING;
    END $$""",
    # (kind, value) of what an item offers autocomplete, as two arrays.
    """CREATE FUNCTION closet_search_item_values(
        p_name text, p_brand text, p_category text, p_tags jsonb, p_colors jsonb, p_materials jsonb,
        OUT kinds text[], OUT vals text[])
    LANGUAGE plpgsql IMMUTABLE AS $$
    DECLARE
        tags text[] := ARRAY(SELECT jsonb_array_elements_text(p_tags));
        colors text[] := ARRAY(SELECT c ->> 'name' FROM jsonb_array_elements(p_colors) AS c);
        fibres text[] := ARRAY(SELECT m ->> 'fibre' FROM jsonb_array_elements(p_materials) AS m);
    BEGIN
        kinds := ARRAY['name', 'category']
            || array_fill('tag'::text, ARRAY[cardinality(tags)])
            || array_fill('color'::text, ARRAY[cardinality(colors)])
            || array_fill('material'::text, ARRAY[cardinality(fibres)]);
        vals := ARRAY[p_name, p_category] || tags || colors || fibres;
        IF p_brand IS NOT NULL THEN
            kinds := kinds || 'brand'::text;
            vals := vals || p_brand;
        END IF;
    END $$""",
    """CREATE FUNCTION closet_search_item() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        ok text[] := '{}'; ov text[] := '{}'; nk text[] := '{}'; nv text[] := '{}'; tags text;
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            SELECT kinds, vals INTO ok, ov FROM closet_search_item_values(
                OLD.name, OLD.brand, OLD.category, OLD.tags, OLD.colors, OLD.materials);
        END IF;
        IF TG_OP = 'DELETE' THEN
            DELETE FROM search_documents WHERE kind = 'item' AND doc_id = OLD.id;
            PERFORM closet_search_recount(OLD.owner_id, ok, ov, '{}', '{}');
            RETURN NULL;
        END IF;
        SELECT kinds, vals INTO nk, nv FROM closet_search_item_values(
            NEW.name, NEW.brand, NEW.category, NEW.tags, NEW.colors, NEW.materials);
        tags := array_to_string(ARRAY(SELECT jsonb_array_elements_text(NEW.tags)), E'\\n');
        PERFORM closet_search_put('item', NEW.id, NEW.owner_id, NEW.name, NEW.status = 'archived',
            NEW.name, NEW.brand, tags, NEW.search_text);
        PERFORM closet_search_recount(NEW.owner_id, ok, ov, nk, nv);
        IF TG_OP = 'INSERT'
           OR (OLD.name, OLD.brand, OLD.tags) IS DISTINCT FROM (NEW.name, NEW.brand, NEW.tags) THEN
            PERFORM closet_search_add_words(NEW.owner_id, concat_ws(' ', NEW.name, NEW.brand, tags));
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION closet_search_outfit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' AND NOT OLD.is_template THEN
            PERFORM closet_search_recount(OLD.owner_id, '{name}', ARRAY[OLD.name], '{}', '{}');
        END IF;
        IF TG_OP = 'DELETE' OR NEW.is_template THEN
            DELETE FROM search_documents WHERE kind = 'outfit' AND doc_id = OLD.id;
            RETURN NULL;
        END IF;
        PERFORM closet_search_put('outfit', NEW.id, NEW.owner_id, NEW.name, false, NEW.name, '', '', '');
        PERFORM closet_search_recount(NEW.owner_id, '{}', '{}', '{name}', ARRAY[NEW.name]);
        PERFORM closet_search_add_words(NEW.owner_id, NEW.name);
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER search_items_write AFTER INSERT OR DELETE ON items"
    " FOR EACH ROW EXECUTE FUNCTION closet_search_item()",
    """CREATE TRIGGER search_items_change AFTER UPDATE ON items FOR EACH ROW
    WHEN ((OLD.name, OLD.brand, OLD.category, OLD.tags, OLD.colors, OLD.materials, OLD.search_text,
           OLD.status)
          IS DISTINCT FROM
          (NEW.name, NEW.brand, NEW.category, NEW.tags, NEW.colors, NEW.materials, NEW.search_text,
           NEW.status))
    EXECUTE FUNCTION closet_search_item()""",
    "CREATE TRIGGER search_outfits_write AFTER INSERT OR DELETE ON outfits"
    " FOR EACH ROW EXECUTE FUNCTION closet_search_outfit()",
    """CREATE TRIGGER search_outfits_change AFTER UPDATE ON outfits FOR EACH ROW
    WHEN ((OLD.name, OLD.is_template) IS DISTINCT FROM (NEW.name, NEW.is_template))
    EXECUTE FUNCTION closet_search_outfit()""",
    # The rows already there, set-wise. The triggers exist (and hold their tables' locks)
    # first, so no write slips between the backfill and them.
    """CREATE TEMPORARY TABLE search_backfill ON COMMIT DROP AS
    SELECT i.id, i.owner_id, i.name, i.brand, i.category, i.tags, i.colors, i.materials, i.status,
           i.search_text, array_to_string(ARRAY(SELECT jsonb_array_elements_text(i.tags)), E'\\n') AS tag_text
    FROM items AS i""",
    """INSERT INTO search_documents
        (kind, doc_id, owner_id, title, archived, name, brand, tags, body, document)
    SELECT 'item', i.id, i.owner_id, i.name, i.status = 'archived', s.name, s.brand, s.tags, s.body,
           closet_search_vector(s.name, s.brand, s.tags, s.body)
    FROM search_backfill AS i, LATERAL (
        SELECT translate(i.name, '''’', '') AS name, translate(coalesce(i.brand, ''), '''’', '') AS brand,
               translate(i.tag_text, '''’', '') AS tags, translate(i.search_text, '''’', '') AS body) AS s
    ORDER BY i.owner_id""",
    """INSERT INTO search_documents
        (kind, doc_id, owner_id, title, archived, name, brand, tags, body, document)
    SELECT 'outfit', o.id, o.owner_id, o.name, false, translate(o.name, '''’', ''), '', '', '',
           closet_search_vector(translate(o.name, '''’', ''), '', '', '')
    FROM outfits AS o WHERE NOT o.is_template ORDER BY o.owner_id""",
    """INSERT INTO search_vocabulary (owner_id, kind, value, key, n)
    SELECT owner_id, kind, value, ' ' || array_to_string(closet_search_words(value), ' '), count(*)
    FROM (
        SELECT DISTINCT i.id, i.owner_id, v.kind, v.value
        FROM search_backfill AS i,
             closet_search_item_values(i.name, i.brand, i.category, i.tags, i.colors, i.materials) AS a,
             unnest(a.kinds, a.vals) AS v(kind, value)
        UNION ALL
        SELECT o.id, o.owner_id, 'name', o.name FROM outfits AS o WHERE NOT o.is_template
    ) AS everything
    GROUP BY owner_id, kind, value
    ORDER BY owner_id, kind, value""",
    """INSERT INTO search_vocabulary (owner_id, kind, value, key, n)
    SELECT DISTINCT t.owner_id, 'word', w, ' ' || w, 1
    FROM (SELECT owner_id, concat_ws(' ', name, brand, tag_text) AS text FROM search_backfill
          UNION ALL SELECT owner_id, name FROM outfits WHERE NOT is_template) AS t,
         unnest(closet_search_words(t.text)) AS w
    WHERE length(w) <= 120
    ORDER BY 1, 3""",
]


def _upgrade_postgres() -> None:
    icu = op.get_bind().exec_driver_sql("SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'").first()
    collation = '"und-x-icu"' if icu else '"default"'
    for statement in _PG_SQL:
        op.execute(statement.replace("{collation}", collation))


# --- SQLite ----------------------------------------------------------------------------------

_SQLITE_TRIGGERS = (
    "search_documents_insert",
    "search_documents_delete",
    "search_documents_update",
    "search_items_insert",
    "search_items_delete",
    "search_items_update",
    "search_outfits_insert",
    "search_outfits_delete",
    "search_outfits_update",
)


def _strip(expression: str) -> str:
    return f"replace(replace({expression}, '''', ''), '’', '')"


def _item_values(row: str) -> str:
    """(kind, value, key) of what an item offers autocomplete; the key is case-folded."""
    return f"""
        SELECT 'name' AS kind, {row}.name AS value, {_strip(f"{row}.name_key")} AS key
        UNION SELECT 'brand', {row}.brand, {_strip(f"{row}.brand_key")} WHERE {row}.brand IS NOT NULL
        UNION SELECT 'category', {row}.category, {row}.category
        UNION SELECT 'tag', j.value, {_strip("j.value")} FROM json_each({row}.tags) AS j
        UNION SELECT 'color', json_extract(j.value, '$.name'), json_extract(j.value, '$.name')
              FROM json_each({row}.colors) AS j
        UNION SELECT 'material', json_extract(j.value, '$.fibre'), json_extract(j.value, '$.fibre')
              FROM json_each({row}.materials) AS j"""


def _outfit_values(row: str) -> str:
    return f"SELECT 'name' AS kind, {row}.name AS value, {_strip(f'lower({row}.name)')} AS key"


def _count_up(owner: str, values: str) -> str:
    return f"""INSERT INTO search_vocabulary (owner_id, kind, value, key, n)
        SELECT {owner}, kind, value, key, 1 FROM ({values}) WHERE true
        ON CONFLICT (owner_id, kind, value) DO UPDATE SET n = n + 1;"""


def _count_down(owner: str, values: str) -> str:
    return f"""UPDATE search_vocabulary SET n = n - 1
        WHERE owner_id = {owner} AND (kind, value) IN (SELECT kind, value FROM ({values}));
        DELETE FROM search_vocabulary WHERE owner_id = {owner} AND n <= 0;"""


def _item_fields(row: str) -> dict[str, str]:
    """search_documents' columns for an item row, as SQL expressions."""
    tags = f"(SELECT group_concat(j.value, char(10)) FROM json_each({row}.tags) AS j)"
    return {
        "title": f"{row}.name",
        "archived": f"({row}.status = 'archived')",
        "name": _strip(f"{row}.name"),
        "brand": _strip(f"coalesce({row}.brand, '')"),
        "tags": _strip(f"coalesce({tags}, '')"),
        "body": _strip(f"{row}.search_text"),
    }


def _item_document(row: str) -> str:
    return ", ".join(_item_fields(row).values())


def _changes(then: str, now: str) -> str:
    """What ``then`` offers autocomplete and ``now`` does not."""
    return f"SELECT * FROM ({_item_values(then)}) EXCEPT SELECT * FROM ({_item_values(now)})"


def _fts(row: str, *, delete: bool) -> str:
    if delete:
        return (
            "INSERT INTO search_fts (search_fts, rowid, name, brand, tags, body) "
            f"VALUES ('delete', {row}.id, {row}.name, {row}.brand, {row}.tags, {row}.body);"
        )
    return (
        "INSERT INTO search_fts (rowid, name, brand, tags, body) "
        f"VALUES ({row}.id, {row}.name, {row}.brand, {row}.tags, {row}.body);"
    )


_DOCUMENT_COLUMNS = "(kind, doc_id, owner_id, title, archived, name, brand, tags, body)"
_ITEM_CHANGED = " OR ".join(
    f"old.{c} IS NOT new.{c}"
    for c in ("name", "brand", "category", "tags", "colors", "materials", "search_text", "status")
)
_SQLITE_SQL = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(name, brand, tags, body, content='search_documents',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='2 3')",
    "CREATE VIRTUAL TABLE search_fts_terms USING fts5vocab(search_fts, col)",
    f"""CREATE TRIGGER search_documents_insert AFTER INSERT ON search_documents
    BEGIN {_fts("new", delete=False)} END""",
    f"""CREATE TRIGGER search_documents_delete AFTER DELETE ON search_documents
    BEGIN {_fts("old", delete=True)} END""",
    f"""CREATE TRIGGER search_documents_update AFTER UPDATE ON search_documents
    WHEN old.name IS NOT new.name OR old.brand IS NOT new.brand OR old.tags IS NOT new.tags
      OR old.body IS NOT new.body
    BEGIN {_fts("old", delete=True)} {_fts("new", delete=False)} END""",
    f"""CREATE TRIGGER search_items_insert AFTER INSERT ON items BEGIN
        INSERT INTO search_documents {_DOCUMENT_COLUMNS}
        VALUES ('item', new.id, new.owner_id, {_item_document("new")});
        {_count_up("new.owner_id", _item_values("new"))}
    END""",
    f"""CREATE TRIGGER search_items_delete AFTER DELETE ON items BEGIN
        DELETE FROM search_documents WHERE kind = 'item' AND doc_id = old.id;
        {_count_down("old.owner_id", _item_values("old"))}
    END""",
    f"""CREATE TRIGGER search_items_update AFTER UPDATE ON items WHEN {_ITEM_CHANGED} BEGIN
        UPDATE search_documents SET {", ".join(f"{c} = {e}" for c, e in _item_fields("new").items())}
        WHERE kind = 'item' AND doc_id = new.id;
        {_count_down("old.owner_id", _changes("old", "new"))}
        {_count_up("new.owner_id", _changes("new", "old"))}
    END""",
    f"""CREATE TRIGGER search_outfits_insert AFTER INSERT ON outfits WHEN NOT new.is_template BEGIN
        INSERT INTO search_documents {_DOCUMENT_COLUMNS}
        VALUES ('outfit', new.id, new.owner_id, new.name, 0, {_strip("new.name")}, '', '', '');
        {_count_up("new.owner_id", _outfit_values("new"))}
    END""",
    f"""CREATE TRIGGER search_outfits_delete AFTER DELETE ON outfits WHEN NOT old.is_template BEGIN
        DELETE FROM search_documents WHERE kind = 'outfit' AND doc_id = old.id;
        {_count_down("old.owner_id", _outfit_values("old"))}
    END""",
    f"""CREATE TRIGGER search_outfits_update AFTER UPDATE ON outfits
    WHEN old.name IS NOT new.name OR old.is_template IS NOT new.is_template
    BEGIN
        DELETE FROM search_documents WHERE kind = 'outfit' AND doc_id = old.id;
        {_count_down("old.owner_id", _outfit_values("old") + " WHERE NOT old.is_template")}
        INSERT INTO search_documents {_DOCUMENT_COLUMNS}
        SELECT 'outfit', new.id, new.owner_id, new.name, 0, {_strip("new.name")}, '', '', ''
        WHERE NOT new.is_template;
        {_count_up("new.owner_id", _outfit_values("new") + " WHERE NOT new.is_template")}
    END""",
    # The rows already there (the triggers on search_documents fill the FTS index).
    f"""INSERT INTO search_documents {_DOCUMENT_COLUMNS}
    SELECT 'item', i.id, i.owner_id, {_item_document("i")} FROM items AS i ORDER BY i.owner_id""",
    f"""INSERT INTO search_documents {_DOCUMENT_COLUMNS}
    SELECT 'outfit', o.id, o.owner_id, o.name, 0, {_strip("o.name")}, '', '', ''
    FROM outfits AS o WHERE NOT o.is_template ORDER BY o.owner_id""",
    # Per item, each value once (count(DISTINCT doc)); SQLite has no lateral subqueries, so
    # one SELECT per kind of value.
    f"""INSERT INTO search_vocabulary (owner_id, kind, value, key, n)
    SELECT owner_id, kind, value, min(key), count(DISTINCT doc) FROM (
        SELECT id AS doc, owner_id, 'name' AS kind, name AS value, {_strip("name_key")} AS key FROM items
        UNION ALL SELECT id, owner_id, 'brand', brand, {_strip("brand_key")} FROM items
            WHERE brand IS NOT NULL
        UNION ALL SELECT id, owner_id, 'category', category, category FROM items
        UNION ALL SELECT i.id, i.owner_id, 'tag', j.value, {_strip("j.value")}
            FROM items AS i, json_each(i.tags) AS j
        UNION ALL SELECT i.id, i.owner_id, 'color', json_extract(j.value, '$.name'),
            json_extract(j.value, '$.name') FROM items AS i, json_each(i.colors) AS j
        UNION ALL SELECT i.id, i.owner_id, 'material', json_extract(j.value, '$.fibre'),
            json_extract(j.value, '$.fibre') FROM items AS i, json_each(i.materials) AS j
        UNION ALL SELECT id, owner_id, 'name', name, {_strip("lower(name)")} FROM outfits
            WHERE NOT is_template
    ) GROUP BY owner_id, kind, value""",
]


def _upgrade_sqlite() -> None:
    for statement in _SQLITE_SQL:
        op.execute(statement)
