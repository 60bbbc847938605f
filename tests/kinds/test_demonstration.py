"""The demonstration kind end to end without a browser: import (prompt alone, prompt with a
draft), the task page as with JavaScript off (the preview and "start from the draft" buttons),
refusals in the expert's words, the draft policies and the edit distance the server measures,
the preview endpoint, the API, and the hooks (no nominal vote, gold)."""

from __future__ import annotations

import copy
import re

import pytest
from helpers import PASSWORD
from rapidfuzz.distance import Levenshtein
from sqlalchemy import select

from annotate.kinds import answer_problems, get_kind, gold_problems, match_gold
from annotate.kinds.base import Vote
from annotate.models import Judgment, Project

ASSIGNMENT_RE = re.compile(r'data-assignment="(\d+)"')
DRAFT = "A p-value is the probability that the null hypothesis is true."
GOOD = (
    "A p-value is the probability of seeing data at least as extreme as yours **if** the null "
    "hypothesis were true. It is not the probability that the null hypothesis is true.\n\n"
    "$$p = P(T \\ge t \\mid H_0)$$\n\n```python\nfrom scipy import stats\n```"
)
CHECKS = {"check-correct": "1", "check-complete": "1", "check-safe": "1"}


def rows() -> list[dict]:
    return [
        {
            "id": "with-draft",
            "prompt": "Explain a p-value to a first-year student.",
            "draft": DRAFT,
            "draft_model": "m",
        },
        {
            "id": "no-draft",
            "prompt": [
                {"role": "user", "content": "What is 2 + 2?"},
                {"role": "assistant", "content": "5."},
                {"role": "user", "content": "Are you sure?"},
            ],
        },
    ]


def with_draft(project: Project, session, policy: str) -> None:
    template = copy.deepcopy(project.template)
    template["config"]["draft"] = policy
    project.template = template
    session.commit()


@pytest.fixture
def demo_task(make_user, make_project, import_rows, web, session):
    """A sft-demonstration project (draft policy as asked), its items imported through the
    prompt-only shape, an expert on the task with the draft; returns (project, assignment id, html)."""

    def start(policy: str = "on_request", slug: str = "sft"):
        expert = make_user("expert")
        project = make_project(slug, template="sft-demonstration", members=[(expert, "expert")])
        with_draft(project, session, policy)
        summary = import_rows(project, rows())
        assert (summary.new, summary.shape) == (2, "prompt-only"), summary
        web.login(expert.email, PASSWORD)
        html = web.post(f"/p/{slug}/next", follow_redirects=True).text
        aid = int(ASSIGNMENT_RE.search(html).group(1))
        while "Explain a p-value" not in html:  # the item with the draft first
            web.post(f"/tasks/{aid}/skip", data={"reason": "other", "comment": "order"})
            html = web.post(f"/p/{slug}/next", follow_redirects=True).text
            aid = int(ASSIGNMENT_RE.search(html).group(1))
        return project, aid, html

    return start


def judgment_of(session, aid: int) -> Judgment | None:
    session.expire_all()
    return session.scalar(select(Judgment).where(Judgment.assignment_id == aid))


def test_the_prompt_only_shape_imports_a_draft_as_the_one_response(demo_task, session):
    project, _aid, _html = demo_task()
    from annotate.models import Item

    items = {i.external_id: i for i in session.scalars(select(Item).where(Item.project_id == project.id))}
    assert items["with-draft"].responses == [{"id": "draft", "content": DRAFT, "model": "m"}]
    assert items["no-draft"].responses == []
    assert [m["role"] for m in items["no-draft"].prompt] == ["user", "assistant", "user"]


def test_a_pairwise_project_refuses_a_prompt_alone(make_project, import_rows):
    project = make_project("pw", template="pairwise")
    with pytest.raises(Exception, match="a pairwise task needs exactly 2 responses, got 0"):
        import_rows(project, [{"id": "x", "prompt": "Hello?"}])


def test_on_request_hides_the_draft_behind_a_disclosure_and_records_a_start(demo_task, web, session):
    _project, aid, html = demo_task("on_request")
    draft_block = html.split("data-draft ", 1)[1].split("</details>", 1)[0]
    assert "Show the model&#39;s draft" in html or "Show the model's draft" in html
    assert 'name="text"' in html
    assert 'dir="auto"' in html
    editor = html.split('name="text"', 1)[1].split("</textarea>", 1)[0]
    assert DRAFT not in editor, "on_request: the editor starts empty"
    assert "open" not in draft_block.split(">", 1)[0]
    # JavaScript off: "Start from this draft" shows the page again with the draft in the editor.
    again = web.post(f"/tasks/{aid}/judgment", data={"text": "", "_refresh": "use_draft", **CHECKS})
    assert again.status_code == 200
    editor = again.text.split('name="text"', 1)[1].split("</textarea>", 1)[0]
    assert DRAFT in editor
    assert 'name="draft_started" value="1"' in again.text
    assert judgment_of(session, aid) is None, "a refresh submits nothing"
    text = DRAFT.replace(
        "the probability that the null hypothesis is true",
        "the chance of data at least this extreme if the null hypothesis were true, not the chance that it is true",
    )
    done = web.post(f"/tasks/{aid}/judgment", data={"text": text, "draft_started": "1", "draft_shown": "1", **CHECKS})
    assert done.status_code == 303, done.text
    answers = judgment_of(session, aid).answers
    assert answers["draft"] == {
        "policy": "on_request",
        "shown": True,
        "started_from": True,
        "distance": Levenshtein.distance(DRAFT, text),
        "similarity": round(Levenshtein.normalized_similarity(DRAFT, text), 4),
    }
    assert answers["checklist"] == {"correct": True, "complete": True, "safe": True}


