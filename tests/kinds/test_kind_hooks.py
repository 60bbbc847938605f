"""The hooks other features call on a kind (annotate/kinds/base.py): the questions and votes of
agreement, the gold answer's shape and how an answer matches it, the choice the pair formats
read, the formats each kind feeds; and a kind's files served and loaded only where it is shown."""

from __future__ import annotations

import subprocess
import sys

import pytest

from annotate.config import REPO_ROOT
from annotate.export import FORMATS
from annotate.ingest.errors import RowError
from annotate.ingest.validate import check_item
from annotate.kinds import KINDS, Choice, Vote, get_kind, gold_problems, match_gold
from annotate.kinds.base import LEVELS
from annotate.kinds.common import ABSTAIN, ANSWERED
from annotate.kinds.templates import available_templates, load_template

TEMPLATES = REPO_ROOT / "task_templates"
IDS = ["r1", "r2", "r3"]
RUBRIC = {
    "criteria": [
        {"id": "helpfulness", "label": "Helpfulness", "scale": {"min": 1, "max": 5}},
        {"id": "accuracy", "label": "Accuracy", "scale": {"min": 0, "max": 2, "level": "ordinal"}},
    ],
    "abstain_reasons": ["Outside my expertise"],
}


def valid_answers(kind_name: str, config: dict, ids: list[str]) -> dict:
    """One valid answer of each built-in kind, for an item with ``ids``."""
    if kind_name == "rating":
        return rating_answers(config)
    if kind_name == "caption":
        label = {"label": config["labels"][0]} if config.get("labels") else {}
        return {"segments": [{"start": 0.0, "end": 1.0, "text": "Hello.", **label}]}
    if kind_name == "pairwise":
        answers: dict = {"preferred": ids[0]}
        if config.get("strength"):
            answers["strength"] = config["strength"]["labels"][-1]
        if config.get("criteria"):
            answers["criteria"] = {c["id"]: ids[1] for c in config["criteria"]}
        if config.get("rationale") == "required":
            answers["rationale"] = "x" * max(1, config.get("rationale_min_length", 0))
        return answers
    if kind_name == "ranking":
        return {
            "ranking": [[i] for i in ids],
            **({"rationale": "x" * 50} if config.get("rationale") == "required" else {}),
        }
    if kind_name == "rubric":
        answers = {"scores": {i: {c["id"]: c["scale"]["max"] for c in config["criteria"]} for i in ids}}
        if config.get("rationale") == "required":
            answers["rationales"] = {i: {c["id"]: "x" * 50 for c in config["criteria"]} for i in ids}
        return answers
    if kind_name == "demonstration":
        answers = {"text": "x" * config.get("min_length", 1)}
        if config.get("checklist"):
            answers["checklist"] = {c["id"]: True for c in config["checklist"]}
        if ids and config.get("draft", "never") != "never":
            answers["draft"] = {
                "policy": config["draft"],
                "shown": False,
                "started_from": False,
                "distance": 4,
                "similarity": 0.0,
            }
        return answers
    targets = ids[:1] if config.get("responses") == "first" else ids
    score = config["score"]["min"] if config.get("score") else None
    entry = {"critique": "x" * 50, "spans": [], "rewrite": None, "score": score}
    if config.get("rewrite") == "required":
        entry["rewrite"] = "better"
    return {"critiques": dict.fromkeys(targets, entry)}


def rating_answers(config: dict) -> dict:
    """The highest point (thumbs up) for the overall rating and every criterion."""
    kind = get_kind("rating")
    top = list(kind.helpers["rows"](config))
    values = [kind.helpers["points"](config, scale)[-1] for _path, _label, scale in top]
    answers: dict = {"rating": values[0]}
    if config.get("criteria"):
        answers["criteria"] = {c["id"]: v for c, v in zip(config["criteria"], values[1:], strict=True)}
    if config.get("rationale") == "required":
        answers["rationale"] = "x" * max(1, config.get("rationale_min_length", 0))
    return answers


