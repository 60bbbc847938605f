"""What a worker does when it starts and then every minute (Huey's periodic task ``annotate.sweep``).

1. **Interrupted jobs.** Huey takes a task off the queue before running it, so a worker
   killed mid-job (SIGKILL, out of memory, the machine restarted) loses the task. Its job
   row still says ``running``: when its worker is gone (same host, no such process) or
   silent (no heartbeat for ``STALE_AFTER``), the attempt is undone (an import's rows are
   removed, an export's folder emptied) and the job runs again, or fails with the reason
   once it has had ``max_attempts``.
2. **Lost enqueues.** A job committed as queued whose hand-over to the queue failed (the
   queue was unreachable, the web process died in between) is handed over again once it
   is ``LOST_AFTER`` past due. A job delivered twice runs once (``records.claim``).
3. **Expired leases** in every project go back to the pool (claims also do it, per project).
4. **Rows of imports that did not complete** are deleted in chunks (``ingest.pipeline``).
5. **Uploads** nobody imported within a day are deleted.
6. **Done jobs** older than ``KEEP_DONE`` are deleted (failed ones stay: they say why).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from annotate import db
from annotate.db import begin_write, utcnow
from annotate.jobs import records, registry
from annotate.jobs.liveness import worker_gone
from annotate.jobs.runner import give_up
from annotate.models import Assignment, AssignmentStatus, Job, JobStatus, Project

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(seconds=90)
LOST_AFTER = timedelta(minutes=5)
KEEP_DONE = timedelta(days=30)


def run_periodic(app: Flask) -> None:
    """Every part of the sweep, each in its own transactions; one failing does not stop the others."""
    with app.app_context():
        session = db.session()
        for part in (recover_jobs, release_leases, purge_imports, sweep_uploads, prune_jobs):
            try:
                part(session)
            except Exception:
                session.rollback()
                log.exception("sweep: %s failed", part.__name__)


def recover_jobs(session: Session) -> list[int]:
    """Run interrupted and lost jobs again (or fail them); return the ids handed to the queue."""
    registry.load_kinds()
    now = utcnow()
    again: list[tuple[int, str, timedelta | None]] = []
    session.rollback()
    running = session.scalars(select(Job).where(Job.status == JobStatus.RUNNING)).all()
    for job in running:
        stale = job.heartbeat_at is None or job.heartbeat_at < now - STALE_AFTER
        if not (worker_gone(job.worker) or stale):
            continue
        # Only one sweeper takes it: the row must still be as read.
        begin_write(session)
        taken = db.rowcount(
            session.execute(
                update(Job)
                .where(Job.id == job.id, Job.status == JobStatus.RUNNING, Job.worker == job.worker)
                .values(status=JobStatus.RETRYING, worker=None)
                .execution_options(synchronize_session=False)
            )
        )
        session.commit()
        if not taken:
            continue
        kind = registry.KINDS.get(job.kind)
        reason = (
            f"the worker running attempt {job.attempts} stopped before finishing "
            "(killed, crashed or restarted); what it had done was undone"
        )
        log.warning("job %s (%s): %s", job.id, job.kind, reason)
        if kind is None:
            records.fail(session, job.id, reason)
            continue
        if job.attempts >= job.max_attempts:
            give_up(session, kind, job, f"gave up after {job.attempts} attempts: {reason}")
            continue
        if kind.undo is not None:
            kind.undo(session, job)
        records.retrying(session, job.id, reason, now)
        again.append((job.id, job.kind, None))
    waiting = session.scalars(
        select(Job).where(Job.status.in_((JobStatus.QUEUED, JobStatus.RETRYING)), Job.run_after < now - LOST_AFTER)
    ).all()
    for job in waiting:
        log.warning("job %s (%s) waited past its time; handing it to the queue again", job.id, job.kind)
        begin_write(session)
        session.execute(
            update(Job)
            .where(Job.id == job.id)
            .values(run_after=now, enqueued_at=now)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        again.append((job.id, job.kind, None))
    session.rollback()
    from annotate.jobs.queue import enqueue

    for job_id, kind_name, delay in again:
        enqueue(job_id, kind_name, delay)
    return [job_id for job_id, _kind, _delay in again]


def release_leases(session: Session) -> int:
    """Give back the slots of expired leases in every project that has some; return how many."""
    from annotate.assign.services import release_expired

    now = utcnow()
    session.rollback()
    project_ids = session.scalars(
        select(Assignment.project_id)
        .where(Assignment.status == AssignmentStatus.LEASED, Assignment.expires_at <= now)
        .distinct()
    ).all()
    released = 0
    for project_id in project_ids:
        begin_write(session)
        project = session.get(Project, project_id)
        if project is not None:
            released += release_expired(session, project, now)
        session.commit()
    return released


def purge_imports(session: Session) -> int:
    """Delete the rows of imports that did not complete (failed, interrupted, or dead)."""
    from annotate.ingest.pipeline import purge_abandoned

    return purge_abandoned(session)


def sweep_uploads(session: Session) -> None:
    """Delete uploads nobody imported within a day."""
    from pathlib import Path

    from annotate.ingest.uploads import sweep

    sweep(Path(current_app.instance_path))


def prune_jobs(session: Session) -> int:
    """Delete jobs done more than ``KEEP_DONE`` ago; return how many."""
    session.rollback()
    begin_write(session)
    pruned = db.rowcount(
        session.execute(delete(Job).where(Job.status == JobStatus.DONE, Job.finished_at < utcnow() - KEEP_DONE))
    )
    session.commit()
    return pruned
