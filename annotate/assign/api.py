"""API v1 for the assignment engine beyond claim and submit, on the API blueprint
(``annotate.api.views.bp``): skip, batch priority, skipped items.

Importing this module registers the routes; ``annotate.web.init_app`` imports it
before the blueprint is registered.
"""

from __future__ import annotations

from flask import g, jsonify, request

from annotate import db
from annotate.api.views import bp, error, token_required
from annotate.assign.routing import refusal
from annotate.assign.services import AssignmentError, prioritize_batch, skip_assignment
from annotate.assign.skips import skipped_report
from annotate.db import utcnow
from annotate.models import Assignment
from annotate.projects.access import RESEARCH, WORK, project_by_id_for, project_for
from annotate.web import writes_late


def _body() -> dict | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


@bp.post("/assignments/<int:assignment_id>/skip")
@token_required
@writes_late
def skip(assignment_id: int):
    session = db.session()
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.expert_id != g.user.id:
        return error(404, "no such assignment for this token's user")
    project_by_id_for(g.user, assignment.project_id, WORK)
    body = _body()
    if body is None:
        return error(400, "the request body must be a JSON object")
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        return error(422, "reason is required", problems=[{"path": "reason", "message": "say why you skip this task"}])
    try:
        skip_assignment(session, assignment, reason)
    except AssignmentError as exc:
        session.rollback()
        return error(exc.status, str(exc))
    session.commit()
    return jsonify(
        {"assignment": {"id": assignment.id, "status": assignment.status.value, "skip_reason": assignment.skip_reason}}
    )


@bp.get("/projects/<slug>/eligibility")
@token_required
def eligibility(slug: str):
    """Why a claim would give this user nothing (expertise, quota, lease cap), or null."""
    project, _member = project_for(g.user, slug, WORK)
    return jsonify({"refusal": refusal(db.session(), project, g.user, utcnow())})


@bp.post("/projects/<slug>/priority")
@token_required
def priority(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    body = _body()
    if body is None:
        return error(400, "the request body must be a JSON object")
    problems = []
    batch_id, value = body.get("batch_id"), body.get("priority", 10)
    if not isinstance(batch_id, int) or isinstance(batch_id, bool):
        problems.append({"path": "batch_id", "message": "expected a batch id (integer)"})
    if not isinstance(value, int) or isinstance(value, bool):
        problems.append({"path": "priority", "message": "expected an integer; higher goes first"})
    if problems:
        return error(422, "invalid priority request", problems=problems)
    session = db.session()
    try:
        n = prioritize_batch(session, project, batch_id, value)
    except AssignmentError as exc:
        session.rollback()
        return error(exc.status, str(exc))
    session.commit()
    return jsonify({"batch_id": batch_id, "priority": value, "items": n})


@bp.get("/projects/<slug>/skipped")
@token_required
def skipped(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    try:
        limit = min(max(int(request.args.get("limit", 100)), 1), 1000)
        offset = min(max(int(request.args.get("offset", 0)), 0), db.MAX_ID)
    except ValueError:
        return error(400, "limit and offset must be whole numbers")
    return jsonify({"skipped": skipped_report(db.session(), project, limit=limit, offset=offset)})
