"""The researcher's project list and the progress page (a live widget polled by htmx).
The item list is the data browser's (annotate/browse/)."""

from __future__ import annotations

from flask import current_app, g, request, url_for
from sqlalchemy import select

from annotate import db
from annotate.hardening import id_arg
from annotate.models import Project, ProjectMember, ProjectRole, Role
from annotate.projects import queries
from annotate.projects.access import RESEARCH, project_for
from annotate.projects.views import bp
from annotate.timekeeping.reports import flag_rates
from annotate.web import login_required, render, roles_required, wants_fragment


@bp.app_context_processor
def _export_link() -> dict:
    def project_exports_url(project: Project) -> str | None:
        """The export blueprint's page for the project, when that blueprint is installed."""
        if "export.page" in current_app.view_functions:
            return url_for("export.page", slug=project.slug)
        return None

    return {"project_exports_url": project_exports_url}


def _after() -> int | None:
    return id_arg(request.args, "after")


@bp.get("/projects")
@roles_required(Role.ADMIN, Role.RESEARCHER)
def index():
    """The projects this researcher runs (every project for an admin), with links to their pages."""
    stmt = select(Project).where(Project.archived.is_(False))
    if not g.user.is_admin:
        stmt = stmt.join(ProjectMember, ProjectMember.project_id == Project.id).where(
            ProjectMember.user_id == g.user.id,
            ProjectMember.role == ProjectRole.RESEARCHER,
            ProjectMember.active.is_(True),
        )
    page = queries.keyset(db.session(), stmt, Project.id, _after())
    return render("projects/index.html", "content", page=page)


@bp.get("/p/<slug>/progress")
@login_required
def progress(slug: str):
    """Counts, judgments per day, per-expert throughput (one page of members) and skip reasons.

    Two self-polling widgets: the counts and days (the ``progress`` block, every 5 s; a few
    small reads whatever the project's size) and throughput and skip reasons (``people``,
    requested with ``part=people`` every minute: they cost more to count, and change slowly).
    An htmx poll computes only its own widget."""
    project, _member = project_for(g.user, slug, RESEARCH)
    session = db.session()
    after = _after()
    block = "people" if request.args.get("part") == "people" else "progress"
    whole_page = not wants_fragment()
    context: dict = {"project": project, "after": after}
    if block == "progress" or whole_page:
        days = queries.judgments_per_day(session, project)
        context.update(
            counts=queries.progress_counts(session, project), days=days, peak=max((n for _d, n in days), default=0)
        )
    if block == "people" or whole_page:
        page = queries.keyset(session, queries.members(project), ProjectMember.id, after, limit=25)
        context.update(
            page=page,
            rates=queries.throughput(session, project, [user.id for _member, user in page.rows]),
            flagged=flag_rates(session, project, [user.id for _member, user in page.rows]),
            skips=session.execute(queries.skip_reasons(project)).all(),
        )
    return render("projects/progress.html", block, **context)
