"""Keep ``task_templates/schema.json`` complete: the meta-schema carries each kind's config
schema (under ``allOf``), so an editor that follows a template's ``"$schema": "./schema.json"``
checks ``config`` as you type, with the same rules the app applies.

Regenerate after changing a kind's config schema::

    .venv/bin/python -m annotate.kinds.metaschema

``tests/kinds/test_metaschema.py`` fails while the file is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from annotate.kinds import KINDS

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "task_templates" / "schema.json"


def with_kind_configs(base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with the kind enum and one ``if kind == X then config is X's config`` per kind."""
    out = {key: value for key, value in base.items() if key != "allOf"}
    out["properties"] = {**out["properties"], "kind": {"enum": sorted(KINDS)}}
    out["allOf"] = [
        {
            "if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
            "then": {"properties": {"config": kind.config_schema}},
        }
        for name, kind in sorted(KINDS.items())
    ]
    return out


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    current = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    SCHEMA_PATH.write_text(render(with_kind_configs(current)), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