@pytest.mark.parametrize("name", available_templates(TEMPLATES))
def test_every_shipped_templates_votes_answer_its_questions(name):
    template = load_template(name, TEMPLATES)
    kind, config = get_kind(template["kind"]), template["config"]
    ids = IDS[: max(kind.min_responses, min(kind.max_responses or 3, 3))]
    questions = {q.id: q for q in kind.questions(config)}
    assert len(questions) == len(kind.questions(config)), "question ids are unique"
    # A demonstration is free text: no headline question, no vote but the abstention's.
    free_text = template["kind"] == "demonstration"
    assert any(q.headline for q in questions.values()) or free_text
    assert all(q.level in LEVELS for q in questions.values())
    answers = valid_answers(kind.name, config, ids)
    assert kind.answer_schema(config, ids)
    # Every response has text and a clip, so a kind that needs either finds it.
    clip = {"type": "video", "src": "https://cdn.example.org/v.mp4", "duration": 60}
    assert not __import__("annotate.kinds").kinds.answer_problems(
        kind, config, answers, [{"id": i, "content": "text", "media": clip} for i in ids]
    )
    votes = kind.votes(config, answers, ids)
    assert votes or (free_text and not config.get("abstain_reasons"))
    assert len({(v.question, v.unit) for v in votes}) == len(votes), "one vote per (question, unit)"
    for vote in votes:
        question = questions[vote.question]
        assert vote.unit == "" if question.per == "item" else vote.unit in ids
        assert question.domain is None or vote.value in question.domain
    if config.get("abstain_reasons"):
        reason = config["abstain_reasons"][0]
        assert kind.votes(config, {"abstain": {"reason": reason}}, ids) == [Vote(ABSTAIN, "", reason)]
        assert Vote(ABSTAIN, "", ANSWERED) in votes


def test_pairwise_votes_choice_and_gold():
    kind = get_kind("pairwise")
    config = {"strength": {"labels": ["slightly", "clearly", "much"]}, "criteria": [{"id": "safety", "label": "S"}]}
    answers = {"preferred": "r2", "strength": "clearly", "criteria": {"safety": "tie"}}
    assert kind.votes(config, answers, ["r1", "r2"]) == [
        Vote("preference", "", "r2"),
        Vote("strength", "", -2),  # toward the item's second response, whatever the screen showed
        Vote("criteria.safety", "", "tie"),
    ]
    assert [q.level for q in kind.questions(config)] == ["nominal", "ordinal", "nominal"]
    assert kind.choice is not None
    assert kind.choice(config, answers) == Choice("r2", 2)
    assert kind.choice(config, {"preferred": "tie", "both_bad": True}) == Choice("tie", 1, both_bad=True)
    assert kind.choice(config, {"abstain": {"reason": "x"}}) is None
    assert match_gold(kind, config, answers, {"preferred": "r2"}) is True
    assert match_gold(kind, config, answers, {"preferred": ["r1", "tie"]}) is False
    assert match_gold(kind, config, {"abstain": {"reason": "x"}}, {"preferred": "r2"}) is None
    assert match_gold(kind, config, answers, None) is None
    assert [p.path for p in gold_problems(kind, config, {"preferred": "r9"}, ["r1", "r2"])] == ["gold.preferred"]
    assert [p.path for p in gold_problems(kind, config, {"prefered": "r1"}, ["r1", "r2"])] == ["gold"]
    assert gold_problems(kind, config, {"preferred": ["r1", "tie"], "note": "kept"}, ["r1", "r2"]) == []


def test_ranking_votes_and_gold_with_tolerance():
    kind = get_kind("ranking")
    answers = {"ranking": [["r2"], ["r1", "r3"]]}
    assert kind.votes({}, answers, IDS) == [Vote("rank", "r1", 2), Vote("rank", "r2", 1), Vote("rank", "r3", 2)]
    assert match_gold(kind, {}, answers, {"ranking": [["r2"], ["r3", "r1"]]}) is True  # order inside a tier
    assert match_gold(kind, {}, answers, {"ranking": [["r2"], ["r1"], ["r3"]]}) is False
    assert match_gold(kind, {}, answers, {"ranking": [["r2"], ["r1"], ["r3"]], "tolerance": 1}) is True
    assert match_gold(kind, {}, answers, {"best": ["r2", "r3"]}) is True
    assert match_gold(kind, {}, answers, {"best": "r1"}) is False
    assert "gold.ranking[1][0]" in [p.path for p in gold_problems(kind, {}, {"ranking": [["r1"], ["r9"]]}, IDS)]
    assert [p.path for p in gold_problems(kind, {}, {"best": "r9"}, IDS)] == ["gold.best"]


def test_rubric_votes_at_the_scales_level_and_gold_within_tolerance():
    kind = get_kind("rubric")
    questions = {q.id: q for q in kind.questions(RUBRIC)}
    assert (questions["helpfulness"].level, questions["accuracy"].level) == ("interval", "ordinal")
    assert questions["accuracy"].domain == (0, 1, 2)
    answers = {"scores": {"r1": {"helpfulness": 4, "accuracy": 2}, "r2": {"helpfulness": 1, "accuracy": 0}}}
    assert Vote("helpfulness", "r2", 1) in kind.votes(RUBRIC, answers, ["r1", "r2"])
    assert match_gold(kind, RUBRIC, answers, {"scores": {"r1": {"helpfulness": 5}}}) is True  # default tolerance 1
    assert match_gold(kind, RUBRIC, answers, {"scores": {"r1": {"helpfulness": 5}}, "tolerance": 0}) is False
    assert match_gold(kind, RUBRIC, answers, {"scores": {"r2": {"accuracy": [0, 1]}}, "tolerance": 0}) is True
    problems = gold_problems(kind, RUBRIC, {"scores": {"r1": {"helpfulness": 9, "nope": 1}}}, ["r1", "r2"])
    assert [p.path for p in problems] == ["gold.scores.r1", "gold.scores.r1.helpfulness"]


