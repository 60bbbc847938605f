"""Draft autosave endpoints used by the task page's script (JSON; CSRF via the X-CSRFToken header)."""

from __future__ import annotations

from flask import jsonify, request

from annotate import db
from annotate.limits import BodyRefused, request_json
from annotate.web import login_required
from annotate.workbench.services import DRAFT_MAX_CHARS, DraftError, draft_for, save_draft
from annotate.workbench.views import bp, load_assignment

# Room for DRAFT_MAX_CHARS of text even when every character is escaped in JSON.
DRAFT_MAX_BYTES = 6 * DRAFT_MAX_CHARS + 64 * 1024


def _draft_json(draft) -> dict:
    return {
        "fields": draft.fields,
        "client_saved_at": draft.client_saved_at,
        "updated_at": draft.updated_at.isoformat(),
    }


@bp.get("/tasks/<int:assignment_id>/draft")
@login_required
def draft(assignment_id: int):
    """The saved draft of the expert's own task; 204 when there is none."""
    assignment, _project = load_assignment(assignment_id)
    found = draft_for(db.session(), assignment)
    if found is None:
        return "", 204
    return jsonify(_draft_json(found))


@bp.put("/tasks/<int:assignment_id>/draft")
@login_required
def save(assignment_id: int):
    """Store the task form's fields: ``{"fields": {name: [values]}, "client_saved_at": ms}``.
    Answers 200 with ``stored: false`` and the newer draft when another tab saved later."""
    assignment, _project = load_assignment(assignment_id)
    # Refuse an oversized body before parsing it (the app-wide limit is sized for dataset uploads).
    if request.content_length is None or request.content_length > DRAFT_MAX_BYTES:
        return jsonify({"error": f"A draft is sent as JSON of at most {DRAFT_MAX_BYTES} bytes."}), 413
    try:
        # Within the API's size and depth limits: a deeply nested body is a 413/422, never a 500.
        body = request_json(max_bytes=4 * DRAFT_MAX_CHARS + 65536)
    except BodyRefused as exc:
        if exc.status != 400:
            return jsonify({"error": exc.message}), exc.status
        body = None
    if not isinstance(body, dict):
        return jsonify({"error": "Send a JSON object with fields and client_saved_at."}), 400
    session = db.session()
    try:
        result = save_draft(session, assignment, body.get("fields"), body.get("client_saved_at"))
    except DraftError as exc:
        return jsonify({"error": str(exc)}), exc.status
    return jsonify({"stored": result.stored, **_draft_json(result.draft)})
