"""API v1 under /api/v1: the blueprint, token sign-in and the JSON shapes the features' routes share.
Errors are JSON with a message and, for validation, the JSON path.

The routes live with their feature, each in its ``api.py`` (``annotate.assign.api``: claim,
submit, skip; ``annotate.review.api``, ``annotate.ingest.api``, ``annotate.export.api``,
``annotate.projects.api``), on this blueprint; ``annotate.register_blueprints`` imports them."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, Response, abort, current_app, g, jsonify, request, url_for

from annotate import db, suggestions
from annotate.assign.services import answer_schema
from annotate.auth import throttle
from annotate.auth.services import TokenRefused, user_for_token
from annotate.kinds import get_kind
from annotate.limits import BodyRefused, request_json
from annotate.models import Assignment, Project

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
        try:
            user = user_for_token(db.session(), secret.strip())
        except TokenRefused as exc:
            # Only a refused token consults the throttle: a valid one costs no storage round trip.
            refusal = throttle.refused("token", address=throttle.address())
            if refusal is not None:
                response = error(429, refusal.message, retry_after=refusal.wait)
                response.headers["Retry-After"] = str(refusal.wait)
                return response
            throttle.count("token", address=throttle.address())
            return _unauthorized(str(exc))
        g.user = user
        g.token = secret.strip()
        return view(*args, **kwargs)

    return wrapped


def _unauthorized(message: str) -> Response:
    response = error(401, message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="annotate"'
    return response


def refused(exc: BodyRefused) -> Response:
    """The JSON error for a body refused by ``annotate.limits`` (400, 413 or 422)."""
    return error(exc.status, exc.message, problems=[{"path": exc.path, "message": exc.message}])


def json_object() -> dict:
    """The request's JSON object, parsed within ANNOTATE_API_MAX_JSON_BYTES and the depth limit;
    aborts with a JSON 400 (not an object), 413 (too large) or 422 (nested too deep)."""
    try:
        body = request_json()
    except BodyRefused as exc:
        if exc.status != 400:
            abort(refused(exc))
        body = None  # not JSON at all: the same answer as JSON that is no object
    if not isinstance(body, dict):
        abort(error(400, "the request body must be a JSON object"))
    return body


# What the task page shows of a prompt turn and of a response (templates/_content.html and
# the kinds' partials); everything else (the model's name, a source's extra columns) is the
# lab's, and an expert must not learn through the API what the page hides from them.
SHOWN_TURN_KEYS = ("role", "content", "media")
SHOWN_RESPONSE_KEYS = ("id", "content", "media")


def shown(part: dict, keys: tuple[str, ...]) -> dict:
    """``part`` with only the keys the task page shows."""
    return {k: part[k] for k in keys if k in part}


def shown_item(item, order: list[str] | None = None, project: Project | None = None) -> dict:
    """The item as the task page shows it: prompt turns and responses (in ``order``) without
    model names or any other key the page hides; its machine suggestion only when the
    project's policy shows it while judging (annotate.suggestions)."""
    by_id = {r["id"]: r for r in item.responses}
    ids = order if order is not None else list(by_id)
    found = {
        "id": item.external_id,
        "prompt": [shown(turn, SHOWN_TURN_KEYS) for turn in item.prompt],
        "responses": [shown(by_id[i], SHOWN_RESPONSE_KEYS) for i in ids if i in by_id],
    }
    if project is not None:
        found["responses"] = get_kind(project.kind).shown_responses(project.template["config"], found["responses"])
        if suggestions.visible(suggestions.policy_of(project), item, submitted=False):
            found["suggestion"] = item.suggestion
    return found


def assignment_json(project: Project, assignment: Assignment) -> dict:
    return {
        "assignment": {
            "id": assignment.id,
            "status": assignment.status.value,
            "leased_at": assignment.leased_at.isoformat(),
            "expires_at": assignment.expires_at.isoformat(),
            "display_order": assignment.display_order,
        },
        "item": shown_item(assignment.item, assignment.display_order, project),
        "template": {"name": project.template_name, "version": project.template_version, **project.template},
        # What the expert may see of the item's machine suggestion (annotate.suggestions).
        "suggestion_policy": suggestions.policy_of(project),
        "answer_schema": answer_schema(project, assignment.item),
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
