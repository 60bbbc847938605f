"""Rubric: the template's config schema, the answer and gold schemas, the config checks and the keys."""

from __future__ import annotations

from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Check, Config
from annotate.kinds.scales import SCALE_SCHEMA, TOLERANCE_SCHEMA, gold_cell_schema, scale_checks, scale_values

MAX_RESPONSES = 8
DEFAULT_KEYS = {"next_cell": "j", "previous_cell": "k", "abstain": "z"}

CRITERION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "label", "scale"],
    "properties": {
        "id": common.ID_SCHEMA,
        "label": {"type": "string", "minLength": 1, "maxLength": 100},
        "description": {"type": "string", "maxLength": 5000},
        "scale": SCALE_SCHEMA,
    },
}

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["criteria"],
    "properties": {
        "criteria": {"type": "array", "minItems": 1, "maxItems": 20, "items": CRITERION_SCHEMA},
        **common.RATIONALE_CONFIG,
        "rationale": {
            "enum": ["off", "optional", "required"],
            "default": "off",
            "description": "A rationale for each response x criterion cell.",
        },
        **common.ABSTAIN_CONFIG,
        "keys": common.keys_schema(list(DEFAULT_KEYS)),
    },
}


def answer_schema(config: Config, response_ids: list[str]) -> dict:
    """Every response x criterion cell scored on that criterion's scale."""
    criteria = config["criteria"]
    row = {
        "type": "object",
        "additionalProperties": False,
        "required": [c["id"] for c in criteria],
        "properties": {c["id"]: {"enum": scale_values(c["scale"])} for c in criteria},
    }
    properties: dict[str, Any] = {
        "scores": {
            "type": "object",
            "additionalProperties": False,
            "required": list(response_ids),
            "properties": dict.fromkeys(response_ids, row),
        }
    }
    required = ["scores"]
    mode = config.get("rationale", "off")
    if mode != "off":
        text = common.rationale_schema(config)
        rationale_row = {
            "type": "object",
            "additionalProperties": False,
            "required": [c["id"] for c in criteria] if mode == "required" else [],
            "properties": {c["id"]: text for c in criteria},
        }
        properties["rationales"] = {
            "type": "object",
            "additionalProperties": False,
            "required": list(response_ids) if mode == "required" else [],
            "properties": dict.fromkeys(response_ids, rationale_row),
        }
        if mode == "required":
            required.append("rationales")
    answer = {"type": "object", "additionalProperties": False, "required": required, "properties": properties}
    return common.with_abstain(config, answer)


def gold_schema(config: Config, response_ids: list[str]) -> dict[str, Any]:
    """``{"scores": {<response id>: {<criterion id>: score or [scores]}}, "tolerance": n}``: the
    cells the gold answer fixes (any subset), each a point of the criterion's scale matched within
    ``tolerance`` (default 1), or a list of the points that count as right."""
    row = {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "properties": {c["id"]: gold_cell_schema(c["scale"]) for c in config["criteria"]},
    }
    return {
        "$schema": common.SCHEMA_DIALECT,
        "type": "object",
        "required": ["scores"],
        "properties": {
            "scores": {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "properties": dict.fromkeys(response_ids, row),
            },
            "tolerance": TOLERANCE_SCHEMA,
        },
    }


def config_checks(config: Config) -> list[Check]:
    """Unique criterion ids, sound scales, no key clashes."""
    found = common.key_conflicts(keys(config))
    seen: set[str] = set()
    for i, criterion in enumerate(config["criteria"]):
        if criterion["id"] in seen:
            found.append((f"criteria[{i}].id", f"{criterion['id']!r} is used by an earlier criterion"))
        seen.add(criterion["id"])
        found += [(f"criteria[{i}].scale.{p}", m) for p, m in scale_checks(criterion["scale"])]
    return found


def keys(config: Config) -> dict[str, str]:
    """j/k move between cells; digit keys (not configurable) set the focused cell's score."""
    return common.merged_keys(DEFAULT_KEYS, config)
