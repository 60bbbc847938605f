"""Each kind's task page renders through the Flask test client, refuses bad answers with
the field named, and records good ones (plain form posts, as with JavaScript off)."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import select

from annotate.models import Judgment


def judgment_of(session, assignment_id: int) -> Judgment | None:
    session.expire_all()
    return session.scalar(select(Judgment).where(Judgment.assignment_id == assignment_id))


def submit(web, assignment_id: int, data: dict):
    return web.post(f"/tasks/{assignment_id}/judgment", data=data)


@pytest.mark.parametrize(
    ("template", "k"),
    [
        ("pairwise", 2),
        ("pairwise-multi-criteria", 2),
        ("ranking", 4),
        ("critique", 2),
        ("legal-critique", 1),
        ("rubric", 3),
        ("helpsteer", 2),
        ("ultrafeedback", 2),
        ("medical-safety", 2),
        ("news-article-critique", 1),
    ],
)
def test_every_shipped_template_renders_a_task_page(on_task, template, k):
    _project, _assignment_id, html = on_task(template, k=k)
    assert 'class="kind kind-' in html
    assert "Submit" in html
    # Responses are named by letter, never by id, and model output sits under hx-disable.
    assert "Response A" in html
    assert "hx-disable" in html


def test_pairwise_multi_criteria_names_missing_fields_then_records(on_task, web, session):
    _project, aid, html = on_task("pairwise-multi-criteria")
    assert 'name="criterion-safety"' in html
    assert 'name="strength"' in html
    bad = submit(web, aid, {"preferred": "r1", "rationale": "too short"})
    assert bad.status_code == 422
    # In the expert's words, never as JSON paths.
    assert "Choose A, B or Tie for “Safety”." in bad.text
    assert "Write a rationale of at least 30 characters." in bad.text
    assert "answers.criteria" not in bad.text
    assert judgment_of(session, aid) is None
    good = {
        "preferred": "r1",
        "strength": "Clearly better",
        "criterion-helpfulness": "r1",
        "criterion-correctness": "tie",
        "criterion-safety": "r2",
        "rationale": "A answers the question; B wanders off topic twice.",
    }
    assert submit(web, aid, good).status_code == 303
    assert judgment_of(session, aid).answers == {
        "preferred": "r1",
        "strength": "Clearly better",
        "rationale": good["rationale"],
        "criteria": {"helpfulness": "r1", "correctness": "tie", "safety": "r2"},
    }


def test_pairwise_tie_with_strength_is_refused(on_task, web, session):
    _project, aid, _html = on_task("pairwise-multi-criteria")
    data = {
        "preferred": "tie",
        "both_bad": "1",
        "criterion-helpfulness": "tie",
        "criterion-correctness": "tie",
        "criterion-safety": "tie",
        "rationale": "Both replies invent a drug dose; neither is usable.",
    }
    assert submit(web, aid, data).status_code == 303
    assert judgment_of(session, aid).answers["both_bad"] is True


def test_pairwise_abstain(on_task, web, session):
    _project, aid, html = on_task("pairwise")
    assert 'name="abstain_reason"' in html
    assert (
        submit(web, aid, {"abstain_reason": "Outside my expertise", "abstain_comment": "Pharmacology"}).status_code
        == 303
    )
    assert judgment_of(session, aid).answers == {
        "abstain": {"reason": "Outside my expertise", "comment": "Pharmacology"}
    }


def test_pairwise_unknown_abstain_reason_is_refused(on_task, web, session):
    _project, aid, _html = on_task("pairwise")
    response = submit(web, aid, {"abstain_reason": "I am tired"})
    assert response.status_code == 422
    assert "Choose why you cannot answer" in response.text
    assert judgment_of(session, aid) is None


def test_pairwise_diff_view_is_escaped(on_task):
    rows = [
        {
            "id": "x",
            "prompt": "Q?",
            "responses": [{"id": "r1", "content": "say <b>hi</b> now"}, {"id": "r2", "content": "say <i>bye</i> now"}],
        }
    ]
    _project, _aid, html = on_task("pairwise", rows=rows)
    diff = html.split('class="diff-body"', 1)[1].split("</details>", 1)[0]
    assert "<b>" not in diff
    assert "&lt;" in diff
    assert 'class="diff-del"' in diff
    assert 'class="diff-ins"' in diff


def test_ranking_records_tiers_from_rank_fields(on_task, web, session):
    _project, aid, html = on_task("ranking", k=4)
    assert html.count("data-rank ") + html.count("data-rank>") == 4
    bad = submit(web, aid, {"rank-r1": "1", "rank-r2": "2"})
    assert bad.status_code == 422
    assert "Give every response a rank (1 = best)" in bad.text
    assert "answers.ranking" not in bad.text
    assert submit(web, aid, {"rank-r1": "2", "rank-r2": "1", "rank-r3": "2", "rank-r4": "3"}).status_code == 303
    assert judgment_of(session, aid).answers == {"ranking": [["r2"], ["r1", "r3"], ["r4"]]}


def test_ranking_refill_orders_by_given_ranks(on_task, web):
    _project, aid, _html = on_task("ranking", k=3)
    response = submit(web, aid, {"rank-r3": "1", "rank-r1": "2", "rationale": "x" * 30000})
    assert response.status_code == 422
    order = [response.text.index(f'data-response="{r}"') for r in ("r3", "r1", "r2")]
    assert order == sorted(order)


def test_critique_records_spans_rewrite_and_score(on_task, web, session):
    rows = [
        {
            "id": "c1",
            "prompt": "Capital of Australia?",
            "responses": [
                {"id": "r1", "content": "The capital is Sydney, on the coast."},
                {"id": "r2", "content": "Canberra."},
            ],
        }
    ]
    _project, aid, html = on_task("critique", rows=rows)
    assert 'name="rewrite_base-r1"' in html
    assert "data-raw-text" in html
    spans = [{"start": 15, "end": 21, "label": "Factual error", "comment": "It is Canberra", "text": "Sydney"}]
    data = {
        "critique-r1": "Wrong city: the capital is Canberra, not Sydney.",
        "spans-r1": orjson.dumps(spans).decode(),
        "rewrite-r1": "The capital is Canberra.",
        "score-r1": "2",
        "critique-r2": "Correct but terse; could add context.",
        "spans-r2": "[]",
        "score-r2": "",
    }
    # r2's rewrite is left as the prefilled original: that is no rewrite.
    import re

    data["rewrite-r2"] = "Canberra."
    data["rewrite_base-r1"] = re.search(r'name="rewrite_base-r1" value="([^"]+)"', html).group(1)
    data["rewrite_base-r2"] = re.search(r'name="rewrite_base-r2" value="([^"]+)"', html).group(1)
    response = submit(web, aid, data)
    assert response.status_code == 303, response.text
    answers = judgment_of(session, aid).answers
    assert answers["critiques"]["r1"] == {
        "critique": data["critique-r1"],
        "spans": spans,
        "rewrite": "The capital is Canberra.",
        "score": 2,
    }
    assert answers["critiques"]["r2"] == {"critique": data["critique-r2"], "spans": [], "rewrite": None, "score": None}


def test_critique_span_with_wrong_length_is_refused(on_task, web, session):
    _project, aid, _html = on_task("legal-critique", k=1)
    spans = [{"start": 0, "end": 3, "label": "Unclear", "comment": "", "text": "Answer"}]
    response = submit(
        web,
        aid,
        {"critique-r1": "x" * 50, "spans-r1": orjson.dumps(spans).decode(), "rewrite-r1": "Better.", "score-r1": "3"},
    )
    assert response.status_code == 422
    assert "A marked error in Response A no longer matches its text" in response.text
    assert judgment_of(session, aid) is None


def test_rubric_grid_records_every_cell(on_task, web, session):
    _project, aid, html = on_task("helpsteer", k=2)
    criteria = ["helpfulness", "correctness", "coherence", "complexity", "verbosity"]
    assert all(f'name="score-r1-{c}"' in html for c in criteria)
    partial = {f"score-r1-{c}": "3" for c in criteria}
    response = submit(web, aid, partial)
    assert response.status_code == 422
    assert "Choose a score for “Helpfulness” of Response" in response.text
    # Each empty cell says so where it is, besides the list at the top.
    assert response.text.count('role="alert" tabindex="-1" data-alert><li>Choose a score for') == len(criteria)
    full = {**partial, **{f"score-r2-{c}": str(i) for i, c in enumerate(criteria)}}
    assert submit(web, aid, full).status_code == 303
    assert judgment_of(session, aid).answers == {
        "scores": {"r1": dict.fromkeys(criteria, 3), "r2": {c: i for i, c in enumerate(criteria)}}
    }


def test_rubric_out_of_scale_score_is_refused(on_task, web, session):
    _project, aid, _html = on_task("helpsteer", k=1)
    data = {f"score-r1-{c}": "4" for c in ["helpfulness", "correctness", "coherence", "complexity"]}
    data["score-r1-verbosity"] = "9"
    response = submit(web, aid, data)
    assert response.status_code == 422
    assert "Choose a score for “Verbosity” of Response A." in response.text


def test_ultrafeedback_requires_a_rationale_per_cell(on_task, web, session):
    _project, aid, _html = on_task("ultrafeedback", k=1)
    criteria = ["instruction_following", "honesty", "truthfulness", "helpfulness"]
    data = {f"score-r1-{c}": "4" for c in criteria}
    response = submit(web, aid, data)
    assert response.status_code == 422
    assert "Say why you gave this score for “Honesty” of Response A" in response.text
    data.update({f"rationale-r1-{c}": f"Because of the {c} evidence." for c in criteria})
    assert submit(web, aid, data).status_code == 303
    assert judgment_of(session, aid).answers["rationales"]["r1"]["honesty"] == "Because of the honesty evidence."


def test_critique_span_that_does_not_quote_the_response_is_refused(on_task, web, session):
    rows = [{"id": "c1", "prompt": "Q?", "responses": [{"id": "r1", "content": "The capital is Sydney."}]}]
    _project, aid, _html = on_task("legal-critique", rows=rows)
    # Right length, wrong text: only a check against the response's content catches it.
    spans = [{"start": 15, "end": 21, "label": "Unclear", "comment": "", "text": "Sidney"}]
    response = submit(
        web,
        aid,
        {"critique-r1": "x" * 50, "spans-r1": orjson.dumps(spans).decode(), "rewrite-r1": "Better.", "score-r1": "3"},
    )
    assert response.status_code == 422
    assert "A marked error in Response A no longer matches its text" in response.text
    assert judgment_of(session, aid) is None
