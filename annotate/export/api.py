"""API v1 for exports, on the API blueprint (``annotate.api.views.bp``): a streamed JSONL export."""

from __future__ import annotations

from flask import g, request

from annotate import db
from annotate.api.views import bp, error, token_required
from annotate.export.services import ExportError, get_format
from annotate.export.streaming import stream_jsonl
from annotate.projects.access import RESEARCH, project_for


@bp.get("/projects/<slug>/export")
@token_required
def export(slug: str):
    """Stream an export as JSONL; options as in the web form (exports/README.md)."""
    from annotate.export.options import options_from_args
    from annotate.export.services import resolve

    project, _member = project_for(g.user, slug, RESEARCH)
    try:
        fmt = get_format(request.args.get("format", "trl"))
        options = resolve(db.session(), project, fmt, options_from_args(request.args))
    except ExportError as exc:
        field = str(exc).split(":", 1)[0]
        return error(400, str(exc), field=field)
    return stream_jsonl(project, fmt, options, g.user, channel="api")
