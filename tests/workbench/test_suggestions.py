"""Machine suggestions by policy, end to end on the web (JavaScript off) and through the API:
AlpacaEval rows import their judge's preference as the item's suggestion; ``hidden`` never shows
it, ``shown`` shows it while judging, ``after_answer`` reveals it with the submit and records a
revision after it; every judgment records the policy and whether and when it was seen; reviewers
and the raw export see it."""

from __future__ import annotations

import copy
import gzip
import json
import re
from pathlib import Path

import orjson
import pytest
from helpers import PASSWORD
from sqlalchemy import select

from annotate.models import Judgment, JudgmentRevision, Project

ASSIGNMENT_RE = re.compile(r'data-assignment="(\d+)"')
ALPACA = Path("/work/shared/data/alpaca-eval/mixtral-vs-gpt4turbo-annotations.json.gz")


def alpaca_rows(n: int = 3) -> list[dict]:
    """AlpacaEval pairwise rows (the shared data when present, else rows of its shape)."""
    if ALPACA.is_file():
        return json.loads(gzip.decompress(ALPACA.read_bytes()))[:n]
    return [
        {
            "instruction": f"Question {i}?",
            "output_1": f"One {i}",
            "generator_1": "gpt4_1106_preview",
            "output_2": f"Two {i}",
            "generator_2": "Mixtral-8x7B-Instruct-v0.1",
            "annotator": "alpaca_eval_gpt4_turbo_fn",
            "preference": "2.0",
        }
        for i in range(n)
    ]


@pytest.fixture
def suggested(make_user, make_project, import_rows, web, session):
    """A pairwise project of AlpacaEval rows under a suggestion policy (the template's, or the
    project's setting), an expert on a task; returns (project, assignment id, task html)."""

    def start(policy: str, *, on_project: bool = False, slug: str = "alp"):
        expert = make_user("expert")
        project = make_project(slug, template="pairwise", members=[(expert, "expert")])
        if on_project:
            project.suggestions = policy
        else:
            template = copy.deepcopy(project.template)
            template["suggestions"] = policy
            project.template = template
        session.commit()
        summary = import_rows(project, alpaca_rows())
        assert summary.shape == "alpaca-pairwise"
        web.login(expert.email, PASSWORD)
        html = web.post(f"/p/{slug}/next", follow_redirects=True).text
        return project, int(ASSIGNMENT_RE.search(html).group(1)), html

    return start


def judgment_of(session, aid: int) -> Judgment:
    session.expire_all()
    return session.scalar(select(Judgment).where(Judgment.assignment_id == aid))


def test_alpaca_preference_is_imported_as_the_suggestion(suggested, session):
    project, _aid, _html = suggested("hidden")
    from annotate.models import Item

    items = session.scalars(select(Item).where(Item.project_id == project.id)).all()
    for item, row in zip(sorted(items, key=lambda i: i.id), alpaca_rows(), strict=True):
        preference = float(row["preference"])
        assert item.suggestion["preferred"] == ("r1" if preference < 1.5 else "r2" if preference > 1.5 else "tie")
        assert item.suggestion["value"] == preference
        assert item.suggestion["source"] == row["annotator"]


def test_hidden_never_shows_it_and_records_that(suggested, web, session):
    _project, aid, html = suggested("hidden")
    assert "data-suggestion" not in html
    assert web.post(f"/tasks/{aid}/judgment", data={"preferred": "r1"}).status_code == 303
    record = judgment_of(session, aid).suggestion
    assert record == {"policy": "hidden", "seen": False, "seen_at": None, "revised": False, "revised_at": None}
    # Not after the answer either.
    assert "data-suggestion" not in web.get(f"/tasks/{aid}").text


def test_shown_displays_it_while_judging_in_the_experts_letters(suggested, web, session):
    _project, aid, html = suggested("shown")
    assert 'data-suggestion data-policy="shown"' in html
    from annotate.models import Assignment

    assignment = session.get(Assignment, aid)
    letters = dict(zip(assignment.display_order, "AB", strict=True))
    preferred = assignment.item.suggestion["preferred"]
    assert f"Response {letters[preferred]} is better" in html, "the verdict in the letters this expert sees"
    assert preferred not in html.split("data-suggestion", 1)[1].split("</aside>", 1)[0]
    assert web.post(f"/tasks/{aid}/judgment", data={"preferred": "r1"}).status_code == 303
    record = judgment_of(session, aid).suggestion
    assert record["policy"] == "shown"
    assert record["seen"] is True
    assert record["seen_at"] == assignment.leased_at.isoformat()


