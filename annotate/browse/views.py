"""The data browser's pages: items, one item, judgments and bulk review (researchers only).

Views parse, call a query or a service (which only flushes), commit once at the end, render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from sqlalchemy import func, select

from annotate import db
from annotate.browse import queries
from annotate.browse.filters import (
    FLAG_CHOICES,
    ITEM_SORTS,
    ITEM_STATES,
    REVIEW_STATES,
    VERDICTS,
    FilterError,
    Filters,
    parse,
)
from annotate.browse.services import review_many
from annotate.browse.show import item_state, judgment_view, plain_rows, snippet, summary
from annotate.db import MAX_ID, utcnow
from annotate.kinds import get_kind
from annotate.limits import whole_number
from annotate.models import Item, Project, ReviewVerdict
from annotate.projects.access import RESEARCH, project_for
from annotate.review.services import ReviewError
from annotate.web import after_rollback, login_required, render

bp = Blueprint("browse", __name__)
SELECTED_MAX = 500  # judgment ids one bulk form may carry (a page holds at most 200)


@bp.context_processor
def _helpers() -> dict:
    return {"item_state": item_state, "snippet": snippet, "plain_rows": plain_rows, "summary": summary}


def _dialect() -> str:
    return db.session().get_bind().dialect.name


def _filters(project: Project, args) -> tuple[Filters, int | None, dict[str, str]]:
    """The filters of the request and the expert they name; problems instead of a 500 or a silent drop."""
    try:
        f = parse(args)
        return f, queries.expert_id(db.session(), project, f.expert), {}
    except FilterError as exc:
        return Filters(), None, exc.problems


def _choices(project: Project) -> dict:
    session = db.session()
    return {
        "states": ITEM_STATES,
        "sorts": ITEM_SORTS,
        "review_states": REVIEW_STATES,
        "verdicts": VERDICTS if get_kind(project.kind).verdict_key else {},
        "flag_choices": FLAG_CHOICES,
        "batches": session.execute(queries.batches(project)).all(),
        "experts": session.scalars(queries.experts(project)).all(),
    }


@bp.get("/p/<slug>/items")
@login_required
def items(slug: str):
    """Items: search, filters, sort; 50 a page by keyset (as fast on the last page as on the first)."""
    project, _member = project_for(g.user, slug, RESEARCH)
    f, expert, problems = _filters(project, request.args)
    page = None
    if not problems:
        page = queries.page(db.session(), queries.items(project, f, _dialect(), expert), f.cursor, f.limit)
    return render(
        "browse/items.html",
        "results",
        status=422 if problems else 200,
        project=project,
        f=f,
        typed=request.args,
        problems=problems,
        page=page,
        **_choices(project),
    )


@bp.get("/p/<slug>/items/<int:item_id>")
@login_required
def item(slug: str, item_id: int):
    """One item as experts see it, with every judgment on it in each expert's own letters."""
    project, _member = project_for(g.user, slug, RESEARCH)
    session = db.session()
    item = session.get(Item, item_id)
    if item is None or item.project_id != project.id:
        abort(404)
    rows = session.execute(queries.item_judgments(item)).all()
    reviews = list(session.scalars(queries.reviews_of_many([j.id for j, _order, _p in rows])))
    kind = get_kind(project.kind)
    return render(
        "browse/item.html",
        "content",
        project=project,
        item=item,
        state=item_state(project, item.judged_count, item.assigned_count),
        judgments=[judgment_view(session, item, j, order, pseudonym, reviews) for j, order, pseudonym in rows],
        open_work=session.execute(queries.item_open_work(item)).all(),
        adjudication=session.scalar(queries.item_adjudication(item)),
        kind=kind,
        config=project.template["config"],
        keys=kind.keys(project.template["config"]),
        back=request.args.get("back", ""),
    )


@bp.get("/p/<slug>/judgments")
@login_required
def judgments(slug: str):
    """Judgments: filter by expert, verdict, review state, date (and the item filters); select to review."""
    project, _member = project_for(g.user, slug, RESEARCH)
    return _judgments_page(project, request.args)


def _judgments_page(project: Project, args, *, status: int = 200, problems: dict | None = None):
    f, expert, filter_problems = _filters(project, args)
    page = None
    if not filter_problems:
        page = queries.page(db.session(), queries.judgments(project, f, _dialect(), expert), f.cursor, f.limit)
    return render(
        "browse/judgments.html",
        "results",
        status=422 if filter_problems else status,
        project=project,
        f=f,
        typed=args,
        problems={**filter_problems, **(problems or {})},
        page=page,
        **_choices(project),
    )


@bp.post("/p/<slug>/judgments/review")
@login_required
def bulk_review(slug: str):
    """Accept or reject the selected judgments, or all matching the filters: first a page that
    says how many (and takes the comment), then, confirmed, all of them in one transaction."""
    project, _member = project_for(g.user, slug, RESEARCH)
    form = request.form
    f, expert, problems = _filters(project, form)
    if problems:
        return _judgments_page(project, form)
    verdict: ReviewVerdict | None
    try:
        verdict = ReviewVerdict(form.get("action", ""))
    except ValueError:
        verdict = None
    scope = form.get("scope", "")
    selected = [i for i in (whole_number(v, MAX_ID) for v in form.getlist("id")) if i is not None][:SELECTED_MAX]
    problem = None
    if verdict not in (ReviewVerdict.ACCEPT, ReviewVerdict.REJECT):
        problem = "Choose Accept or Reject."
    elif scope not in ("selected", "matching"):
        problem = "Choose the selected judgments or all that match the filters."
    elif scope == "selected" and not selected:
        problem = "Tick at least one judgment first, or choose all that match the filters."
    if problem or verdict is None:
        return _judgments_page(project, form, status=422, problems={"bulk": problem or "Choose Accept or Reject."})
    session = db.session()
    conditions = queries.judgment_conditions(project, f, _dialect(), expert)
    if scope == "selected":
        conditions.append(queries.Judgment.id.in_(selected))
    eligible = queries.reviewable(conditions, g.user.id, utcnow())
    count = session.scalar(select(func.count()).select_from(eligible.subquery()))
    context: dict[str, Any] = {
        "project": project,
        "f": f,
        "typed": form,
        "verdict": verdict,
        "scope": scope,
        "selected": selected,
        "count": count,
    }
    if form.get("confirm") != "1":
        return render("browse/confirm.html", "content", **context, error=None)
    try:
        done = review_many(session, eligible, g.user, verdict, form.get("comment", ""))
    except ReviewError as exc:
        return after_rollback(render, "browse/confirm.html", "content", status=422, **context, error=str(exc))
    word = "Accepted" if verdict is ReviewVerdict.ACCEPT else "Rejected and returned to their experts:"
    flash(f"{word} {done} judgment{'' if done == 1 else 's'}.")
    return redirect(url_for("browse.judgments", slug=project.slug, **f.args()), 303)
