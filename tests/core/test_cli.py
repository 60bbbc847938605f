"""The `annotate` command: every command prints what it did; errors go to stderr with a non-zero exit."""

from __future__ import annotations

import orjson
import pytest
from helpers import pair_rows
from sqlalchemy import select

from annotate.models import ApiToken, Project, ProjectMember, User


def run(runner, *args, input=None):
    return runner.invoke(args=list(args), input=input)


def test_users_tokens_projects_import_export_stats(runner, session, tmp_path, write_jsonl, client):
    out = run(
        runner,
        "users",
        "add",
        "Res@Example.org",
        "--role",
        "researcher",
        "--name",
        "Rae",
        "--password-stdin",
        input="a long enough password\n",
    )
    assert out.exit_code == 0, out.output
    assert "added researcher res@example.org" in out.output
    out = run(
        runner,
        "users",
        "add",
        "exp@example.org",
        "--role",
        "expert",
        "--expertise",
        "medicine/dermatology,law",
        "--password-stdin",
        input="another long password\n",
    )
    assert out.exit_code == 0, out.output
    expert = session.scalar(User.by_email("exp@example.org"))
    assert expert.expertise == ["medicine/dermatology", "law"]

    out = run(runner, "tokens", "create", "exp@example.org")
    assert out.exit_code == 0
    secret = out.output.strip().splitlines()[-1]
    assert secret.startswith("ann_")
    stored = session.scalar(select(ApiToken))
    assert stored.token_hash != secret
    assert secret not in stored.token_hash

    instructions = tmp_path / "instructions.md"
    instructions.write_text("# Be careful\nRead both.", encoding="utf-8")
    out = run(
        runner,
        "projects",
        "create",
        "cli-proj",
        "--template",
        "pairwise",
        "--title",
        "CLI project",
        "--overlap",
        "1",
        "--instructions",
        str(instructions),
    )
    assert out.exit_code == 0, out.output
    assert "created project cli-proj" in out.output
    project = session.scalar(select(Project).where(Project.slug == "cli-proj"))
    assert project.instructions.startswith("# Be careful")
    out = run(runner, "projects", "add-member", "cli-proj", "exp@example.org", "--role", "expert")
    assert out.exit_code == 0
    assert "is expert in cli-proj" in out.output

    out = run(runner, "import", "cli-proj", str(write_jsonl(pair_rows(4))))
    assert out.exit_code == 0, out.output
    assert "imported 4 new items" in out.output

    # Judge every item through the API with the CLI-made token.
    headers = {"Authorization": f"Bearer {secret}"}
    while (claimed := client.post("/api/v1/projects/cli-proj/assignments", headers=headers)).status_code == 201:
        body = claimed.get_json()
        client.post(
            f"/api/v1/assignments/{body['assignment']['id']}/judgment",
            json={"answers": {"preferred": "r1"}},
            headers=headers,
        )

    stats = orjson.loads(run(runner, "stats", "cli-proj", "--json").output)
    assert stats["items"] == 4
    assert stats["judgments"] == 4
    assert stats["complete_items"] == 4

    target = tmp_path / "trl.jsonl"
    out = run(runner, "export", "cli-proj", "--format", "trl", "--out", str(target))
    assert out.exit_code == 0, out.output
    rows = [orjson.loads(line) for line in target.read_bytes().splitlines()]
    assert len(rows) == 4
    assert all(row["chosen"][0]["content"].startswith("Answer one") for row in rows)
    out = run(runner, "export", "cli-proj", "--format", "raw")
    raw = [orjson.loads(line) for line in out.stdout_bytes.splitlines() if line.startswith(b"{")]
    assert len(raw) == 4
    assert raw[0]["expert"].startswith("expert-")
    assert "exp@example.org" not in out.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "add", "not-an-email", "--role", "expert"], "is not an email address"),
        (["projects", "create", "Bad Slug", "--template", "pairwise"], "slug"),
        (["projects", "create", "ok", "--template", "nope"], "no template named 'nope'"),
        (["import", "missing-project", "x.jsonl"], "no project with slug 'missing-project'"),
        (["tokens", "create", "ghost@example.org"], "no user with email ghost@example.org"),
    ],
)
def test_errors_exit_non_zero_with_a_message(runner, args, message):
    out = run(runner, *args)
    assert out.exit_code != 0
    assert message in out.output


def test_unknown_export_format(runner, make_project):
    make_project("fmt")
    out = run(runner, "export", "fmt", "--format", "csv")
    assert out.exit_code != 0
    assert "csv" in out.output


def test_short_passwords_are_refused(runner):
    out = run(runner, "users", "add", "x@example.org", "--role", "expert", "--password-stdin", input="short\n")
    assert out.exit_code != 0
    assert "at least 10 characters" in out.output


def test_import_error_names_line_and_field_and_keeps_nothing(runner, make_project, tmp_path, session):
    make_project("bad")
    path = tmp_path / "bad.jsonl"
    rows = pair_rows(2)
    rows[1]["responses"][1]["content"] = None
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in rows))
    out = run(runner, "import", "bad", str(path))
    assert out.exit_code == 1
    assert "bad.jsonl: line 2: responses[1].content: expected a string, got null" in out.output
    assert "nothing was imported" in out.output
    assert run(runner, "stats", "bad", "--json").output.count('"items":0') == 1


def test_demo_is_repeatable_and_prints_logins(runner, session):
    first = run(runner, "demo")
    assert first.exit_code == 0, first.output
    assert "expert1@example.org" in first.output
    second = run(runner, "demo")
    assert second.exit_code == 0
    assert first.output != second.output  # fresh passwords every run
    stats = orjson.loads(run(runner, "stats", "demo", "--json").output)
    assert stats["items"] == 12
    # The rating project: the same questions, one answer each, rated on a Likert scale.
    rating = orjson.loads(run(runner, "stats", "demo-rating", "--json").output)
    assert rating["items"] == 12
    assert orjson.loads(run(runner, "stats", "demo-sft", "--json").output)["items"] == 6
    assert "demo-sft" in first.output
    assert "demo-rating" in first.output
    assert session.query(ProjectMember).count() == 9  # three members in each of the three projects


def test_templates_check_and_list(runner):
    out = run(runner, "templates", "check")
    assert out.exit_code == 0
    assert "templates valid" in out.output
    assert "pairwise" in run(runner, "templates", "list").output


def test_db_upgrade_is_idempotent(runner):
    out = run(runner, "db", "upgrade")
    assert out.exit_code == 0
    assert "already at" in out.output


def test_help_lists_annotates_own_commands_and_options_only():
    from click.testing import CliRunner

    from annotate.cli import main

    out = CliRunner().invoke(main, ["--help"])
    assert out.exit_code == 0, out.output
    for flask_only in ("--app", "--env-file", "--debug", "limiter", "routes", "shell"):
        assert flask_only not in out.output
    for own in ("--version", "db", "import", "export", "serve", "users"):
        assert own in out.output


def test_the_package_declares_its_licence_as_an_spdx_string():
    import tomllib

    from helpers import REPO

    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["project"]["license"] == "Apache-2.0"  # a TOML table is deprecated by setuptools >= 77
    (backend,) = project["build-system"]["requires"]
    assert backend.startswith(
        "setuptools>=77,"
    )  # the SPDX string needs setuptools 77; bounded above like every dependency
    for name in project["project"]["license-files"]:
        assert (REPO / name).is_file(), name


def test_every_page_links_the_favicon(client):
    page = client.get("/login")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page.text
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.data.startswith(b"<svg")
