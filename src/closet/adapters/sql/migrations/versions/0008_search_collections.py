"""Search: collections join items and outfits in the search index and in autocomplete.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22

0007's recipe for a new kind, for collections: triggers on ``collections`` that keep one
``search_documents`` row per collection (kind "collection") and count its values in
``search_vocabulary``, and a backfill of the collections already there. The SQL search adapter
reads every kind alike, so it needs no change.

What is searched, from the domain's CollectionDetails:

- the name: the title, and the ``name`` field (weight 8), as for items and outfits;
- the tags, one per line, in the ``tags`` field (weight 2), as an item's tags;
- ``body``, all of its text: name, tags and the description (the description counts as notes,
  weight 1, no typos, like an item's notes);
- no brand (a collection has none); never archived (a collection cannot be).

Seasons are not text: an item's seasons are not searched either (they are a filter). Smart and
hand-made collections are searched alike (the rules and members are not text of the collection).

Autocomplete offers each collection's name (kind "name", as outfit names) and its tags (kind
"tag", counted together with the items' tags: a tag is "carried by" a collection too). On
Postgres the words of the name and the tags join the owner's "word" rows (typo tolerance in
names and tags); on SQLite the FTS5 vocabulary has them already.

Only a change of the name, description or tags touches the index: adding, removing or reordering
members changes the row's version, not what is searched, and the triggers skip it. A collection's
owner never changes (the repositories guarantee it), as 0007 assumes of items and outfits.

The downgrade drops the triggers and functions, deletes the collections' documents (the FTS5
triggers take them out of the index on SQLite) and takes their counts back off the vocabulary
(rows reaching 0 go). Postgres' "word" rows stay: 0007 keeps them as a set that is only ever added
to (a word no longer used costs a row and matches nothing), as after any delete.
"""

# The SQL below is assembled from constants of this file only (no input reaches it).
# ruff: noqa: S608

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    statements = _PG_SQL if op.get_bind().dialect.name == "postgresql" else _SQLITE_SQL
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    """The triggers first (no write is indexed after the counts are taken back), then the rows
    and counts, then (Postgres) the functions the counting used."""
    if op.get_bind().dialect.name == "postgresql":
        for trigger in _PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON collections")
        for statement in _PG_DOWN:
            op.execute(statement)
        for function in _PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
    else:
        for trigger in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for statement in _SQLITE_DOWN:
            op.execute(statement)


# --- Postgres --------------------------------------------------------------------------------

_PG_TRIGGERS = ("search_collections_write", "search_collections_change")
_PG_FUNCTIONS = (
    "closet_search_collection()",
    "closet_search_put_collection(uuid, uuid, text, jsonb, text)",
    "closet_search_collection_values(text, jsonb)",
)

