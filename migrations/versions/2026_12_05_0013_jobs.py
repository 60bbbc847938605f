"""jobs: background work on the task queue, as the app records it; a queued state for batches
(and an index to find a project's batches that are not complete, which the import keeps invisible)

Search indexes are written after an import, not with each row (``annotate.browse.index``):
they cost more per row than the row itself, and kept the import at 4x (SQLite) and 37x
(PostgreSQL) its bare floor.

SQLite: no insert trigger on ``items`` for the FTS5 index of migration 0011 any more (three
``json_tree`` scans, and a trigger program even when it does nothing); the delete and
update triggers now act only on rows that are indexed.

PostgreSQL: the expression index ``ix_items_search`` (``json_to_tsvector`` per inserted row,
inside the import's COPY) becomes a table ``item_search`` (item id, the same tsvector) with
a GIN index, filled for a batch once it is complete; a deleted item takes its row along.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


PG_DOCUMENT = (
    "to_tsvector('english', external_id)"
    " || json_to_tsvector('english', prompt, '[\"string\"]')"
    " || json_to_tsvector('english', responses, '[\"string\"]')"
    " || json_to_tsvector('english', metadata, '[\"string\"]')"
)


def _sqlite_document(row: str) -> str:
    """The text FTS5 indexes for a row, as migration 0011 computes it."""
    parts = [f"{row}.external_id"] + [
        f"coalesce((SELECT group_concat(value, ' ') FROM json_tree({row}.{column}) WHERE type = 'text'), '')"
        for column in ("prompt", "responses", "metadata")
    ]
    return " || ' ' || ".join(parts)


def _triggers(indexed_only: bool) -> list[str]:
    """The delete and update triggers of migration 0011, for indexed rows only (``indexed_only``) or all."""
    when = "WHEN EXISTS (SELECT 1 FROM items_fts_docsize d WHERE d.id = old.id) " if indexed_only else ""
    delete = f"INSERT INTO items_fts (items_fts, rowid, body) VALUES ('delete', old.id, {_sqlite_document('old')}); "
    insert = f"INSERT INTO items_fts (rowid, body) VALUES (new.id, {_sqlite_document('new')}); "
    return [
        f"CREATE TRIGGER items_fts_delete AFTER DELETE ON items {when}BEGIN {delete}END",
        (
            "CREATE TRIGGER items_fts_update AFTER UPDATE OF external_id, prompt, responses, metadata ON items "
            f"{when}BEGIN {delete}{insert}END"
        ),
    ]


INSERT_TRIGGER = (
    "CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN "
    f"INSERT INTO items_fts (rowid, body) VALUES (new.id, {_sqlite_document('new')}); END"
)


OLD_STATES = "status IN ('running', 'complete', 'failed', 'interrupted')"
NEW_STATES = "status IN ('queued', 'running', 'complete', 'failed', 'interrupted')"


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "retrying",
                "failed",
                "done",
                name="job_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("worker", sa.String(length=255), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_jobs_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_kind_subject", ["kind", "subject_id"], unique=False)
        batch_op.create_index("ix_jobs_status", ["status"], unique=False)

    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.create_index("ix_batches_project_status", ["project_id", "status"], unique=False)
        batch_op.drop_constraint(op.f("ck_batches_batch_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_batches_batch_status"), sa.text(NEW_STATES))
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE item_search (item_id integer NOT NULL, document tsvector NOT NULL,"
            " CONSTRAINT pk_item_search PRIMARY KEY (item_id),"
            " CONSTRAINT fk_item_search_item_id_items FOREIGN KEY (item_id) REFERENCES items (id) ON DELETE CASCADE)"
        )
        op.execute(f"INSERT INTO item_search (item_id, document) SELECT id, {PG_DOCUMENT} FROM items")
        op.execute("CREATE INDEX ix_item_search_document ON item_search USING gin (document)")
        op.execute("DROP INDEX ix_items_search")
        # An edited item's document follows (the import's inserts are indexed after the batch).
        new_document = PG_DOCUMENT.replace("external_id", "NEW.external_id")
        for column in ("prompt", "responses", "metadata"):
            new_document = new_document.replace(f"'english', {column}", f"'english', NEW.{column}")
        op.execute(
            "CREATE FUNCTION item_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"UPDATE item_search SET document = {new_document} WHERE item_id = NEW.id; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER item_search_update AFTER UPDATE OF external_id, prompt, responses, metadata ON items"
            " FOR EACH ROW EXECUTE FUNCTION item_search_refresh()"
        )
    if op.get_context().dialect.name == "sqlite":
        for trigger in ("items_fts_insert", "items_fts_delete", "items_fts_update"):
            op.execute(f"DROP TRIGGER {trigger}")
        for create in _triggers(indexed_only=True):
            op.execute(create)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER item_search_update ON items")
        op.execute("DROP FUNCTION item_search_refresh()")
        op.execute(f"CREATE INDEX ix_items_search ON items USING gin (({PG_DOCUMENT}))")
        op.execute("DROP TABLE item_search")
    if op.get_context().dialect.name == "sqlite":
        for trigger in ("items_fts_delete", "items_fts_update"):
            op.execute(f"DROP TRIGGER {trigger}")
        for create in [*_triggers(indexed_only=False), INSERT_TRIGGER]:
            op.execute(create)
        # Rows imported since are indexed now, as the restored trigger would have.
        op.execute(
            f"INSERT INTO items_fts (rowid, body) SELECT items.id, {_sqlite_document('items')} FROM items"
            " WHERE NOT EXISTS (SELECT 1 FROM items_fts_docsize d WHERE d.id = items.id)"
        )
    # A queued import never started: it did not happen.
    op.execute("UPDATE batches SET status = 'failed', error = 'never started' WHERE status = 'queued'")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_batches_batch_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_batches_batch_status"), sa.text(OLD_STATES))
        batch_op.drop_index("ix_batches_project_status")

    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status")
        batch_op.drop_index("ix_jobs_kind_subject")

    op.drop_table("jobs")
