"""Serve an export over HTTP as a stream: first bytes at once, memory flat, provenance recorded."""

from __future__ import annotations

import hashlib

from flask import Response, stream_with_context

from annotate import db
from annotate.export.base import ExportFormat, ExportSummary
from annotate.export.services import finish_export, jsonl_chunks, start_export
from annotate.models import ExportRecord, Project, User


def stream_jsonl(project: Project, fmt: ExportFormat, user: User, channel: str) -> Response:
    """A streamed JSONL response. The export is recorded before the first byte and
    completed (row count, sha256) after the last."""
    session = db.session()
    session.commit()  # end the read transaction that checked access
    db.begin_write(session)
    record_id = start_export(session, project, fmt, user, channel).id
    session.commit()

    def generate():
        summary = ExportSummary()
        digest = hashlib.sha256()
        yield from jsonl_chunks(session, project, fmt, summary, digest)
        session.rollback()  # end the read transaction before writing
        db.begin_write(session)
        finish_export(session.get(ExportRecord, record_id), summary, digest.hexdigest())
        session.commit()

    filename = f"{project.slug}-{fmt.name}.jsonl"
    response = Response(stream_with_context(generate()), mimetype="application/x-ndjson")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Accel-Buffering"] = "no"
    response.headers["Cache-Control"] = "no-store"
    return response
