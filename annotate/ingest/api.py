"""``POST /api/v1/projects/<slug>/items``: import items or rows given as JSON, or an uploaded file.

Researchers of the project only (admins too); token auth. By default the import runs in
the request with the same service, atomicity and validation as the CLI; the answer is
the summary (201), or the error naming the source, location and JSON path (422). The
items are visible when it answers; their search text is written just after, by a job of
the task queue.

With ``Prefer: respond-async`` (RFC 7240) the body or file is stored and the import is a
job of the task queue, as a web import is: the answer is 202 with the import's state and
``Location: /api/v1/projects/<slug>/imports/<id>``, where it can be followed (queued,
running, retrying, complete, failed with the reason) from any host. A large file should
go this way: a worker, not the web request, reads it, and a worker killed in the middle
leaves nothing visible and the job is tried again.

The same limits hold as for the web upload: a file past ``ANNOTATE_IMPORT_MAX_BYTES``
and a JSON body past ``ANNOTATE_API_IMPORT_MAX_JSON_BYTES`` are refused with 413, and
rows past a reader limit (``annotate.limits``) with 413 naming the row and field.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import orjson
from flask import current_app, g, jsonify, request, url_for
from sqlalchemy.orm import Session

from annotate import db
from annotate.api.views import bp, error, refused, token_required
from annotate.auth.services import touch_token
from annotate.browse.index import queue_index
from annotate.ingest import pipeline
from annotate.ingest.errors import ImportFailed, LimitExceeded
from annotate.ingest.jobs import KIND as IMPORT_JOB
from annotate.ingest.jobs import queue_import, shown_state
from annotate.ingest.queries import project_batch, recent_batches
from annotate.ingest.services import ImportOptions, import_rows, import_sources
from annotate.ingest.shapes import SHAPES
from annotate.ingest.shapes.mapping import parse_mapping
from annotate.ingest.uploads import (
    UPLOAD_SUFFIXES,
    UploadError,
    display_name,
    human_size,
    save_upload,
    store_stream,
    upload_suffix,
)
from annotate.jobs.records import dispatch, jobs_of
from annotate.limits import BodyRefused, request_json, setting, whole_number
from annotate.models import Batch, Job, Project, User
from annotate.projects.access import RESEARCH, project_for
from annotate.web import after_commit, writes_late

FILE_FORMATS = ("jsonl", "json", "csv", "tsv", "parquet")

# Slack for the multipart envelope around the file when comparing Content-Length with the limit.
MULTIPART_SLACK = 64 * 1024


def _options(data: dict) -> ImportOptions:
    shape = data.get("shape")
    if shape is not None and shape not in SHAPES:
        raise ImportFailed("options", None, f"unknown shape {shape!r}; known: {', '.join(SHAPES)}")
    mapping = data.get("mapping")
    if isinstance(mapping, dict):
        mapping = parse_mapping(
            [f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in mapping.items()], "mapping"
        )
    elif mapping is not None:
        raise ImportFailed("options", None, "mapping must be an object of field -> column(s)")
    fmt = data.get("format") or None
    if fmt is not None and fmt not in FILE_FORMATS:
        # Uploads are files: a Hub name or a server-side folder is for the CLI only.
        raise ImportFailed("options", None, f"unknown format {fmt!r}; known: {', '.join(FILE_FORMATS)}")
    return ImportOptions(
        shape=shape,
        mapping=mapping,
        skip_invalid=str(data.get("skip_invalid")).lower() in ("1", "true", "on"),
        format=fmt,
    )


def _failed(exc: ImportFailed):
    path, _, message = (
        exc.detail.partition(": ")
        if ": " in exc.detail and not exc.detail.startswith("invalid JSON")
        else ("", "", exc.detail)
    )
    return error(
        413 if isinstance(exc, LimitExceeded) else 422,
        str(exc),
        source=exc.source,
        location=exc.location,
        problems=[{"path": path, "message": message or exc.detail}],
    )


def wants_async() -> bool:
    """Did the client ask for ``Prefer: respond-async`` (RFC 7240)?"""
    preferences = request.headers.get("Prefer", "").split(",")
    return any(p.split(";", 1)[0].strip().lower() == "respond-async" for p in preferences)


def import_states(session: Session, batches: list[Batch], slug: str) -> list[dict]:
    """Imports as the API shows them: each job's state while it runs, the batch's after. Three
    queries whatever the number of batches (the batches, their latest jobs, the dead imports)."""
    if not batches:
        return []
    jobs: dict[int | None, Job] = {}
    for job in session.scalars(jobs_of(IMPORT_JOB, [b.id for b in batches])):
        jobs[job.subject_id] = job  # oldest first: each batch keeps its latest
    interrupted = pipeline.interrupted_batches(session, batches[0].project_id)
    return [_state(batch, jobs.get(batch.id), batch.id in interrupted, slug) for batch in batches]


def _state(batch: Batch, job: Job | None, interrupted: bool, slug: str) -> dict:
    status, reason = shown_state(batch, job, interrupted)
    return {
        "id": batch.id,
        "source": batch.source,
        "status": status,
        "error": reason,
        "progress": batch.progress,
        "rows_total": batch.rows_total,
        "rows": batch.rows_read,
        "new": batch.rows_new,
        "duplicate": batch.rows_duplicate,
        "skipped": batch.rows_skipped,
        "problems": batch.skipped or [],
        "attempts": job.attempts if job is not None else None,
        "created_at": batch.created_at.isoformat(),
        "finished_at": batch.finished_at.isoformat() if batch.finished_at else None,
        "url": url_for("api.import_status", slug=slug, batch_id=batch.id),
    }


def _queue(session: Session, project: Project, user: User, files: list, options: ImportOptions):
    """Store the upload and queue its import; the job is handed to the queue after the commit."""
    instance = Path(current_app.instance_path)
    try:
        saved = save_upload(instance, project.id, user.id, files, int(current_app.config["IMPORT_MAX_BYTES"]))
    except UploadError as exc:
        return error(413 if "limit" in str(exc) else 400, str(exc))
    batch, job = queue_import(session, project, saved, options, user)
    touch_token(session, g.token)
    return after_commit(_accepted, project.slug, batch, job)


def _accepted(slug: str, batch: Batch, job):
    dispatch(job)  # committed: a worker may take it now
    state = import_states(db.session(), [batch], slug)[0]
    response = jsonify({"import": state})
    response.status_code = 202
    response.headers["Location"] = state["url"]
    return response


@bp.post("/projects/<slug>/items")
@token_required
@writes_late  # the import takes the write lock itself, in short transactions of its own
def import_items(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    session = db.session()
    max_bytes = int(current_app.config["IMPORT_MAX_BYTES"])
    is_json = request.mimetype == "application/json"
    if not is_json and request.content_length is not None and request.content_length > max_bytes + MULTIPART_SLACK:
        return error(
            413,
            f"the upload is {human_size(request.content_length)}; the upload limit is {human_size(max_bytes)} "
            "(ANNOTATE_IMPORT_MAX_BYTES)",
        )
    try:
        upload = None if is_json else request.files.get("file")
        if upload is not None:
            suffix = upload_suffix(upload.filename or "")
            if suffix is None:
                return error(
                    415, f"unsupported file type; upload one of {', '.join(UPLOAD_SUFFIXES)} (optionally .gz) files"
                )
            options = _options(request.form.to_dict())
            if wants_async():
                return _queue(session, project, g.user, [(upload.filename or "", upload.stream)], options)
            with tempfile.TemporaryDirectory(prefix="annotate-upload-") as tmp:
                path = Path(tmp) / f"upload{suffix}"
                try:
                    store_stream(upload.stream, path, max_bytes, upload.filename or "upload")
                except UploadError as exc:
                    return error(413 if "limit" in str(exc) else 400, str(exc))
                summary = import_sources(
                    session,
                    project,
                    [path],
                    options,
                    user=g.user,
                    display_name=display_name(upload.filename or ""),
                    media_store=Path(current_app.instance_path) / "media",
                    index=False,
                )
        else:
            try:
                body = request_json(
                    min(setting("API_IMPORT_MAX_JSON_BYTES"), max_bytes),
                    "API_IMPORT_MAX_JSON_BYTES",
                    # The rows sit inside the body's array (and its "items" object).
                    depth_limit=setting("IMPORT_MAX_DEPTH") + 2,
                )
            except BodyRefused as exc:
                return refused(exc)
            if isinstance(body, list):
                rows, options = body, ImportOptions()
            elif isinstance(body, dict) and isinstance(body.get("items"), list):
                rows, options = body["items"], _options(body.get("options") or {})
            else:
                return error(
                    400, 'send a JSON array of items, {"items": [...], "options": {...}}, or a multipart file upload'
                )
            if wants_async():
                # Stored as JSONL: the job reads it as it reads an uploaded file (locations are then lines).
                body_file = io.BytesIO(b"".join(orjson.dumps(row) + b"\n" for row in rows))
                return _queue(session, project, g.user, [("request-body.jsonl", body_file)], options)
            summary = import_rows(session, project, rows, "request body", options, user=g.user, index=False)
    except ImportFailed as exc:
        return _failed(exc)
    # The items are visible now; their search index is written by a job, not in the request.
    queue_index(session, session.get_one(Batch, summary.batch_id))
    touch_token(session, g.token)
    return jsonify({"batch": summary.as_json(), "skipped": summary.problems}), 201


@bp.get("/projects/<slug>/imports")
@token_required
def imports(slug: str):
    """The project's latest imports, newest first (``limit``, default 20, at most 100)."""
    project, _member = project_for(g.user, slug, RESEARCH)
    raw = request.args.get("limit", "20")
    limit = whole_number(raw, 100)
    if limit is None or limit < 1:
        return error(400, "limit must be a whole number from 1 to 100", field="limit")
    session = db.session()
    batches = session.scalars(recent_batches(project, limit))
    return jsonify({"imports": import_states(session, list(batches), slug)})


@bp.get("/projects/<slug>/imports/<int:batch_id>")
@token_required
def import_status(slug: str, batch_id: int):
    """One import's state: follow a ``Prefer: respond-async`` import until it is complete or failed."""
    project, _member = project_for(g.user, slug, RESEARCH)
    session = db.session()
    batch = session.scalar(project_batch(project, batch_id))
    if batch is None:
        return error(404, f"no import {batch_id} in this project")
    return jsonify({"import": import_states(session, [batch], slug)[0]})
