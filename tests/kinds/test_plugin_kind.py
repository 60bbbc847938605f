"""A kind from a package outside annotate (tests/fixtures/kindplugin: ``pick``, registered by
its own dist-info's ``annotate.kinds`` entry point) works end to end with nothing in annotate
changed: its template is uploaded and validated by its config schema, items are imported with
gold answers checked by its gold schema, experts judge it on the web page (its partial, script
and style) and through the API, and it is exported (raw and trl), scored against gold and
counted in agreement."""

from __future__ import annotations

import io
import json

import orjson
import pytest
from helpers import PASSWORD, Browserless, csrf_from
from jsonschema import Draft202012Validator
from kind_plugin import TEMPLATE, installed
from sqlalchemy import select

from annotate.export.base import ExportContext, ExportOptions, ExportSummary
from annotate.export.gold import gold_rates
from annotate.export.services import export_to, get_format
from annotate.ingest.errors import ImportFailed
from annotate.kinds import KINDS, get_kind
from annotate.kinds.metaschema import for_installed_kinds, with_kind_configs
from annotate.models import Judgment, Project, ProjectRole, User
from annotate.projects.services import add_member

SLUG = "picks"


def rows() -> list[dict]:
    return [
        {
            "id": f"it-{n}",
            "prompt": [{"role": "user", "content": f"Question {n}?"}],
            "responses": [
                {"id": "r1", "content": f"First answer {n}.", "model": "m-a"},
                {"id": "r2", "content": f"Second answer {n}.", "model": "m-b"},
            ],
            **({"gold": {"pick": ["r1", "neither"], "note": "r1 is right"}} if n == 0 else {}),
        }
        for n in range(2)
    ]


@pytest.fixture
def pick():
    with installed() as kind:
        yield kind


def upload(web: Browserless, name: str, document: dict):
    return web.post(
        "/templates/upload", data={"name": name, "json": json.dumps(document)}, content_type="multipart/form-data"
    )


def test_the_kind_is_found_through_its_entry_point_and_only_while_installed(pick):
    assert pick.name in KINDS
    assert get_kind("pick") is pick
    assert list(KINDS)[:4] == ["pairwise", "ranking", "critique", "rubric"], "built-ins first"
    # The templates' meta-schema takes its templates and checks their config with its schema;
    # the shipped schema.json stays the built-ins'.
    schema = for_installed_kinds(json.loads((pick.folder.parents[3] / "task_templates" / "schema.json").read_text()))
    assert "pick" in schema["properties"]["kind"]["enum"]
    assert "pick" not in with_kind_configs(schema)["properties"]["kind"]["enum"]


def test_a_broken_plugin_is_left_out_and_says_why(pick, monkeypatch):
    from annotate.kinds import registry

    monkeypatch.setattr(registry, "kind_problems", lambda kind: ["no partial at /nowhere"])
    registry.reload()
    with pytest.raises(KeyError, match=r"unknown task kind 'pick' \(entry point pick = annotate_kind_pick:KIND"):
        get_kind("pick")
    assert "pick" not in KINDS
    assert "pairwise" in KINDS