_PG_SQL = [
    # (kind, value) of what a collection offers autocomplete, as two arrays.
    """CREATE FUNCTION closet_search_collection_values(
        p_name text, p_tags jsonb, OUT kinds text[], OUT vals text[])
    LANGUAGE plpgsql IMMUTABLE AS $$
    DECLARE
        tags text[] := ARRAY(SELECT jsonb_array_elements_text(p_tags));
    BEGIN
        kinds := ARRAY['name'] || array_fill('tag'::text, ARRAY[cardinality(tags)]);
        vals := ARRAY[p_name] || tags;
    END $$""",
    # Index (or re-index) one collection; the trigger and the backfill both write through it.
    """CREATE FUNCTION closet_search_put_collection(
        p_id uuid, p_owner uuid, p_name text, p_tags jsonb, p_description text) RETURNS void
    LANGUAGE plpgsql AS $$
    DECLARE
        tags text := array_to_string(ARRAY(SELECT jsonb_array_elements_text(p_tags)), E'\\n');
    BEGIN
        PERFORM closet_search_put('collection', p_id, p_owner, p_name, false, p_name, '', tags,
            concat_ws(E'\\n', p_name, nullif(tags, ''), p_description));
    END $$""",
    """CREATE FUNCTION closet_search_collection() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        ok text[] := '{}'; ov text[] := '{}'; nk text[] := '{}'; nv text[] := '{}';
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            SELECT kinds, vals INTO ok, ov FROM closet_search_collection_values(OLD.name, OLD.tags);
        END IF;
        IF TG_OP = 'DELETE' THEN
            DELETE FROM search_documents WHERE kind = 'collection' AND doc_id = OLD.id;
            PERFORM closet_search_recount(OLD.owner_id, ok, ov, '{}', '{}');
            RETURN NULL;
        END IF;
        SELECT kinds, vals INTO nk, nv FROM closet_search_collection_values(NEW.name, NEW.tags);
        PERFORM closet_search_put_collection(NEW.id, NEW.owner_id, NEW.name, NEW.tags, NEW.description);
        PERFORM closet_search_recount(NEW.owner_id, ok, ov, nk, nv);
        IF TG_OP = 'INSERT' OR (OLD.name, OLD.tags) IS DISTINCT FROM (NEW.name, NEW.tags) THEN
            PERFORM closet_search_add_words(NEW.owner_id, array_to_string(nv, ' '));
        END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER search_collections_write AFTER INSERT OR DELETE ON collections"
    " FOR EACH ROW EXECUTE FUNCTION closet_search_collection()",
    """CREATE TRIGGER search_collections_change AFTER UPDATE ON collections FOR EACH ROW
    WHEN ((OLD.name, OLD.description, OLD.tags) IS DISTINCT FROM (NEW.name, NEW.description, NEW.tags))
    EXECUTE FUNCTION closet_search_collection()""",
    # The rows already there (the triggers exist first, so no write slips between).
    """SELECT closet_search_put_collection(c.id, c.owner_id, c.name, c.tags, c.description)
    FROM collections AS c ORDER BY c.owner_id, c.id""",
    # Added to the items' and outfits' counts, in (owner, kind, value) order.
    """INSERT INTO search_vocabulary AS v (owner_id, kind, value, key, n)
    SELECT owner_id, kind, value, ' ' || array_to_string(closet_search_words(value), ' '), count(*)
    FROM (
        SELECT DISTINCT c.id, c.owner_id, u.kind, u.value
        FROM collections AS c,
             closet_search_collection_values(c.name, c.tags) AS a,
             unnest(a.kinds, a.vals) AS u(kind, value)
    ) AS everything
    GROUP BY owner_id, kind, value
    ORDER BY owner_id, kind, value
    ON CONFLICT (owner_id, kind, value) DO UPDATE SET n = v.n + excluded.n""",
    """INSERT INTO search_vocabulary (owner_id, kind, value, key, n)
    SELECT DISTINCT c.owner_id, 'word', w, ' ' || w, 1
    FROM collections AS c,
         closet_search_collection_values(c.name, c.tags) AS a,
         unnest(closet_search_words(array_to_string(a.vals, ' '))) AS w
    WHERE length(w) <= 120
    ORDER BY 1, 3
    ON CONFLICT DO NOTHING""",
]

_PG_DOWN = [
    "DELETE FROM search_documents WHERE kind = 'collection'",
    """UPDATE search_vocabulary AS v SET n = v.n - c.uses
    FROM (
        SELECT owner_id, kind, value, count(DISTINCT id) AS uses
        FROM (
            SELECT c.id, c.owner_id, u.kind, u.value
            FROM collections AS c,
                 closet_search_collection_values(c.name, c.tags) AS a,
                 unnest(a.kinds, a.vals) AS u(kind, value)
        ) AS everything
        GROUP BY owner_id, kind, value
    ) AS c
    WHERE v.owner_id = c.owner_id AND v.kind = c.kind AND v.value = c.value""",
    "DELETE FROM search_vocabulary WHERE n <= 0",
]


# --- SQLite ----------------------------------------------------------------------------------

_SQLITE_TRIGGERS = ("search_collections_insert", "search_collections_delete", "search_collections_update")
_DOCUMENT_COLUMNS = "(kind, doc_id, owner_id, title, archived, name, brand, tags, body)"


def _strip(expression: str) -> str:
    return f"replace(replace({expression}, '''', ''), '’', '')"


def _collection_values(row: str) -> str:
    """(kind, value, key) of what a collection offers autocomplete; the key is case-folded (the
    name by the application, in name_key; tags are stored case-folded)."""
    return f"""
        SELECT 'name' AS kind, {row}.name AS value, {_strip(f"{row}.name_key")} AS key
        UNION SELECT 'tag', j.value, {_strip("j.value")} FROM json_each({row}.tags) AS j"""


def _collection_fields(row: str) -> dict[str, str]:
    """search_documents' columns for a collection row, as SQL expressions."""
    tags = f"(SELECT group_concat(j.value, char(10)) FROM json_each({row}.tags) AS j)"
    body = f"{row}.name || coalesce(char(10) || {tags}, '') || coalesce(char(10) || {row}.description, '')"
    return {
        "title": f"{row}.name",
        "archived": "0",
        "name": _strip(f"{row}.name"),
        "brand": "''",
        "tags": _strip(f"coalesce({tags}, '')"),
        "body": _strip(body),
    }


def _collection_document(row: str) -> str:
    return ", ".join(_collection_fields(row).values())


def _count_up(owner: str, values: str) -> str:
    return f"""INSERT INTO search_vocabulary (owner_id, kind, value, key, n)
        SELECT {owner}, kind, value, key, 1 FROM ({values}) WHERE true
        ON CONFLICT (owner_id, kind, value) DO UPDATE SET n = n + 1;"""


def _count_down(owner: str, values: str) -> str:
    return f"""UPDATE search_vocabulary SET n = n - 1
        WHERE owner_id = {owner} AND (kind, value) IN (SELECT kind, value FROM ({values}));
        DELETE FROM search_vocabulary WHERE owner_id = {owner} AND n <= 0;"""


def _changes(then: str, now: str) -> str:
    """What ``then`` offers autocomplete and ``now`` does not."""
    return f"SELECT * FROM ({_collection_values(then)}) EXCEPT SELECT * FROM ({_collection_values(now)})"


# Per collection, each value once (count(DISTINCT doc)).
_EVERY_COLLECTION_VALUE = f"""
    SELECT id AS doc, owner_id, 'name' AS kind, name AS value, {_strip("name_key")} AS key FROM collections
    UNION ALL SELECT c.id, c.owner_id, 'tag', j.value, {_strip("j.value")}
        FROM collections AS c, json_each(c.tags) AS j"""

_SQLITE_SQL = [
    f"""CREATE TRIGGER search_collections_insert AFTER INSERT ON collections BEGIN
        INSERT INTO search_documents {_DOCUMENT_COLUMNS}
        VALUES ('collection', new.id, new.owner_id, {_collection_document("new")});
        {_count_up("new.owner_id", _collection_values("new"))}
    END""",
    f"""CREATE TRIGGER search_collections_delete AFTER DELETE ON collections BEGIN
        DELETE FROM search_documents WHERE kind = 'collection' AND doc_id = old.id;
        {_count_down("old.owner_id", _collection_values("old"))}
    END""",
    f"""CREATE TRIGGER search_collections_update AFTER UPDATE ON collections
    WHEN old.name IS NOT new.name OR old.description IS NOT new.description OR old.tags IS NOT new.tags
    BEGIN
        UPDATE search_documents
        SET {", ".join(f"{c} = {e}" for c, e in _collection_fields("new").items())}
        WHERE kind = 'collection' AND doc_id = new.id;
        {_count_down("old.owner_id", _changes("old", "new"))}
        {_count_up("new.owner_id", _changes("new", "old"))}
    END""",
    # The rows already there (the triggers on search_documents fill the FTS index), and their
    # values added to the items' and outfits' counts.
    f"""INSERT INTO search_documents {_DOCUMENT_COLUMNS}
    SELECT 'collection', c.id, c.owner_id, {_collection_document("c")} FROM collections AS c
    ORDER BY c.owner_id""",
    f"""INSERT INTO search_vocabulary (owner_id, kind, value, key, n)
    SELECT * FROM (
        SELECT owner_id, kind, value, min(key), count(DISTINCT doc) FROM ({_EVERY_COLLECTION_VALUE})
        GROUP BY owner_id, kind, value
    ) WHERE true
    ON CONFLICT (owner_id, kind, value) DO UPDATE SET n = n + excluded.n""",
]

_SQLITE_DOWN = [
    "DELETE FROM search_documents WHERE kind = 'collection'",
    f"""UPDATE search_vocabulary SET n = search_vocabulary.n - c.uses
    FROM (
        SELECT owner_id, kind, value, count(DISTINCT doc) AS uses FROM ({_EVERY_COLLECTION_VALUE})
        GROUP BY owner_id, kind, value
    ) AS c
    WHERE search_vocabulary.owner_id = c.owner_id AND search_vocabulary.kind = c.kind
      AND search_vocabulary.value = c.value""",
    "DELETE FROM search_vocabulary WHERE n <= 0",
]
