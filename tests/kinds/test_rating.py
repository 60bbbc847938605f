"""The rating kind: its hooks (questions, votes, scores, gold), its config checks, answers
refused in the expert's words, and the task page with JavaScript off (plain form posts)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from annotate.kinds import Vote, answer_problems, get_kind, gold_problems, match_gold
from annotate.kinds.messages import for_people
from annotate.models import Judgment

LIKERT = {
    "question": "How helpful?",
    "scale": {"min": 1, "max": 7, "anchors": {"1": "Useless", "7": "Excellent"}},
    "criteria": [
        {"id": "accuracy", "label": "Accuracy", "scale": {"min": 0, "max": 4}},
        {"id": "tone", "label": "Tone"},
    ],
    "rationale": "required",
    "rationale_min_length": 10,
    "abstain_reasons": ["Outside my expertise"],
}
THUMBS = {"mode": "thumbs", "criteria": [{"id": "safe", "label": "Safe"}], "rationale": "off"}
ONE = [{"id": "r1", "content": "An answer."}]


@pytest.fixture
def rating():
    return get_kind("rating")


def test_likert_questions_votes_and_scores(rating):
    questions = rating.questions(LIKERT)
    assert [(q.id, q.level, q.per) for q in questions] == [
        ("rating", "ordinal", "item"),
        ("criteria.accuracy", "ordinal", "item"),
        ("criteria.tone", "ordinal", "item"),
        ("abstain-reason", "nominal", "item"),
    ]
    assert questions[0].domain == (1, 2, 3, 4, 5, 6, 7)
    assert questions[1].domain == (0, 1, 2, 3, 4)  # a criterion's own scale
    assert questions[2].domain == questions[0].domain  # else the overall one
    answers = {"rating": 5, "criteria": {"accuracy": 4, "tone": 7}, "rationale": "Clear and right."}
    assert rating.votes(LIKERT, answers, ["r1"]) == [
        Vote("rating", "", 5),
        Vote("criteria.accuracy", "", 4),
        Vote("criteria.tone", "", 7),
        Vote("abstain-reason", "", ""),
    ]
    assert rating.scores is not None
    assert rating.scores(LIKERT, answers, ["r1"]) == {"r1": pytest.approx(4 / 6)}
    assert rating.scores(LIKERT, {"rating": 1}, ["r1"]) == {"r1": 0.0}
    assert rating.scores(LIKERT, {"rating": 7}, ["r1"]) == {"r1": 1.0}
    assert rating.scores(LIKERT, {"abstain": {"reason": "Outside my expertise"}}, ["r1"]) == {}
    # An interval scale says so.
    interval = {"scale": {"min": 1, "max": 5, "level": "interval"}}
    assert rating.questions(interval)[0].level == "interval"


def test_thumbs_questions_votes_and_scores(rating):
    questions = rating.questions(THUMBS)
    assert [(q.id, q.level, q.domain) for q in questions] == [
        ("rating", "nominal", ("down", "up")),
        ("criteria.safe", "nominal", ("down", "up")),
    ]
    answers = {"rating": "up", "criteria": {"safe": "down"}}
    assert not answer_problems(rating, THUMBS, answers, ONE)
    assert rating.votes(THUMBS, answers, ["r1"]) == [Vote("rating", "", "up"), Vote("criteria.safe", "", "down")]
    assert rating.scores(THUMBS, answers, ["r1"]) == {"r1": 1.0}
    assert rating.scores(THUMBS, {"rating": "down", "criteria": {"safe": "up"}}, ["r1"]) == {"r1": 0.0}
    # No rationale field when the template turns it off; no numbers for thumbs.
    assert [p.path for p in answer_problems(rating, THUMBS, {"rating": 3, "criteria": {"safe": "up"}}, ONE)] == [
        "answers.rating"
    ]
    assert answer_problems(rating, THUMBS, {**answers, "rationale": "x"}, ONE)


def test_gold_exact_set_and_tolerance(rating):
    answers = {"rating": 5, "criteria": {"accuracy": 3, "tone": 6}, "rationale": "Mostly right."}
    assert match_gold(rating, LIKERT, answers, {"rating": 5}) is True
    assert match_gold(rating, LIKERT, answers, {"rating": 4}) is False  # exact unless a tolerance is given
    assert match_gold(rating, LIKERT, answers, {"rating": 4, "tolerance": 1}) is True
    assert match_gold(rating, LIKERT, answers, {"rating": 3, "tolerance": 1}) is False
    assert match_gold(rating, LIKERT, answers, {"rating": [6, 7]}) is False
    assert match_gold(rating, LIKERT, answers, {"rating": [4, 5]}) is True
    assert match_gold(rating, LIKERT, answers, {"criteria": {"accuracy": [3, 4]}}) is True
    assert match_gold(rating, LIKERT, answers, {"rating": 5, "criteria": {"tone": 2}}) is False
    assert match_gold(rating, LIKERT, {"abstain": {"reason": "Outside my expertise"}}, {"rating": 5}) is None
    assert match_gold(rating, THUMBS, {"rating": "down"}, {"rating": "down"}) is True
    assert match_gold(rating, THUMBS, {"rating": "up"}, {"rating": ["down"]}) is False
    # The gold answer's shape is checked at import, with the field named.
    assert [p.path for p in gold_problems(rating, LIKERT, {"rating": 9}, ["r1"])] == ["gold.rating"]
    assert [p.path for p in gold_problems(rating, LIKERT, {"criteria": {"accuracy": 5}}, ["r1"])] == [
        "gold.criteria.accuracy"
    ]
    assert gold_problems(rating, LIKERT, {}, ["r1"])  # fixes nothing
    assert gold_problems(rating, THUMBS, {"rating": "up", "tolerance": 1}, ["r1"]) == []  # kept, not compared
    assert gold_problems(rating, LIKERT, {"rating": [4, 5], "tolerance": 1}, ["r1"]) == []


def test_config_checks(rating):
    assert rating.config_checks({"scale": {"min": 5, "max": 1}}) == [("scale.max", "must be greater than min (5)")]
    assert rating.config_checks({"mode": "thumbs", "scale": {"min": 1, "max": 5}}) == [
        ("scale", "a thumbs rating has no scale; leave it out or use mode likert")
    ]
    found = rating.config_checks({"criteria": [{"id": "a", "label": "A"}, {"id": "a", "label": "B"}]})
    assert found == [("criteria[1].id", "'a' is used by an earlier criterion")]
    assert rating.config_checks({"criteria": [{"id": "a", "label": "A"}], "keys": {"next_row": "3"}}) == [
        ("keys.next_row", "'3' picks a point of the scale; choose another key")
    ]
    assert rating.config_checks({"mode": "thumbs", "keys": {"up": "n"}}) == [
        ("keys.up", "'n' is also the key for down"),
        ("keys.down", "'n' is also the key for up"),
    ]


def test_problems_in_the_experts_words(rating):
    found = answer_problems(rating, LIKERT, {"criteria": {"accuracy": 9}, "rationale": "short"}, ONE)
    words = {p.path: p.message for p in for_people(rating, LIKERT, found, {"r1": "A"})}
    assert words == {
        "answers.rating": "Rate the response: choose a point from 1 to 7.",
        "answers.criteria.tone": "Rate “Tone”: choose a point from 1 to 7.",
        "answers.criteria.accuracy": "Rate “Accuracy”: choose a point from 0 to 4.",
        "answers.rationale": "Write a rationale of at least 10 characters.",
    }
    found = answer_problems(rating, THUMBS, {"criteria": {}}, ONE)
    words = {p.path: p.message for p in for_people(rating, THUMBS, found, {"r1": "A"})}
    assert words["answers.rating"] == "Rate the response: choose “Good” or “Bad”."
    assert words["answers.criteria.safe"] == "Rate “Safe”: choose “Good” or “Bad”."


def judgment_of(session, assignment_id: int) -> Judgment | None:
    session.expire_all()
    return session.scalar(select(Judgment).where(Judgment.assignment_id == assignment_id))


def test_likert_page_without_javascript(on_task, web, session):
    _project, aid, html = on_task("likert-helpfulness", k=1)
    assert 'data-kind="rating"' in html
    assert 'name="rating"' in html
    assert 'name="criterion-accuracy"' in html
    assert "Exceptionally helpful" in html  # anchors are shown
    assert html.count('type="radio" name="rating"') == 7
    bad = web.post(f"/tasks/{aid}/judgment", data={"rating": "6"})
    assert bad.status_code == 422
    assert "Rate “Accuracy”: choose a point from 1 to 5." in bad.text
    assert 'role="alert"' in bad.text
    assert "answers.criteria" not in bad.text
    assert 'value="6" checked' in bad.text  # what was given stays chosen
    assert judgment_of(session, aid) is None
    good = {"rating": "6", "criterion-accuracy": "5", "criterion-safety": "4", "rationale": " Right and short. "}
    assert web.post(f"/tasks/{aid}/judgment", data=good).status_code == 303
    assert judgment_of(session, aid).answers == {
        "rating": 6,
        "criteria": {"accuracy": 5, "safety": 4},
        "rationale": "Right and short.",
    }


def test_thumbs_page_without_javascript(on_task, web, session):
    _project, aid, html = on_task("thumbs", k=1)
    assert "Good response" in html
    assert "Bad response" in html
    bad = web.post(f"/tasks/{aid}/judgment", data={"rating": "sideways"})
    assert bad.status_code == 422
    assert "Rate the response: choose “Good response” or “Bad response”." in bad.text
    good = {"rating": "down", "rationale": "Invents a source."}
    assert web.post(f"/tasks/{aid}/judgment", data=good).status_code == 303
    assert judgment_of(session, aid).answers == {"rating": "down", "rationale": "Invents a source."}


def test_a_rating_item_has_one_response(make_user, make_project, import_rows):
    from annotate.ingest.errors import ImportFailed

    project = make_project("r", template="thumbs")
    rows = [{"id": "x", "prompt": "Q?", "responses": [{"id": "r1", "content": "a"}, {"id": "r2", "content": "b"}]}]
    with pytest.raises(ImportFailed, match="exactly 1 responses"):
        import_rows(project, rows)
