"""The quality report on known data, and the same figures through the CLI, the API and the page."""

from __future__ import annotations

import orjson
import pytest
from export.conftest import CONFIGS, rubric_fixture

from annotate.models import ProjectRole, Role
from annotate.projects.services import add_member
from annotate.quality.report import compute

PAIRWISE = {"allow_tie": True, "rationale": "optional"}


def _battle_project(seed, n_items: int = 12, *, gold: bool = True, suggestion: bool = True):
    """Three experts judge ``n_items`` pairwise items; a always agrees with b, c disagrees on odd
    items; the first-shown response is r1 for a and b. Every third item is gold (answer r1)."""
    project = seed.project("pairwise", overlap=3, config=PAIRWISE)
    for n in range(n_items):
        item = seed.item(
            project,
            f"i{n}",
            gold={"preferred": "r1", "explanation": "r1 is right"} if gold and n % 3 == 0 else None,
        )
        if suggestion:
            item.suggestion = {"model": "judge-1", "preferred": "r1" if n % 2 == 0 else "r2"}
        verdict = "r1" if n % 2 == 0 else "r2"
        seed.judge(project, item, "a", {"preferred": verdict}, order=["r1", "r2"])
        seed.judge(project, item, "b", {"preferred": verdict}, order=["r1", "r2"])
        other = "r2" if verdict == "r1" and n % 4 == 0 else verdict
        seed.judge(project, item, "c", {"preferred": other}, order=["r2", "r1"])
    seed.session.flush()
    return project


def test_report_of_a_pairwise_project(session, seed):
    project = _battle_project(seed)
    report = compute(session, project)
    preference = next(a for a in report["agreement"] if a["question"] == "preference")
    assert preference["items"] == 12
    assert preference["judgments"] == 36
    assert preference["units"] == 12
    assert preference["level"] == "nominal"
    assert 0 < preference["alpha"] < 1
    assert preference["ci"][0] <= preference["alpha"] <= preference["ci"][1]
    experts = {e["email"]: e for e in report["experts"]}
    # c disagrees on items 0, 4, 8: three of twelve, each against a strict majority of a and b.
    assert experts["c@example.org"]["agreement_with_consensus"] == pytest.approx(9 / 12, abs=1e-4)
    assert experts["a@example.org"]["agreement_with_consensus"] == pytest.approx(1.0)
    # Gold items 0, 3, 6, 9 answer r1: a and b right on 0 and 6, c on 6 only.
    assert experts["a@example.org"]["gold_accuracy"] == 0.5
    assert experts["c@example.org"]["gold_accuracy"] == 0.25
    assert experts["a@example.org"]["parts"]["gold"] == {"value": 0.5, "n": 4, "weight": 0.4}
    # Position: a sees r1 first and picks r1 on the six even items.
    assert experts["a@example.org"]["first_shown_win_rate"] == 0.5
    assert experts["a@example.org"]["position_p_value"] == pytest.approx(1.0)
    assert report["position"]["decided"] == 36
    assert [e["email"] for e in report["experts"]][-1] == "c@example.org"
    pairs = {(k["a"], k["b"]): k for k in report["kappa"]}
    assert pairs[("a@example.org", "b@example.org")]["kappa"] == 1.0
    assert pairs[("a@example.org", "b@example.org")]["shared"] == 12
    # The judge says what a and b say: kappa 1 against the majority.
    judge = report["judge"]["by_question"]
    assert [(j["judge"], j["question"], j["kappa"], j["units"]) for j in judge] == [("judge-1", "preference", 1.0, 12)]
    board = {m["model"]: m for m in report["leaderboard"]}
    assert set(board) == {"model-a", "model-b"}
    assert board["model-a"]["battles"] == 36
    assert board["model-a"]["rating"] + board["model-b"]["rating"] == pytest.approx(2000, abs=0.2)


def test_kappa_needs_ten_shared_units(session, seed):
    report = compute(session, _battle_project(seed, n_items=9))
    assert report["kappa"] == []


def test_position_bias_of_an_expert_who_always_picks_the_left(session, seed):
    project = seed.project("pairwise", overlap=1, config=PAIRWISE)
    for n in range(20):
        item = seed.item(project, f"i{n}")
        order = ["r1", "r2"] if n % 2 else ["r2", "r1"]
        seed.judge(project, item, "lefty", {"preferred": order[0]}, order=order)
    expert = compute(session, project)["experts"][0]
    assert expert["first_shown_win_rate"] == 1.0
    assert expert["position_p_value"] == pytest.approx(2 / 2**20, rel=1e-3)


