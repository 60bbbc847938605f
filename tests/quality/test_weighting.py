"""Scores drive exports: ``--aggregate weighted`` lets a strong expert outweigh two weak ones,
``--min-score`` keeps only experts above a score; both are recorded in the manifest."""

from __future__ import annotations

import orjson
import pytest
from export.conftest import export_bytes, read_jsonl  # noqa: F401  (export_bytes is a fixture)

from annotate.export.base import ExportError
from annotate.quality.report import compute

PAIRWISE = {"allow_tie": True, "rationale": "optional"}


@pytest.fixture
def split(seed):
    """Expert a is right on six gold items, b and c wrong; on the disputed item a says r1, b and c r2."""
    project = seed.project("pairwise", overlap=3, config=PAIRWISE)
    for n in range(6):
        item = seed.item(project, f"g{n}", gold={"preferred": "r1"})
        seed.judge(project, item, "a", {"preferred": "r1"})
        seed.judge(project, item, "b", {"preferred": "r2"})
        seed.judge(project, item, "c", {"preferred": "r2"})
    disputed = seed.item(project, "disputed")
    seed.judge(project, disputed, "a", {"preferred": "r1"})
    seed.judge(project, disputed, "b", {"preferred": "r2"})
    seed.judge(project, disputed, "c", {"preferred": "r2"})
    seed.session.flush()
    return project


def _chosen(data: bytes) -> dict[str, str]:
    return {row["id"]: row["chosen"][-1]["content"] for row in read_jsonl(data)}


def test_scores_put_the_gold_expert_first(session, split):
    scores = {e["email"]: e["score"] for e in compute(session, split)["experts"]}
    assert scores["a@example.org"] > 2 * max(scores["b@example.org"], scores["c@example.org"])


def test_weighted_aggregation_follows_the_stronger_expert(session, split, export_bytes):  # noqa: F811
    majority, _s, _r = export_bytes(split, "trl")
    weighted, _summary, record = export_bytes(split, "trl", aggregation="weighted")
    assert _chosen(majority)["disputed"].startswith("Second answer")
    assert _chosen(weighted)["disputed"].startswith("First answer")
    assert record.options["aggregation"] == "weighted"


def test_min_score_keeps_only_strong_experts(session, split, export_bytes):  # noqa: F811
    data, summary, record = export_bytes(split, "trl", unit="judgment", min_score=50)
    assert summary.left_out["judgment: expert below the minimum quality score"] == 14
    assert {row["expert"] for row in read_jsonl(data)} == {"expert-00000061"}  # a's pseudonym
    assert record.options["min_score"] == 50


def test_weighted_applies_to_preference_formats_only(seed, export_bytes):  # noqa: F811
    from export.conftest import rubric_fixture

    with pytest.raises(ExportError, match="aggregation: weighted applies to the preference formats"):
        export_bytes(rubric_fixture(seed), "rubric", aggregation="weighted")


def test_cli_and_manifest_record_the_weighting(session, split, runner, tmp_path):
    session.commit()
    folder = tmp_path / "out"
    folder.mkdir()
    result = runner.invoke(
        args=["export", split.slug, "--aggregate", "weighted", "--min-score", "10", "--out", f"{folder}/"]
    )
    assert result.exit_code == 0, result.output
    manifest = orjson.loads((folder / "manifest.json").read_bytes())
    assert manifest["options"]["aggregation"] == "weighted"
    assert manifest["options"]["min_score"] == 10.0
    bad = runner.invoke(args=["export", split.slug, "--min-score", "200"])
    assert bad.exit_code != 0
    assert "min_score" in bad.output


def test_the_api_and_the_export_page_take_the_minimum_score(session, split, client, web, make_user, make_token):
    from annotate.models import ProjectRole, Role
    from annotate.projects.services import add_member

    lead = make_user(Role.RESEARCHER)
    add_member(session, split, lead, ProjectRole.RESEARCHER)
    session.commit()
    headers = {"Authorization": f"Bearer {make_token(lead)}"}
    url = f"/api/v1/projects/{split.slug}/export?format=trl&unit=judgment"
    everyone = read_jsonl(client.get(url, headers=headers).data)
    strong = read_jsonl(client.get(url + "&min_score=50", headers=headers).data)
    assert len(everyone) == 21
    assert {row["expert"] for row in strong} == {"expert-00000061"}
    refused = client.get(url + "&min_score=abc", headers=headers)
    assert refused.status_code == 400
    assert "min_score" in refused.get_json()["error"]
    web.login(lead.email)
    page = web.get(f"/p/{split.slug}/exports").text
    assert 'name="min_score"' in page
    assert '<option value="weighted"' in page
