"""The quality report of a large project, computed by a worker of the task queue (kind
``quality``) and kept, so the Quality page shows it at once (annotate.quality.services).

Idempotent: the report is computed from a read of the judgments, then kept with the
fingerprint taken before that read, in one short write; if judgments changed meanwhile, the
kept report does not match them and the page says it is not current.
"""

from __future__ import annotations

from time import perf_counter

from sqlalchemy.orm import Session

from annotate import db
from annotate.jobs.records import create_job
from annotate.jobs.registry import JobFailed, JobKind, register
from annotate.models import Job, Project
from annotate.quality.report import compute
from annotate.quality.services import fingerprint, keep

KIND = "quality"


def queue_report(session: Session, project: Project) -> Job:
    """Queue the computation of ``project``'s report (the caller commits, then dispatches)."""
    return create_job(session, KIND, project_id=project.id, subject_id=project.id)


def run(session: Session, job: Job) -> None:
    project = session.get(Project, job.subject_id)
    if project is None:
        raise JobFailed("the project was deleted")
    mark = fingerprint(session, project)
    started = perf_counter()
    report = compute(session, project)
    seconds = perf_counter() - started
    session.rollback()  # end the read before the write
    db.begin_write(session)
    keep(session, session.get_one(Project, project.id), mark, report, seconds)
    session.commit()


register(JobKind(KIND, run=run, max_attempts=2, retry_delay=30))
