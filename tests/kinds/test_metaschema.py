"""task_templates/schema.json carries every kind's config schema, so editors check templates too."""

from __future__ import annotations

import copy
import json

from annotate.kinds.metaschema import SCHEMA_PATH, render, with_kind_configs
from annotate.validation import problems


def test_schema_json_is_up_to_date():
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    assert text == render(with_kind_configs(json.loads(text))), "run: .venv/bin/python -m annotate.kinds.metaschema"


def test_the_meta_schema_alone_checks_a_kinds_config():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    template = json.loads((SCHEMA_PATH.parent / "helpsteer.json").read_text(encoding="utf-8"))
    assert problems(schema, template) == []
    broken = copy.deepcopy(template)
    broken["config"]["criteria"][0]["scale"]["min"] = "zero"
    assert [p.path for p in problems(schema, broken)] == ["config.criteria[0].scale.min"]
