"""API v1 under /api/v1. Errors are JSON with a message and, for validation, the JSON path."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, Response, abort, current_app, g, jsonify, request, url_for

from annotate import db
from annotate.assign.services import AssignmentError, answer_schema, claim_next, submit_judgment
from annotate.auth.services import touch_token, user_for_token
from annotate.export.services import ExportError, get_format
from annotate.export.streaming import stream_jsonl
from annotate.models import Assignment, Project
from annotate.projects.access import RESEARCH, WORK, project_by_id_for, project_for
from annotate.projects.services import must_accept_terms, stats
from annotate.validation import InvalidDocument
from annotate.web import writes_late

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error(status: int, message: str, **extra) -> Response:
    response = jsonify({"error": message, **extra})
    response.status_code = status
    return response


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return _unauthorized("send 'Authorization: Bearer <token>'")
        user = user_for_token(db.session(), secret.strip())
        if user is None:
            return _unauthorized("the token is unknown or revoked")
        g.user = user
        g.token = secret.strip()
        return view(*args, **kwargs)

    return wrapped


def _unauthorized(message: str) -> Response:
    response = error(401, message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="annotate"'
    return response


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(error(400, "the request body must be a JSON object"))
    return body


def assignment_json(project: Project, assignment: Assignment) -> dict:
    item = assignment.item
    by_id = {r["id"]: r for r in item.responses}
    return {
        "assignment": {
            "id": assignment.id,
            "status": assignment.status.value,
            "leased_at": assignment.leased_at.isoformat(),
            "expires_at": assignment.expires_at.isoformat(),
            "display_order": assignment.display_order,
        },
        "item": {
            "id": item.external_id,
            "prompt": item.prompt,
            "responses": [by_id[i] for i in assignment.display_order],
        },
        "template": {"name": project.template_name, "version": project.template_version, **project.template},
        "answer_schema": answer_schema(project, item),
        "judgment_url": url_for("api.judgment", assignment_id=assignment.id, _external=False),
    }


@bp.get("/openapi.json")
def openapi():
    """This API's OpenAPI 3.1 document (annotate.api.openapi). Public: it describes, it reveals no data."""
    import hashlib

    from annotate.api.openapi import document_json

    text = document_json(current_app.config["EXPORT_SCHEMAS_DIR"])
    response = Response(text, mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.set_etag(hashlib.sha256(text.encode()).hexdigest()[:32])
    return response.make_conditional(request)


@bp.post("/projects/<slug>/assignments")
@token_required
@writes_late
def claim(slug: str):
    project, _member = project_for(g.user, slug, WORK)
    if must_accept_terms(db.session(), project, g.user):
        return error(
            403,
            "accept the project's terms first, on the web page terms_url",
            terms_url=url_for("projects.terms", slug=project.slug, _external=True),
        )
    # ?fresh=1: another item while under the project's cap on open leases (prefetching clients).
    assignment = claim_next(db.session(), project, g.user, fresh=request.args.get("fresh") in ("1", "true"))
    touch_token(db.session(), g.token)
    db.session().commit()
    if assignment is None:
        return Response(status=204)
    return jsonify(assignment_json(project, assignment)), 201


@bp.post("/assignments/<int:assignment_id>/judgment")
@token_required
@writes_late
def judgment(assignment_id: int):
    session = db.session()
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.expert_id != g.user.id:
        return error(404, "no such assignment for this token's user")
    project, _member = project_by_id_for(g.user, assignment.project_id, WORK)
    body = _json_body()
    if "answers" not in body:
        return error(422, "answers is required", problems=[{"path": "answers", "message": "is required"}])
    try:
        active_seconds = int(body.get("active_seconds", 0))
    except (TypeError, ValueError):
        return error(
            422,
            "active_seconds must be an integer",
            problems=[{"path": "active_seconds", "message": "expected an integer"}],
        )
    try:
        judgment, created = submit_judgment(
            session, assignment, project, body["answers"], active_seconds=active_seconds
        )
    except InvalidDocument as exc:
        session.rollback()
        return error(
            422, "the answers do not match the template's answer schema", problems=[p.as_json() for p in exc.problems]
        )
    except AssignmentError as exc:
        session.rollback()
        return error(exc.status, str(exc))
    touch_token(session, g.token)
    session.commit()
    payload = {
        "judgment": {
            "id": judgment.id,
            "assignment_id": assignment.id,
            "item_id": assignment.item.external_id,
            "answers": judgment.answers,
            "created_at": judgment.created_at.isoformat(),
            "updated_at": judgment.updated_at.isoformat(),
        }
    }
    return jsonify(payload), 201 if created else 200


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


@bp.get("/projects/<slug>/stats")
@token_required
def project_stats(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    return jsonify(stats(db.session(), project))
