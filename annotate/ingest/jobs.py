"""The web import as a job of the task queue (kind ``import``): the batch is queued with its
job in the request; a worker reads the upload and writes the rows.

Idempotent: an attempt opens the batch afresh (``pipeline.open_batch``: what an earlier,
interrupted attempt wrote is deleted first), so a retry imports every row exactly once.
A bad row fails the job at once (trying again would fail the same way); anything else
(the database went away, the worker was killed) is tried again. The upload is deleted
when the job is over, either way.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session

from annotate.db import begin_write
from annotate.ingest import pipeline
from annotate.ingest.errors import ImportFailed
from annotate.ingest.services import ImportOptions, import_sources, queue_batch
from annotate.ingest.uploads import Upload, discard, load_upload
from annotate.jobs.records import create_job
from annotate.jobs.registry import Deferred, JobFailed, JobKind, register
from annotate.models import Batch, BatchStatus, Job, Project, User

KIND = "import"
# An import waiting for another import of the same project looks again after this long.
BUSY_RETRY = timedelta(seconds=2)


def queue_import(
    session: Session, project: Project, upload: Upload, options: ImportOptions, user: User
) -> tuple[Batch, Job]:
    """The batch of an uploaded import, queued, and its job (flushed; dispatch the job after the commit)."""
    begin_write(session)
    batch = queue_batch(session, project, " + ".join(upload.names), options, user)
    # The options as the batch records them (a mapping is plain JSON: field -> columns).
    payload = {"upload": upload.token, "user_id": user.id, "options": options.as_json()}
    job = create_job(session, KIND, project_id=project.id, subject_id=batch.id, payload=payload)
    return batch, job


def _options(values: dict) -> ImportOptions:
    return ImportOptions(**values)


def _upload(job: Job) -> Upload | None:
    return load_upload(
        Path(current_app.instance_path), job.payload["upload"], job.project_id or 0, job.payload["user_id"]
    )


def run(session: Session, job: Job) -> None:
    assert job.subject_id is not None
    assert job.project_id is not None
    batch = session.get(Batch, job.subject_id)
    project = session.get(Project, job.project_id)
    if batch is None or project is None:
        raise JobFailed("the project or its import was deleted")
    upload = _upload(job)
    if upload is None:
        raise JobFailed("the uploaded files are gone from the server (uploads are kept for a day); upload them again")
    try:
        import_sources(
            session,
            project,
            list(upload.files),
            _options(job.payload["options"]),
            batch=batch,
            display_name=batch.source,
            media_store=Path(current_app.instance_path) / "media",
            # A worker does not wait for the project's running import (it is deferred); a job run
            # in the request that queued it (ANNOTATE_QUEUE_IMMEDIATE) has no queue to go back to.
            wait=bool(current_app.config.get("QUEUE_IMMEDIATE")),
        )
    except pipeline.ProjectBusy as exc:
        raise Deferred(str(exc), BUSY_RETRY) from None
    except ImportFailed as exc:
        raise JobFailed(str(exc)) from None  # recorded on the batch too, shown on its page
    discard(upload)


def undo(session: Session, job: Job) -> None:
    """An attempt that did not finish: its batch goes back to queued, with none of its rows."""
    if job.subject_id is None:
        return
    pipeline.fail(session, job.subject_id, pipeline.INTERRUPTED, BatchStatus.INTERRUPTED)


def failed(session: Session, job: Job, reason: str) -> None:
    """The import failed for good: the batch says why (if the import had not said it already)."""
    if job.subject_id is not None:
        pipeline.fail(session, job.subject_id, reason)
    upload = _upload(job)
    if upload is not None:
        discard(upload)


def shown_state(batch: Batch, job: Job | None, interrupted: bool) -> tuple[str, str | None]:
    """What the batch page says: the job's state while it is not over (queued, running,
    retrying with the last error), else the batch's (complete, failed with the reason)."""
    if job is not None and job.status.value in ("queued", "retrying"):
        return job.status.value, job.error
    if job is not None and job.status.value == "running":
        return "running", None
    if interrupted:
        return "interrupted", pipeline.INTERRUPTED
    if job is not None and job.status.value == "failed" and batch.status is not BatchStatus.COMPLETE:
        return "failed", batch.error or job.error
    return batch.status.value, batch.error


register(JobKind(KIND, run=run, undo=undo, failed=failed, max_attempts=3, retry_delay=5))
