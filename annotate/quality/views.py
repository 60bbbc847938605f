"""The Quality page of a project (everything for its researchers, one's own standing for an
expert), its gold and qualification settings, and the qualification page (an expert's result
with feedback; who passed, failed or is pending for researchers)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import Blueprint, abort, flash, g, request, url_for

from annotate import db
from annotate.db import utcnow
from annotate.jobs.records import dispatch_after_commit, job_of
from annotate.kinds import get_kind
from annotate.kinds.jinja import in_display_order, response_letters
from annotate.kinds.messages import for_people
from annotate.models import Item, PositionCheck, Project
from annotate.models.job import OPEN_STATUSES
from annotate.projects.access import RESEARCH, WORK, can_research, project_for
from annotate.quality import qualification, queries, rechecks, scores, screening
from annotate.quality import settings as quality_settings
from annotate.quality.charts import page_charts
from annotate.quality.jobs import KIND, queue_report
from annotate.quality.services import live_limit, own_standing, project_report, shown_report
from annotate.validation import InvalidDocument
from annotate.web import after_rollback, client_redirect, login_required, render
from annotate.workbench.keys import shortcuts

bp = Blueprint("quality", __name__)
# The page's sections with nothing in them, while a large project's report is not computed yet.
EMPTY = {
    "judgments": 0,
    "items": 0,
    "agreement": [],
    "kappa": [],
    "experts": [],
    "position": {
        "decided": 0,
        "first_shown_win_rate": None,
        "p_value": None,
        "ci": None,
        "flips": 0,
        "rechecked": 0,
        "flip_rate": None,
    },
    "judge": {"by_question": [], "by_model": [], "by_expert": []},
    "leaderboard": [],
    "leaderboards": {},
    "primary_question": None,
    "leaderboard_question": None,
}


@bp.get("/p/<slug>/quality")
@login_required
def page(slug: str):
    """Researchers: agreement, kappa, the experts' ranked scores, bias, judge, leaderboard, with
    charts. Experts: their own score and its parts, never anyone else's."""
    project, member = project_for(g.user, slug, WORK)
    if not can_research(g.user, member):
        shown = shown_report(db.session(), project)
        return render(
            "quality/mine.html",
            "content",
            project=project,
            standing=own_standing(shown.report, g.user.id) if shown.report else None,
            labels=scores.LABELS,
        )
    return _researcher_page(project)


def _researcher_page(project: Project, status: int = 200, problems: dict[str, str] | None = None, form: Any = None):
    session = db.session()
    shown = shown_report(session, project)
    job = session.scalar(job_of(KIND, project.id))
    return render(
        "quality/page.html",
        "content",
        status=status,
        project=project,
        report=shown.report or EMPTY,
        shown=shown,
        job=job if job is not None and job.status in OPEN_STATUSES else None,
        charts=page_charts(shown.report) if shown.report else {},
        labels=scores.LABELS,
        standings=qualification.standings(session, project) if project.qualification_size else [],
        problems=problems or {},
        form=form if form is not None else quality_settings.current(project),
    )


@bp.post("/p/<slug>/quality/settings")
@login_required
def save_settings(slug: str):
    """Gold rate and the qualification test; every problem shown next to its field."""
    project, _member = project_for(g.user, slug, RESEARCH)
    try:
        values = quality_settings.parse(request.form)
    except quality_settings.SettingsError as exc:
        return after_rollback(_researcher_page, project, status=422, problems=exc.problems, form=request.form)
    quality_settings.apply(project, values)
    flash("Gold and qualification settings saved.")
    return client_redirect(url_for("quality.page", slug=project.slug) + "#screening")


@bp.post("/p/<slug>/quality/keep")
@login_required
def keep(slug: str):
    """Compute the figures and keep them, so the page shows them at once until the next change."""
    project, _member = project_for(g.user, slug, RESEARCH)
    session = db.session()
    if shown_report(session, project).judgments > live_limit():
        dispatch_after_commit(session, queue_report(session, project))
        flash("The figures are being computed in the background; this page shows them when they are ready.")
    else:
        project_report(session, project, store=True)
        flash("The figures are kept: the page shows them at once until a judgment or review changes.")
    return client_redirect(url_for("quality.page", slug=project.slug))


