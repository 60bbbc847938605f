"""Keep ``task_templates/schema.json`` complete: the meta-schema carries each kind's config
schema (under ``allOf``), so an editor that follows a template's ``"$schema": "./schema.json"``
checks ``config`` as you type, with the same rules the app applies.

The file carries the built-in kinds; the app validates templates against the same schema
extended with every installed kind (``for_installed_kinds``), so a plug-in kind's templates
are accepted and their config checked by the plug-in's schema. Regenerate after changing a
kind's config schema::

    .venv/bin/python -m annotate.kinds.metaschema

and, for an editor that should know your installed plug-in kinds too::

    .venv/bin/python -m annotate.kinds.metaschema --installed my-templates/schema.json

``tests/kinds/test_metaschema.py`` fails while the file is out of date.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from annotate.kinds.base import Kind
from annotate.kinds.registry import KINDS, builtin_kinds

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "task_templates" / "schema.json"


def with_kind_configs(base: dict[str, Any], kinds: Mapping[str, Kind] | None = None) -> dict[str, Any]:
    """``base`` with the kind enum and one ``if kind == X then config is X's config`` per kind
    (the built-in kinds unless ``kinds`` is given)."""
    from annotate.suggestions import POLICY_SCHEMA
    from annotate.turns import TURNS_SCHEMA

    kinds = builtin_kinds() if kinds is None else kinds
    out = {key: value for key, value in base.items() if key != "allOf"}
    # The settings every kind shares that have their own module carry their schema there.
    shared = {"turns": TURNS_SCHEMA, "suggestions": POLICY_SCHEMA}
    out["properties"] = {**out["properties"], **shared, "kind": {"enum": sorted(kinds)}}
    out["allOf"] = [
        {
            "if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
            "then": {"properties": {"config": kind.config_schema}},
        }
        for name, kind in sorted(kinds.items())
    ]
    return out


def for_installed_kinds(base: dict[str, Any]) -> dict[str, Any]:
    """``base`` extended with every kind the registry knows, plug-ins included."""
    return with_kind_configs(base, KINDS)


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    current = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    if args[:1] == ["--installed"] and len(args) == 2:
        target = Path(args[1])
        target.write_text(render(for_installed_kinds(current)), encoding="utf-8")
    elif not args:
        target = SCHEMA_PATH
        target.write_text(render(with_kind_configs(current)), encoding="utf-8")
    else:
        print("usage: python -m annotate.kinds.metaschema [--installed PATH]", file=sys.stderr)
        return 2
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
