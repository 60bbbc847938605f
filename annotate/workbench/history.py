"""The expert's own judgments in a project: review them, open one to change it."""

from __future__ import annotations

from flask import g, request

from annotate import db
from annotate.hardening import MAX_PAGE, int_arg
from annotate.projects.access import WORK, project_for
from annotate.review.show import summary
from annotate.web import login_required, render
from annotate.workbench.queries import own_judgments
from annotate.workbench.services import EDIT_WINDOW
from annotate.workbench.views import bp

PAGE_SIZE = 50


@bp.get("/p/<slug>/history")
@login_required
def history(slug: str):
    project, _member = project_for(g.user, slug, WORK)
    page = int_arg(request.args, "page", 1, 1, MAX_PAGE, strict=False)
    rows = (
        db.session().execute(own_judgments(project, g.user).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    )
    return render(
        "workbench/history.html",
        "history",
        project=project,
        rows=[
            (j, external_id, n, summary(j.answers, responses, order))
            for j, external_id, n, responses, order in rows[:PAGE_SIZE]
        ],
        page=page,
        has_more=len(rows) > PAGE_SIZE,
        edit_days=EDIT_WINDOW.days,
    )
