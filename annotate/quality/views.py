"""The Quality page of a project (everything for its researchers, one's own standing for an
expert), its gold and qualification settings, and the qualification page (an expert's result
with feedback; who passed, failed or is pending for researchers)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, request, url_for

from annotate import db
from annotate.db import utcnow
from annotate.jobs.records import dispatch_after_commit, job_of
from annotate.models import JobStatus, Project
from annotate.projects.access import RESEARCH, WORK, can_research, project_for
from annotate.quality import qualification, scores, screening
from annotate.quality import settings as quality_settings
from annotate.quality.charts import page_charts
from annotate.quality.jobs import KIND, queue_report
from annotate.quality.services import live_limit, own_standing, project_report, shown_report
from annotate.web import after_rollback, client_redirect, login_required, render

bp = Blueprint("quality", __name__)
# The page's sections with nothing in them, while a large project's report is not computed yet.
EMPTY = {
    "judgments": 0,
    "items": 0,
    "agreement": [],
    "kappa": [],
    "experts": [],
    "position": {"decided": 0, "first_shown_win_rate": None, "p_value": None, "ci": None},
    "judge": {"by_question": [], "by_model": [], "by_expert": []},
    "leaderboard": [],
    "leaderboards": {},
    "primary_question": None,
    "leaderboard_question": None,
}


@bp.get("/p/<slug>/quality")
@login_required
def page(slug: str):
    """Researchers: agreement, kappa, the experts' ranked scores, bias, judge, leaderboard, with
    charts. Experts: their own score and its parts, never anyone else's."""
    project, member = project_for(g.user, slug, WORK)
    if not can_research(g.user, member):
        shown = shown_report(db.session(), project)
        return render(
            "quality/mine.html",
            "content",
            project=project,
            standing=own_standing(shown.report, g.user.id) if shown.report else None,
            labels=scores.LABELS,
        )
    return _researcher_page(project)


def _researcher_page(project: Project, status: int = 200, problems: dict[str, str] | None = None, form: Any = None):
    session = db.session()
    shown = shown_report(session, project)
    job = session.scalar(job_of(KIND, project.id))
    return render(
        "quality/page.html",
        "content",
        status=status,
        project=project,
        report=shown.report or EMPTY,
        shown=shown,
        job=job
        if job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.RETRYING)
        else None,
        charts=page_charts(shown.report) if shown.report else {},
        labels=scores.LABELS,
        standings=qualification.standings(session, project) if project.qualification_size else [],
        problems=problems or {},
        form=form if form is not None else quality_settings.current(project),
    )


@bp.post("/p/<slug>/quality/settings")
@login_required
def save_settings(slug: str):
    """Gold rate and the qualification test; every problem shown next to its field."""
    project, _member = project_for(g.user, slug, RESEARCH)
    try:
        values = quality_settings.parse(request.form)
    except quality_settings.SettingsError as exc:
        return after_rollback(_researcher_page, project, status=422, problems=exc.problems, form=request.form)
    quality_settings.apply(project, values)
    flash("Gold and qualification settings saved.")
    return client_redirect(url_for("quality.page", slug=project.slug) + "#screening")


@bp.post("/p/<slug>/quality/keep")
@login_required
def keep(slug: str):
    """Compute the figures and keep them, so the page shows them at once until the next change."""
    project, _member = project_for(g.user, slug, RESEARCH)
    session = db.session()
    if shown_report(session, project).judgments > live_limit():
        dispatch_after_commit(session, queue_report(session, project))
        flash("The figures are being computed in the background; this page shows them when they are ready.")
    else:
        project_report(session, project, store=True)
        flash("The figures are kept: the page shows them at once until a judgment or review changes.")
    return client_redirect(url_for("quality.page", slug=project.slug))


@bp.get("/p/<slug>/qualification")
@login_required
def qualification_page(slug: str):
    """An expert's qualification: why they cannot take tasks yet (if so), each finished attempt
    with the expected answers and explanations. Researchers: who passed, failed or is pending."""
    project, member = project_for(g.user, slug, WORK)
    session = db.session()
    researcher = can_research(g.user, member)
    attempts = qualification.own_attempts(session, project, g.user)
    return render(
        "quality/qualification.html",
        "content",
        project=project,
        researcher=researcher,
        standings=qualification.standings(session, project) if researcher else [],
        qualified=screening.qualified(session, project, g.user),
        refusal=screening.refusal(session, project, g.user, utcnow()),
        attempts=[(a, qualification.feedback(session, a) if a.finished_at else []) for a in attempts],
    )
