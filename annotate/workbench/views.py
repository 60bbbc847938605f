"""Expert pages. Views parse, call a service, render; the request commits once (annotate.unit_of_work).

The task page is one template; htmx swaps its ``task`` block for the next task,
so experts move on without a full page reload. Every action is also a plain form.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from annotate import db, suggestions
from annotate import turns as per_turn
from annotate.assign.access import own_assignment
from annotate.assign.services import (
    AssignmentError,
    LeaseLost,
    NotQualified,
    TermsPending,
    claim_next,
    claim_task,
    skip_assignment,
    submit_judgment,
)
from annotate.kinds import get_kind
from annotate.kinds.common import REFRESH
from annotate.kinds.jinja import in_display_order, response_letters
from annotate.kinds.messages import for_people
from annotate.models import Assignment, AssignmentStatus, Judgment, Project
from annotate.projects.access import WORK, can_research, project_for
from annotate.projects.services import stats, visible_projects
from annotate.quality.rechecks import pending_count
from annotate.quality.screening import test_notice
from annotate.timekeeping.signals import from_form
from annotate.validation import InvalidDocument
from annotate.web import after_commit, after_rollback, client_redirect, login_required, push_url, render, writes_late
from annotate.workbench.keys import shortcuts
from annotate.workbench.queries import expert_progress
from annotate.workbench.services import (
    discard_draft,
    draft_for,
    edit_refusal,
    keep_submitted_as_draft,
    returned_review,
)

bp = Blueprint("workbench", __name__)

# Why an expert gives a task back. Kept short so the choice is one key press away.
SKIP_REASONS = {
    "expertise": "Outside my expertise",
    "unclear": "The task is unclear or broken",
    "fact-check": "Needs a fact-check I cannot do",
    "conflict": "Conflict of interest",
    "other": "Other (say why)",
}


@bp.get("/")
@login_required
def home():
    from annotate.projects.offers import count_offers_for

    projects = db.session().scalars(visible_projects(g.user)).all()
    offers = count_offers_for(db.session(), g.user)  # memberships offered, waiting for an answer
    return render("workbench/home.html", "content", projects=projects, offers=offers)


@bp.get("/p/<slug>")
@login_required
def project(slug: str):
    project, member = project_for(g.user, slug, WORK)
    researcher = can_research(g.user, member)
    return render(
        "workbench/project.html",
        "content",
        project=project,
        kind=get_kind(project.kind),
        progress=expert_progress(db.session(), project, g.user),
        stats=stats(db.session(), project) if researcher else None,
        researcher=researcher,
        look_again=pending_count(db.session(), project, g.user.id),  # annotate.quality.rechecks
    )


@bp.post("/p/<slug>/next")
@login_required
@writes_late
def claim(slug: str):
    project, _member = project_for(g.user, slug, WORK)
    try:
        assignment = claim_task(db.session(), project, g.user)
    except TermsPending:  # terms first (annotate.projects)
        return client_redirect(url_for("projects.terms", slug=project.slug))
    except NotQualified:  # the qualification page says why, with the expert's result (annotate.quality)
        return client_redirect(url_for("quality.qualification_page", slug=project.slug))
    # Rendered after the commit: the write lock is not held while the page is built.
    if assignment is None:
        return after_commit(_all_done, project)
    return after_commit(_show_task, project, assignment, moved=True)


def load_assignment(assignment_id: int) -> tuple[Assignment, Project]:
    """The signed-in expert's own assignment in a project they still work on; anything else is a 404
    (``annotate.assign.access``, shared with the API)."""
    return own_assignment(g.user, assignment_id)


@bp.get("/tasks/<int:assignment_id>")
@login_required
def task(assignment_id: int):
    assignment, project = load_assignment(assignment_id)
    return _show_task(project, assignment)


@bp.post("/tasks/<int:assignment_id>/judgment")
@login_required
@writes_late
def submit(assignment_id: int):
    assignment, project = load_assignment(assignment_id)
    kind = get_kind(project.kind)
    ids = [r["id"] for r in assignment.item.responses]
    answers = kind.from_form(project.template["config"], ids, request.form)
    turns = per_turn.from_form(per_turn.config_of(project.template), assignment.item.prompt, request.form)
    if request.form.get(REFRESH):
        # A button of the kind's form that asks for the page again with what was typed (a
        # Markdown preview, "start from the draft" with JavaScript off): nothing is submitted.
        return _show_task(project, assignment, answers=answers, turns=turns)
    signals = from_form(request.form.get("signals"))  # how the text was entered (annotate.timekeeping)
    session = db.session()
    editing = assignment.status is AssignmentStatus.SUBMITTED
    if editing:
        assert assignment.judgment is not None  # a submitted assignment has its judgment
        refusal = edit_refusal(session, assignment.judgment)
        if refusal:
            return _show_task(project, assignment, message=refusal, status=409)
    try:
        submit_judgment(session, assignment, project, answers, signals=signals, turns=turns)
    except InvalidDocument as exc:
        return after_rollback(
            _show_task, project, assignment, answers=answers, turns=turns, errors=exc.problems, status=422
        )
    except LeaseLost as exc:
        # Never lose work: what the expert sent stays as their draft of this task. LeaseLost
        # comes before submit_judgment writes anything, so the draft is all this request commits.
        keep_submitted_as_draft(session, assignment, request.form)
        return after_commit(_show_task, project, assignment, answers=answers, message=str(exc), status=exc.status)
    except AssignmentError as exc:
        return after_rollback(_show_task, project, assignment, answers=answers, message=str(exc), status=exc.status)
    discard_draft(session, assignment)
    if not editing and suggestions.visible(suggestions.policy_of(project), assignment.item, submitted=True):
        # after_answer: the submit reveals the machine suggestion; the expert may revise, or go on.
        return after_commit(
            _show_task,
            project,
            assignment,
            moved=True,
            saved=True,
            notice="Your answer is recorded. Below is what an AI judge suggested: revise your answer if it "
            "changes your mind (your first answer is kept), or go on to the next task.",
        )
    if editing:
        return after_commit(
            _show_task,
            project,
            assignment,
            saved=True,
            notice="Your changes are saved; the previous answer is kept in the history.",
        )
    following = claim_next(session, project, g.user)
    if following is None:
        return after_commit(_all_done, project, cleared=assignment.id)
    return after_commit(_show_task, project, following, moved=True, saved=True, cleared=assignment.id)


@bp.post("/tasks/<int:assignment_id>/skip")
@login_required
@writes_late
def skip(assignment_id: int):
    assignment, project = load_assignment(assignment_id)
    code = request.form.get("reason", "")
    comment = (request.form.get("comment") or "").strip()
    if code not in SKIP_REASONS:
        return _show_task(project, assignment, message="Choose why you skip this task.", status=422, skip_open=True)
    if code == "other" and not comment:
        return _show_task(
            project, assignment, message="Say in a few words why you skip this task.", status=422, skip_open=True
        )
    reason = SKIP_REASONS[code] if code != "other" else "Other"
    reason = f"{reason}: {comment}" if comment else reason
    session = db.session()
    try:
        skip_assignment(session, assignment, reason)
    except AssignmentError as exc:
        return after_rollback(_show_task, project, assignment, message=str(exc), status=exc.status)
    discard_draft(session, assignment)
    following = claim_next(session, project, g.user)
    if following is None:
        return after_commit(_all_done, project, cleared=assignment.id)
    return after_commit(
        _show_task, project, following, moved=True, notice="Skipped. Here is the next task.", cleared=assignment.id
    )


def _draft_pairs(fields: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, vs in fields.items() for v in vs]


def _draft_answers(project: Project, assignment: Assignment, fields: dict[str, list[str]]) -> dict[str, Any]:
    """Answers rebuilt from a draft through the kind's form parser, so the page shows the draft
    even without JavaScript. A draft the kind cannot read (its template changed) shows nothing."""
    kind = get_kind(project.kind)
    ids = [r["id"] for r in assignment.item.responses]
    try:
        return kind.from_form(project.template["config"], ids, MultiDict(_draft_pairs(fields)))
    except (ValueError, KeyError, TypeError):
        return {}


def _show_task(
    project: Project,
    assignment: Assignment,
    *,
    answers=None,
    turns=None,
    errors=None,
    message=None,
    notice=None,
    status=200,
    moved=False,
    saved=False,
    cleared: int | None = None,
    skip_open=False,
):
    """The task page (or its fragment). ``moved``: the URL changes to this task's.
    ``cleared``: the assignment just finished, whose copy the browser may forget."""
    url = url_for("workbench.task", assignment_id=assignment.id)
    if moved and not request.headers.get("HX-Request"):
        return redirect(url, 303)
    session = db.session()
    kind = get_kind(project.kind)
    config = project.template["config"]
    item = assignment.item
    judgment: Judgment | None = assignment.judgment if assignment.status is AssignmentStatus.SUBMITTED else None
    draft = draft_for(session, assignment) if judgment is None else None
    # A refused submit shows what was sent; the page script must not put an older draft over it.
    refilled = answers is not None
    if answers is None and judgment is not None:
        answers = judgment.answers
    if answers is None and draft is not None:
        answers = _draft_answers(project, assignment, draft.fields)
    kind_keys = kind.keys(config)
    shown = in_display_order(item.responses, assignment.display_order)
    turns_config = per_turn.config_of(project.template)
    if turns is None and judgment is not None:
        turns = judgment.turns
    if turns is None and draft is not None and turns_config is not None:
        turns = per_turn.from_form(turns_config, item.prompt, MultiDict(_draft_pairs(draft.fields)))
    policy = suggestions.policy_of(project)
    letters = response_letters(shown)
    own_keys, listed_keys = shortcuts(kind_keys)
    response = render(
        "workbench/task.html",
        "task",
        status=status,
        project=project,
        assignment=assignment,
        item=item,
        responses=shown,
        kind=kind,
        config=config,
        keys=kind_keys,
        wb_keys=own_keys,
        shortcuts=listed_keys,
        answers=answers or {},
        errors=for_people(kind, config, errors or [], letters),
        turns_config=turns_config,
        turns=per_turn.by_turn(turns),
        turn_numbers={i: n for n, i in enumerate(per_turn.assistant_turns(item.prompt), 1)},
        turn_errors=per_turn.errors_by_turn(errors, turns),
        suggestion_policy=policy,
        suggestion=suggestions.described(item.suggestion, letters)
        if suggestions.visible(policy, item, submitted=judgment is not None)
        else None,
        message=message,
        notice=notice or test_notice(session, project, g.user.id, item.id),  # annotate.quality.screening
        refilled=refilled,
        saved=saved,
        cleared=cleared,
        judgment=judgment,
        edit_refusal=edit_refusal(session, judgment) if judgment is not None else None,
        returned_by=returned_review(session, judgment),
        draft={"fields": draft.fields, "client_saved_at": draft.client_saved_at} if draft is not None else None,
        autosave=assignment.status in (AssignmentStatus.LEASED, AssignmentStatus.EXPIRED),
        skip_reasons=SKIP_REASONS,
        skip_open=skip_open,
        progress=expert_progress(session, project, g.user),
    )
    return push_url(response, url) if moved else response


def _all_done(project: Project, cleared: int | None = None):
    url = url_for("workbench.project", slug=project.slug)
    if not request.headers.get("HX-Request"):
        return redirect(url + "?done=1", 303)
    response = render(
        "workbench/done.html",
        "task",
        project=project,
        cleared=cleared,
        progress=expert_progress(db.session(), project, g.user),
    )
    return push_url(response, url + "?done=1")
