"""Every shipped template validates; broken templates are refused with the JSON path."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from annotate.kinds import KINDS
from annotate.kinds.templates import TemplateError, available_templates, load_template, template_problems

TEMPLATES = Path(__file__).resolve().parents[2] / "task_templates"
SHIPPED = available_templates(TEMPLATES)


def test_the_issue_templates_are_shipped():
    expected = {
        "pairwise",
        "ranking",
        "critique",
        "rubric",
        "helpsteer",
        "ultrafeedback",
        "medical-safety",
        "legal-critique",
        "pairwise-multi-criteria",
    }
    assert expected <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_template_is_valid(name):
    template = load_template(name, TEMPLATES)
    kind = KINDS[template["kind"]]
    # Its answer schema builds and is itself a valid JSON Schema for an item of the kind's size.
    from annotate.validation import validator_for

    ids = [f"r{i}" for i in range(1, max(kind.min_responses, 2) + 1)]
    validator_for(kind.answer_schema(template["config"], ids))
    # Every key the page shows has a label for the help overlay.
    for action in kind.keys(template["config"]):
        assert action in kind.key_labels or action.startswith("strength_") or len(action) == 1


def paths(document) -> list[str]:
    return [p.path for p in template_problems(document, TEMPLATES)]


def base(name: str) -> dict:
    return copy.deepcopy(load_template(name, TEMPLATES))


@pytest.mark.parametrize(
    ("name", "change", "path"),
    [
        ("pairwise", lambda t: t.pop("kind"), ""),
        ("pairwise", lambda t: t.update(kind="essay"), "kind"),
        ("pairwise", lambda t: t.update(version=0), "version"),
        ("pairwise", lambda t: t.update(extra=1), ""),
        ("pairwise", lambda t: t["config"].update(allow_tie="yes"), "config.allow_tie"),
        ("pairwise", lambda t: t["config"].update(rationale="sometimes"), "config.rationale"),
        ("pairwise", lambda t: t["config"]["keys"].update(a="11"), "config.keys.a"),
        ("pairwise", lambda t: t["config"]["keys"].update(b="1"), "config.keys.b"),
        ("pairwise", lambda t: t["config"]["keys"].update(tie="?"), "config.keys.tie"),
        (
            "pairwise-multi-criteria",
            lambda t: t["config"]["strength"].update(labels=["only one"]),
            "config.strength.labels",
        ),
        (
            "pairwise-multi-criteria",
            lambda t: t["config"]["criteria"][1].update(id="helpfulness"),
            "config.criteria[1].id",
        ),
        ("pairwise-multi-criteria", lambda t: t["config"]["criteria"][2].pop("label"), "config.criteria[2]"),
        ("pairwise-multi-criteria", lambda t: t["config"]["strength"].update(keys=["q"]), "config.strength.keys"),
        ("ranking", lambda t: t["config"].update(allow_ties=1), "config.allow_ties"),
        ("ranking", lambda t: t["config"].update(abstain_reasons=["a", "a"]), "config.abstain_reasons"),
        ("critique", lambda t: t["config"].update(responses="some"), "config.responses"),
        ("critique", lambda t: t["config"]["score"].update(max=0), "config.score.max"),
        (
            "critique",
            lambda t: t["config"]["score"]["anchors"].update({"9": "off the scale"}),
            "config.score.anchors.9",
        ),
        ("helpsteer", lambda t: t["config"]["criteria"][3]["scale"].update(min=5), "config.criteria[3].scale.max"),
        (
            "helpsteer",
            lambda t: t["config"]["criteria"][0]["scale"]["anchors"].update({"x": "bad"}),
            "config.criteria[0].scale.anchors",
        ),
        ("helpsteer", lambda t: t["config"].update(criteria=[]), "config.criteria"),
        ("medical-safety", lambda t: t["config"]["criteria"][1].update(id="Harm level"), "config.criteria[1].id"),
    ],
)
def test_broken_template_names_the_json_path(name, change, path):
    document = base(name)
    change(document)
    assert path in paths(document), paths(document)


def test_load_template_error_names_file_and_path(tmp_path):
    (tmp_path / "schema.json").write_bytes((TEMPLATES / "schema.json").read_bytes())
    (tmp_path / "bad.json").write_text(
        '{"kind": "rubric", "version": 1, "title": "t",'
        ' "config": {"criteria": [{"id": "a", "label": "A", "scale": {"min": 3, "max": 1}}]}}'
    )
    (tmp_path / "broken.json").write_text('{"kind": ')
    with pytest.raises(
        TemplateError, match=r"bad\.json: config\.criteria\[0\]\.scale\.max: must be greater than min \(3\)"
    ):
        load_template("bad", tmp_path)
    with pytest.raises(TemplateError, match=r"broken\.json: not valid JSON"):
        load_template("broken", tmp_path)
    with pytest.raises(TemplateError, match="not a template name"):
        load_template("../etc/passwd", tmp_path)
