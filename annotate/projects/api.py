"""API v1 for projects, on the API blueprint (``annotate.api.views.bp``): progress counts."""

from __future__ import annotations

from flask import g, jsonify

from annotate import db
from annotate.api.views import bp, token_required
from annotate.projects.access import RESEARCH, project_for
from annotate.projects.services import stats


@bp.get("/projects/<slug>/stats")
@token_required
def project_stats(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    return jsonify(stats(db.session(), project))
