"""Researcher pages for a project. (Set-up, import and members pages grow here.)"""

from __future__ import annotations

from flask import Blueprint, abort, g, request

from annotate.export.services import ExportError, get_format
from annotate.export.streaming import stream_jsonl
from annotate.projects.access import RESEARCH, project_for
from annotate.web import login_required

bp = Blueprint("projects", __name__)


@bp.get("/p/<slug>/export")
@login_required
def export(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    try:
        fmt = get_format(request.args.get("format", "trl"))
    except ExportError as exc:
        abort(400, str(exc))
    return stream_jsonl(project, fmt, g.user, channel="web")
