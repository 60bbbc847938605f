"""Background folder exports for the web: a thread writes the folder while the page polls progress.

The export record is the job's state (status, rows_done, error), so any
gunicorn worker or host can show the progress. The folder lives under
``EXPORTS_DIR`` (default: ``<instance>/exports``), one sub-folder per export id.
A worker that dies mid-export leaves its record ``running``; see
``mark_abandoned``.
"""

from __future__ import annotations

import logging
import shutil
import threading
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import update
from sqlalchemy.orm import Session

from annotate import db
from annotate.db import utcnow
from annotate.export.base import ExportError, ExportFormat, ExportOptions, ExportSummary
from annotate.export.folder import write_folder
from annotate.export.services import fail_export, finish_export, start_export
from annotate.models import ExportRecord, Project, User
from annotate.models.export import ExportStatus
from annotate.ops import metrics

log = logging.getLogger(__name__)

ABANDONED_AFTER = timedelta(hours=6)


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
) -> ExportRecord:
    """Record a folder export (options already resolved) and make its folder; the caller commits,
    then calls ``run_in_background``."""
    from annotate.export.queries import judgment_count

    record = start_export(
        session, project, fmt, options, user, "web", judgments_total=session.scalar(judgment_count(project))
    )
    record.options = {**record.options, "form": form, "license": license}
    folder = exports_dir() / str(record.id)
    folder.mkdir(parents=True, exist_ok=False)
    record.output = str(folder)
    session.flush()
    return record


def run_in_background(app: Flask, record_id: int, fmt: ExportFormat, options: ExportOptions) -> threading.Thread:
    """Write the folder of export ``record_id`` in a thread of this process."""
    thread = threading.Thread(target=_run, args=(app, record_id, fmt, options), name=f"export-{record_id}", daemon=True)
    thread.start()
    return thread


def _progress(factory, record_id: int):
    def report(rows: int) -> None:
        with factory() as s:
            db.begin_write(s)
            s.execute(update(ExportRecord).where(ExportRecord.id == record_id).values(rows_done=rows))
            s.commit()

    return report


def _run(app: Flask, record_id: int, fmt: ExportFormat, options: ExportOptions) -> None:
    factory = app.extensions["annotate.db"][1]
    with app.app_context(), factory() as session:
        record = session.get(ExportRecord, record_id)
        project = session.get(Project, record.project_id)
        folder = Path(record.output)
        form, license = record.options.get("form", "jsonl"), record.options.get("license", "other")
        summary = ExportSummary(progress=_progress(factory, record_id))
        try:
            result = write_folder(
                session, project, fmt, options, folder, export_id=record_id, form=form, license=license, summary=summary
            )
            error = None
        except ExportError as exc:
            error = str(exc)
        except Exception:
            log.exception("export %s failed", record_id)
            metrics.JOB_FAILURES.labels("export").inc()
            error = "the export failed with an internal error; see the server log"
        session.rollback()  # end the read transaction before writing
        db.begin_write(session)
        record = session.get(ExportRecord, record_id)
        if error is None:
            finish_export(record, result.summary, result.sha256, result.files)
        else:
            fail_export(record, error)
            shutil.rmtree(folder, ignore_errors=True)
        session.commit()


def mark_abandoned(session: Session) -> int:
    """Mark exports still ``running`` after ABANDONED_AFTER as failed (their worker died)."""
    cutoff = utcnow() - ABANDONED_AFTER
    return db.rowcount(
        session.execute(
            update(ExportRecord)
            .where(ExportRecord.status == ExportStatus.RUNNING, ExportRecord.created_at < cutoff)
            .values(
                status=ExportStatus.FAILED, error="abandoned: the worker stopped before finishing", finished_at=utcnow()
            )
        )
    )
