"""Folder exports from the web as jobs of the task queue (kind ``export``): the page polls progress.

The export record carries the export's progress (rows_done, then counts and checksums)
and the ``jobs`` row the job's state (queued, running, retrying, failed, done), so any
gunicorn worker or host can show them. The folder lives under ``EXPORTS_DIR`` (default:
``<instance>/exports``, shared by every host that serves or runs exports), one
sub-folder per export id.

Idempotent: an attempt starts from an empty folder, and the folder's files are listed on
the record only when the last one is written (``write_folder`` writes into a hidden
temporary folder and moves the data into place at the end), so a worker killed mid-export
leaves nothing the pages offer; the sweep empties the folder and runs the job again.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import update
from sqlalchemy.orm import Session

from annotate import db
from annotate.export.base import ExportError, ExportFormat, ExportOptions, ExportSummary
from annotate.export.folder import write_folder
from annotate.export.services import fail_export, finish_export, get_format, start_export
from annotate.jobs.records import create_job
from annotate.jobs.registry import JobFailed, JobKind, register
from annotate.models import ExportRecord, Job, Project, User
from annotate.models.export import ExportStatus
from annotate.webhooks.events import export_ready

KIND = "export"


def exports_dir(app: Flask | None = None) -> Path:
    app = app or current_app
    return Path(app.config.get("EXPORTS_DIR") or Path(app.instance_path) / "exports")


def start_folder_export(
    session: Session,
    project: Project,
    fmt: ExportFormat,
    options: ExportOptions,
    user: User,
    *,
    form: str,
    license: str,
) -> tuple[ExportRecord, Job]:
    """Record a folder export (options already resolved), make its folder and queue its job;
    the caller commits, then dispatches the job."""
    from annotate.export.queries import judgment_count

    record = start_export(
        session, project, fmt, options, user, "web", judgments_total=session.scalar(judgment_count(project))
    )
    record.options = {**record.options, "form": form, "license": license}
    folder = exports_dir() / str(record.id)
    folder.mkdir(parents=True, exist_ok=False)
    record.output = str(folder)
    session.flush()
    job = create_job(session, KIND, project_id=project.id, subject_id=record.id)
    return record, job


def options_from_json(values: dict[str, Any]) -> ExportOptions:
    """The ExportOptions an export record stores (``ExportOptions.as_json``)."""
    known = {name: values[name] for name in ExportOptions.__dataclass_fields__ if name in values}
    known["exclude_experts"] = tuple(known.get("exclude_experts") or ())
    known["batches"] = tuple(known.get("batches") or ())
    for name in ("since", "until"):
        known[name] = datetime.fromisoformat(known[name]) if known.get(name) else None
    return ExportOptions(**known)


def _progress(factory, record_id: int):
    def report(rows: int) -> None:
        with factory() as s:
            db.begin_write(s)
            s.execute(update(ExportRecord).where(ExportRecord.id == record_id).values(rows_done=rows))
            s.commit()

    return report


def _empty(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)


def run(session: Session, job: Job) -> None:
    record = session.get(ExportRecord, job.subject_id)
    if record is None or record.output is None:
        raise JobFailed("the export was deleted")
    if record.status is not ExportStatus.RUNNING:
        return  # finished by an earlier delivery of this job
    project = session.get_one(Project, record.project_id)
    folder = Path(record.output)
    _empty(folder)  # whatever an interrupted attempt wrote
    try:
        fmt = get_format(record.format)
        options = options_from_json(record.options)
        summary = ExportSummary(progress=_progress(current_app.extensions["annotate.db"][1], record.id))
        result = write_folder(
            session,
            project,
            fmt,
            options,
            folder,
            export_id=record.id,
            form=record.options.get("form", "jsonl"),
            license=record.options.get("license", "other"),
            summary=summary,
        )
    except ExportError as exc:
        raise JobFailed(str(exc)) from None
    session.rollback()  # end the read transaction before writing
    db.begin_write(session)
    record = session.get_one(ExportRecord, record.id, populate_existing=True)
    finish_export(record, result.summary, result.sha256, result.files)
    session.commit()
    export_ready(session, record)


def undo(session: Session, job: Job) -> None:
    """An attempt that did not finish: an empty folder and no progress, for the next attempt."""
    session.rollback()
    record = session.get(ExportRecord, job.subject_id)
    if record is None or record.status is not ExportStatus.RUNNING:
        return
    if record.output:
        _empty(Path(record.output))
    db.begin_write(session)
    session.execute(update(ExportRecord).where(ExportRecord.id == record.id).values(rows_done=0))
    session.commit()


def failed(session: Session, job: Job, reason: str) -> None:
    """The export failed for good: the record says why, and its folder is removed."""
    session.rollback()
    db.begin_write(session)
    record = session.get(ExportRecord, job.subject_id)
    if record is not None and record.status is ExportStatus.RUNNING:
        fail_export(record, reason)
        if record.output:
            shutil.rmtree(record.output, ignore_errors=True)
    session.commit()


register(JobKind(KIND, run=run, undo=undo, failed=failed, max_attempts=3, retry_delay=5))
