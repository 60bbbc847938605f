"""Per-turn judgments (annotate/turns.py): the template's ``turns`` setting puts a rating or a
flag with reasons beside each assistant turn of a multi-turn prompt, for any kind; the server
checks them with the answers (problems in the expert's words, next to the turn), stores them
with the judgment and its revisions; the API takes them; reviewers see them."""

from __future__ import annotations

import copy
import re

import pytest
from helpers import PASSWORD, Browserless
from sqlalchemy import select

from annotate.kinds.templates import TemplateError, validate_template
from annotate.models import Judgment, JudgmentRevision
from annotate.turns import problems

ASSIGNMENT_RE = re.compile(r'data-assignment="(\d+)"')
PROMPT = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Capital of Australia?"},
    {"role": "assistant", "content": "Sydney."},
    {"role": "user", "content": "Are you sure?"},
    {"role": "assistant", "content": "Yes, Sydney."},
    {"role": "user", "content": "Check again."},
]
FLAG = {"ask": "flag", "reasons": ["Factual error", "Unsafe"]}
RATING = {"ask": "score", "scale": {"min": 1, "max": 3}, "required": True, "label": "How good is this reply?"}


def rows() -> list[dict]:
    return [
        {
            "id": "t1",
            "prompt": PROMPT,
            "responses": [{"id": "r1", "content": "Canberra."}, {"id": "r2", "content": "Sydney, I said."}],
        }
    ]


@pytest.fixture
def turn_task(make_user, make_project, import_rows, web, session):
    def start(turns: dict, template: str = "pairwise"):
        expert = make_user("expert")
        project = make_project("turns", template=template, members=[(expert, "expert")])
        document = copy.deepcopy(project.template)
        document["turns"] = turns
        project.template = document
        session.commit()
        import_rows(project, rows())
        web.login(expert.email, PASSWORD)
        html = web.post("/p/turns/next", follow_redirects=True).text
        return project, int(ASSIGNMENT_RE.search(html).group(1)), html

    return start


def judgment_of(session, aid: int) -> Judgment | None:
    session.expire_all()
    return session.scalar(select(Judgment).where(Judgment.assignment_id == aid))


def test_flags_with_reasons_beside_each_assistant_turn(turn_task, web, session):
    _project, aid, html = turn_task(FLAG)
    # One set of controls per assistant turn (prompt messages 2 and 4), tied to the answer form.
    assert html.count('class="turn-judgment"') == 2
    assert f'form="answer-{aid}" name="turn-2-flagged"' in html
    assert f'form="answer-{aid}" name="turn-4-reason"' in html
    assert f'id="answer-{aid}"' in html
    bad = web.post(f"/tasks/{aid}/judgment", data={"preferred": "r1", "turn-2-flagged": "1"})
    assert bad.status_code == 422
    assert "Turn 1: say why you flag it (choose a reason)." in bad.text
    assert "turns[0]" not in bad.text
    block = bad.text.split('name="turn-2-flagged"', 1)[1].split("</fieldset>", 1)[0]
    assert 'role="alert"' in block, "the problem is shown next to the turn"
    assert judgment_of(session, aid) is None
    data = {
        "preferred": "r1",
        "turn-2-flagged": "1",
        "turn-2-reason": "Factual error",
        "turn-4-flagged": "1",
        "turn-4-reason": ["Factual error", "Unsafe"],
        "turn-4-comment": "Doubles down.",
    }
    assert web.post(f"/tasks/{aid}/judgment", data=data).status_code == 303
    assert judgment_of(session, aid).turns == [
        {"turn": 2, "rating": None, "flagged": True, "reasons": ["Factual error"], "comment": ""},
        {
            "turn": 4,
            "rating": None,
            "flagged": True,
            "reasons": ["Factual error", "Unsafe"],
            "comment": "Doubles down.",
        },
    ]
    # Shown again, refilled; an edit keeps the earlier turns in the revision.
    page = web.get(f"/tasks/{aid}").text
    assert 'name="turn-4-reason" value="Unsafe" checked' in page
    assert web.post(f"/tasks/{aid}/judgment", data={"preferred": "r1"}).status_code in (200, 303)
    judgment = judgment_of(session, aid)
    assert judgment.turns == []
    revision = session.scalars(select(JudgmentRevision).where(JudgmentRevision.judgment_id == judgment.id)).one()
    assert len(revision.turns) == 2


