"""Serve an export over HTTP as a stream: first bytes at once, memory flat, provenance recorded."""

from __future__ import annotations

import hashlib

from flask import Response, stream_with_context

from annotate import db
from annotate.export.base import ExportFormat, ExportOptions, ExportSummary
from annotate.export.services import (
    fail_export,
    finish_export,
    jsonl_chunks,
    start_export,
)
from annotate.models import ExportRecord, Project, User


def stream_jsonl(project: Project, fmt: ExportFormat, options: ExportOptions, user: User, channel: str) -> Response:
    """A streamed JSONL response for resolved ``options``. The export is recorded before the
    first byte and completed (counts, sha256) after the last, or marked failed if the stream
    breaks (a client that hangs up leaves a failed record, not a running one)."""
    session = db.session()
    # The stream keeps its own books, like a job: the record is committed before the first
    # byte (the request's read transaction becomes a writer's for it), the outcome after the last.
    db.begin_write(session)
    record_id = start_export(session, project, fmt, options, user, channel).id
    session.commit()

    def generate():
        summary = ExportSummary()
        digest = hashlib.sha256()
        finished = False
        try:
            yield from jsonl_chunks(session, project, fmt, options, summary, digest)
            finished = True
        finally:
            session.rollback()  # end the read transaction before writing
            db.begin_write(session)
            record = session.get(ExportRecord, record_id)
            if finished:
                finish_export(record, summary, digest.hexdigest())
            else:
                fail_export(record, f"the download stopped after {summary.rows} rows")
            session.commit()

    filename = f"{project.slug}-{fmt.name}.jsonl"
    response = Response(stream_with_context(generate()), mimetype="application/x-ndjson")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Accel-Buffering"] = "no"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Export-Id"] = str(record_id)
    return response
