"""The researcher's import flow: upload -> preview (shape, mapping, first rows, count) ->
confirm -> a background import with live, htmx-polled progress -> the summary.

Views parse, call a service with plain values, and render (STYLE.md 3). Starting an
import queues its batch and a job of the task queue (``annotate.ingest.jobs``) in the
request's unit of work; the job is handed to the queue once they are committed, and any
host shows its state from the ``jobs`` row.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, g, redirect, request, send_file, url_for
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from annotate import db
from annotate.ingest import pipeline
from annotate.ingest.errors import ImportFailed
from annotate.ingest.jobs import KIND as IMPORT_JOB
from annotate.ingest.jobs import queue_import, shown_state
from annotate.ingest.media import media_file
from annotate.ingest.preview import build_preview
from annotate.ingest.queries import project_batch, recent_batches
from annotate.ingest.readers import READERS
from annotate.ingest.services import ImportOptions
from annotate.ingest.shapes import SHAPES
from annotate.ingest.shapes.mapping import FIELDS, parse_mapping
from annotate.ingest.uploads import UploadError, human_size, load_upload, save_upload
from annotate.ingest.wording import for_the_page
from annotate.jobs.records import dispatch, job_of
from annotate.models import Batch, Project
from annotate.projects.access import RESEARCH, project_for
from annotate.projects.services import membership
from annotate.web import after_commit, login_required, render, writes_late, writes_nothing

bp = Blueprint("ingest", __name__)
FILE_FORMATS = [name for name in READERS if not name.startswith("hf-")]
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
DEFAULT_JOIN = "instruction"


@bp.app_template_filter("page_words")
def _page_words(message: str | None) -> str:
    return for_the_page(message)


def _instance() -> Path:
    return Path(current_app.instance_path)


def _max_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _options_from(form) -> tuple[ImportOptions, list[str]]:
    """Options from the preview form; returns them and the problems found."""
    problems: list[str] = []
    shape = form.get("shape") or None
    if shape is not None and shape not in SHAPES:
        problems.append(f"unknown shape {shape!r}")
        shape = None
    fmt = form.get("format") or None
    if fmt is not None and fmt not in FILE_FORMATS:
        problems.append(f"unknown format {fmt!r}")
        fmt = None
    pairs = [f"{name}={form.get('map_' + name, '').strip()}" for name in FIELDS if form.get("map_" + name, "").strip()]
    mapping = None
    if pairs:
        try:
            mapping = parse_mapping(pairs, "mapping")
        except ImportFailed as exc:
            problems.append(exc.detail)
    join = (form.get("join") or "").strip() or None
    return ImportOptions(
        format=fmt,
        shape=shape,
        mapping=mapping,
        join=join,
        skip_invalid=form.get("skip_invalid") in ("on", "1", "true"),
    ), problems


@bp.get("/p/<slug>/import")
@login_required
def upload(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    batches = db.session().scalars(recent_batches(project)).all()
    return render(
        "ingest/upload.html",
        "content",
        project=project,
        batches=batches,
        # A GET writes nothing: a dead import is shown as interrupted and recorded by the next import.
        interrupted=pipeline.interrupted_batches(db.session(), project.id),
        max_bytes=human_size(_max_bytes()),
        error=None,
    )


@bp.post("/p/<slug>/import")
@login_required
@writes_nothing
def receive(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    limit = _max_bytes()
    error = None
    if request.content_length is not None and request.content_length > limit + 64 * 1024:
        error = (
            f"The upload is {human_size(request.content_length)}; the upload limit is {human_size(limit)}."
            " Import larger files with `annotate import` on the server."
        )
    else:
        files = [(f.filename or "", f.stream) for f in request.files.getlist("file") if f.filename]
        try:
            saved = save_upload(_instance(), project.id, g.user.id, files, limit)
        except UploadError as exc:
            error = str(exc)
        else:
            return redirect(url_for("ingest.preview", slug=slug, token=saved.token), 303)
    batches = db.session().scalars(recent_batches(project)).all()
    return render(
        "ingest/upload.html",
        "content",
        status=413 if "limit" in error else 400,
        project=project,
        batches=batches,
        max_bytes=human_size(limit),
        error=error,
    )


@bp.get("/p/<slug>/import/<token>")
@login_required
def preview(slug: str, token: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    saved = load_upload(_instance(), token, project.id, g.user.id)
    if saved is None:
        abort(404)
    options, problems = _options_from(request.args)
    if len(saved.files) > 1 and not options.join:
        options.join = DEFAULT_JOIN  # AlpacaEval-style model outputs; the form lets them change it
    result = build_preview(saved.files, saved.names, options, project.kind, config=project.template["config"])
    return render(
        "ingest/preview.html",
        "content",
        project=project,
        upload=saved,
        options=options,
        problems=problems,
        preview=result,
        shapes=SHAPES,
        fields=FIELDS,
        formats=FILE_FORMATS,
        form=request.args,
    )


@bp.post("/p/<slug>/import/<token>")
@login_required
@writes_late  # the preview below reads files: the write lock is taken only to queue the batch
def start(slug: str, token: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    saved = load_upload(_instance(), token, project.id, g.user.id)
    if saved is None:
        abort(404)
    options, problems = _options_from(request.form)
    if len(saved.files) > 1 and not options.join:
        options.join = DEFAULT_JOIN
    result = None
    if not problems and not options.skip_invalid:
        # The button is disabled then; this is for a form sent anyway (an old page, no JS).
        result = build_preview(saved.files, saved.names, options, project.kind, config=project.template["config"])
        if result.blocked:
            rows = f"{result.invalid:,} row{'' if result.invalid == 1 else 's'}"
            problems.append(
                f"{rows} would fail, so nothing would be imported. Fix the mapping, "
                "or tick “Skip invalid rows” to import the others."
            )
    if problems:
        result = result or build_preview(
            saved.files, saved.names, options, project.kind, config=project.template["config"]
        )
        return render(
            "ingest/preview.html",
            "content",
            status=422,
            project=project,
            upload=saved,
            options=options,
            problems=problems,
            preview=result,
            shapes=SHAPES,
            fields=FIELDS,
            formats=FILE_FORMATS,
            form=request.form,
        )
    batch, job = queue_import(db.session(), project, saved, options, g.user)
    return after_commit(_started, project, batch, job)


def _started(project: Project, batch: Batch, job):
    dispatch(job)  # the batch and its job are committed: a worker may take it now
    return redirect(url_for("ingest.batch", slug=project.slug, batch_id=batch.id), 303)


@bp.get("/p/<slug>/imports/<int:batch_id>")
@login_required
def batch(slug: str, batch_id: int):
    project, _member = project_for(g.user, slug, RESEARCH)
    found: Batch | None = db.session().scalar(project_batch(project, batch_id))
    if found is None:
        abort(404)
    job = db.session().scalar(job_of(IMPORT_JOB, found.id))
    # A GET writes nothing: a dead import is shown as interrupted and recorded by the next import.
    interrupted = found.id in pipeline.interrupted_batches(db.session(), project.id)
    shown, error = shown_state(found, job, interrupted)
    return render(
        "ingest/batch.html",
        "progress",
        project=project,
        batch=found,
        job=job,
        running=shown in ("queued", "running", "retrying"),
        shown_status=shown,
        error=error,
    )


@bp.get("/media/<int:project_id>/<name>")
@login_required
def media(project_id: int, name: str):
    """A media file of a project, for its members (any role) and admins; 404 for anyone else."""
    project = db.session().get(Project, project_id)
    if (
        project is None
        or project.archived
        or not (g.user.is_admin or membership(db.session(), project, g.user) is not None)
    ):
        abort(404)
    path = media_file(_instance() / "media", project.id, name)
    if path is None:
        abort(404)
    try:
        # Range requests (206 Partial Content) so a player can seek without the whole file.
        response = send_file(path, max_age=3600, conditional=True)
    except RequestedRangeNotSatisfiable:
        # 416 names the file's length (RFC 9110 15.5.17), which the app's error page would drop.
        response = current_app.response_class("Requested range not satisfiable\n", status=416, mimetype="text/plain")
        response.headers["Content-Range"] = f"bytes */{path.stat().st_size}"
    response.cache_control.public = False
    response.cache_control.private = True
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
