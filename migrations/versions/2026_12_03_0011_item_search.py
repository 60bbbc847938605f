"""items: full-text search over prompts, responses and metadata (the researcher's data browser);
(project_id, id) indexes on items and judgments for the browser's keyset lists

PostgreSQL: a GIN index on a tsvector expression over the string values of the item's
JSON columns and its external id (``json_to_tsvector``: keys such as "role" or "content"
are not words of the item). The expression must stay exactly the one in
``annotate.browse.search.PG_DOCUMENT``, or the planner cannot use the index.

SQLite: an FTS5 table ``items_fts`` (contentless: it stores the index, not a second copy
of the text) whose rowid is the item's id, kept in step with ``items`` by triggers, so every
writer (importer, API, bulk insert by hand) keeps it right without knowing about it. A
contentless table deletes a row by being told the words it held, which the triggers
recompute from the old row.

Neither is a model (the FTS table and its shadow tables, and an expression index, are not
things SQLAlchemy's metadata describes): ``annotate.schema.include_object`` leaves them out
of autogenerate's comparison.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PG_DOCUMENT = (
    "to_tsvector('english', external_id)"
    " || json_to_tsvector('english', prompt, '[\"string\"]')"
    " || json_to_tsvector('english', responses, '[\"string\"]')"
    " || json_to_tsvector('english', metadata, '[\"string\"]')"
)


def _sqlite_document(row: str) -> str:
    """The text FTS5 indexes for a row (``new`` or ``old`` in a trigger, ``items`` in the backfill)."""
    parts = [f"{row}.external_id"] + [
        f"coalesce((SELECT group_concat(value, ' ') FROM json_tree({row}.{column}) WHERE type = 'text'), '')"
        for column in ("prompt", "responses", "metadata")
    ]
    return " || ' ' || ".join(parts)


def upgrade() -> None:
    # The browser's lists in key order: without these, "WHERE project_id = ? ORDER BY id LIMIT n"
    # sorts every row of the project (SQLite picks another project_id index, then sorts).
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index("ix_items_project_id", ["project_id", "id"], unique=False)
    with op.batch_alter_table("judgments", schema=None) as batch_op:
        batch_op.create_index("ix_judgments_project_id", ["project_id", "id"], unique=False)
        batch_op.create_index("ix_judgments_project_review_id", ["project_id", "review_state", "id"], unique=False)
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_items_search ON items USING gin (({PG_DOCUMENT}))")
        return
    op.execute("CREATE VIRTUAL TABLE items_fts USING fts5(body, content='', tokenize='porter unicode61')")
    op.execute(f"INSERT INTO items_fts (rowid, body) SELECT items.id, {_sqlite_document('items')} FROM items")
    op.execute(
        "CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN "
        f"INSERT INTO items_fts (rowid, body) VALUES (new.id, {_sqlite_document('new')}); END"
    )
    op.execute(
        "CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN "
        f"INSERT INTO items_fts (items_fts, rowid, body) VALUES ('delete', old.id, {_sqlite_document('old')}); END"
    )
    # Only when searchable columns change: the assignment engine updates counts on every claim.
    op.execute(
        "CREATE TRIGGER items_fts_update AFTER UPDATE OF external_id, prompt, responses, metadata ON items BEGIN "
        f"INSERT INTO items_fts (items_fts, rowid, body) VALUES ('delete', old.id, {_sqlite_document('old')}); "
        f"INSERT INTO items_fts (rowid, body) VALUES (new.id, {_sqlite_document('new')}); END"
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_items_search")
    else:
        for trigger in ("items_fts_insert", "items_fts_delete", "items_fts_update"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE items_fts")
    with op.batch_alter_table("judgments", schema=None) as batch_op:
        batch_op.drop_index("ix_judgments_project_review_id")
        batch_op.drop_index("ix_judgments_project_id")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_project_id")
