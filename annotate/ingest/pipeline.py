"""How an import stays atomic while showing progress, on SQLite and PostgreSQL alike.

SQLite has one writer, so an import that held one write transaction for its
whole length would block every expert's submit behind it and could not commit
progress for the progress page. So an import runs in three steps:

1. ``start_batch``: the batch row is committed as ``running`` with the worker
   (``host:pid``) and a heartbeat.
2. ``Staging.add``: validated rows go into a TEMPORARY table on the import's own
   connection. Temporary tables live outside the database file (SQLite) or the
   WAL (PostgreSQL), so staging takes no write lock and costs little; after each
   chunk a short write transaction commits the batch's progress and heartbeat.
   ``items`` is untouched, so no expert can see or be assigned half an import.
3. ``Staging.finish``: one short write transaction moves the staged rows into
   ``items`` (``INSERT … SELECT``, skipping external ids the project already has
   through the unique index, so it costs the same in a project of 500k items as
   in an empty one) and marks the batch complete.

Any failure before the final commit leaves ``items`` as it was, and a killed
process takes its temporary table with it: the database drops it with the
connection. What a SIGKILL cannot do is mark the batch, so ``reap_interrupted``
(run before every import and whenever an import's progress is looked at) marks
a running batch whose worker is gone (same host, dead pid) or silent (no
heartbeat for ``STALE_AFTER``) as interrupted. The final step re-checks, under
the write lock, that its batch was not reaped meanwhile.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Insert,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from annotate.db import WRITE_OPTION, UTCDateTime, begin_write, table_of, utcnow
from annotate.ingest.errors import ImportFailed
from annotate.models import Batch, BatchStatus, Item
from annotate.projects import counters

STALE_AFTER = timedelta(seconds=90)
INTERRUPTED = (
    "the import stopped before it finished (the process was killed or the machine restarted); nothing from it was kept"
)
MAX_SKIPPED_KEPT = 1000
HOST = socket.gethostname()


def worker_id() -> str:
    """This process, as recorded on the batches it runs."""
    return f"{HOST}:{os.getpid()}"


def _worker_gone(worker: str | None) -> bool:
    host, _, pid = (worker or "").rpartition(":")
    if host != HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


STAGED = "annotate_staged_items"
STAGED_COLUMNS = ("seq", "external_id", "content_hash", "prompt", "responses", "metadata", "suggestion", "gold")


def _staged_table() -> Table:
    # JSON travels as text already serialised by orjson: no per-value type processing.
    # No unique index: duplicates (within the source or already in the project) are
    # dropped by the project's own unique index when the rows move into ``items``.
    return Table(
        STAGED,
        MetaData(),
        Column("seq", Integer, primary_key=True, autoincrement=False),
        Column("external_id", String(255), nullable=False),
        Column("content_hash", String(64), nullable=False),
        # PostgreSQL parses JSON as it is staged (on the writer thread, not in the final move).
        *(Column(name, Text().with_variant(JSON(), "postgresql")) for name in STAGED_COLUMNS[3:]),
        prefixes=["TEMPORARY"],
    )


class Staging:
    """The rows of one running import, on a connection of their own (see module docstring)."""

    def __init__(self, engine: Engine, batch_id: int, project_id: int):
        self.batch_id = batch_id
        self.project_id = project_id
        self.conn: Connection = engine.connect()
        self.dialect = self.conn.dialect.name
        self.table = _staged_table()
        if self.dialect == "sqlite":
            # Room for the index pages the final INSERT … SELECT touches (this connection only).
            self.conn.exec_driver_sql("PRAGMA cache_size = -65536")
            # The temporary database is made with the staging table: 8 KB pages, as for
            # the main file (annotate.db), so 2-3 KB rows do not waste half a page each.
            self.conn.exec_driver_sql("PRAGMA temp.page_size = 8192")
        self.table.drop(self.conn, checkfirst=True)  # a pooled connection may carry one from a crash
        self.table.create(self.conn)
        self.conn.commit()
        # Rows are tuples in STAGED_COLUMNS order, handed to the driver's executemany as
        # they are: SQLAlchemy's per-row parameter processing cost more than the insert.
        marker = "%s" if self.conn.dialect.paramstyle in ("format", "pyformat") else "?"
        self._copy_sql = f"COPY {STAGED} ({', '.join(STAGED_COLUMNS)}) FROM STDIN"
        self._insert_sql = (
            f"INSERT INTO {STAGED} ({', '.join(STAGED_COLUMNS)}) VALUES ({', '.join([marker] * len(STAGED_COLUMNS))})"
        )

    def add(self, rows: list[tuple[Any, ...]]) -> None:
        """Stage rows (tuples in ``STAGED_COLUMNS`` order, JSON as text); takes no lock on the database file.

        Called from the import's writer thread while the next chunk is read and checked.
        """
        if not rows:
            return
        if not self.conn.in_transaction():
            self.conn.begin()
        if self.dialect == "postgresql":
            # COPY streams the rows in one round trip; executemany cost twice as much.
            cursor: Any = self.conn.connection.cursor()  # psycopg's cursor: a context manager with copy()
            with cursor, cursor.copy(self._copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            self.conn.exec_driver_sql(self._insert_sql, rows)
        self.conn.commit()

    def _json(self, column: Any) -> Any:
        return type_coerce(column, JSON)

    def finish(self, valid: int, values: dict[str, Any]) -> tuple[int, int]:
        """Move the staged rows into ``items`` in one transaction; return (new, duplicate)."""
        conn = self.conn.execution_options(**{WRITE_OPTION: True})
        now = utcnow()
        claimed = conn.execute(
            update(table_of(Batch))
            .where(Batch.__table__.c.id == self.batch_id, Batch.__table__.c.status == BatchStatus.RUNNING)
            .values(heartbeat_at=now)
        ).rowcount
        if claimed != 1:
            conn.rollback()
            raise ImportFailed(values.get("source", "import"), None, INTERRUPTED)
        t = self.table.c
        items = table_of(Item)
        source = select(
            literal(self.project_id),
            literal(self.batch_id),
            t.external_id,
            t.content_hash,
            *(self._json(t[name]) for name in ("prompt", "responses", "metadata", "suggestion", "gold")),
            literal(0),
            literal(0),
            literal(now, UTCDateTime()),
        ).order_by(t.seq)
        columns = [
            "project_id",
            "batch_id",
            "external_id",
            "content_hash",
            "prompt",
            "responses",
            "metadata",
            "suggestion",
            "gold",
            "priority",
            "assigned_count",
            "created_at",
        ]
        # A row whose external id the project already has (or that repeats within the
        # source, or that another import committed meanwhile) is skipped by the unique
        # index on (project_id, external_id): one index probe per row, as cheap in a
        # project of 500k items as in an empty one. The first occurrence wins, in
        # source order. The SELECT must not read ``items``: SQLite would then copy the
        # whole result to a temporary table first.
        statement: Insert
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            statement = (
                pg_insert(items)
                .from_select(columns, source)
                .on_conflict_do_nothing(index_elements=["project_id", "external_id"])
            )
        else:
            statement = insert(items).prefix_with("OR IGNORE").from_select(columns, source)
        conn.execute(statement)
        # Counted, not taken from rowcount: psycopg reports -1 for INSERT … SELECT here.
        new = conn.scalar(select(func.count()).select_from(items).where(items.c.batch_id == self.batch_id)) or 0
        counters.add(conn, self.project_id, {"items": new})  # the progress page's item count, in this transaction
        duplicate = valid - new
        conn.execute(
            update(table_of(Batch))
            .where(Batch.__table__.c.id == self.batch_id)
            .values(
                status=BatchStatus.COMPLETE,
                rows_new=new,
                rows_duplicate=duplicate,
                progress=1.0,
                finished_at=now,
                worker=None,
                **{k: v for k, v in values.items() if k != "source"},
            )
        )
        conn.commit()
        return new, duplicate

    def close(self) -> None:
        """Discard the connection, and with it the temporary table.

        Dropping a large temporary table costs as much as writing it; closing the
        connection for good (rather than returning it to the pool) frees it at once.
        """
        try:
            self.conn.rollback()
        finally:
            self.conn.invalidate()
            self.conn.close()


def progress(session: Session, batch_id: int, values: dict[str, Any]) -> None:
    """Commit the batch's progress and heartbeat in one short write transaction."""
    begin_write(session)
    session.execute(
        update(Batch)
        .where(Batch.id == batch_id)
        .values(heartbeat_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def fail(
    session: Session,
    batch_id: int,
    error: str,
    status: BatchStatus = BatchStatus.FAILED,
    values: dict[str, Any] | None = None,
) -> None:
    """Record why the batch stopped (``items`` was never touched)."""
    session.rollback()
    begin_write(session)
    session.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == BatchStatus.RUNNING)
        .values(status=status, error=error[:4000], finished_at=utcnow(), worker=None, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    session.commit()


def interrupted_batches(session: Session, project_id: int | None = None) -> set[int]:
    """Ids of running batches whose process is gone (read only: pages show them as interrupted,
    ``reap_interrupted`` records it)."""
    query = select(Batch.id, Batch.worker, Batch.heartbeat_at).where(Batch.status == BatchStatus.RUNNING)
    if project_id is not None:
        query = query.where(Batch.project_id == project_id)
    stale_before = utcnow() - STALE_AFTER
    return {
        batch_id
        for batch_id, worker, heartbeat in session.execute(query)
        if _worker_gone(worker) or heartbeat is None or heartbeat < stale_before
    }


def reap_interrupted(session: Session, project_id: int | None = None) -> int:
    """Mark running batches whose process is gone as interrupted; return how many.

    Commits its own short transaction, so call it outside a unit of work (never from a GET).
    """
    dead = sorted(interrupted_batches(session, project_id))
    session.rollback()
    for batch_id in dead:
        fail(session, batch_id, INTERRUPTED, BatchStatus.INTERRUPTED)
    return len(dead)
