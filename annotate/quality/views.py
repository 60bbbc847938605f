"""The Quality page of a project: everything for its researchers, one's own standing for an expert."""

from __future__ import annotations

from flask import Blueprint, g

from annotate import db
from annotate.projects.access import WORK, can_research, project_for
from annotate.quality import scores
from annotate.quality.charts import page_charts
from annotate.quality.services import own_standing, project_report
from annotate.web import login_required, render

bp = Blueprint("quality", __name__)


@bp.get("/p/<slug>/quality")
@login_required
def page(slug: str):
    """Researchers: agreement, kappa, the experts' ranked scores, bias, judge, leaderboard, with
    charts. Experts: their own score and its parts, never anyone else's."""
    project, member = project_for(g.user, slug, WORK)
    report = project_report(db.session(), project)
    if not can_research(g.user, member):
        return render(
            "quality/mine.html",
            "content",
            project=project,
            standing=own_standing(report, g.user.id),
            labels=scores.LABELS,
        )
    return render(
        "quality/page.html",
        "content",
        project=project,
        report=report,
        charts=page_charts(report),
        labels=scores.LABELS,
    )
