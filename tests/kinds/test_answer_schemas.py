"""Answer schemas accept good answers and refuse bad ones, for every kind (with Hypothesis);
``from_form`` round-trips what the page posts."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from annotate.kinds import answer_problems, get_kind
from annotate.kinds.templates import load_template

TEMPLATES = Path(__file__).resolve().parents[2] / "task_templates"


def template(name):
    t = load_template(name, TEMPLATES)
    return get_kind(t["kind"]), t["config"]


def responses(k, content="Some response text."):
    return [{"id": f"r{i}", "content": content} for i in range(1, k + 1)]


def problems_of(name, answers, k=2, items=None):
    kind, config = template(name)
    return [str(p) for p in answer_problems(kind, config, answers, items or responses(k))]


# -- pairwise ------------------------------------------------------------------------------


def test_pairwise_legacy_answers_still_valid():
    assert problems_of("pairwise", {"preferred": "r1", "rationale": "clear"}) == []
    assert problems_of("pairwise", {"preferred": "tie"}) == []


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"preferred": "r3"}, "answers.preferred"),
        ({"preferred": "A"}, "answers.preferred"),
        ({}, "answers: 'preferred' is required"),
        ({"preferred": "r1", "strength": "Much better"}, "answers: Additional properties are not allowed"),
        ({"abstain": {"reason": "Outside my expertise"}, "preferred": "r1"}, "answers"),
    ],
)
def test_pairwise_bad_answers(answers, expected):
    found = problems_of("pairwise", answers)
    assert any(p.startswith(expected) for p in found), found


MULTI = {"helpfulness": "r1", "correctness": "tie", "safety": "r2"}
RATIONALE = "Long enough rationale for thirty characters."


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"preferred": "r1", "criteria": MULTI, "rationale": RATIONALE}, "answers.strength: say how much better"),
        (
            {"preferred": "tie", "strength": "Much better", "criteria": MULTI, "rationale": RATIONALE},
            "answers.strength: a tie has no strength",
        ),
        (
            {"preferred": "r1", "strength": "Much better", "criteria": {"helpfulness": "r1"}, "rationale": RATIONALE},
            "answers.criteria",
        ),
        ({"preferred": "r1", "strength": "Much better", "criteria": MULTI, "rationale": "short"}, "answers.rationale"),
        ({"preferred": "r1", "strength": "Enormously", "criteria": MULTI, "rationale": RATIONALE}, "answers.strength"),
        (
            {
                "preferred": "r1",
                "strength": "Much better",
                "criteria": MULTI,
                "rationale": RATIONALE,
                "both_bad": False,
            },
            "answers.both_bad",
        ),
    ],
)
def test_pairwise_multi_criteria_bad_answers(answers, expected):
    found = problems_of("pairwise-multi-criteria", answers)
    assert any(p.startswith(expected) for p in found), found


def test_pairwise_tie_only_with_both_bad_when_ties_are_off():
    kind, config = template("pairwise-multi-criteria")
    config = {**config, "allow_tie": False}
    answers = {"preferred": "tie", "criteria": MULTI, "rationale": RATIONALE}
    assert [p.path for p in answer_problems(kind, config, answers, responses(2))] == ["answers.preferred"]
    assert answer_problems(kind, config, {**answers, "both_bad": True}, responses(2)) == []


def test_pairwise_exports_pairs_with_strength():
    kind, config = template("pairwise-multi-criteria")
    answers = {"preferred": "r2", "strength": "Much better", "criteria": MULTI, "rationale": RATIONALE}
    assert kind.pairs(config, answers, ["r1", "r2"]) == [("r2", "r1", 3)]
    assert kind.preference(answers) == "r2"
    assert kind.preference({**answers, "both_bad": True}) is None
    assert kind.preference({"abstain": {"reason": "Outside my expertise"}}) is None


@settings(max_examples=60, deadline=None)
@given(
    preferred=st.sampled_from(["r1", "r2", "tie"]),
    strength=st.sampled_from(["Slightly better", "Clearly better", "Much better"]),
    verdicts=st.lists(st.sampled_from(["r1", "r2", "tie"]), min_size=3, max_size=3),
    rationale=st.text(min_size=30, max_size=200).filter(lambda s: s.strip() == s and len(s) >= 30),
    both_bad=st.booleans(),
)
def test_pairwise_from_form_round_trips(preferred, strength, verdicts, rationale, both_bad):
    kind, config = template("pairwise-multi-criteria")
    form = MultiDict({"preferred": preferred, "strength": strength, "rationale": rationale})
    for cid, verdict in zip(["helpfulness", "correctness", "safety"], verdicts, strict=True):
        form[f"criterion-{cid}"] = verdict
    if both_bad:
        form["both_bad"] = "1"
    answers = kind.from_form(config, ["r1", "r2"], form)
    assert answer_problems(kind, config, answers, responses(2)) == []
    assert answers["preferred"] == preferred
    assert ("strength" in answers) == (preferred != "tie")


# -- ranking -------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(data=st.data(), k=st.integers(min_value=2, max_value=9))
def test_any_ranking_of_all_responses_is_valid_and_round_trips(data, k):
    kind, config = template("ranking")
    ranks = data.draw(st.lists(st.integers(min_value=1, max_value=k), min_size=k, max_size=k))
    form = MultiDict({f"rank-r{i + 1}": str(rank) for i, rank in enumerate(ranks)})
    answers = kind.from_form(config, [f"r{i}" for i in range(1, k + 1)], form)
    assert answer_problems(kind, config, answers, responses(k)) == []
    flat = [rid for tier in answers["ranking"] for rid in tier]
    assert sorted(flat) == sorted(f"r{i}" for i in range(1, k + 1))
    # Better tiers hold lower ranks.
    by_id = {f"r{i + 1}": rank for i, rank in enumerate(ranks)}
    tier_ranks = [{by_id[r] for r in tier} for tier in answers["ranking"]]
    assert all(len(t) == 1 for t in tier_ranks)
    assert [min(t) for t in tier_ranks] == sorted(min(t) for t in tier_ranks)
    # Pairs: every response in a better tier beats every one below it.
    assert len(kind.pairs(config, answers, [])) == sum(
        len(a) * len(b) for i, a in enumerate(answers["ranking"]) for b in answers["ranking"][i + 1 :]
    )


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"ranking": [["r1"], ["r2"]]}, "answers.ranking"),  # r3 missing
        ({"ranking": [["r1"], ["r2"], ["r1", "r3"]]}, "answers.ranking[2][0]"),  # r1 twice
        ({"ranking": [["r1"], [], ["r2", "r3"]]}, "answers.ranking[1]"),
        ({"ranking": [["r1"], ["r2"], ["r9"]]}, "answers.ranking[2][0]"),
        ({"ranking": "r1>r2>r3"}, "answers.ranking"),
    ],
)
def test_bad_rankings(answers, expected):
    found = problems_of("ranking", answers, k=3)
    assert any(p.startswith(expected) for p in found), found


def test_ranking_without_ties_refuses_a_tier():
    kind, config = template("ranking")
    config = {**config, "allow_ties": False}
    found = answer_problems(kind, config, {"ranking": [["r1", "r2"], ["r3"]]}, responses(3))
    assert "answers.ranking[0]" in [p.path for p in found]


# -- critique ------------------------------------------------------------------------------

CONTENT = "🌏 The capital is Sydney.\nIt has a harbour."


def critique_answers(**entry):
    base = {"critique": "Wrong capital city named.", "spans": [], "rewrite": None, "score": None}
    return {"critiques": {"r1": {**base, **entry}}}


def test_critique_span_offsets_are_code_points_into_raw_content():
    start = CONTENT.index("Sydney")
    span = {"start": start, "end": start + 6, "label": "Factual error", "comment": "", "text": "Sydney"}
    assert problems_of("critique", critique_answers(spans=[span]), items=[{"id": "r1", "content": CONTENT}]) == []
    shifted = {**span, "start": start + 1, "end": start + 7}
    found = problems_of("critique", critique_answers(spans=[shifted]), items=[{"id": "r1", "content": CONTENT}])
    assert found == [f"answers.critiques.r1.spans[0].text: does not match the response at {start + 1}..{start + 7}"]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            {"spans": [{"start": 5, "end": 5, "label": "Unclear", "comment": "", "text": "x"}]},
            "answers.critiques.r1.spans[0].end",
        ),
        (
            {"spans": [{"start": 0, "end": 2, "label": "Typo", "comment": "", "text": "🌏 "}]},
            "answers.critiques.r1.spans[0].label",
        ),
        (
            {"spans": [{"start": 40, "end": 46, "label": "Unclear", "comment": "", "text": "harbou"}]},
            "answers.critiques.r1.spans[0].end",
        ),
        ({"critique": ""}, "answers.critiques.r1.critique"),
        ({"score": 9}, "answers.critiques.r1.score"),
        ({"rewrite": ""}, "answers.critiques.r1.rewrite"),
    ],
)
def test_bad_critiques(entry, expected):
    found = problems_of("critique", critique_answers(**entry), items=[{"id": "r1", "content": CONTENT}])
    assert any(p.startswith(expected) for p in found), found


def test_legal_critique_asks_about_the_first_response_only_and_requires_rewrite_and_score():
    kind, config = template("legal-critique")
    schema = kind.answer_schema(config, ["r1", "r2"])
    assert schema["else"]["properties"]["critiques"]["required"] == ["r1"]
    found = problems_of(
        "legal-critique",
        {"critiques": {"r1": {"critique": "x" * 50, "spans": [], "rewrite": None, "score": None}}},
        k=2,
    )
    assert {p.split(":")[0] for p in found} == {"answers.critiques.r1.rewrite", "answers.critiques.r1.score"}


def test_critique_from_form_drops_an_untouched_rewrite():
    from annotate.kinds.critique import content_digest

    kind, config = template("critique")
    form = MultiDict(
        {
            "critique-r1": " Fine on the facts.\r\nMostly. ",
            "rewrite-r1": CONTENT.replace("\n", "\r\n") + "\r\n",
            "rewrite_base-r1": content_digest(CONTENT),
            "spans-r1": "",
            "score-r1": "5",
        }
    )
    answers = kind.from_form(config, ["r1"], form)
    assert answers == {
        "critiques": {"r1": {"critique": "Fine on the facts.\nMostly.", "spans": [], "rewrite": None, "score": 5}}
    }
    form["spans-r1"] = "{not json"
    bad = kind.from_form(config, ["r1"], form)
    assert [p.path for p in answer_problems(kind, config, bad, [{"id": "r1", "content": CONTENT}])] == [
        "answers.critiques.r1.spans"
    ]


# -- rubric --------------------------------------------------------------------------------

HELPSTEER = ["helpfulness", "correctness", "coherence", "complexity", "verbosity"]


@settings(max_examples=60, deadline=None)
@given(scores=st.lists(st.lists(st.integers(min_value=0, max_value=4), min_size=5, max_size=5), min_size=1, max_size=4))
def test_helpsteer_any_in_scale_grid_is_valid_and_round_trips(scores):
    kind, config = template("helpsteer")
    ids = [f"r{i}" for i in range(1, len(scores) + 1)]
    form = MultiDict(
        {
            f"score-{rid}-{c}": str(v)
            for rid, row in zip(ids, scores, strict=True)
            for c, v in zip(HELPSTEER, row, strict=True)
        }
    )
    answers = kind.from_form(config, ids, form)
    assert answer_problems(kind, config, answers, responses(len(ids))) == []
    assert answers == {
        "scores": {rid: dict(zip(HELPSTEER, row, strict=True)) for rid, row in zip(ids, scores, strict=True)}
    }


@settings(max_examples=40, deadline=None)
@given(
    bad=st.one_of(
        st.integers(min_value=5, max_value=99),
        st.integers(max_value=-1),
        st.text(min_size=1, max_size=3).filter(lambda s: s.strip() and not s.strip().lstrip("-").isdigit()),
    )
)
def test_helpsteer_out_of_scale_values_are_refused(bad):
    kind, config = template("helpsteer")
    form = MultiDict({f"score-r1-{c}": "2" for c in HELPSTEER})
    form["score-r1-coherence"] = str(bad)
    answers = kind.from_form(config, ["r1"], form)
    assert [p.path for p in answer_problems(kind, config, answers, responses(1))] == ["answers.scores.r1.coherence"]


def test_rubric_pairs_by_normalised_mean():
    kind, config = template("medical-safety")
    good = {"clinical_accuracy": 5, "harm": 3, "escalation": 3, "communication": 5}
    worse = {"clinical_accuracy": 1, "harm": 0, "escalation": 1, "communication": 1}
    pairs = kind.pairs(config, {"scores": {"r1": worse, "r2": good}}, ["r1", "r2"])
    assert pairs[0][:2] == ("r2", "r1")
    assert pairs[0][2] > 0


def test_abstain_is_valid_for_every_kind_with_reasons():
    for name in ("pairwise", "ranking", "critique", "helpsteer", "ultrafeedback", "medical-safety", "legal-critique"):
        kind, config = template(name)
        reason = config["abstain_reasons"][0]
        assert problems_of(name, {"abstain": {"reason": reason, "comment": "why"}}) == [], name
        assert problems_of(name, {"abstain": {"reason": "nope"}}) != [], name
        form = MultiDict({"abstain_reason": reason, "abstain_comment": ""})
        assert kind.from_form(config, ["r1", "r2"], form) == {"abstain": {"reason": reason}}
