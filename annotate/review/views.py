"""Review and adjudication pages. Views parse, call a service, render; the request commits
once (annotate.unit_of_work)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, g, redirect, request, url_for
from sqlalchemy.orm import joinedload

from annotate import db, suggestions
from annotate.assign.adjudication import claim_adjudication, earlier_judgments, open_adjudications
from annotate.assign.routing import can_adjudicate, can_review
from annotate.assign.services import AssignmentError, skip_assignment, submit_judgment
from annotate.assign.skips import skipped_report
from annotate.hardening import MAX_PAGE, int_arg
from annotate.kinds import get_kind
from annotate.kinds.common import REFRESH
from annotate.kinds.jinja import in_display_order, response_letters
from annotate.kinds.messages import for_people
from annotate.models import Assignment, AssignmentPurpose, AssignmentStatus, Judgment, Project, ReviewVerdict
from annotate.projects.access import RESEARCH, WORK, can_research, project_for
from annotate.review import queries
from annotate.review.services import claim_review, record_review, release_hold
from annotate.review.show import answer_rows, labelled, suggestion_seen, summary, their_letters, turn_rows
from annotate.validation import InvalidDocument
from annotate.web import after_rollback, login_required, render
from annotate.workbench.keys import ADJUDICATION_ACTIONS, REVIEW_ACTIONS, shortcuts

bp = Blueprint("review", __name__, url_prefix="/review")
PAGE_SIZE = 50


def _reviewable(slug: str) -> tuple[Project, bool, bool]:
    """(project, may review, may adjudicate) if the user may do either in it; 404 otherwise."""
    project, member = project_for(g.user, slug, WORK)
    reviewer, adjudicator = can_review(g.user, member), can_adjudicate(g.user, member)
    if not (reviewer or adjudicator):
        abort(404)
    g.review_member = member
    return project, reviewer, adjudicator


def _page() -> int:
    return int_arg(request.args, "page", 1, 1, MAX_PAGE, strict=False)


@bp.get("/p/<slug>")
@login_required
def queue(slug: str):
    project, reviewer, adjudicator = _reviewable(slug)
    session = db.session()
    page = _page()
    pending = session.execute(queries.review_queue(project).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    counts = {state.value: n for state, n in session.execute(queries.review_counts(project))}
    adjudications = session.scalars(open_adjudications(project).limit(PAGE_SIZE)).all()
    return render(
        "review/queue.html",
        "queue",
        project=project,
        kind=get_kind(project.kind),
        reviewer=reviewer,
        adjudicator=adjudicator,
        researcher=can_research(g.user, g.review_member),
        pending=pending[:PAGE_SIZE],
        page=page,
        more=len(pending) > PAGE_SIZE,
        counts=counts,
        adjudications=adjudications,
        empty=request.args.get("empty"),
    )


@bp.post("/p/<slug>/next")
@login_required
def next_review(slug: str):
    project, reviewer, _adjudicator = _reviewable(slug)
    if not reviewer:
        abort(404)
    judgment = claim_review(db.session(), project, g.user)
    if judgment is None:
        return redirect(url_for("review.queue", slug=slug, empty="reviews"), 303)
    return redirect(url_for("review.judgment", judgment_id=judgment.id), 303)


def _load_judgment(judgment_id: int) -> tuple[Judgment, Project]:
    judgment = db.session().get(Judgment, judgment_id)
    if judgment is None:
        abort(404)
    project, reviewer, _adjudicator = _reviewable(db.session().get_one(Project, judgment.project_id).slug)
    if not reviewer:
        abort(404)
    return judgment, project


@bp.get("/judgments/<int:judgment_id>")
@login_required
def judgment(judgment_id: int):
    judgment, project = _load_judgment(judgment_id)
    return _show_judgment(project, judgment)


@bp.post("/judgments/<int:judgment_id>")
@login_required
def verdict(judgment_id: int):
    judgment, project = _load_judgment(judgment_id)
    session = db.session()
    try:
        verdict = ReviewVerdict(request.form.get("verdict", ""))
    except ValueError:
        return _show_judgment(project, judgment, message="verdict: choose accept, reject or fix", status=400)
    answers = None
    if verdict is ReviewVerdict.FIX:
        kind = get_kind(project.kind)
        answers = kind.from_form(project.template["config"], [r["id"] for r in judgment.item.responses], request.form)
        if request.form.get(REFRESH):
            # A kind's "show the form again" button (a preview with JavaScript off): no verdict yet.
            return _show_judgment(project, judgment, fix=answers)
    try:
        seen = datetime.fromisoformat(request.form["seen"]) if request.form.get("seen") else None
    except ValueError:
        seen = None
    try:
        record_review(
            session,
            judgment,
            project,
            g.user,
            verdict,
            comment=request.form.get("comment", ""),
            answers=answers,
            seen_updated_at=seen,
        )
    except InvalidDocument as exc:
        return after_rollback(_show_judgment, project, judgment, fix=answers, errors=exc.problems, status=422)
    except AssignmentError as exc:
        field = getattr(exc, "field", None)
        if field == "comment" and verdict is not ReviewVerdict.FIX:
            # Next to the comment box, in words, with what the reviewer typed kept.
            return after_rollback(
                _show_judgment,
                project,
                judgment,
                comment=request.form.get("comment", ""),
                comment_error=str(exc).removeprefix("comment: ").capitalize() + ".",
                status=exc.status,
            )
        return after_rollback(_show_judgment, project, judgment, fix=answers, message=str(exc), status=exc.status)
    following = claim_review(session, project, g.user)
    if following is None:
        return redirect(url_for("review.queue", slug=project.slug, empty="reviews"), 303)
    return redirect(url_for("review.judgment", judgment_id=following.id), 303)


@bp.post("/judgments/<int:judgment_id>/release")
@login_required
def release(judgment_id: int):
    judgment, project = _load_judgment(judgment_id)
    release_hold(db.session(), judgment, g.user)
    return redirect(url_for("review.queue", slug=project.slug), 303)


def _show_judgment(
    project: Project,
    judgment: Judgment,
    *,
    fix=None,
    errors=None,
    message=None,
    comment="",
    comment_error=None,
    status=200,
):
    session = db.session()
    kind = get_kind(project.kind)
    item = judgment.item
    # The responses as this judgment's expert saw them, so "B is safer" means the same reply to both.
    responses = in_display_order(item.responses, judgment.assignment.display_order if judgment.assignment else None)
    labels = labelled(responses)
    kind_keys = kind.keys(project.template["config"])
    own_keys, listed_keys = shortcuts(kind_keys, REVIEW_ACTIONS, submit="Submit “Fix and accept” (⌘+Enter on a Mac)")
    return render(
        "review/judgment.html",
        "review",
        status=status,
        project=project,
        judgment=judgment,
        item=item,
        responses=responses,
        labels=labels,
        answers_shown=answer_rows(judgment.answers, labels),
        turns_shown=turn_rows(judgment.turns, item.prompt),
        suggestion=suggestions.described(item.suggestion, response_letters(responses)),
        suggestion_seen=suggestion_seen(judgment.suggestion),
        revisions=[
            (r, who, answer_rows(r.answers, labels)) for r, who in session.execute(queries.revisions_of(judgment.id))
        ],
        reviews=session.scalars(queries.reviews_of(judgment.id)).all(),
        kind=kind,
        config=project.template["config"],
        keys=kind_keys,
        wb_keys=own_keys,
        shortcuts=listed_keys,
        answers=fix if fix is not None else judgment.answers,
        # The kind partial names its fields after an assignment; the review form stands in for one.
        assignment=judgment.assignment,
        errors=for_people(kind, project.template["config"], errors or [], response_letters(responses)),
        message=message,
        comment=comment,
        comment_error=comment_error,
        held_by_other=judgment.review_claimed_by_id not in (None, g.user.id),
    )


# -- adjudication ---------------------------------------------------------------------


@bp.post("/p/<slug>/adjudicate")
@login_required
def next_adjudication(slug: str):
    project, _reviewer, adjudicator = _reviewable(slug)
    if not adjudicator:
        abort(404)
    assignment = claim_adjudication(db.session(), project, g.user)
    if assignment is None:
        return redirect(url_for("review.queue", slug=slug, empty="adjudications"), 303)
    return redirect(url_for("review.adjudication", assignment_id=assignment.id), 303)


def _load_adjudication(assignment_id: int) -> tuple[Assignment, Project]:
    assignment = db.session().get(Assignment, assignment_id)
    if (
        assignment is None
        or assignment.expert_id != g.user.id
        or assignment.purpose is not AssignmentPurpose.ADJUDICATE
    ):
        abort(404)
    project, _reviewer, adjudicator = _reviewable(db.session().get_one(Project, assignment.project_id).slug)
    if not adjudicator:
        abort(404)
    return assignment, project


@bp.get("/adjudications/<int:assignment_id>")
@login_required
def adjudication(assignment_id: int):
    assignment, project = _load_adjudication(assignment_id)
    return _show_adjudication(project, assignment)


@bp.post("/adjudications/<int:assignment_id>")
@login_required
def adjudicate(assignment_id: int):
    assignment, project = _load_adjudication(assignment_id)
    session = db.session()
    kind = get_kind(project.kind)
    answers = kind.from_form(project.template["config"], [r["id"] for r in assignment.item.responses], request.form)
    try:
        submit_judgment(session, assignment, project, answers)
    except InvalidDocument as exc:
        return after_rollback(_show_adjudication, project, assignment, answers=answers, errors=exc.problems, status=422)
    except AssignmentError as exc:
        return after_rollback(
            _show_adjudication, project, assignment, answers=answers, message=str(exc), status=exc.status
        )
    following = claim_adjudication(session, project, g.user)
    if following is None:
        return redirect(url_for("review.queue", slug=project.slug, empty="adjudications"), 303)
    return redirect(url_for("review.adjudication", assignment_id=following.id), 303)


@bp.post("/adjudications/<int:assignment_id>/skip")
@login_required
def skip_adjudication(assignment_id: int):
    assignment, project = _load_adjudication(assignment_id)
    session = db.session()
    try:
        skip_assignment(session, assignment, request.form.get("reason", ""))
    except AssignmentError as exc:
        return after_rollback(_show_adjudication, project, assignment, message=str(exc), status=exc.status)
    return redirect(url_for("review.queue", slug=project.slug), 303)


def _show_adjudication(
    project: Project, assignment: Assignment, *, answers=None, errors=None, message=None, status=200
):
    kind = get_kind(project.kind)
    item = assignment.item
    responses = in_display_order(item.responses, assignment.display_order)
    labels = labelled(responses)
    kind_keys = kind.keys(project.template["config"])
    own_keys, listed_keys = shortcuts(kind_keys, ADJUDICATION_ACTIONS, submit="Submit the tie-breaking judgment")
    if answers is None and assignment.status is AssignmentStatus.SUBMITTED and assignment.judgment is not None:
        answers = assignment.judgment.answers
    return render(
        "review/adjudicate.html",
        "adjudicate",
        status=status,
        project=project,
        assignment=assignment,
        item=item,
        responses=responses,
        earlier=[
            (j, pseudonym, answer_rows(j.answers, labels), their_letters(j.assignment.display_order, labels))
            for j, pseudonym in db.session().execute(earlier_judgments(item))
        ],
        kind=kind,
        config=project.template["config"],
        keys=kind_keys,
        wb_keys=own_keys,
        shortcuts=listed_keys,
        answers=answers or {},
        errors=for_people(kind, project.template["config"], errors or [], response_letters(responses)),
        message=message,
    )


# -- the researcher's and the expert's views -----------------------------------------------


@bp.get("/p/<slug>/skipped")
@login_required
def skipped(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    page = _page()
    report = skipped_report(db.session(), project, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render(
        "review/skipped.html",
        "skipped",
        project=project,
        report=report[:PAGE_SIZE],
        page=page,
        more=len(report) > PAGE_SIZE,
    )


@bp.app_context_processor
def _returned_waiting() -> dict:
    """``returned_waiting()`` for the top navigation: how many judgments wait for this expert's
    revision (a function, so only pages that show the Returned item run the count)."""

    def count() -> int:
        if g.get("user") is None:
            return 0
        return db.session().scalar(queries.returned_count(g.user)) or 0

    return {"returned_waiting": count}


@bp.get("/returned")
@login_required
def returned():
    rows = [
        {
            "judgment": judgment,
            "slug": slug,
            "title": title,
            "item": external_id,
            "review": review,
            "shown": summary(
                judgment.answers,
                judgment.item.responses,
                judgment.assignment.display_order if judgment.assignment else None,
            ),
        }
        for judgment, slug, title, external_id, review in db.session().execute(
            queries.returned_with_review(g.user)
            .limit(200)
            .options(joinedload(Judgment.item), joinedload(Judgment.assignment))
        )
    ]
    return render("review/returned.html", "returned", rows=rows)
