"""Every kind and every config setting is documented in task_templates/README.md
(a setting added without documentation fails here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotate.kinds import KINDS
from annotate.kinds.templates import available_templates

TEMPLATES = Path(__file__).resolve().parents[2] / "task_templates"
README = (TEMPLATES / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_kind_and_its_settings_are_documented(kind):
    assert f"## {kind}" in README
    for setting in KINDS[kind].config_schema["properties"]:
        assert f"`{setting}`" in README, f"{kind}: document the setting {setting!r} in task_templates/README.md"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_key_action_is_documented(kind):
    actions = KINDS[kind].config_schema["properties"]["keys"]["properties"]
    for action in actions:
        assert f"`{action}`" in README, f"{kind}: document the key action {action!r}"


def test_every_shipped_template_is_listed():
    for name in available_templates(TEMPLATES):
        assert f"| `{name}` |" in README, f"list {name}.json in task_templates/README.md"
