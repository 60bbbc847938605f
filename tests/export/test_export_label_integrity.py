"""Label integrity end to end: projects made from the shipped templates, items imported,
tasks claimed and answered through the assignment services; the exported ``chosen`` is
the response the experts preferred, whatever order it was shown in."""

from __future__ import annotations

import orjson
import pytest

from annotate.assign.services import claim_next, submit_judgment
from annotate.models import Role


def rows_of(data: bytes) -> list[dict]:
    return [orjson.loads(line) for line in data.splitlines()]


def items(n: int, k: int = 2) -> list[dict]:
    """Items whose good response is r2 on even items and r1 on odd ones (ids are not positions)."""
    out = []
    for i in range(n):
        good = "r2" if i % 2 == 0 else "r1"
        out.append(
            {
                "id": f"it-{i}",
                "prompt": [{"role": "user", "content": f"Question {i}?"}],
                "responses": [
                    {
                        "id": f"r{j}",
                        "content": ("GOOD" if f"r{j}" == good else "bad") + f" answer {j} to {i}",
                        "model": f"model-{j}",
                    }
                    for j in range(1, k + 1)
                ],
            }
        )
    return out


def judge_all(session, project, experts, answer_for):
    """Every expert judges every item; display orders alternate so the good response is
    shown first to one expert and second to the other."""
    shown_second = 0
    for n, expert in enumerate(experts):
        while (assignment := claim_next(session, project, expert)) is not None:
            ids = [r["id"] for r in assignment.item.responses]
            assignment.display_order = ids if (n + assignment.item_id) % 2 else list(reversed(ids))
            good = next(r["id"] for r in assignment.item.responses if r["content"].startswith("GOOD"))
            shown_second += assignment.display_order.index(good) > 0
            submit_judgment(session, assignment, project, answer_for(assignment.item, good))
            session.commit()
    return shown_second


@pytest.fixture
def experts(make_user):
    return [make_user(Role.EXPERT), make_user(Role.EXPERT)]


def test_pairwise_chosen_is_the_preferred_response(make_project, import_rows, session, experts, export_bytes, validate):
    project = make_project(
        "labels", template="pairwise-multi-criteria", overlap=2, members=[(e, "expert") for e in experts]
    )
    import_rows(project, items(6))

    def answer(item, good):
        return {
            "preferred": good,
            "strength": "Much better",
            "criteria": {"helpfulness": good, "correctness": good, "safety": "tie"},
            "rationale": "The preferred answer is correct and the other one is not.",
        }

    assert judge_all(session, project, experts, answer) > 0
    for fmt, schema in (("trl", "trl"), ("reward", "reward"), ("trl-standard", "trl-standard"), ("battles", "battles")):
        data, summary, _ = export_bytes(project, fmt)
        rows = rows_of(data)
        validate(schema, rows)
        if fmt == "battles":
            assert len(rows) == 12
            for row in rows:
                winner = row["conversation_a"] if row["winner"] == "model_a" else row["conversation_b"]
                assert winner[-1]["content"].startswith("GOOD")
            continue
        assert len(rows) == 6
        assert summary.items == 6
        for row in rows:
            chosen = row["chosen"] if isinstance(row["chosen"], str) else row["chosen"][-1]["content"]
            rejected = row["rejected"] if isinstance(row["rejected"], str) else row["rejected"][-1]["content"]
            assert chosen.startswith("GOOD")
            assert rejected.startswith("bad")
            if fmt == "reward":
                assert row["margin"] == 3.0  # "Much better" is the third strength label


def test_ranking_pairs_follow_the_ranking(make_project, import_rows, session, experts, export_bytes, validate):
    project = make_project("ranks", template="ranking", overlap=2, members=[(e, "expert") for e in experts])
    import_rows(project, items(4, k=3))

    def answer(item, good):
        others = [r["id"] for r in item.responses if r["id"] != good]
        return {"ranking": [[good], others]}

    judge_all(session, project, experts, answer)
    data, _summary, _ = export_bytes(project, "ranking", pairs=True)
    rows = rows_of(data)
    validate("trl", rows)
    assert len(rows) == 8  # two pairs per item; the tied bad answers give none
    assert all(r["chosen"][0]["content"].startswith("GOOD") for r in rows)
    ranking = rows_of(export_bytes(project, "ranking")[0])
    validate("ranking", ranking)
    assert all(r["responses"][0]["content"].startswith("GOOD") and r["responses"][0]["rank"] == 1 for r in ranking)


def test_rubric_and_binarize(make_project, import_rows, session, experts, export_bytes, validate):
    project = make_project("rubric", template="rubric", overlap=2, members=[(e, "expert") for e in experts])
    import_rows(project, items(2))

    def answer(item, good):
        return {
            "scores": {
                r["id"]: {"helpfulness": 5 if r["id"] == good else 2, "accuracy": 4 if r["id"] == good else 1}
                for r in item.responses
            }
        }

    judge_all(session, project, experts, answer)
    rows = rows_of(export_bytes(project, "rubric")[0])
    validate("rubric", rows)
    assert {(r["response"].startswith("GOOD"), r["helpfulness"], r["accuracy"]) for r in rows} == {
        (True, 5.0, 4.0),
        (False, 2.0, 1.0),
    }
    pairs = rows_of(export_bytes(project, "rubric", binarize=True)[0])
    validate("rubric-binarized", pairs)
    assert len(pairs) == 2
    assert all(p["chosen"][0]["content"].startswith("GOOD") for p in pairs)


def test_critique_from_the_shipped_template(make_project, import_rows, session, experts, export_bytes, validate):
    project = make_project("crit", template="critique", overlap=1, members=[(experts[0], "expert")])
    import_rows(project, items(1))

    def answer(item, good):
        critiques = {}
        for r in item.responses:
            critiques[r["id"]] = {
                "critique": "This answer is "
                + ("fine and complete." if r["id"] == good else "wrong in its first word."),
                "spans": []
                if r["id"] == good
                else [{"start": 0, "end": 3, "label": "Factual error", "comment": "wrong", "text": r["content"][:3]}],
                "rewrite": None if r["id"] == good else "A better answer.",
                "score": 6 if r["id"] == good else 2,
            }
        return {"critiques": critiques}

    judge_all(session, project, experts[:1], answer)
    rows = rows_of(export_bytes(project, "critique")[0])
    validate("critique", rows)
    bad = next(r for r in rows if r["response"].startswith("bad"))
    assert bad["spans"] == [{"start": 0, "end": 3, "label": "Factual error", "comment": "wrong"}]
    assert bad["response"][bad["spans"][0]["start"] : bad["spans"][0]["end"]] == "bad"
    assert bad["revision"] == "A better answer."
    assert bad["has_revision"]
    assert bad["score"] == 2
