"""How a worker runs one job: claim it, keep a heartbeat, run its kind, record the outcome.

- A job that is not waiting to run (done, failed, running elsewhere) is left alone, so a
  job handed to the queue twice (the sweep re-enqueues what looks lost) runs once.
- While it runs, a thread commits a heartbeat every ``HEARTBEAT_EVERY`` seconds; a job
  whose heartbeat stops (its worker was killed) is found by the sweep.
- ``Deferred`` puts the job back in the queue for later without counting an attempt.
- ``JobFailed`` fails the job at once with its reason; any other exception undoes the
  attempt and retries it (Huey reschedules it with the kind's delay and backoff) until
  ``max_attempts``, then fails the job with the last error.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask

from annotate import db
from annotate.db import utcnow
from annotate.jobs import records
from annotate.jobs.registry import KINDS, Deferred, JobFailed, JobKind
from annotate.models import Job
from annotate.ops import metrics

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = 10.0


class _Heartbeat(threading.Thread):
    def __init__(self, app: Flask, job_id: int):
        super().__init__(name=f"annotate-heartbeat-{job_id}", daemon=True)
        self.app, self.job_id = app, job_id
        self.stopped = threading.Event()

    def run(self) -> None:
        factory = self.app.extensions["annotate.db"][1]
        while not self.stopped.wait(HEARTBEAT_EVERY):
            try:
                with factory() as session:
                    records.heartbeat(session, self.job_id)
            except Exception:  # a database outage: the next beat tries again
                log.warning("heartbeat of job %s failed", self.job_id, exc_info=True)

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=HEARTBEAT_EVERY)


def run(app: Flask, kind_name: str, job_id: int, task: Any = None) -> None:
    """Run job ``job_id`` of kind ``kind_name`` (Huey's task ``annotate.<kind>`` calls this)."""
    kind = KINDS[kind_name]
    with app.app_context():
        session = db.session()
        job = records.claim(session, job_id)
        if job is None:
            log.info("job %s (%s) is not waiting to run; skipped", job_id, kind_name)
            return
        beat = _Heartbeat(app, job_id)
        beat.start()
        try:
            kind.run(session, job)
        except Deferred as exc:
            session.rollback()
            records.defer(session, job_id, str(exc), utcnow() + exc.delay)
            from annotate.jobs.queue import enqueue

            enqueue(job_id, kind_name, exc.delay)
            return
        except JobFailed as exc:
            session.rollback()
            give_up(session, kind, job, str(exc))
            return
        except Exception as exc:
            session.rollback()
            log.exception("job %s (%s), attempt %s, failed", job_id, kind_name, job.attempts)
            metrics.JOB_FAILURES.labels(kind_name).inc()
            if not _retry(session, kind, job, f"{type(exc).__name__}: {exc}", task):
                return
            raise  # Huey schedules the next attempt
        finally:
            beat.stop()
        records.finish(session, job_id)


def _retry(session, kind: JobKind, job: Job, error: str, task: Any) -> bool:
    """Undo the attempt; True when Huey is to retry it (re-raise), False when the job is over."""
    _undo(session, kind, job)
    if job.attempts >= job.max_attempts:
        give_up(session, kind, job, f"gave up after {job.attempts} attempts; the last failed with {error}")
        return False
    delay = records.retry_delay(kind.retry_delay, kind.retry_backoff, job.attempts)
    records.retrying(session, job.id, f"attempt {job.attempts} failed: {error}", utcnow() + delay)
    if task is not None and task.retries > 0:
        return True
    # Huey has no retries left for this delivery (the sweep handed it over again): schedule one.
    from annotate.jobs.queue import enqueue

    enqueue(job.id, kind.name, delay)
    return False


def _undo(session, kind: JobKind, job: Job) -> None:
    if kind.undo is None:
        return
    try:
        kind.undo(session, job)
    except Exception:
        session.rollback()
        log.exception("undoing attempt %s of job %s (%s) failed; the sweep tries again", job.attempts, job.id, job.kind)


def give_up(session, kind: JobKind, job: Job, reason: str) -> None:
    """Fail the job for good: undo what its attempt left, tell its subject, record the reason."""
    _undo(session, kind, job)
    if kind.failed is not None:
        kind.failed(session, job, reason)
    records.fail(session, job.id, reason)
    log.warning("job %s (%s) failed: %s", job.id, job.kind, reason)
