"""How an import stays atomic while showing progress, on SQLite and PostgreSQL alike.

SQLite has one writer, so an import that held one transaction for its whole
length would block every expert's submit behind it and could not commit
progress for the progress page. So an import runs in three steps:

1. ``start_batch``: the batch row is committed as ``running`` with the worker
   (``host:pid``) and a heartbeat.
2. ``stage``: validated rows go into ``staged_items`` in chunks, each its own short
   write transaction that also commits the batch's progress and heartbeat.
   ``items`` is untouched, so no expert can see or be assigned half an import.
3. ``finish``: one short transaction moves the staged rows into ``items``
   (``INSERT … SELECT``, skipping external ids the project already has, via the
   unique index, so it costs the same in a project of 500k items as in an empty
   one), deletes them from staging and marks the batch complete.

A failure between or inside the steps leaves ``items`` as it was: ``fail``
deletes the staged rows and records the error. A process killed with SIGKILL
cannot clean up, so ``reap_interrupted`` (run before every import and on every
look at an import's progress) marks a running batch whose worker is gone (same
host, dead pid) or silent (no heartbeat for ``STALE_AFTER``) as interrupted and
deletes its staged rows. The final step re-checks, under the write lock, that
its batch was not reaped meanwhile.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, exists, func, insert, literal, select, update
from sqlalchemy.orm import Session

from annotate.db import UTCDateTime, begin_write, utcnow
from annotate.ingest.errors import ImportFailed
from annotate.models import Batch, BatchStatus, Item
from annotate.models.item import StagedItem

STALE_AFTER = timedelta(seconds=90)
INTERRUPTED = "the import stopped before it finished (the process was killed or the machine restarted); nothing from it was kept"
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


def _insert_staged(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    # A row repeated within the file is a duplicate, not an error: keep the first.
    return dialect_insert(StagedItem).on_conflict_do_nothing(index_elements=["batch_id", "external_id"])


def stage(session: Session, batch_id: int, rows: list[dict[str, Any]], progress: dict[str, Any]) -> None:
    """Commit one chunk of staged rows with the batch's progress, in one short write transaction."""
    begin_write(session)
    if rows:
        session.execute(_insert_staged(session), rows)
    session.execute(
        update(Batch)
        .where(Batch.id == batch_id)
        .values(heartbeat_at=utcnow(), **progress)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def finish(session: Session, batch_id: int, project_id: int, valid: int, values: dict[str, Any]) -> tuple[int, int]:
    """Move the staged rows into ``items`` in one transaction; return (new, duplicate)."""
    begin_write(session)
    now = utcnow()
    claimed = session.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == BatchStatus.RUNNING)
        .values(heartbeat_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        session.rollback()
        raise ImportFailed(values.get("source", "import"), None, INTERRUPTED)
    staged = session.scalar(select(func.count()).select_from(StagedItem).where(StagedItem.batch_id == batch_id)) or 0
    already = exists().where(Item.project_id == project_id, Item.external_id == StagedItem.external_id)
    source = (
        select(
            literal(project_id),
            StagedItem.batch_id,
            StagedItem.external_id,
            StagedItem.content_hash,
            StagedItem.prompt,
            StagedItem.responses,
            StagedItem.meta,
            StagedItem.suggestion,
            StagedItem.gold,
            literal(0),
            literal(0),
            literal(now, UTCDateTime()),
        )
        .where(StagedItem.batch_id == batch_id, ~already)
        .order_by(StagedItem.seq)
    )
    columns = ["project_id", "batch_id", "external_id", "content_hash", "prompt", "responses", "meta", "suggestion", "gold", "priority", "assigned_count", "created_at"]
    new = session.execute(insert(Item).from_select([getattr(Item, c) for c in columns], source)).rowcount
    session.execute(delete(StagedItem).where(StagedItem.batch_id == batch_id))
    duplicate = (valid - staged) + (staged - new)
    session.execute(
        update(Batch)
        .where(Batch.id == batch_id)
        .values(status=BatchStatus.COMPLETE, rows_new=new, rows_duplicate=duplicate, progress=1.0, finished_at=now, worker=None, **{k: v for k, v in values.items() if k != "source"})
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return new, duplicate


def fail(session: Session, batch_id: int, error: str, status: BatchStatus = BatchStatus.FAILED, values: dict[str, Any] | None = None) -> None:
    """Record why the batch stopped and drop its staged rows (``items`` was never touched)."""
    session.rollback()
    begin_write(session)
    session.execute(delete(StagedItem).where(StagedItem.batch_id == batch_id))
    session.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == BatchStatus.RUNNING)
        .values(status=status, error=error[:4000], finished_at=utcnow(), worker=None, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    session.commit()


def reap_interrupted(session: Session, project_id: int | None = None) -> int:
    """Mark running batches whose process is gone as interrupted; return how many.

    Commits its own short transaction, so call it outside a unit of work.
    """
    query = select(Batch.id, Batch.worker, Batch.heartbeat_at).where(Batch.status == BatchStatus.RUNNING)
    if project_id is not None:
        query = query.where(Batch.project_id == project_id)
    stale_before = utcnow() - STALE_AFTER
    dead = [
        batch_id
        for batch_id, worker, heartbeat in session.execute(query)
        if _worker_gone(worker) or heartbeat is None or heartbeat < stale_before
    ]
    session.rollback()
    for batch_id in dead:
        fail(session, batch_id, INTERRUPTED, BatchStatus.INTERRUPTED)
    return len(dead)
