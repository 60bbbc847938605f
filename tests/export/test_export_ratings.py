"""Ratings in trl-kto (unpaired rows labelled by the researcher's threshold) and reward
(pointwise scores): the threshold through the CLI, the web form and the API, recorded in the
manifest; refused where it does not apply; aggregation rules; nothing branches on kind names."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import select

from annotate.export.base import ExportError
from annotate.models import ExportRecord, ProjectRole, Role
from annotate.projects.services import add_member


def rows_of(data: bytes) -> list[dict]:
    return [orjson.loads(line) for line in data.splitlines() if line]


def labels(data: bytes) -> dict[str, bool]:
    return {r["id"]: r["label"] for r in rows_of(data)}


def test_the_threshold_decides_the_labels(build, export_bytes):
    project = build("rating")
    default, _s, record = export_bytes(project, "trl-kto")
    assert labels(default) == {"g1": True, "g2": False, "g3": False, "g4": True, "g5": True}
    assert record.options["label_threshold"] == 0.5  # filled in and recorded
    low, _s, record = export_bytes(project, "trl-kto", label_threshold=0.4)
    assert labels(low)["g3"] is True  # 0.5 is above 0.4
    assert record.options["label_threshold"] == 0.4
    high, _s, _r = export_bytes(project, "trl-kto", label_threshold=0.9)
    assert labels(high) == {"g1": False, "g2": False, "g3": False, "g4": True, "g5": False}


def test_aggregation_and_agreement(build, export_bytes):
    project = build("rating")
    data, summary, _r = export_bytes(project, "trl-kto", aggregation="unanimous")
    # g3 (2 and 4: one label each) is not unanimous; g5 is decided by its adjudication.
    assert set(labels(data)) == {"g1", "g2", "g4", "g5"}
    assert summary.left_out["item: not unanimous"] == 1
    assert summary.left_out["item: incomplete (fewer judgments than the overlap)"] == 1
    assert summary.abstains == 1
    data, summary, _r = export_bytes(project, "reward", min_agreement=0.6)
    # Agreement on the score itself: g1 (5, 4), g2 and g3 disagree; g4 has one score left.
    assert [r["id"] for r in rows_of(data)] == ["g4", "g5"]
    assert summary.left_out["item: agreement below the minimum"] == 3


def test_threshold_refused_where_it_does_not_apply(build, export_bytes):
    with pytest.raises(ExportError, match="label_threshold: applies to trl-kto exports of rated projects"):
        export_bytes(build("pairwise"), "trl-kto", label_threshold=0.5)
    rated = build("rating")
    with pytest.raises(ExportError, match="label_threshold: applies to trl-kto"):
        export_bytes(rated, "reward", label_threshold=0.5)
    with pytest.raises(ExportError, match="label_threshold: must be at least 0 and below 1"):
        export_bytes(rated, "trl-kto", label_threshold=1.0)
    # Formats that read preferences name the hook a rating lacks.
    with pytest.raises(ExportError, match="format: trl exports"):
        export_bytes(rated, "trl")


def test_cli_flag_and_manifest(build, runner, tmp_path, session):
    project = build("rating")
    session.commit()
    folder = tmp_path / "kto"
    result = runner.invoke(
        args=["export", project.slug, "--format", "trl-kto", "--label-threshold", "0.8", "--out", f"{folder}/"]
    )
    assert result.exit_code == 0, result.output
    manifest = orjson.loads((folder / "manifest.json").read_bytes())
    assert manifest["options"]["label_threshold"] == 0.8
    assert "label_threshold" in (folder / "README.md").read_text()
    rows = [orjson.loads(line) for line in (folder / "data" / "train.jsonl").read_bytes().splitlines()]
    assert {r["id"]: r["label"] for r in rows} == {"g1": True, "g2": False, "g3": False, "g4": True, "g5": False}
    bad = runner.invoke(args=["export", project.slug, "--format", "trl-kto", "--label-threshold", "high"])
    assert bad.exit_code != 0
    assert "label_threshold: 'high' is not a number" in bad.output


@pytest.fixture
def rated_project(build, session, make_user):
    project = build("rating")
    researcher = make_user(Role.RESEARCHER)
    add_member(session, project, researcher, ProjectRole.RESEARCHER)
    session.commit()
    return project, researcher


def test_web_form_and_api_take_the_threshold(web, client, rated_project, make_token, session):
    project, researcher = rated_project
    web.login(researcher.email)
    page = web.get(f"/p/{project.slug}/exports")
    assert 'name="label_threshold"' in page.text
    response = web.post(f"/p/{project.slug}/export", data={"format": "trl-kto", "label_threshold": "0.8"})
    assert response.status_code == 200
    assert labels(response.get_data())["g1"] is True
    assert labels(response.get_data())["g5"] is False
    session.commit()
    record = session.scalar(select(ExportRecord).where(ExportRecord.id == int(response.headers["X-Export-Id"])))
    assert record.options["label_threshold"] == 0.8
    refused = web.post(f"/p/{project.slug}/export", data={"format": "trl-kto", "label_threshold": "2"})
    assert refused.status_code == 400
    assert "label_threshold" in refused.text
    headers = {"Authorization": f"Bearer {make_token(researcher)}"}
    api = client.get(f"/api/v1/projects/{project.slug}/export?format=reward", headers=headers)
    assert api.status_code == 200
    assert {r["id"]: r["score"] for r in rows_of(api.get_data())}["g1"] == 0.875
    api = client.get(f"/api/v1/projects/{project.slug}/export?format=trl-kto&label_threshold=0.95", headers=headers)
    assert not any(r["label"] for r in rows_of(api.get_data()) if r["id"] != "g4")
