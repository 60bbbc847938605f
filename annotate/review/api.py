"""API v1 for review and adjudication, on the API blueprint (``annotate.api.views.bp``).

Importing this module registers the routes; ``annotate.register_blueprints`` imports it
before the blueprint is registered.
"""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort, g, jsonify, request, url_for
from werkzeug.exceptions import BadRequest

from annotate import db
from annotate.api.views import assignment_json, bp, error, json_object, shown_item, token_required
from annotate.assign.adjudication import claim_adjudication, earlier_judgments
from annotate.assign.routing import can_adjudicate, can_review
from annotate.hardening import MAX_OFFSET, int_arg
from annotate.models import Assignment, Judgment, Project, Review, ReviewVerdict
from annotate.projects.access import WORK, project_for
from annotate.review import queries
from annotate.review.services import claim_review, record_review
from annotate.web import after_commit


def _reviewer_of(slug: str) -> Project:
    project, member = project_for(g.user, slug, WORK)
    if not can_review(g.user, member):
        abort(error(404, "no such project for this token's user"))
    return project


def judgment_json(judgment: Judgment) -> dict:
    """A judgment for a reviewer: its item, current answers, revisions and reviews."""
    session = db.session()
    item = judgment.item
    return {
        "judgment": {
            "id": judgment.id,
            "item_id": item.external_id,
            "answers": judgment.answers,
            "adjudication": judgment.adjudication,
            "review_state": judgment.review_state.value,
            "created_at": judgment.created_at.isoformat(),
            "updated_at": judgment.updated_at.isoformat(),
            "revisions": [
                {"answers": r.answers, "reason": r.reason, "edited_by": who, "created_at": r.created_at.isoformat()}
                for r, who in session.execute(queries.revisions_of(judgment.id))
            ],
            "reviews": [review_json(r) for r in session.scalars(queries.reviews_of(judgment.id))],
        },
        "item": shown_item(item),
        "review_url": url_for("api.review", judgment_id=judgment.id),
    }


def review_json(review: Review, *, with_reviewer: bool = True) -> dict:
    """A review; ``with_reviewer=False`` for the expert whose judgment it is, whose page
    (review/returned.html) does not say who reviewed it."""
    shown: dict[str, object] = {
        "id": review.id,
        "verdict": review.verdict.value,
        "comment": review.comment,
        "created_at": review.created_at.isoformat(),
    }
    if with_reviewer:
        shown["reviewer"] = review.reviewer.display_name if review.reviewer else None
    return shown


@bp.get("/projects/<slug>/reviews")
@token_required
def review_queue(slug: str):
    project = _reviewer_of(slug)
    try:
        limit = int_arg(request.args, "limit", 50, 1, 500)
        offset = int_arg(request.args, "offset", 0, 0, MAX_OFFSET)
    except BadRequest:
        return error(400, "limit and offset must be whole numbers")
    rows = db.session().execute(queries.review_queue(project).limit(limit).offset(offset)).all()
    return jsonify(
        {
            "pending": [
                {
                    "judgment_id": j.id,
                    "item_id": external_id,
                    "updated_at": j.updated_at.isoformat(),
                    "adjudication": j.adjudication,
                }
                for j, external_id in rows
            ]
        }
    )


@bp.post("/projects/<slug>/reviews/next")
@token_required
def review_next(slug: str):
    project = _reviewer_of(slug)
    judgment = claim_review(db.session(), project, g.user)
    return after_commit(_claimed_review, judgment)


def _claimed_review(judgment: Judgment | None):
    if judgment is None:
        return Response(status=204)
    return jsonify(judgment_json(judgment)), 201


@bp.post("/judgments/<int:judgment_id>/review")
@token_required
def review(judgment_id: int):
    session = db.session()
    judgment = session.get(Judgment, judgment_id)
    if judgment is None:
        return error(404, "no such judgment for this token's user")
    project = _reviewer_of(session.get_one(Project, judgment.project_id).slug)
    body = json_object()
    try:
        verdict = ReviewVerdict(body.get("verdict"))
    except ValueError:
        return error(
            422,
            "verdict must be accept, reject or fix",
            problems=[{"path": "verdict", "message": "expected accept, reject or fix"}],
        )
    seen = None
    if body.get("seen_updated_at") is not None:
        try:
            seen = datetime.fromisoformat(str(body["seen_updated_at"]))
        except ValueError:
            return error(
                422,
                "seen_updated_at must be an ISO 8601 timestamp",
                problems=[{"path": "seen_updated_at", "message": "expected an ISO 8601 timestamp"}],
            )
        if seen.tzinfo is None:
            return error(
                422,
                "seen_updated_at needs a time zone",
                problems=[{"path": "seen_updated_at", "message": "add a UTC offset"}],
            )
    comment = body.get("comment", "")
    if not isinstance(comment, str):
        return error(422, "comment must be a string", problems=[{"path": "comment", "message": "expected a string"}])
    # InvalidDocument and AssignmentError become JSON errors in annotate.unit_of_work.
    result = record_review(
        session,
        judgment,
        project,
        g.user,
        verdict,
        comment=comment,
        answers=body.get("answers"),
        seen_updated_at=seen,
    )
    return after_commit(_reviewed, judgment, result)


def _reviewed(judgment: Judgment, review: Review):
    return jsonify(
        {
            "review": review_json(review),
            "judgment": {"id": judgment.id, "review_state": judgment.review_state.value, "answers": judgment.answers},
        }
    ), 201


@bp.post("/projects/<slug>/adjudications/next")
@token_required
def adjudication_next(slug: str):
    project, member = project_for(g.user, slug, WORK)
    if not can_adjudicate(g.user, member):
        return error(404, "no such project for this token's user")
    assignment = claim_adjudication(db.session(), project, g.user)
    return after_commit(_claimed_adjudication, project, assignment)


def _claimed_adjudication(project: Project, assignment: Assignment | None):
    if assignment is None:
        return Response(status=204)
    payload = assignment_json(project, assignment)
    payload["earlier_judgments"] = [
        {"expert": pseudonym, "answers": j.answers, "created_at": j.created_at.isoformat()}
        for j, pseudonym in db.session().execute(earlier_judgments(assignment.item))
    ]
    return jsonify(payload), 201


@bp.get("/me/returned")
@token_required
def returned():
    session = db.session()
    rows = []
    for judgment, slug, _title, external_id, latest in session.execute(queries.returned_with_review(g.user).limit(500)):
        rows.append(
            {
                "judgment_id": judgment.id,
                "assignment_id": judgment.assignment_id,
                "project": slug,
                "item_id": external_id,
                "answers": judgment.answers,
                "review": review_json(latest, with_reviewer=False) if latest else None,
                "judgment_url": url_for("api.judgment", assignment_id=judgment.assignment_id),
            }
        )
    return jsonify({"returned": rows})
