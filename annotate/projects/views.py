"""Researcher pages for a project: create, settings, instructions and terms (with live preview).
Exports live in annotate/export/views.py (blueprint ``export``).

Members live in ``members.py``, progress in ``progress.py``; both add routes to
this blueprint. Views parse, call a service, commit once, render (STYLE.md 3).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, g, request, url_for

from annotate import db
from annotate.kinds.templates import TemplateError
from annotate.kinds.uploads import all_templates
from annotate.models import Project, Role
from annotate.projects.access import RESEARCH, WORK, project_for
from annotate.projects.services import (
    ProjectError,
    accept_terms,
    create_project,
    current_terms,
    edit_instructions,
    edit_terms,
    terms_pending,
)
from annotate.projects.settings import Settings, parse_settings, update_settings
from annotate.web import client_redirect, login_required, render, roles_required, writes_nothing

bp = Blueprint("projects", __name__)

RESEARCHERS = (Role.ADMIN, Role.RESEARCHER)


def _templates_dir() -> Path:
    return Path(current_app.config["TEMPLATES_DIR"])


def import_url(project: Project) -> str:
    """The ingest flow's page, if the ingest blueprint provides one."""
    for endpoint in ("ingest.upload", "ingest.new", "ingest.index", "ingest.import_page"):
        if endpoint in current_app.view_functions:
            return url_for(endpoint, slug=project.slug)
    return f"/p/{project.slug}/import"


@bp.app_context_processor
def _helpers() -> dict:
    return {"project_import_url": import_url}


# -- create ---------------------------------------------------------------------------------


@bp.route("/projects/new", methods=["GET", "POST"])
@roles_required(*RESEARCHERS)
def new():
    templates = all_templates(db.session(), _templates_dir())  # shipped files and researchers' uploads
    form = request.form
    if request.method == "GET":
        return render("projects/new.html", "content", templates=templates, form={}, error=None)
    session = db.session()
    try:
        settings = parse_settings(form)
        project = create_project(
            session,
            (form.get("slug") or "").strip().lower(),
            template_name=form.get("template", ""),
            templates_dir=_templates_dir(),
            title=settings.title,
            overlap=settings.overlap,
            instructions=form.get("instructions"),
            created_by=g.user,
            lease_seconds=settings.lease_seconds,
            randomize_order=settings.randomize_order,
        )
        update_settings(session, project, settings)
    except (ProjectError, TemplateError) as exc:
        session.rollback()
        return render("projects/new.html", "content", status=422, templates=templates, form=form, error=str(exc))
    session.commit()
    flash(f"Created project {project.title}. Next: import items and add members.")
    return client_redirect(url_for("projects.settings", slug=project.slug))


@bp.post("/projects/preview")
@roles_required(*RESEARCHERS)
@writes_nothing
def preview():
    """Render Markdown exactly as experts will see it (the ``markdown`` filter), for the live preview."""
    field = request.args.get("field", "instructions")
    if field not in {"instructions", "terms"}:
        abort(400, "field must be instructions or terms")
    return render("projects/_preview.html", "preview", body=request.form.get(field, ""), field=field)


# -- settings, instructions, terms ---------------------------------------------------------------


def _settings_page(
    project: Project, *, status: int = 200, error: str | None = None, form=None, instructions=None, terms_body=None
):
    terms = current_terms(db.session(), project)
    return render(
        "projects/settings.html",
        "content",
        status=status,
        project=project,
        settings=form if form is not None else vars(Settings.of(project)),
        error=error,
        instructions=project.instructions if instructions is None else instructions,
        terms=terms,
        terms_body=(terms.body if terms else "") if terms_body is None else terms_body,
    )


@bp.get("/p/<slug>/settings")
@login_required
def settings(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    return _settings_page(project)


@bp.post("/p/<slug>/settings")
@login_required
def save_settings(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    session = db.session()
    try:
        changed = update_settings(session, project, parse_settings(request.form))
    except ProjectError as exc:
        session.rollback()
        return _settings_page(project, status=422, error=str(exc), form=request.form)
    session.commit()
    flash("Settings saved: " + ", ".join(c.replace("_", " ") for c in changed) if changed else "Nothing changed.")
    return client_redirect(url_for("projects.settings", slug=project.slug))


@bp.post("/p/<slug>/instructions")
@login_required
def save_instructions(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    session = db.session()
    body = request.form.get("instructions", "")
    try:
        version = edit_instructions(session, project, body, by=g.user)
    except ProjectError as exc:
        session.rollback()
        return _settings_page(project, status=422, error=str(exc), instructions=body)
    session.commit()
    flash(f"Instructions saved as version {version.version}." if version else "The instructions are unchanged.")
    return client_redirect(url_for("projects.settings", slug=project.slug) + "#instructions")


@bp.post("/p/<slug>/settings/terms")
@login_required
def save_terms(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    session = db.session()
    body = request.form.get("terms", "")
    try:
        terms = edit_terms(session, project, body, by=g.user)
    except ProjectError as exc:
        session.rollback()
        return _settings_page(project, status=422, error=str(exc), terms_body=body)
    session.commit()
    if terms is None:
        flash("The terms are unchanged.")
    elif terms.body:
        flash(f"Terms version {terms.version} published: every member must accept it before their next task.")
    else:
        flash("Terms withdrawn: members need not accept anything.")
    return client_redirect(url_for("projects.settings", slug=project.slug) + "#terms")


# -- the expert's side of the terms ---------------------------------------------------------------


@bp.get("/p/<slug>/terms")
@login_required
def terms(slug: str):
    project, _member = project_for(g.user, slug, WORK)
    current = current_terms(db.session(), project)
    pending = terms_pending(db.session(), project, g.user)
    return render("projects/terms.html", "content", project=project, terms=current, pending=pending is not None)


@bp.post("/p/<slug>/terms/accept")
@login_required
def accept(slug: str):
    project, _member = project_for(g.user, slug, WORK)
    session = db.session()
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        abort(400, "version: expected the version number of the terms you read")
    try:
        accept_terms(session, project, g.user, version)
    except ProjectError as exc:
        session.rollback()
        flash(str(exc))
        return client_redirect(url_for("projects.terms", slug=project.slug))
    session.commit()
    flash("Thank you: terms accepted.")
    return client_redirect(url_for("workbench.project", slug=project.slug))


# Routes in sibling modules register on ``bp`` when imported.
from annotate.projects import invitations, members, progress  # noqa: E402,F401