def test_prefilled_starts_in_the_editor_and_a_rewrite_from_scratch_is_measured(demo_task, web, session):
    _project, aid, html = demo_task("prefilled")
    editor = html.split('name="text"', 1)[1].split("</textarea>", 1)[0]
    assert DRAFT in editor
    assert 'name="draft_started" value="1"' in html
    # The expert cleared the editor and wrote their own; the client cannot fake the distance.
    data = {"text": GOOD, "draft_started": "1", **CHECKS}
    assert web.post(f"/tasks/{aid}/judgment", data=data).status_code == 303
    draft = judgment_of(session, aid).answers["draft"]
    assert draft["policy"] == "prefilled"
    assert draft["started_from"] is True
    assert draft["shown"] is True
    assert draft["distance"] == Levenshtein.distance(DRAFT, GOOD) > 100
    assert draft["similarity"] < 0.5


def test_never_shows_no_draft_and_records_none(demo_task, web, session):
    _project, aid, html = demo_task("never")
    assert DRAFT not in html
    assert "data-draft-source" not in html
    assert web.post(f"/tasks/{aid}/judgment", data={"text": GOOD, **CHECKS}).status_code == 303
    assert "draft" not in judgment_of(session, aid).answers


def test_refusals_are_in_the_experts_words_next_to_the_field(demo_task, web, session):
    _project, aid, _html = demo_task()
    bad = web.post(f"/tasks/{aid}/judgment", data={"text": "Too short.", "check-correct": "1"})
    assert bad.status_code == 422
    assert "Write the reply: at least 80 characters." in bad.text
    assert "Tick “It answers every part of the request” once your reply does it." in bad.text
    assert "answers.text" not in bad.text
    assert "answers.checklist" not in bad.text
    assert bad.text.count('role="alert"') >= 3
    # What was typed stays in the editor.
    assert "Too short." in bad.text.split('name="text"', 1)[1].split("</textarea>", 1)[0]
    blank = web.post(f"/tasks/{aid}/judgment", data={"text": " " * 100, **CHECKS})
    assert blank.status_code == 422
    assert "Write the reply: it is empty or only white space." in blank.text
    assert judgment_of(session, aid) is None


