"""Expert pages. Views parse, call a service, commit once, render (STYLE.md 3)."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, request, url_for

from annotate import db
from annotate.assign.services import AssignmentError, answer_schema, claim_next, submit_judgment
from annotate.kinds import get_kind
from annotate.models import Assignment, AssignmentStatus, Judgment, Project
from annotate.projects.access import WORK, can_research, project_for
from annotate.projects.services import stats, visible_projects
from annotate.validation import InvalidDocument
from annotate.web import login_required, push_url, render
from annotate.workbench.queries import expert_progress

bp = Blueprint("workbench", __name__)


@bp.get("/")
@login_required
def home():
    projects = db.session().scalars(visible_projects(g.user)).all()
    return render("workbench/home.html", "content", projects=projects)


@bp.get("/p/<slug>")
@login_required
def project(slug: str):
    project, member = project_for(g.user, slug, WORK)
    researcher = can_research(g.user, member)
    return render(
        "workbench/project.html",
        "content",
        project=project,
        progress=expert_progress(db.session(), project, g.user),
        stats=stats(db.session(), project) if researcher else None,
        researcher=researcher,
    )


@bp.post("/p/<slug>/next")
@login_required
def claim(slug: str):
    project, _member = project_for(g.user, slug, WORK)
    assignment = claim_next(db.session(), project, g.user)
    db.session().commit()
    if assignment is None:
        return _all_done(project)
    return _show_task(project, assignment, moved=True)


def _load_assignment(assignment_id: int) -> tuple[Assignment, Project]:
    """The signed-in expert's own assignment; anybody else's is a 404."""
    assignment = db.session().get(Assignment, assignment_id)
    if assignment is None or assignment.expert_id != g.user.id:
        abort(404)
    project, _member = project_for(g.user, db.session().get(Project, assignment.project_id).slug, WORK)
    return assignment, project


@bp.get("/tasks/<int:assignment_id>")
@login_required
def task(assignment_id: int):
    assignment, project = _load_assignment(assignment_id)
    return _show_task(project, assignment)


@bp.post("/tasks/<int:assignment_id>/judgment")
@login_required
def submit(assignment_id: int):
    assignment, project = _load_assignment(assignment_id)
    kind = get_kind(project.kind)
    ids = [r["id"] for r in assignment.item.responses]
    answers = kind.from_form(project.template["config"], ids, request.form)
    try:
        active_seconds = int(request.form.get("active_seconds") or 0)
    except ValueError:
        active_seconds = 0
    session = db.session()
    try:
        submit_judgment(session, assignment, project, answers, active_seconds=active_seconds)
    except InvalidDocument as exc:
        session.rollback()
        return _show_task(project, assignment, answers=answers, errors=exc.problems, status=422)
    except AssignmentError as exc:
        session.rollback()
        return _show_task(project, assignment, answers=answers, message=str(exc), status=exc.status)
    following = claim_next(session, project, g.user)
    session.commit()
    if following is None:
        return _all_done(project)
    return _show_task(project, following, moved=True, saved=True)


def _show_task(project: Project, assignment: Assignment, *, answers=None, errors=None, message=None, status=200, moved=False, saved=False):
    """The task page (or its fragment). ``moved``: the URL changes to this task's."""
    kind = get_kind(project.kind)
    item = assignment.item
    by_id = {r["id"]: r for r in item.responses}
    judgment = None
    if assignment.status is AssignmentStatus.SUBMITTED:
        judgment = db.session().query(Judgment).filter_by(assignment_id=assignment.id).one_or_none()
    if answers is None and judgment is not None:
        answers = judgment.answers
    url = url_for("workbench.task", assignment_id=assignment.id)
    if moved and not request.headers.get("HX-Request"):
        return redirect(url, 303)
    response = render(
        "workbench/task.html",
        "task",
        status=status,
        project=project,
        assignment=assignment,
        item=item,
        responses=[by_id[i] for i in assignment.display_order],
        kind=kind,
        config=project.template["config"],
        keys=kind.keys(project.template["config"]),
        answers=answers or {},
        errors=errors or [],
        message=message,
        saved=saved,
        progress=expert_progress(db.session(), project, g.user),
        schema=answer_schema(project, item),
    )
    return push_url(response, url) if moved else response


def _all_done(project: Project):
    url = url_for("workbench.project", slug=project.slug)
    if not request.headers.get("HX-Request"):
        return redirect(url + "?done=1", 303)
    response = render("workbench/done.html", "task", project=project, progress=expert_progress(db.session(), project, g.user))
    return push_url(response, url + "?done=1")
