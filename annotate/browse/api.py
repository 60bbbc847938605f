"""``GET /api/v1/projects/<slug>/items`` and ``/judgments``: the data browser's lists as JSON, with
the same filters as the pages (``q``, ``state``, ``batch``, ``expert``, ``gold``, ``model``,
``sort``; for judgments also ``review``, ``verdict``, ``since``, ``until``) and ``cursor``/``limit``
keyset paging: ``next`` is the cursor of the next page, null on the last.

Researchers of the project only (admins too); token auth. Importing this module registers the routes.
"""

from __future__ import annotations

from flask import g, jsonify, request, url_for

from annotate import db
from annotate.api.views import bp, error, token_required
from annotate.browse import queries
from annotate.browse.filters import FilterError, parse
from annotate.browse.show import item_state
from annotate.projects.access import RESEARCH, project_for


def _listing(slug: str, build):
    project, _member = project_for(g.user, slug, RESEARCH)
    session = db.session()
    try:
        f = parse(request.args)
        expert = queries.expert_id(session, project, f.expert)
    except FilterError as exc:
        return None, error(
            400, "bad filters", problems=[{"path": name, "message": msg} for name, msg in exc.problems.items()]
        )
    dialect = session.get_bind().dialect.name
    return (project, f, queries.page(session, build(project, f, dialect, expert), f.cursor, f.limit)), None


def _next_url(endpoint: str, slug: str, f, cursor: str | None) -> str | None:
    return url_for(endpoint, slug=slug, cursor=cursor, limit=f.limit, **f.args()) if cursor else None


@bp.get("/projects/<slug>/items")
@token_required
def browse_items(slug: str):
    result, problem = _listing(slug, queries.items)
    if problem is not None:
        return problem
    project, f, page = result
    return jsonify(
        {
            "items": [
                {
                    "id": row.external_id,
                    "item_id": row.id,
                    "batch": row.batch_id,
                    "state": item_state(project, row.judged_count, row.assigned_count),
                    "judgments": row.judged_count,
                    "gold": bool(row.gold),
                    "prompt": row.prompt,
                    "responses": row.responses,
                    "created_at": row.created_at.isoformat(),
                }
                for row in page.rows
            ],
            "next": page.next,
            "next_url": _next_url("api.browse_items", slug, f, page.next),
        }
    )


@bp.get("/projects/<slug>/judgments")
@token_required
def browse_judgments(slug: str):
    result, problem = _listing(slug, queries.judgments)
    if problem is not None:
        return problem
    _project, f, page = result
    return jsonify(
        {
            "judgments": [
                {
                    "id": row.id,
                    "item_id": row.external_id,
                    "expert": row.pseudonym,
                    "answers": row.answers,
                    "review_state": row.review_state.value,
                    "adjudication": row.adjudication,
                    "active_seconds": row.active_seconds,
                    "interval_count": row.interval_count,
                    "flags": row.flags or {},
                    "created_at": row.created_at.isoformat(),
                    "updated_at": row.updated_at.isoformat(),
                }
                for row in page.rows
            ],
            "next": page.next,
            "next_url": _next_url("api.browse_judgments", slug, f, page.next),
        }
    )