def test_the_preview_button_renders_markdown_safely_with_javascript_off(demo_task, web):
    _project, aid, _html = demo_task()
    text = "# Title\n\n<script>alert(1)</script><img src=x onerror=alert(1)>\n\n$x^2$\n\n```python\nprint(1)\n```"
    page = web.post(f"/tasks/{aid}/judgment", data={"text": text, "_refresh": "preview"})
    assert page.status_code == 200
    preview = page.text.split('class="preview-body"', 1)[1].split("</details>", 1)[0]
    assert "<h1" in preview
    assert "<math" in preview
    assert "<pre" in preview
    assert "<script" not in preview
    assert "<img" not in preview
    assert "&lt;script&gt;" in preview, "raw HTML is shown as text"
    # The live preview (htmx) is the same rendering, as a fragment.
    fragment = web.post(f"/tasks/{aid}/preview", data={"text": text}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<h1" in fragment.text
    assert "<script" not in fragment.text
    assert "<html" not in fragment.text
    assert 'dir="auto"' in fragment.text


def test_the_preview_is_only_for_the_assignments_expert(demo_task, app, make_user):
    from helpers import Browserless

    _project, aid, _html = demo_task()
    other = Browserless(app.test_client())
    other.login(make_user("expert").email, PASSWORD)
    assert other.post(f"/tasks/{aid}/preview", data={"text": "x"}).status_code == 404


def test_the_api_takes_a_demonstration_and_measures_the_draft(demo_task, make_token, client, session):
    _project, aid, _html = demo_task("on_request")
    from annotate.models import Assignment

    expert = session.get(Assignment, aid).expert
    token = make_token(expert)
    headers = {"Authorization": f"Bearer {token}"}
    answers = {
        "text": GOOD,
        "checklist": {"correct": True, "complete": True, "safe": True},
        "draft": {"policy": "on_request", "shown": True, "started_from": False, "distance": 0, "similarity": 1.0},
    }
    response = client.post(f"/api/v1/assignments/{aid}/judgment", json={"answers": answers}, headers=headers)
    assert response.status_code == 201, response.text
    stored = response.json["judgment"]["answers"]["draft"]
    assert stored["distance"] == Levenshtein.distance(DRAFT, GOOD), "the server's measure, not the client's"
    assert stored["similarity"] < 1
    missing = client.post(f"/api/v1/assignments/{aid}/judgment", json={"answers": {"text": GOOD}}, headers=headers).json
    assert any(p["path"] == "answers" and "checklist" in p["message"] for p in missing["problems"])


def test_hooks_no_nominal_vote_and_gold():
    kind = get_kind("demonstration")
    config = {"min_length": 3, "checklist": [{"id": "ok", "label": "OK"}], "abstain_reasons": ["Outside"]}
    assert [q.id for q in kind.questions(config)] == ["abstain-reason"]
    assert not any(q.headline for q in kind.questions(config))
    answers = {"text": "2 + 2 = 4", "checklist": {"ok": True}}
    assert kind.votes(config, answers, []) == [Vote("abstain-reason", "", "")]
    loose = {**config, "checklist_required": False}
    assert kind.votes(loose, {"text": "abc", "checklist": {"ok": False}}, [])[0] == Vote("checklist.ok", "", False)
    assert not answer_problems(kind, loose, {"text": "abc", "checklist": {"ok": False}}, [])
    assert answer_problems(kind, config, {"text": "abc", "checklist": {"ok": False}}, [])
    assert match_gold(kind, config, answers, {"must_include": ["4"]}) is True
    assert match_gold(kind, config, answers, {"must_include": ["five"]}) is False
    assert match_gold(kind, config, answers, {"reference": "2 + 2 = 4.", "min_similarity": 0.8}) is True
    assert match_gold(kind, config, answers, {"reference": "Completely different words here"}) is False
    assert match_gold(kind, config, {"abstain": {"reason": "Outside"}}, {"must_include": ["4"]}) is None
    assert [p.path for p in gold_problems(kind, config, {"min_similarity": 0.5}, [])] == ["gold"]
    assert gold_problems(kind, config, {"must_include": ["4"], "reference": "4", "min_similarity": 0.9}, []) == []


def test_an_item_with_two_responses_is_no_demonstration():
    assert get_kind("demonstration").responses_problem(2) == "a demonstration task needs at most 1 responses, got 2"


def test_researchers_pages_show_a_demonstration(demo_task, web, session, make_user, app):
    from helpers import Browserless

    from annotate.models import Item
    from annotate.projects.services import add_member

    project, aid, _html = demo_task("on_request")
    assert web.post(f"/tasks/{aid}/judgment", data={"text": GOOD, **CHECKS}).status_code == 303
    researcher = make_user("researcher")
    add_member(session, session.get(Project, project.id), researcher, "researcher")
    session.commit()
    other = Browserless(app.test_client())
    other.login(researcher.email, PASSWORD)
    assert other.get(f"/p/{project.slug}/items").status_code == 200
    for item in session.scalars(select(Item).where(Item.project_id == project.id)):
        page = other.get(f"/p/{project.slug}/items/{item.id}")
        assert page.status_code == 200, page.text
    assert other.get(f"/p/{project.slug}/judgments").status_code == 200
    assert "sft" in other.get(f"/p/{project.slug}/exports").text
    # Quality: a kind with no nominal vote has no agreement to show, and the page says what it has.
    assert other.get(f"/p/{project.slug}/quality").status_code == 200


def test_a_reviewer_previews_and_fixes_a_demonstration_without_javascript(demo_task, web, session, make_user, app):
    from helpers import Browserless

    from annotate.models import Review
    from annotate.projects.services import add_member

    project, aid, _html = demo_task("on_request")
    assert web.post(f"/tasks/{aid}/judgment", data={"text": GOOD, **CHECKS}).status_code == 303
    judgment = judgment_of(session, aid)
    reviewer = make_user("expert")
    add_member(session, session.get(Project, project.id), reviewer, "reviewer")
    session.commit()
    other = Browserless(app.test_client())
    other.login(reviewer.email, PASSWORD)
    page = other.get(f"/review/judgments/{judgment.id}").text
    seen = re.search(r'name="seen" value="([^"]+)"', page).group(1)
    fixed = GOOD + "\n\nA p-value of 0.03 does **not** mean a 3% chance that H0 is true."
    form = {"verdict": "fix", "seen": seen, "text": fixed, **CHECKS}
    preview = other.post(f"/review/judgments/{judgment.id}", data={**form, "_refresh": "preview"})
    assert preview.status_code == 200
    assert "<strong>not</strong>" in preview.text.split('class="preview-body"', 1)[1]
    assert session.scalars(select(Review)).first() is None, "a preview records no verdict"
    done = other.post(f"/review/judgments/{judgment.id}", data=form)
    assert done.status_code == 303, done.text
    judgment = judgment_of(session, aid)
    assert judgment.answers["text"] == fixed
    assert judgment.answers["draft"]["distance"] == Levenshtein.distance(DRAFT, fixed)