def test_after_answer_reveals_it_and_records_a_revision_after_it(suggested, web, session):
    project, aid, html = suggested("after_answer", on_project=True)
    assert "data-suggestion" not in html, "not before the answer"
    first = web.post(f"/tasks/{aid}/judgment", data={"preferred": "r1"})
    assert first.status_code == 303
    assert first.headers["Location"].endswith(f"/tasks/{aid}"), "the expert stays on the task to see it"
    page = web.get(f"/tasks/{aid}").text
    assert 'data-suggestion data-policy="after_answer"' in page
    assert "Keep my answer: next task" in page
    judgment = judgment_of(session, aid)
    assert judgment.suggestion["seen"] is True
    assert judgment.suggestion["revised"] is False
    # The expert changes their mind: recorded as a revision after the suggestion.
    assert web.post(f"/tasks/{aid}/judgment", data={"preferred": "r2"}).status_code in (200, 303)
    judgment = judgment_of(session, aid)
    assert judgment.answers == {"preferred": "r2"}
    assert judgment.suggestion["revised"] is True
    assert judgment.suggestion["revised_at"] >= judgment.suggestion["seen_at"]
    revisions = session.scalars(select(JudgmentRevision).where(JudgmentRevision.judgment_id == judgment.id)).all()
    assert [(r.reason, r.answers) for r in revisions] == [("after-suggestion", {"preferred": "r1"})]
    # "Next task" claims the next item.
    following = web.post(f"/p/{project.slug}/next", follow_redirects=True).text
    assert int(ASSIGNMENT_RE.search(following).group(1)) != aid


def test_the_project_setting_wins_over_the_template(suggested, session):
    project, _aid, html = suggested("shown")
    project = session.get(Project, project.id)
    assert "data-suggestion" in html
    from annotate.suggestions import policy_of

    project.suggestions = "hidden"
    assert policy_of(project) == "hidden"


def test_the_settings_form_takes_the_policy(make_user, make_project, web, session):
    researcher = make_user("researcher")
    project = make_project("pol", members=[(researcher, "researcher")])
    web.login(researcher.email, PASSWORD)
    page = web.get(f"/p/{project.slug}/settings").text
    assert 'name="suggestions"' in page
    form = {
        "title": project.title,
        "overlap": "1",
        "max_active_leases": "1",
        "lease_seconds": "1800",
        "suggestions": "after_answer",
    }
    assert web.post(f"/p/{project.slug}/settings", data=form).status_code in (200, 303)
    session.expire_all()
    assert session.get(Project, project.id).suggestions == "after_answer"
    bad = web.post(f"/p/{project.slug}/settings", data={**form, "suggestions": "always"})
    assert bad.status_code == 422
    assert "is not one of hidden, after_answer, shown" in bad.text


def test_the_api_follows_the_policy(suggested, make_token, client, session):
    project, aid, _html = suggested("after_answer")
    from annotate.models import Assignment

    expert = session.get(Assignment, aid).expert
    headers = {"Authorization": f"Bearer {make_token(expert)}"}
    task = client.post(f"/api/v1/projects/{project.slug}/assignments", headers=headers).json
    assert task["suggestion_policy"] == "after_answer"
    assert "suggestion" not in task["item"], "not before the answer"
    own = task["assignment"]["id"]
    done = client.post(f"/api/v1/assignments/{own}/judgment", json={"answers": {"preferred": "r1"}}, headers=headers)
    assert done.status_code == 201, done.text
    assert done.json["suggestion"]["preferred"] in ("r1", "r2", "tie"), "revealed by the submit"
    assert done.json["judgment"]["suggestion_seen"]["seen"] is True
    again = client.post(f"/api/v1/assignments/{own}/judgment", json={"answers": {"preferred": "r2"}}, headers=headers)
    assert again.status_code == 200
    assert again.json["judgment"]["suggestion_seen"]["revised"] is True
    # Under "shown" the task itself carries it.
    project = session.get(Project, project.id)
    project.suggestions = "shown"
    session.commit()
    shown = client.post(f"/api/v1/projects/{project.slug}/assignments", headers=headers).json
    assert shown["item"]["suggestion"]["source"]


def test_reviewers_and_the_raw_export_see_it(suggested, web, session, make_user, app):
    project, aid, _html = suggested("shown")
    assert web.post(f"/tasks/{aid}/judgment", data={"preferred": "r1"}).status_code == 303
    from helpers import Browserless

    from annotate.projects.services import add_member

    reviewer = make_user("expert")
    add_member(session, session.get(Project, project.id), reviewer, "reviewer")
    session.commit()
    other = Browserless(app.test_client())
    other.login(reviewer.email, PASSWORD)
    judgment = judgment_of(session, aid)
    page = other.get(f"/review/judgments/{judgment.id}").text
    assert "data-suggestion-review" in page
    assert "Seen by the expert from" in page
    rows = export_raw(app, project.id)
    row = next(r for r in rows if r["judgment_id"] == judgment.id)
    assert row["suggestion_policy"] == "shown"
    assert row["suggestion_seen"] is True
    assert row["suggestion_seen_at"]
    assert json.loads(row["suggestion"])["source"]


def export_raw(app, project_id: int) -> list[dict]:
    import io

    from annotate import db
    from annotate.export.base import ExportOptions
    from annotate.export.services import export_to, get_format

    with app.app_context():
        s = db.session()
        db.begin_write(s)
        out = io.BytesIO()
        project = s.get(Project, project_id)
        export_to(s, project, get_format("raw"), out, options=ExportOptions(), user=None, channel="cli")
        s.commit()
    return [orjson.loads(line) for line in out.getvalue().splitlines() if line]
