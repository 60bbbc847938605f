"""Researcher export pages: the streamed download, the export page with every format and
option, background folder exports with progress, and their files."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, g, redirect, request, send_file, url_for

from annotate import db
from annotate.export.base import AGGREGATIONS, UNITS, ExportError
from annotate.export.folder import FORMS
from annotate.export.jobs import KIND as EXPORT_JOB
from annotate.export.jobs import start_folder_export
from annotate.export.options import options_from_args
from annotate.export.preview import dry_run, empty_message, folder_archive, formats_for, left_out_lines
from annotate.export.queries import recent_exports
from annotate.export.services import get_format, resolve
from annotate.export.streaming import stream_jsonl
from annotate.jobs.records import dispatch, job_of
from annotate.kinds import get_kind
from annotate.models import ExportRecord
from annotate.models.export import ExportStatus
from annotate.projects.access import RESEARCH, project_for
from annotate.web import after_commit, after_rollback, client_redirect, login_required, render, writes_late

bp = Blueprint("export", __name__)


def _page(project, status: int = 200, error: str | None = None, check=None):
    exports = db.session().scalars(recent_exports(project)).all()
    return render(
        "export/page.html",
        "exports",
        status=status,
        project=project,
        formats=formats_for(get_kind(project.kind)),
        check=check,
        units=UNITS,
        aggregations=AGGREGATIONS,
        forms=FORMS,
        exports=exports,
        error=error,
        args=request.values,
    )


def _format_name(project, args) -> str:
    """The chosen format, or the first one that applies to the project's kind."""
    return args.get("format") or next(iter(formats_for(get_kind(project.kind))), "raw")


@bp.post("/p/<slug>/export")
@login_required
@writes_late  # stream_jsonl takes the write lock itself, only to record the export
def download(slug: str):
    """Stream the export as JSONL (options in the form) and record it. A POST with its CSRF
    token: a GET must change nothing, and a page's <img src> or a link must not start one."""
    project, _member = project_for(g.user, slug, RESEARCH)
    try:
        fmt = get_format(_format_name(project, request.form))
        options = resolve(db.session(), project, fmt, options_from_args(request.form))
    except ExportError as exc:
        return _page(project, 400, str(exc))
    # An empty file is not a dataset (load_dataset refuses it): say why there are no rows instead.
    first = dry_run(db.session(), project, fmt, options, first_only=True)
    if not first.rows:
        return _page(project, 422, empty_message(fmt, first), check=(fmt, first, left_out_lines(first)))
    return stream_jsonl(project, fmt, options, g.user, channel="web")


@bp.get("/p/<slug>/export")
@login_required
def download_form(slug: str):
    """An old download link: the export page, its form filled in from the query string."""
    project, _member = project_for(g.user, slug, RESEARCH)
    query = request.query_string.decode("latin-1")  # as sent: repeated options (exclude_expert) stay
    return redirect(url_for("export.page", slug=project.slug) + (f"?{query}" if query else ""), 303)


@bp.get("/p/<slug>/export/check")
@login_required
def check(slug: str):
    """What an export with these options would hold: rows, and what is left out and why (as the CLI says)."""
    project, _member = project_for(g.user, slug, RESEARCH)
    try:
        fmt = get_format(_format_name(project, request.args))
        options = resolve(db.session(), project, fmt, options_from_args(request.args))
    except ExportError as exc:
        return _page(project, 400, str(exc))
    summary = dry_run(db.session(), project, fmt, options)
    error = None if summary.rows else empty_message(fmt, summary)
    return _page(project, 200, error, check=(fmt, summary, left_out_lines(summary)))


@bp.get("/p/<slug>/exports")
@login_required
def page(slug: str):
    """Every format and option, and the project's recent exports (polled while one runs)."""
    project, _member = project_for(g.user, slug, RESEARCH)
    return _page(project)


@bp.post("/p/<slug>/exports")
@login_required
def start(slug: str):
    """Start a folder export (data + card + manifest) as a background job."""
    project, _member = project_for(g.user, slug, RESEARCH)
    session = db.session()
    form = request.form.get("form", "jsonl")
    try:
        if form not in FORMS:
            raise ExportError(f"form: {form!r} is not one of {', '.join(FORMS)}")
        fmt = get_format(_format_name(project, request.form))
        options = resolve(session, project, fmt, options_from_args(request.form))
        first = dry_run(session, project, fmt, options, first_only=True)
        if not first.rows:
            raise ExportError(empty_message(fmt, first))
        license = (request.form.get("license") or "other").strip()[:64]
        record, job = start_folder_export(session, project, fmt, options, g.user, form=form, license=license)
    except ExportError as exc:
        return after_rollback(_page, project, 400, str(exc))
    return after_commit(_started, project, record.id, job)


def _started(project, record_id: int, job):
    dispatch(job)  # the record and its job are committed: a worker may take it now
    return client_redirect(url_for("export.show", slug=project.slug, export_id=record_id))


def _record(project, export_id: int) -> ExportRecord:
    record = db.session().get(ExportRecord, export_id)
    if record is None or record.project_id != project.id:
        abort(404)
    return record


@bp.get("/p/<slug>/exports/<int:export_id>")
@login_required
def show(slug: str, export_id: int):
    """One export: progress while it runs, then its counts and files."""
    project, _member = project_for(g.user, slug, RESEARCH)
    record = _record(project, export_id)
    job = db.session().scalar(job_of(EXPORT_JOB, record.id)) if record.channel == "web" else None
    return render(
        "export/show.html",
        "status",
        project=project,
        record=record,
        job=job,
        running=record.status is ExportStatus.RUNNING,
    )


@bp.get("/p/<slug>/exports/<int:export_id>/archive")
@login_required
def archive(slug: str, export_id: int):
    """A finished folder export as one zip, which unpacks into a folder ``load_dataset`` reads."""
    project, _member = project_for(g.user, slug, RESEARCH)
    record = _record(project, export_id)
    if record.status is not ExportStatus.COMPLETE or not record.output or not record.files:
        abort(404)
    if not Path(record.output).is_dir():
        abort(410, "The export's files have been removed from the server.")
    path = folder_archive(record, slug)
    return send_file(path, as_attachment=True, download_name=f"{slug}-export-{export_id}.zip")


@bp.get("/p/<slug>/exports/<int:export_id>/files/<path:name>")
@login_required
def file(slug: str, export_id: int, name: str):
    """A file of a finished folder export; only files the export recorded can be fetched."""
    project, _member = project_for(g.user, slug, RESEARCH)
    record = _record(project, export_id)
    listed = dict(record.files or {})
    listed["manifest.json"] = {}
    if record.status is not ExportStatus.COMPLETE or not record.output or name not in listed:
        abort(404)
    path = Path(record.output) / name
    if not path.is_file():
        abort(410, "The export's files have been removed from the server.")
    return send_file(path, as_attachment=True, download_name=f"{slug}-{export_id}-{name.replace('/', '-')}")