def test_a_required_rating_on_every_assistant_turn(turn_task, web, session):
    _project, aid, html = turn_task(RATING, template="rubric")
    assert "How good is this reply?" in html
    missing = web.post(f"/tasks/{aid}/judgment", data={"turn-2-rating": "2"})
    assert missing.status_code == 422
    assert "Turn 2: choose a rating." in missing.text
    # The kind's own problems are listed with the turn's, all at once.
    assert "Choose a score for “Helpfulness” of Response A." in missing.text
    out_of_scale = web.post(f"/tasks/{aid}/judgment", data={"turn-2-rating": "7", "turn-4-rating": "1"})
    assert "Turn 1: choose a rating from 1 to 3." in out_of_scale.text


def test_the_api_takes_turns_and_names_the_path(turn_task, make_token, client, session):
    _project, aid, _html = turn_task(FLAG)
    from annotate.models import Assignment

    headers = {"Authorization": f"Bearer {make_token(session.get(Assignment, aid).expert)}"}
    url = f"/api/v1/assignments/{aid}/judgment"
    bad = client.post(
        url, json={"answers": {"preferred": "r1"}, "turns": [{"turn": 3, "flagged": True}]}, headers=headers
    )
    assert bad.status_code == 422
    assert bad.json["problems"][0]["path"] == "turns[0].turn"
    assert "not an assistant turn" in bad.json["problems"][0]["message"]
    good = client.post(
        url,
        json={"answers": {"preferred": "r1"}, "turns": [{"turn": 4, "flagged": True, "reasons": ["Unsafe"]}]},
        headers=headers,
    )
    assert good.status_code == 201, good.text
    assert good.json["judgment"]["turns"] == [
        {"turn": 4, "rating": None, "flagged": True, "reasons": ["Unsafe"], "comment": ""}
    ]


def test_reviewers_see_the_turns(turn_task, web, session, make_user, app):
    project, aid, _html = turn_task(FLAG)
    data = {"preferred": "r1", "turn-4-flagged": "1", "turn-4-reason": "Unsafe"}
    assert web.post(f"/tasks/{aid}/judgment", data=data).status_code == 303
    from annotate.projects.services import add_member

    reviewer = make_user("expert")
    add_member(session, project, reviewer, "reviewer")
    session.commit()
    other = Browserless(app.test_client())
    other.login(reviewer.email, PASSWORD)
    page = other.get(f"/review/judgments/{judgment_of(session, aid).id}").text
    assert "Per-turn judgments" in page
    assert "Turn 2 (prompt message 4)" in page
    assert "flagged (Unsafe)" in page


def test_a_task_without_the_setting_refuses_turns():
    assert problems(None, PROMPT, [{"turn": 2}])[0].message == "this task asks for no per-turn judgments"
    assert problems(None, PROMPT, None) == []


def test_a_template_with_a_bad_turns_setting_is_refused(app):
    from pathlib import Path

    templates = Path(app.config["TEMPLATES_DIR"])
    document = {"kind": "ranking", "version": 1, "title": "t", "config": {}, "turns": {"ask": "stars"}}
    with pytest.raises(TemplateError, match=r"turns\.ask"):
        validate_template(document, templates)
    document["turns"] = {"ask": "score", "scale": {"min": 5, "max": 1}}
    with pytest.raises(TemplateError, match=r"turns\.scale\.max"):
        validate_template(document, templates)
