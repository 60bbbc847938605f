"""The full-text index of items, written for a whole batch once its import has completed:
SQLite's FTS5 table (migration 0011), PostgreSQL's ``item_search`` (migration 0013).

Indexing each row as it was written (an FTS5 insert trigger with three ``json_tree`` scans;
a GIN expression index computing ``json_to_tsvector``) cost more per row than writing the
row: the import ran at 4x (SQLite) and 37x (PostgreSQL) its bare floor. So the import
writes rows only, and ``index_batch`` writes their search text afterwards, in chunks of
short transactions (SQLite: computed in Python from the stored JSON; PostgreSQL: the same
tsvector expression as before). The CLI and the web import's job run it at the end of the
import; the API's import hands it to the queue (kind ``search-index``). Until then the
batch's items are visible but a search does not find them. Idempotent: rows already
indexed are skipped, so an interrupted run is simply run again.
"""

from __future__ import annotations

import orjson
from sqlalchemy import exists, select, text
from sqlalchemy.orm import Session

from annotate.browse.search import document_text, pg_document
from annotate.db import begin_write
from annotate.jobs.records import create_job, dispatch
from annotate.jobs.registry import JobKind, register
from annotate.models import Batch, Item, Job

KIND = "search-index"
CHUNK = 2000


def _unindexed(batch_id: int, after: int):
    """SQLite: the batch's next rows (past id ``after``) with no entry in the FTS index yet."""
    return text(
        "SELECT id, external_id, prompt, responses, metadata FROM items"
        " WHERE batch_id = :batch AND id > :after"
        " AND NOT EXISTS (SELECT 1 FROM items_fts_docsize d WHERE d.id = items.id)"
        " ORDER BY id LIMIT :n"
    ).bindparams(batch=batch_id, after=after, n=CHUNK)


def _pg_index(batch_id: int, after: int):
    """PostgreSQL: index the batch's next rows (past id ``after``) not indexed yet; returns their ids."""
    return text(
        "INSERT INTO item_search (item_id, document)"
        f" SELECT id, {pg_document('items')} FROM items"
        " WHERE batch_id = :batch AND id > :after"
        " AND NOT EXISTS (SELECT 1 FROM item_search s WHERE s.item_id = items.id)"
        " ORDER BY id LIMIT :n RETURNING item_id"
    ).bindparams(batch=batch_id, after=after, n=CHUNK)


def index_batch(session: Session, batch_id: int) -> int:
    """Write the search text of the batch's rows not yet indexed; return how many."""
    postgres = session.get_bind().dialect.name == "postgresql"
    session.rollback()
    done, after = 0, 0
    while True:
        begin_write(session)
        if postgres:
            ids = session.scalars(_pg_index(batch_id, after)).all()
        else:
            rows = session.execute(_unindexed(batch_id, after)).all()
            loads = orjson.loads
            if rows:
                session.connection().exec_driver_sql(
                    "INSERT INTO items_fts (rowid, body) VALUES (?, ?)",
                    [
                        (r.id, document_text(r.external_id, loads(r.prompt), loads(r.responses), loads(r.metadata)))
                        for r in rows
                    ],
                )
            ids = [r.id for r in rows]
        session.commit()
        if not ids:
            return done
        done += len(ids)
        after = max(ids)


def pending(session: Session, batch_id: int) -> bool:
    """Does the batch still have rows a search cannot find?"""
    indexed = (
        "SELECT 1 FROM item_search s WHERE s.item_id = items.id"
        if session.get_bind().dialect.name == "postgresql"
        else "SELECT 1 FROM items_fts_docsize d WHERE d.id = items.id"
    )
    unindexed = text(f"SELECT 1 FROM items WHERE batch_id = :batch AND NOT EXISTS ({indexed}) LIMIT 1")
    return session.execute(unindexed.bindparams(batch=batch_id)).first() is not None


def queue_index(session: Session, batch: Batch) -> Job:
    """Queue the indexing of a completed batch, committed and handed to the queue."""
    begin_write(session)
    job = create_job(session, KIND, project_id=batch.project_id, subject_id=batch.id)
    session.commit()
    dispatch(job)
    return job


def _run(session: Session, job: Job) -> None:
    if job.subject_id is not None and session.scalar(select(exists().where(Item.batch_id == job.subject_id))):
        index_batch(session, job.subject_id)


register(JobKind(KIND, run=_run, max_attempts=5, retry_delay=5))
