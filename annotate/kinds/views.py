"""Researcher pages for task templates (list, view, upload) and the critique rewrite diff.

Views parse, call a service, render; the request commits once (annotate.unit_of_work).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, g, request, url_for

from annotate import db
from annotate.kinds import KINDS, get_kind, jinja
from annotate.kinds.assets import KindTemplates, kind_aware_static
from annotate.kinds.templates import TemplateError, available_templates, load_template, parse_template
from annotate.kinds.uploads import MAX_TEMPLATE_BYTES, all_templates, upload_template, upload_versions
from annotate.models import Assignment, Project, ProjectRole, Role
from annotate.projects.access import WORK, project_for
from annotate.validation import InvalidDocument, Problem
from annotate.web import after_rollback, client_redirect, login_required, render, roles_required, writes_nothing

bp = Blueprint("kinds", __name__)
# Each kind's partial and templates, from its own folder (kinds/<name>/<file>).
bp.jinja_loader = KindTemplates()

RESEARCHERS = (Role.ADMIN, Role.RESEARCHER)
REVIEWERS = (ProjectRole.REVIEWER, ProjectRole.RESEARCHER)


@bp.record_once
def _register_template_helpers(state) -> None:
    """The kinds' partials use these on every page that includes them (task, review, adjudication);
    the static endpoint serves each kind's scripts and styles from its folder."""
    app = state.app
    env = app.jinja_env
    env.globals.update(jinja.GLOBALS)
    env.filters.update(jinja.FILTERS)
    env.tests.update(jinja.TESTS)
    app.view_functions["static"] = kind_aware_static(app.view_functions["static"])


def _templates_dir() -> Path:
    return Path(current_app.config["TEMPLATES_DIR"])


@bp.get("/templates")
@roles_required(*RESEARCHERS)
def index():
    templates = all_templates(db.session(), _templates_dir())
    return render("kinds/templates.html", "content", templates=templates, kinds=KINDS)


@bp.get("/templates/<name>")
@roles_required(*RESEARCHERS)
def show(name: str):
    session = db.session()
    versions: list[Any] = []
    if name not in available_templates(_templates_dir()):
        versions = list(session.scalars(upload_versions(name)))
        if not versions:
            abort(404)
    wanted = request.args.get("version", type=int)
    chosen = next((v for v in versions if v.version == wanted), versions[0] if versions else None)
    try:
        document = chosen.document if chosen is not None else load_template(name, _templates_dir(), session)
    except TemplateError as exc:
        abort(500, str(exc))
    kind = get_kind(document["kind"])
    return render(
        "kinds/template.html",
        "content",
        name=name,
        document=document,
        kind=kind,
        key_help=kind.key_help(document["config"]),
        versions=versions,
        chosen=chosen,
    )


@bp.route("/templates/upload", methods=["GET", "POST"])
@roles_required(*RESEARCHERS)
def upload():
    if request.method == "GET":
        return render("kinds/upload.html", "content", form={}, errors=[])
    form = request.form
    session = db.session()
    try:
        document = _posted_document()
        row = upload_template(session, form.get("name", ""), document, _templates_dir(), g.user)
    except InvalidDocument as exc:
        return after_rollback(render, "kinds/upload.html", "content", status=422, form=form, errors=exc.problems)
    return client_redirect(url_for("kinds.show", name=row.name, version=row.version))


def _posted_document():
    """The template JSON from the uploaded file, else from the pasted text. The file's
    name is never used (not as a path, not as the template's name)."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        raw = upload.stream.read(MAX_TEMPLATE_BYTES + 1)
        source, field = "file", "file"
    else:
        raw = (request.form.get("json") or "").encode()
        source, field = "pasted JSON", "json"
    if not raw.strip():
        raise InvalidDocument([Problem("json", "choose a JSON file or paste the template's JSON")], "template")
    if len(raw) > MAX_TEMPLATE_BYTES:
        raise InvalidDocument(
            [Problem(field, f"a template may be at most {MAX_TEMPLATE_BYTES // 1024} KB")], "template"
        )
    try:
        return parse_template(raw, source)
    except TemplateError as exc:
        raise InvalidDocument([Problem(field, str(exc).removeprefix(f"{source}: "))], "template") from None


@bp.post("/tasks/<int:assignment_id>/rewrite-diff/<response_id>")
@login_required
@writes_nothing
def rewrite_diff(assignment_id: int, response_id: str):
    """The word diff of a rewrite against the original response (an htmx fragment), for the
    expert who holds the assignment, or a reviewer or researcher of its project (who edit
    judgments with the same form)."""
    assignment = _editable(assignment_id)
    original = next((r for r in assignment.item.responses if r["id"] == response_id), None)
    if original is None:
        abort(404)
    rewrite = (request.form.get(f"rewrite-{response_id}") or "").replace("\r\n", "\n")
    return render("kinds/critique/_rewrite_diff.html", "diff", original=original.get("content") or "", rewrite=rewrite)


def _editable(assignment_id: int) -> Assignment:
    """The assignment, for the expert who holds it or a reviewer or researcher of its project
    (who edit judgments with the same forms); 404 for anyone else."""
    session = db.session()
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        abort(404)
    slug = session.get_one(Project, assignment.project_id).slug
    project_for(g.user, slug, WORK if assignment.expert_id == g.user.id else REVIEWERS)
    return assignment


@bp.post("/tasks/<int:assignment_id>/preview")
@login_required
@writes_nothing
def preview(assignment_id: int):
    """The editor's ``text`` as readers will see it (an htmx fragment), rendered by the app's
    safe pipeline (annotate.rendering: raw HTML off, sanitised, math as MathML), for the
    expert who holds the assignment or a reviewer or researcher of its project. Any kind whose
    partial has a Markdown editor may use it."""
    _editable(assignment_id)  # 404 unless this person may edit it
    text = (request.form.get("text") or "").replace("\r\n", "\n")
    return render("kinds/_preview.html", "preview", text=text)