def test_imported_judged_on_the_page_and_by_api_exported_scored_and_agreed(
    pick, app, client, session, make_user, make_token, import_rows, tmp_path, runner
):
    researcher, page_expert, api_expert = make_user("researcher"), make_user("expert"), make_user("expert")
    web = Browserless(client)
    web.login(researcher.email, PASSWORD)

    # The template: refused with the plug-in's own config schema, then accepted.
    bad = upload(web, "pick-best", {**TEMPLATE, "config": {"allow_neither": "yes"}})
    assert bad.status_code == 422
    assert "config.allow_neither" in bad.text
    assert upload(web, "pick-best", TEMPLATE).status_code == 303
    project_form = {
        "slug": SLUG,
        "template": "pick-best",
        "title": "Picks",
        "overlap": "2",
        "quota_per_expert": "",
        "max_active_leases": "2",
        "lease_seconds": "900",
        "required_expertise": "",
        "instructions": "Pick the reply you would send.",
    }
    assert web.post("/projects/new", project_form).status_code == 303
    session.rollback()  # a fresh snapshot that sees the server's writes
    project = session.scalars(select(Project).where(Project.slug == SLUG)).one()
    assert project.kind == "pick"
    for expert in (page_expert, api_expert):
        add_member(session, project, expert, ProjectRole.EXPERT)
    session.commit()

    # Import: a gold answer the kind's gold schema refuses names the field; nothing is kept.
    broken = rows()
    broken[1]["gold"] = {"pick": "r9"}
    with pytest.raises(ImportFailed, match=r'line 2: gold\.pick: "r9" is not one of'):
        import_rows(project, broken)
    import_rows(project, rows())

    # Judged through the web page: the kind's partial, its script and style, its wording.
    expert_web = Browserless(app.test_client())
    expert_web.login(page_expert.email, PASSWORD)
    task = expert_web.post(f"/p/{SLUG}/next", follow_redirects=True)
    assert task.status_code == 200
    assert 'data-kind="pick"' in task.text
    assert "/static/kinds/pick/pick.js" in task.text
    assert "/static/kinds/pick/pick.css" in task.text
    assert "kinds/ranking" not in task.text
    assert "kinds/critique" not in task.text
    assert client.get("/static/kinds/pick/pick.js").status_code == 200
    assert "annotateKinds.register" in client.get("/static/kinds/pick/pick.js").text
    assert client.get("/static/kinds/pick/../__init__.py").status_code == 404
    for number in range(2):
        assignment = int(task.text.split('data-assignment="', 1)[1].split('"', 1)[0])
        submit = f"/tasks/{assignment}/judgment"
        refused = expert_web.post(submit, {"csrf_token": csrf_from(task.text)})
        assert refused.status_code == 422
        assert "Pick A or B, or neither." in refused.text
        pick_id = "r1" if number == 0 else "r2"
        task = expert_web.post(submit, {"csrf_token": csrf_from(task.text), "pick": pick_id}, follow_redirects=True)
        assert task.status_code == 200

    # Judged through the API, validated by the same path.
    token = {"Authorization": f"Bearer {make_token(api_expert)}"}
    for _ in range(2):
        claimed = client.post(f"/api/v1/projects/{SLUG}/assignments", headers=token).get_json()
        assert claimed["template"]["kind"] == "pick"
        assert Draft202012Validator(claimed["answer_schema"]).is_valid({"pick": "neither"})
        url = f"/api/v1/assignments/{claimed['assignment']['id']}/judgment"
        refused = client.post(url, json={"answers": {"pick": "r9"}}, headers=token)
        assert refused.status_code == 422
        assert refused.get_json()["problems"][0]["path"] == "answers.pick"
        same = "r1" if claimed["item"]["id"] == "it-0" else "r2"
        assert client.post(url, json={"answers": {"pick": same}}, headers=token).status_code == 201
    session.rollback()
    by_expert = {
        (session.get(User, j.expert_id).email, j.answers["pick"]) for j in session.scalars(select(Judgment)).all()
    }
    assert by_expert == {
        (page_expert.email, "r1"),
        (page_expert.email, "r2"),
        (api_expert.email, "r1"),
        (api_expert.email, "r2"),
    }

    # Exported: raw (every kind) and trl, which reads the kind's choice hook.
    for name, schema_name in (("raw", "raw"), ("trl", "trl")):
        out = io.BytesIO()
        _record, _summary = export_to(session, project, get_format(name), out, user=None, channel="test")
        records = [orjson.loads(line) for line in out.getvalue().splitlines()]
        validator = Draft202012Validator(
            orjson.loads((pick.folder.parents[3] / "exports" / f"{schema_name}.schema.json").read_bytes())
        )
        assert records
        assert all(validator.is_valid(r) for r in records)
        if name == "raw":
            assert {r["template"]["kind"] for r in records} == {"pick"}
            assert len(records) == 4
        else:
            assert [(r["id"], r["chosen"][0]["content"]) for r in records] == [
                ("it-0", "First answer 0."),
                ("it-1", "Second answer 1."),
            ]
    refused_format = runner.invoke(args=["export", SLUG, "--format", "ranking"])
    assert refused_format.exit_code != 0
    assert "format: ranking exports ranking projects; this project is pick" in refused_format.output

    # Scored against gold: both experts picked r1 on it-0, one of the accepted picks.
    ctx = ExportContext(session, project, ExportOptions(), ExportSummary())
    assert sorted(gold_rates(ctx).values()) == [(1, 1), (1, 1)]

    # Counted in agreement: the dataset card's alpha over the kind's headline question.
    folder = tmp_path / "picks"
    folder.mkdir()
    result = runner.invoke(args=["export", SLUG, "--format", "raw", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    manifest = orjson.loads((folder / "manifest.json").read_bytes())
    assert manifest["agreement"]["alpha"] == {"pick": 1.0}
    assert manifest["agreement"]["units"] == {"pick": 2}
    assert "Krippendorff's alpha, nominal" in (folder / "README.md").read_text()
