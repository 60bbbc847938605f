"""`annotate templates check` and `annotate templates upload`."""

from __future__ import annotations

import json

from sqlalchemy import select

from annotate.config import REPO_ROOT
from annotate.kinds.templates import available_templates
from annotate.models import TaskTemplate


def test_check_counts_every_shipped_template(runner):

    shipped = len(available_templates(REPO_ROOT / "task_templates"))
    assert shipped >= 11
    result = runner.invoke(args=["templates", "check"])
    assert result.exit_code == 0, result.output
    assert f"{shipped} templates valid" in result.output


def test_upload_stores_a_version(runner, tmp_path, session):
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps({"kind": "ranking", "version": 3, "title": "Rank code", "config": {"allow_ties": False}})
    )
    result = runner.invoke(args=["templates", "upload", "code-rank", str(path)])
    assert result.exit_code == 0, result.output
    assert "uploaded template code-rank v3 (ranking: Rank code)" in result.output
    session.rollback()
    assert session.scalars(select(TaskTemplate.version)).all() == [3]


def test_upload_refuses_with_file_and_path(runner, tmp_path, session):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"kind": "ranking", "version": 1, "title": "R", "config": {"allow_ties": "no"}}))
    result = runner.invoke(args=["templates", "upload", "code-rank", str(path)])
    assert result.exit_code != 0
    assert "t.json: config.allow_ties: expected a boolean, got a string" in result.output
    session.rollback()
    assert session.scalars(select(TaskTemplate)).all() == []
