"""The ``jobs`` rows: a job is created in the request's (or command's) unit of work, handed to
the queue after the commit, and moved through its states by the worker in short transactions
of its own (so that every host sees them at once)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, event, select, update
from sqlalchemy.orm import Session

from annotate import db
from annotate.db import begin_write, utcnow
from annotate.jobs.liveness import worker_id
from annotate.models import Job, JobStatus

log = logging.getLogger(__name__)
MAX_ERROR = 4000


def create_job(
    session: Session,
    kind: str,
    *,
    project_id: int | None = None,
    subject_id: int | None = None,
    payload: dict[str, Any] | None = None,
    max_attempts: int | None = None,
) -> Job:
    """Record a queued job (flushed, not committed); hand it to the queue after the commit (``dispatch``)."""
    from annotate.jobs import registry

    registry.load_kinds()
    now = utcnow()
    job = Job(
        kind=kind,
        project_id=project_id,
        subject_id=subject_id,
        payload=payload or {},
        status=JobStatus.QUEUED,
        attempts=0,
        max_attempts=max_attempts or registry.KINDS[kind].max_attempts,
        enqueued_at=now,
        run_after=now,
    )
    session.add(job)
    session.flush()
    return job


def dispatch(job: Job) -> None:
    """Hand a committed job to the queue. If the queue cannot be reached the job stays queued
    and the sweep hands it over again later (``sweep.LOST_AFTER``): nothing is lost."""
    import logging

    from annotate.jobs.queue import enqueue

    try:
        enqueue(job.id, job.kind)
    except Exception:
        logging.getLogger(__name__).exception(
            "could not hand job %s (%s) to the queue; the sweep retries", job.id, job.kind
        )


_PENDING = "annotate.jobs_after_commit"


def dispatch_after_commit(session: Session, job: Job) -> None:
    """Hand ``job`` (flushed in ``session``'s transaction) to the queue once that transaction
    commits; nothing is handed over if it rolls back. For services that create jobs in the
    caller's unit of work (a submit's webhook deliveries)."""
    session.info.setdefault(_PENDING, []).append((job.id, job.kind))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    from annotate.jobs.queue import enqueue

    for job_id, kind in session.info.pop(_PENDING, ()):
        try:
            enqueue(job_id, kind)
        except Exception:
            log.exception("could not hand job %s (%s) to the queue; the sweep hands it over later", job_id, kind)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _set(session: Session, job_id: int, where: list, **values: Any) -> bool:
    """One short write transaction: update the job if ``where`` holds; True if it did."""
    session.rollback()
    begin_write(session)
    changed = db.rowcount(
        session.execute(
            update(Job).where(Job.id == job_id, *where).values(**values).execution_options(synchronize_session=False)
        )
    )
    session.commit()
    return changed == 1


def claim(session: Session, job_id: int) -> Job | None:
    """Mark the job running in this process; None when it is not waiting to run (done, failed,
    running elsewhere, gone): a second delivery of one job does nothing."""
    now = utcnow()
    if not _set(
        session,
        job_id,
        [Job.status.in_((JobStatus.QUEUED, JobStatus.RETRYING))],
        status=JobStatus.RUNNING,
        attempts=Job.attempts + 1,
        worker=worker_id(),
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
    ):
        return None
    return session.get(Job, job_id, populate_existing=True)


def heartbeat(session: Session, job_id: int) -> bool:
    """Say the job's worker is alive; False when the job is no longer this process's to run."""
    return _set(session, job_id, [Job.status == JobStatus.RUNNING, Job.worker == worker_id()], heartbeat_at=utcnow())


def finish(session: Session, job_id: int) -> None:
    """The job is done."""
    _set(session, job_id, [], status=JobStatus.DONE, finished_at=utcnow(), worker=None, error=None)


def retrying(session: Session, job_id: int, error: str, run_after: datetime) -> None:
    """The attempt failed; the job runs again at ``run_after``."""
    _set(
        session,
        job_id,
        [],
        status=JobStatus.RETRYING,
        error=error[:MAX_ERROR],
        worker=None,
        run_after=run_after,
        enqueued_at=utcnow(),
    )


def defer(session: Session, job_id: int, reason: str, run_after: datetime) -> None:
    """The job could not start yet: queued again (this attempt not counted), ``reason`` shown meanwhile."""
    _set(
        session,
        job_id,
        [],
        status=JobStatus.QUEUED,
        attempts=Job.attempts - 1,
        error=reason[:MAX_ERROR],
        worker=None,
        run_after=run_after,
        enqueued_at=utcnow(),
    )


def fail(session: Session, job_id: int, error: str) -> None:
    """The job gave up, for the reason given."""
    _set(session, job_id, [], status=JobStatus.FAILED, error=error[:MAX_ERROR], finished_at=utcnow(), worker=None)


def retry_delay(kind_delay: int, backoff: float, attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``, as Huey's retry_backoff spaces them."""
    return timedelta(seconds=kind_delay * (backoff ** max(attempts - 1, 0)))


def job_counts(session: Session) -> dict[tuple[str, str], int]:
    """{(kind, status): jobs} over the jobs table (for the metrics)."""
    from sqlalchemy import func

    rows = session.execute(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status))
    return {(kind, status.value): n for kind, status, n in rows}


def jobs_of(kind: str, subject_ids: list[int]) -> Select:
    """Every job of ``kind`` working on one of ``subject_ids``, oldest first (so a dict built
    from them in order keeps each subject's latest, as ``job_of`` finds it)."""
    return select(Job).where(Job.kind == kind, Job.subject_id.in_(subject_ids)).order_by(Job.id)


def job_of(kind: str, subject_id: int) -> Select:
    """The latest job of ``kind`` working on ``subject_id`` (a batch, an export)."""
    return select(Job).where(Job.kind == kind, Job.subject_id == subject_id).order_by(Job.id.desc()).limit(1)