def test_gold_tolerance_and_several_values(session, seed):
    project = seed.project("rubric", overlap=1)
    gold = {"scores": {"r1": {"helpfulness": 4}}, "tolerance": 1}
    within = seed.item(project, "u1", gold=gold)
    beyond = seed.item(project, "u2", gold=gold)
    listed = seed.item(project, "u3", gold={"scores": {"r1": {"helpfulness": [1, 5]}}, "tolerance": 0})

    def answer(h):
        return {"scores": {"r1": {"helpfulness": h, "correctness": 2}, "r2": {"helpfulness": 1, "correctness": 1}}}

    seed.judge(project, within, "a", answer(5))
    seed.judge(project, beyond, "a", answer(2))
    seed.judge(project, listed, "a", answer(5))
    expert = compute(session, project)["experts"][0]
    assert expert["gold_accuracy"] == pytest.approx(2 / 3, abs=1e-4)


def test_rubric_agreement_per_criterion_and_leaderboards(session, seed):
    project = rubric_fixture(seed)
    report = compute(session, project)
    assert {a["question"]: a["level"] for a in report["agreement"]} == {
        c["id"]: "interval" for c in CONFIGS["rubric"]["criteria"]
    }
    assert set(report["leaderboards"]) == {"helpfulness", "correctness"}


def _researcher(session, make_user, project):
    researcher = make_user(Role.RESEARCHER)
    add_member(session, project, researcher, ProjectRole.RESEARCHER)
    session.commit()
    return researcher


def test_cli_json_has_the_promised_keys(session, seed, runner):
    project = _battle_project(seed)
    session.commit()
    result = runner.invoke(args=["quality", project.slug, "--json"])
    assert result.exit_code == 0, result.output
    data = orjson.loads(result.output)
    assert set(data) == {"agreement", "kappa", "experts", "judge", "leaderboard"}
    assert set(data["agreement"]["preference"]) == {"alpha", "level", "items", "judgments", "ci"}
    assert set(data["experts"][0]) == {
        "email",
        "score",
        "parts",
        "gold_accuracy",
        "agreement_with_consensus",
        "first_shown_win_rate",
        "position_p_value",
        "judgments",
    }
    assert set(data["leaderboard"][0]) == {"model", "rating", "ci_low", "ci_high", "battles"}
    summary = runner.invoke(args=["quality", project.slug])
    assert "preference" in summary.output
    assert "model-a" in summary.output
    assert runner.invoke(args=["quality", "nope"]).exit_code != 0


def test_api_gives_researchers_the_figures(session, seed, client, make_user, make_token):
    project = _battle_project(seed)
    researcher = _researcher(session, make_user, project)
    response = client.get(
        f"/api/v1/projects/{project.slug}/quality", headers={"Authorization": f"Bearer {make_token(researcher)}"}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["agreement"]["preference"]["items"] == 12
    assert body["position"]["decided"] == 36
    expert = seed.experts["a"]
    refused = client.get(
        f"/api/v1/projects/{project.slug}/quality", headers={"Authorization": f"Bearer {make_token(expert)}"}
    )
    assert refused.status_code == 404


def test_page_for_researchers_and_for_an_expert(session, seed, web, make_user):
    expert = make_user(Role.EXPERT, email="me@example.org")
    seed.experts["a"] = expert
    project = _battle_project(seed)
    researcher = _researcher(session, make_user, project)
    web.login(researcher.email)
    page = web.get(f"/p/{project.slug}/quality")
    assert page.status_code == 200
    for text in ("Agreement", "Krippendorff", "c@example.org", "me@example.org", "model-a", "judge-1", "<svg"):
        assert text in page.text
    web.client.post("/logout", data={"csrf_token": web.token})
    web.login(expert.email)
    mine = web.get(f"/p/{project.slug}/quality")
    assert mine.status_code == 200
    assert "Your score" in mine.text
    assert "of 3 experts" in mine.text
    assert "c@example.org" not in mine.text
    assert "b@example.org" not in mine.text


def test_page_is_hidden_from_outsiders(session, seed, web, make_user):
    project = _battle_project(seed)
    outsider = make_user(Role.EXPERT)
    web.login(outsider.email)
    assert web.get(f"/p/{project.slug}/quality").status_code == 404