@bp.get("/p/<slug>/qualification")
@login_required
def qualification_page(slug: str):
    """An expert's qualification: why they cannot take tasks yet (if so), each finished attempt
    with the expected answers and explanations. Researchers: who passed, failed or is pending."""
    project, member = project_for(g.user, slug, WORK)
    session = db.session()
    researcher = can_research(g.user, member)
    attempts = qualification.own_attempts(session, project, g.user)
    return render(
        "quality/qualification.html",
        "content",
        project=project,
        researcher=researcher,
        standings=qualification.standings(session, project) if researcher else [],
        qualified=screening.qualified(session, project, g.user),
        refusal=screening.refusal(session, project, g.user, utcnow()),
        attempts=[(a, qualification.feedback(session, a) if a.finished_at else []) for a in attempts],
    )


# -- position checks (annotate.quality.rechecks) ---------------------------------------------


@bp.post("/p/<slug>/quality/rechecks")
@login_required
def ask_rechecks(slug: str):
    """Queue a sample of one expert's judged items to be shown to them again, order swapped."""
    project, _member = project_for(g.user, slug, RESEARCH)
    session = db.session()
    email = request.form.get("recheck_expert", "").strip()
    expert = next(
        (m.user for m in session.scalars(queries.members(project)) if m.user.email.lower() == email.lower()), None
    )
    problems: dict[str, str] = {}
    count_text = request.form.get("recheck_count", "").strip()
    count = int(count_text) if count_text.isdigit() else 0
    if expert is None:
        problems["recheck_expert"] = "Expert: choose one of this project's experts."
    if not 1 <= count <= rechecks.MAX_PER_REQUEST:
        problems["recheck_count"] = f"Items: a whole number from 1 to {rechecks.MAX_PER_REQUEST}."
    if not problems and expert is not None:
        try:
            made = rechecks.create_rechecks(session, project, expert, count, utcnow())
        except rechecks.RecheckError as exc:
            problems["recheck_expert"] = f"Expert: {exc}"
        else:
            flash(f"{made} of {expert.email}'s items will be shown to them again with the order swapped.")
            return client_redirect(url_for("quality.page", slug=project.slug) + "#position")
    return after_rollback(_researcher_page, project, status=422, problems=problems, form=request.form)


@bp.get("/p/<slug>/look-again")
@login_required
def look_again(slug: str):
    """The expert's next item to look at again (or word that none is left)."""
    project, _member = project_for(g.user, slug, WORK)
    check = db.session().scalars(rechecks.pending(project, g.user.id).limit(1)).first()
    return _show_check(project, check)


@bp.post("/p/<slug>/look-again/<int:check_id>")
@login_required
def answer_again(slug: str, check_id: int):
    project, _member = project_for(g.user, slug, WORK)
    session = db.session()
    check = session.get(PositionCheck, check_id)
    if check is None or check.project_id != project.id or check.expert_id != g.user.id:
        abort(404)
    item = session.get_one(Item, check.item_id)
    kind = get_kind(project.kind)
    answers = kind.from_form(project.template["config"], [r["id"] for r in item.responses], request.form)
    try:
        rechecks.answer(session, check, project, answers, utcnow())
    except InvalidDocument as exc:
        return after_rollback(_show_check, project, check, answers=answers, errors=exc.problems, status=422)
    except rechecks.RecheckError as exc:
        return after_rollback(_show_check, project, check, message=str(exc), status=409)
    return client_redirect(url_for("quality.look_again", slug=project.slug))


def _show_check(project: Project, check: PositionCheck | None, *, answers=None, errors=None, message=None, status=200):
    kind = get_kind(project.kind)
    config = project.template["config"]
    if check is None:
        return render("quality/look_again.html", "content", project=project, check=None, kind=kind, status=status)
    item = db.session().get_one(Item, check.item_id)
    responses = in_display_order(item.responses, check.display_order)
    kind_keys = kind.keys(config)
    own_keys, listed_keys = shortcuts(kind_keys)
    return render(
        "quality/look_again.html",
        "content",
        status=status,
        project=project,
        check=check,
        # The kinds' partials name their fields by ``assignment.id``: this page's own prefix.
        assignment=SimpleNamespace(id=f"again-{check.id}"),
        item=item,
        responses=responses,
        kind=kind,
        config=config,
        keys=kind_keys,
        wb_keys=own_keys,
        shortcuts=listed_keys,
        answers=answers or {},
        errors=for_people(kind, config, errors or [], response_letters(responses)),
        message=message,
    )
