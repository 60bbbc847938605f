"""API v1 for quality, on the API blueprint: the project's figures for researchers (the same
as the Quality page and ``annotate quality --json``).

Importing this module registers the route (``annotate.register_blueprints``)."""

from __future__ import annotations

from flask import g, jsonify

from annotate import db
from annotate.api.views import bp, token_required
from annotate.projects.access import RESEARCH, project_for
from annotate.quality.services import figures, project_report


@bp.get("/projects/<slug>/quality")
@token_required
def quality(slug: str):
    """Agreement, kappa, experts' scores, position bias, judge calibration and the leaderboard."""
    project, _member = project_for(g.user, slug, RESEARCH)
    report = project_report(db.session(), project)
    return jsonify(
        {
            "project": project.slug,
            "judgments": report["judgments"],
            "items": report["items"],
            **figures(report),
            "position": report["position"],
            "leaderboards": report["leaderboards"],
        }
    )