def test_critique_votes_and_gold():
    kind = get_kind("critique")
    config = {"score": {"min": 1, "max": 7}}
    entry = {"critique": "ok", "spans": [], "rewrite": None}
    answers = {"critiques": {"r1": {**entry, "score": 6}, "r2": {**entry, "score": None}}}
    assert kind.votes(config, answers, ["r1", "r2"]) == [Vote("score", "r1", 6)]
    assert kind.votes({}, answers, ["r1", "r2"]) == []
    assert [q.id for q in kind.questions({})] == []
    assert match_gold(kind, config, answers, {"critiques": {"r1": {"score": 6}}}) is True
    assert match_gold(kind, config, answers, {"critiques": {"r1": {"score": 5}}, "tolerance": 1}) is True
    assert match_gold(kind, config, answers, {"critiques": {"r1": {"critique": "a model critique"}}}) is None
    assert [p.path for p in gold_problems(kind, config, {"critiques": {"r1": {"score": 8}}}, ["r1"])] == [
        "gold.critiques.r1.score"
    ]


def test_an_import_refuses_a_bad_gold_answer_naming_the_field():
    item = {
        "id": "x",
        "prompt": [{"role": "user", "content": "q"}],
        "responses": [{"id": "r1", "content": "a"}, {"id": "r2", "content": "b"}],
        "gold": {"scores": {"r1": {"helpfulness": 7}}},
    }
    with pytest.raises(RowError) as refused:
        check_item(item, "rubric", config=RUBRIC)
    assert str(refused.value).startswith("gold.scores.r1.helpfulness: 7 is not one of")
    check_item({**item, "gold": {"scores": {"r1": {"helpfulness": 5}}}}, "rubric", config=RUBRIC)


def test_every_format_a_kind_lists_exists_and_can_read_it():
    fed = set()
    for kind in KINDS.values():
        for name in kind.formats:
            assert name in FORMATS, f"{kind.name} lists an unknown format {name}"
            assert FORMATS[name].kind_problem(kind) is None
            fed.add(name)
    assert fed == set(FORMATS), "every format is fed by some kind"


def test_the_app_starts_without_loading_any_kind():
    script = (
        "import sys\nfrom annotate import create_app\n"
        "create_app({'ENV': 'testing', 'DATABASE_URL': 'sqlite://', 'SECRET_KEY': 'x' * 32, 'TESTING': True})\n"
        "from annotate.kinds.registry import loaded\n"
        "kinds = sorted(m for m in sys.modules if m.startswith('annotate.kinds.') and m.count('.') == 2"
        " and m.split('.')[2] in ('pairwise', 'ranking', 'critique', 'rubric'))\n"
        "print(kinds, loaded.cache_info().currsize)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().splitlines()[-1] == "[] 0", "no kind imported, no entry point read"


def test_a_kinds_files_are_served_from_its_folder(client):
    script = client.get("/static/kinds/ranking/ranking.js")
    assert script.status_code == 200
    assert 'register("ranking"' in script.text
    assert client.get("/static/kinds/rubric/rubric.css").mimetype == "text/css"
    assert client.get("/static/kinds/ranking/../__init__.py").status_code == 404
    assert client.get("/static/kinds/ranking/%2e%2e/__init__.py").status_code == 404
    assert client.get("/static/kinds/nope/nope.js").status_code == 404
    assert client.get("/static/js/kinds.js").status_code == 200


def test_task_pages_load_only_their_own_kinds_files(on_task):
    _project, _assignment, html = on_task("rubric", k=2)
    assert "/static/kinds/rubric/rubric.js" in html
    assert "/static/kinds/rubric/rubric.css" in html
    for other in ("pairwise", "ranking", "critique"):
        assert f"/static/kinds/{other}/" not in html


def test_writing_a_kind_documents_every_field_of_a_kind():
    from dataclasses import fields

    from annotate.kinds.base import Kind

    readme = (TEMPLATES / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Writing a kind", 1)[1]
    missing = [f.name for f in fields(Kind) if f"`{f.name}`" not in section]
    assert not missing, f"document these Kind fields in task_templates/README.md, Writing a kind: {missing}"
    assert '[project.entry-points."annotate.kinds"]' in section
