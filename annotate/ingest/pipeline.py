"""How an import writes each row once and stays atomic, on SQLite and PostgreSQL alike.

Rows go straight into ``items``, in committed chunks, under a batch that is invisible
until it completes:

1. ``open_batch``: the batch becomes the project's one running import (``running``, with
   its worker ``host:pid`` and a heartbeat). Imports of one project run one at a time: a
   second waits (or, as a job, is deferred) until the first is over, so a row that one
   import skips as a duplicate can never belong to an import that then fails.
2. ``ChunkWriter.add``: each chunk is one short write transaction that checks the batch is
   still running (and beats its heartbeat) and inserts the rows whose external ids the
   project does not have yet (looked up: one index probe each). SQLite: ``executemany``;
   PostgreSQL: ``COPY``. (SQLite's full-text index of the rows is written after the
   batch completes, by ``annotate.browse.index``: a trigger per row cost more than the row.)
   An expert's claim or submit waits at most for one chunk.
3. ``ChunkWriter.finish``: one short transaction marks the batch complete and adds its
   items to the project's counters. That is the moment every row becomes visible.

Until then the rows are invisible: claims, counts, exports and the data browser read only
items of complete batches (``annotate.models.item.visible``). Any failure leaves a batch
that is not complete, whose rows ``purge_abandoned`` deletes in chunks (the failed import
itself, the job's retry, the next import of the project, and the worker's sweep all call
it). A SIGKILL cannot mark the batch, so ``reap_interrupted`` marks a running batch whose
worker is gone (same host, dead pid) or silent (no heartbeat for ``STALE_AFTER``) as
interrupted; every chunk re-checks that its batch was not reaped meanwhile.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, exists, func, select, update
from sqlalchemy.orm import Session

from annotate import db
from annotate.db import WRITE_OPTION, begin_write, table_of, utcnow
from annotate.ingest.convert import ROW_COLUMNS
from annotate.ingest.errors import ImportFailed
from annotate.jobs.liveness import HOST, worker_gone, worker_id
from annotate.models import Batch, BatchStatus, Item, Project
from annotate.projects import counters

__all__ = ["HOST", "worker_id"]

STALE_AFTER = timedelta(seconds=90)
INTERRUPTED = (
    "the import stopped before it finished (the process was killed or the machine restarted); nothing from it was kept"
)
MAX_SKIPPED_KEPT = 1000
# Rows of an abandoned batch deleted per transaction (each one short, like an import's chunk).
PURGE_CHUNK = 2000
# How often a waiting import looks again whether the project's running import is over.
WAIT_POLL_SECONDS = 0.5

_ITEM_COLUMNS = ("project_id", "batch_id", *ROW_COLUMNS, "priority", "assigned_count", "judged_count", "created_at")
_SQLITE_HAD = "SELECT external_id FROM items WHERE project_id = ? AND external_id IN (SELECT value FROM json_each(?))"
_PG_HAD = (
    "SELECT i.external_id FROM unnest(%s::text[]) AS chunk(external_id)"
    " JOIN items i ON i.project_id = %s AND i.external_id = chunk.external_id"
)


class ProjectBusy(Exception):
    """Another import of the project is running (its batch id in ``batch_id``)."""

    def __init__(self, batch_id: int):
        super().__init__(f"waiting for import {batch_id} of this project to finish")
        self.batch_id = batch_id


def open_batch(session: Session, batch_id: int, project_id: int, *, wait: bool = True) -> None:
    """Make ``batch_id`` the project's running import, in this process.

    First the leftovers of imports that did not complete are cleared (a dead running batch
    is marked interrupted, rows of failed ones deleted); then, under the write lock (SQLite)
    or the project's row lock (PostgreSQL), the batch is marked running unless another
    import of the project is. Then it waits (``wait``) or raises ``ProjectBusy``.
    Commits its own transactions: call it with nothing pending in ``session``.
    """
    session.rollback()
    # An earlier attempt of this batch (a job's retry) is over: this process runs it now.
    _set_status(session, batch_id, BatchStatus.INTERRUPTED, INTERRUPTED)
    while True:
        reap_interrupted(session, project_id)
        purge_abandoned(session, project_id)
        begin_write(session)
        session.execute(select(Project.id).where(Project.id == project_id).with_for_update())
        running = session.scalar(
            select(Batch.id).where(
                Batch.project_id == project_id, Batch.status == BatchStatus.RUNNING, Batch.id != batch_id
            )
        )
        if running is None and not _has_leftovers(session, project_id):
            now = utcnow()
            session.execute(
                update(Batch)
                .where(Batch.id == batch_id)
                .values(
                    status=BatchStatus.RUNNING,
                    worker=worker_id(),
                    heartbeat_at=now,
                    error=None,
                    finished_at=None,
                    rows_read=0,
                    rows_new=0,
                    rows_duplicate=0,
                    rows_skipped=0,
                    skipped=[],
                    progress=0.0,
                )
                .execution_options(synchronize_session=False)
            )
            session.commit()
            return
        session.rollback()
        if running is not None and not wait:
            raise ProjectBusy(running)
        time.sleep(WAIT_POLL_SECONDS)


def _has_leftovers(session: Session, project_id: int) -> bool:
    dead = select(Batch.id).where(
        Batch.project_id == project_id, Batch.status.in_((BatchStatus.FAILED, BatchStatus.INTERRUPTED))
    )
    return bool(session.scalar(select(exists().where(Item.batch_id.in_(dead)))))


class ChunkWriter:
    """Writes the chunks of one running import into ``items``, on a connection of its own
    (its own transactions, whatever the importing session holds)."""

    def __init__(self, engine: Engine, batch_id: int, project_id: int, source: str):
        self.batch_id = batch_id
        self.project_id = project_id
        self.source = source
        self.new = 0
        conn = engine.connect()
        self.dialect = conn.dialect.name
        if self.dialect == "sqlite":
            # Room for the index pages the inserts touch (this connection only).
            conn.exec_driver_sql("PRAGMA cache_size = -65536")
            # No checkpoint inside a chunk's commit (it would run while this writer holds the
            # writers' queue): a thread of the import's own checkpoints after each commit.
            conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
            conn.commit()
        self.checkpoints = _Checkpoints(engine) if self.dialect == "sqlite" else None
        # Every transaction of this connection is a writer's (BEGIN IMMEDIATE, in the writers' queue).
        self.conn: Connection = conn.execution_options(**{WRITE_OPTION: True})
        names = ", ".join(_ITEM_COLUMNS)
        self._insert_sql = f"INSERT INTO items (id, {names}) VALUES ({', '.join(['?'] * (len(_ITEM_COLUMNS) + 1))})"
        self._copy_sql = f"COPY items ({names}) FROM STDIN"

    def _still_running(self, values: dict[str, Any]) -> None:
        """Beat the batch's heartbeat (and record ``values``) if it is still running; else the import is over."""
        claimed = self.conn.execute(
            update(table_of(Batch))
            .where(Batch.__table__.c.id == self.batch_id, Batch.__table__.c.status == BatchStatus.RUNNING)
            .values(heartbeat_at=utcnow(), **values)
        ).rowcount
        if claimed != 1:
            self.conn.rollback()
            raise ImportFailed(self.source, None, INTERRUPTED)

    def add(self, rows: list[tuple[Any, ...]], values: dict[str, Any]) -> None:
        """Write rows (tuples in ``ROW_COLUMNS`` order, JSON as text) and the batch's progress
        ``values`` in one transaction."""
        now = utcnow()
        if not self.conn.in_transaction():
            self.conn.begin()
        self._still_running(values)
        fresh = self._fresh(rows) if rows else []
        if fresh:
            if self.dialect == "postgresql":
                self._copy(fresh, now)
            else:
                self._insert(fresh, now)
        self.new += len(fresh)
        self.conn.commit()
        if self.checkpoints is not None:
            self.checkpoints.wake()

    def _fresh(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """The rows whose external ids the project does not have yet, nor an earlier row of the chunk.

        One index probe per row. Nothing can slip in between this and the insert: one import of
        a project runs at a time, and on SQLite the chunk's transaction holds the write lock."""
        first: dict[str, tuple[Any, ...]] = {}
        for row in rows:
            first.setdefault(row[0], row)
        if self.dialect == "postgresql":
            # A join to the ids as an array: one index probe each. (With ``IN (…1000 ids…)`` the
            # planner chose a scan of the project's items for every chunk: quadratic.)
            cursor: Any = self.conn.connection.cursor()
            with cursor:
                cursor.execute(_PG_HAD, (list(first), self.project_id))
                had = {external_id for (external_id,) in cursor.fetchall()}
        else:
            # The ids as one JSON array: one parameter, not a thousand to bind and compile.
            ids = orjson.dumps(list(first)).decode()  # text: SQLite's JSON functions refuse a blob
            had = {external_id for (external_id,) in self.conn.exec_driver_sql(_SQLITE_HAD, (self.project_id, ids))}
        return [row for external_id, row in first.items() if external_id not in had]

    def _insert(self, rows: list[tuple[Any, ...]], now) -> None:
        """SQLite: the rows, with the ids they get (their search text is written after the import:
        ``annotate.browse.index``)."""
        start = (self.conn.exec_driver_sql("SELECT max(id) FROM items").scalar() or 0) + 1
        created = now.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores a SQLite DATETIME
        head = (self.project_id, self.batch_id)
        tail = (0, 0, 0, created)
        self.conn.exec_driver_sql(self._insert_sql, [(start + n, *head, *row, *tail) for n, row in enumerate(rows)])

    def _copy(self, rows: list[tuple[Any, ...]], now) -> None:
        """PostgreSQL: the rows by COPY (its search index is an expression index PostgreSQL keeps)."""
        head = (self.project_id, self.batch_id)
        tail = (0, 0, 0, now)
        cursor: Any = self.conn.connection.cursor()  # psycopg's cursor: a context manager with copy()
        with cursor, cursor.copy(self._copy_sql) as copy:
            for row in rows:
                copy.write_row((*head, *row, *tail))

    def finish(self, valid: int, values: dict[str, Any]) -> tuple[int, int]:
        """Make the batch complete (and so its rows visible) in one short transaction; return (new, duplicate)."""
        if not self.conn.in_transaction():
            self.conn.begin()
        self._still_running({})
        duplicate = valid - self.new
        counters.add(self.conn, self.project_id, {"items": self.new})  # the progress page's item count
        self.conn.execute(
            update(table_of(Batch))
            .where(Batch.__table__.c.id == self.batch_id)
            .values(
                status=BatchStatus.COMPLETE,
                rows_new=self.new,
                rows_duplicate=duplicate,
                progress=1.0,
                finished_at=utcnow(),
                worker=None,
                **values,
            )
        )
        self.conn.commit()
        return self.new, duplicate

    def close(self) -> None:
        """Give the connection back (rolling back a chunk in flight); a last checkpoint."""
        try:
            self.conn.rollback()
        finally:
            self.conn.close()
            if self.checkpoints is not None:
                self.checkpoints.stop()


class _Checkpoints(threading.Thread):
    """SQLite: copies the import's committed chunks from the WAL into the database file (a
    passive checkpoint, which never blocks a writer) on a connection and thread of its own,
    while the next chunk is parsed and written. Without it the WAL would grow by the whole
    import, or the checkpoints would run inside the chunks' commits, holding the writers' queue."""

    def __init__(self, engine: Engine):
        super().__init__(name="annotate-import-checkpoint", daemon=True)
        self.engine = engine
        self.pending = threading.Event()
        self.stopped = False
        self.start()

    def wake(self) -> None:
        self.pending.set()

    def run(self) -> None:
        raw: Any = self.engine.raw_connection()
        try:
            driver = raw.driver_connection  # autocommit (isolation_level None): outside any transaction
            while True:
                self.pending.wait()
                self.pending.clear()
                driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                if self.stopped:
                    return
        finally:
            raw.close()

    def stop(self) -> None:
        self.stopped = True
        self.pending.set()
        self.join(timeout=60)


def _set_status(
    session: Session,
    batch_id: int,
    status: BatchStatus,
    error: str,
    values: dict[str, Any] | None = None,
    only_if: tuple[BatchStatus, ...] = (BatchStatus.RUNNING,),
) -> bool:
    begin_write(session)
    changed = db.rowcount(
        session.execute(
            update(Batch)
            .where(Batch.id == batch_id, Batch.status.in_(only_if))
            .values(status=status, error=error[:4000], finished_at=utcnow(), worker=None, **(values or {}))
            .execution_options(synchronize_session=False)
        )
    )
    session.commit()
    return changed == 1


def fail(
    session: Session,
    batch_id: int,
    error: str,
    status: BatchStatus = BatchStatus.FAILED,
    values: dict[str, Any] | None = None,
) -> None:
    """Record why the batch stopped (if it had not stopped yet), then delete the rows it had
    written (they were never visible)."""
    session.rollback()
    _set_status(session, batch_id, status, error, values, only_if=(BatchStatus.RUNNING, BatchStatus.QUEUED))
    purge_batch(session, batch_id)


def purge_batch(session: Session, batch_id: int) -> int:
    """Delete the rows of a batch that is not complete, a chunk per transaction; return how many."""
    items = table_of(Item)
    deleted = 0
    while True:
        begin_write(session)
        if session.scalar(select(Batch.status).where(Batch.id == batch_id)) is BatchStatus.COMPLETE:
            session.rollback()
            return deleted
        chunk = select(items.c.id).where(items.c.batch_id == batch_id).limit(PURGE_CHUNK).scalar_subquery()
        n = db.rowcount(session.execute(items.delete().where(items.c.id.in_(chunk))))
        session.commit()
        deleted += n
        if n < PURGE_CHUNK:
            return deleted


def purge_abandoned(session: Session, project_id: int | None = None) -> int:
    """Delete the rows of every failed or interrupted batch (of one project, or all) that still has some."""
    session.rollback()
    query = select(Batch.id).where(
        Batch.status.in_((BatchStatus.FAILED, BatchStatus.INTERRUPTED)),
        exists().where(Item.batch_id == Batch.id),
    )
    if project_id is not None:
        query = query.where(Batch.project_id == project_id)
    batch_ids = session.scalars(query).all()
    session.rollback()
    return sum(purge_batch(session, batch_id) for batch_id in batch_ids)


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
        if worker_gone(worker) or heartbeat is None or heartbeat < stale_before
    }


def reap_interrupted(session: Session, project_id: int | None = None) -> int:
    """Mark running batches whose process is gone as interrupted; return how many. Their rows
    stay invisible; ``purge_abandoned`` deletes them.

    Commits its own short transaction, so call it outside a unit of work (never from a GET).
    """
    dead = sorted(interrupted_batches(session, project_id))
    session.rollback()
    for batch_id in dead:
        _set_status(session, batch_id, BatchStatus.INTERRUPTED, INTERRUPTED)
    return len(dead)


def visible_count(session: Session, project_id: int) -> int:
    """Items of the project that claims, counts and exports see (those of complete batches)."""
    from annotate.models.item import visible

    return (
        session.scalar(
            select(func.count()).select_from(Item).where(Item.project_id == project_id, visible(Item.batch_id))
        )
        or 0
    )
