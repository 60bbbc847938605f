"""Answer problems in the expert's words (annotate.kinds.messages): every shipped template's
empty and half-filled answers are explained by its kind, at the path of the field shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from annotate.kinds import answer_problems, get_kind
from annotate.kinds.messages import GENERIC, for_people
from annotate.validation import Problem

TEMPLATES = sorted(
    p for p in (Path(__file__).resolve().parents[2] / "task_templates").glob("*.json") if p.name != "schema.json"
)
SCHEMA_WORDS = (
    "is required",
    "is too short",
    "is not one of",
    "expected ",
    "got null",
    "non-empty",
    "does not contain",
)


def problems_for(path: Path, form: dict) -> tuple[list[Problem], dict[str, str]]:
    template = json.loads(path.read_text())
    kind, config = get_kind(template["kind"]), template["config"]
    count = 2 if kind.name == "pairwise" else 3
    responses = [{"id": f"r{i}", "content": f"Reply {i}."} for i in range(1, count + 1)]
    names = {r["id"]: "ABC"[i] for i, r in enumerate(responses)}
    answers = kind.from_form(config, list(names), MultiDict(form))
    return for_people(kind, config, answer_problems(kind, config, answers, responses), names), names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_every_problem_of_an_empty_answer_is_in_words(path):
    found, _names = problems_for(path, {})
    assert found, "an empty answer must be refused"
    for problem in found:
        assert not any(word in problem.message for word in SCHEMA_WORDS), problem
        assert problem.message not in GENERIC.values(), f"{path.stem}: {problem.path} has no wording of its kind"
        assert problem.path.startswith("answers.")  # next to a field, not the answer as a whole


def test_a_required_property_is_reported_at_its_own_field():
    found, _ = problems_for(TEMPLATES[[p.stem for p in TEMPLATES].index("pairwise")], {})
    assert found == [Problem("answers.preferred", "Choose A, B or Tie.")]


def test_a_grid_cell_names_its_criterion_and_the_letter_shown():
    found, _ = problems_for(
        TEMPLATES[[p.stem for p in TEMPLATES].index("rubric")],
        {
            "score-r1-helpfulness": "3",
            "score-r1-accuracy": "3",
            "score-r2-helpfulness": "3",
            "score-r3-helpfulness": "3",
            "score-r3-accuracy": "2",
        },
    )
    assert found == [Problem("answers.scores.r2.accuracy", "Choose a score for “Accuracy” of Response B.")]


def test_every_tier_problem_of_a_ranking_is_one_message_at_the_list():
    found, _ = problems_for(TEMPLATES[[p.stem for p in TEMPLATES].index("ranking")], {"rank-r1": "1"})
    assert [p.path for p in found] == ["answers.ranking"]


def test_an_adjudicator_is_told_when_an_earlier_expert_saw_other_letters():
    from annotate.review.show import labelled, summary, their_letters

    labels = labelled([{"id": "r1"}, {"id": "r2"}])  # the adjudicator sees r1 as A
    assert their_letters(["r1", "r2"], labels) is None
    assert their_letters(["r2", "r1"], labels) == "their A is Response B here; their B is Response A here"
    shown = summary({"preferred": "r2"}, [{"id": "r1", "content": "one"}, {"id": "r2", "content": "two"}], ["r2", "r1"])
    assert shown == {"answer": [("preferred", "Response A")], "snippets": [("A", "two"), ("B", "one")]}
