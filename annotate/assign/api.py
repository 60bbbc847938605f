"""API v1 for the assignment engine, on the API blueprint (``annotate.api.views.bp``): claim,
submit, skip, eligibility, batch priority, skipped items.

Importing this module registers the routes; ``annotate.register_blueprints`` imports it
before the blueprint is registered.
"""

from __future__ import annotations

from flask import Response, g, jsonify, request, url_for
from werkzeug.exceptions import BadRequest

from annotate import db, suggestions
from annotate.api.views import assignment_json, bp, error, json_object, token_required
from annotate.assign.access import own_assignment
from annotate.assign.routing import refusal
from annotate.assign.services import (
    PRIORITY_LIMIT,
    TermsPending,
    claim_task,
    prioritize_batch,
    skip_assignment,
    submit_judgment,
)
from annotate.assign.skips import skipped_report
from annotate.auth.services import touch_token
from annotate.db import utcnow
from annotate.hardening import MAX_OFFSET, int_arg
from annotate.models import Assignment, Judgment, Project
from annotate.projects.access import RESEARCH, WORK, project_for
from annotate.timekeeping.signals import parse as parse_signals
from annotate.web import after_commit, writes_late


@bp.post("/projects/<slug>/assignments")
@token_required
@writes_late
def claim(slug: str):
    project, _member = project_for(g.user, slug, WORK)
    try:
        # ?fresh=1: another item while under the project's cap on open leases (prefetching clients).
        assignment = claim_task(db.session(), project, g.user, fresh=request.args.get("fresh") in ("1", "true"))
    except TermsPending:
        return error(
            403,
            "accept the project's terms first, on the web page terms_url",
            terms_url=url_for("projects.terms", slug=project.slug, _external=True),
        )
    touch_token(db.session(), g.token)
    return after_commit(_claimed, project, assignment)


def _claimed(project: Project, assignment: Assignment | None):
    if assignment is None:
        return Response(status=204)
    return jsonify(assignment_json(project, assignment)), 201


@bp.post("/assignments/<int:assignment_id>/judgment")
@token_required
@writes_late
def judgment(assignment_id: int):
    assignment, project = own_assignment(g.user, assignment_id)
    session = db.session()
    body = json_object()
    if "answers" not in body:
        return error(422, "answers is required", problems=[{"path": "answers", "message": "is required"}])
    # Time is the server's (heartbeats, annotate.timekeeping): an active_seconds in the body is ignored.
    signals, problems = parse_signals(body.get("signals"))
    if problems:
        return error(422, "signals do not have the expected shape", problems=[p.as_json() for p in problems])
    # InvalidDocument and AssignmentError become JSON errors in annotate.unit_of_work.
    judgment, created = submit_judgment(
        session, assignment, project, body["answers"], signals=signals, turns=body.get("turns")
    )
    touch_token(session, g.token)
    return after_commit(_submitted, project, assignment, judgment, created)


def _submitted(project: Project, assignment: Assignment, judgment: Judgment, created: bool):
    payload: dict = {
        "judgment": {
            "id": judgment.id,
            "assignment_id": assignment.id,
            "item_id": assignment.item.external_id,
            "answers": judgment.answers,
            "turns": judgment.turns,
            "suggestion_seen": judgment.suggestion,
            "created_at": judgment.created_at.isoformat(),
            "updated_at": judgment.updated_at.isoformat(),
        }
    }
    policy = suggestions.policy_of(project)
    if suggestions.visible(policy, assignment.item, submitted=True):
        # after_answer: the submit reveals it (and records when); the client may submit again to revise.
        payload["suggestion"] = assignment.item.suggestion
    return jsonify(payload), 201 if created else 200


@bp.post("/assignments/<int:assignment_id>/skip")
@token_required
@writes_late
def skip(assignment_id: int):
    assignment, _project = own_assignment(g.user, assignment_id)
    session = db.session()
    body = json_object()
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        return error(422, "reason is required", problems=[{"path": "reason", "message": "say why you skip this task"}])
    skip_assignment(session, assignment, reason)  # an AssignmentError is a JSON error (annotate.unit_of_work)
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
    body = json_object()
    problems = []
    batch_id, value = body.get("batch_id"), body.get("priority", 10)
    if not isinstance(batch_id, int) or isinstance(batch_id, bool):
        problems.append({"path": "batch_id", "message": "expected a batch id (integer)"})
    if not isinstance(value, int) or isinstance(value, bool):
        problems.append({"path": "priority", "message": "expected an integer; higher goes first"})
    elif not -PRIORITY_LIMIT <= value <= PRIORITY_LIMIT:
        problems.append({"path": "priority", "message": f"must be between {-PRIORITY_LIMIT} and {PRIORITY_LIMIT}"})
    if problems or not isinstance(batch_id, int):
        return error(422, "invalid priority request", problems=problems)
    n = prioritize_batch(db.session(), project, batch_id, value)
    return jsonify({"batch_id": batch_id, "priority": value, "items": n})


@bp.get("/projects/<slug>/skipped")
@token_required
def skipped(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    try:
        limit = int_arg(request.args, "limit", 100, 1, 1000)
        offset = int_arg(request.args, "offset", 0, 0, MAX_OFFSET)
    except BadRequest:
        return error(400, "limit and offset must be whole numbers")
    return jsonify({"skipped": skipped_report(db.session(), project, limit=limit, offset=offset)})
