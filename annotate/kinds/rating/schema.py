"""Rating: the template's config schema, the answer and gold schemas, the config checks and the keys.

A rating is ``likert`` (an integer scale whose points carry anchor labels) or ``thumbs``
(up or down). The overall rating and each criterion (when the template lists some) are
rated in the same mode; a likert criterion may have its own scale.
"""

from __future__ import annotations

from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Check, Config
from annotate.kinds.scales import SCALE_SCHEMA, TOLERANCE_SCHEMA, scale_checks, scale_values

THUMBS = ("down", "up")  # lowest first: down scores 0, up scores 1
DEFAULT_SCALE: dict[str, Any] = {"min": 1, "max": 5}
DEFAULT_THUMBS_LABELS = {"up": "Good", "down": "Bad"}
DEFAULT_KEYS = {"up": "y", "down": "n", "next_row": "j", "previous_row": "k", "abstain": "z"}
RATIONALE_MAX = common.TEXT_MAX
MAX_CRITERIA = 12

# A likert scale: the shared scale, ordinal unless the template says interval.
LIKERT_SCALE_SCHEMA: dict[str, Any] = {
    **SCALE_SCHEMA,
    "properties": {
        **SCALE_SCHEMA["properties"],
        "level": {
            "enum": ["ordinal", "interval"],
            "default": "ordinal",
            "description": "How agreement compares two ratings: by order only (ordinal, the default) or by distance.",
        },
    },
}

CRITERION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "label"],
    "properties": {
        "id": common.ID_SCHEMA,
        "label": {"type": "string", "minLength": 1, "maxLength": 100},
        "description": {"type": "string", "maxLength": 2000},
        "scale": LIKERT_SCALE_SCHEMA,
    },
}

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "mode": {
            "enum": ["likert", "thumbs"],
            "default": "likert",
            "description": "likert: a point of an anchored integer scale; thumbs: up or down.",
        },
        "question": {
            "type": "string",
            "minLength": 1,
            "maxLength": 300,
            "description": "The overall question, e.g. “How helpful is this response?”.",
        },
        "scale": {**LIKERT_SCALE_SCHEMA, "description": "The likert scale (default 1-5), with anchor labels."},
        "thumbs_labels": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "up": {"type": "string", "minLength": 1, "maxLength": 60},
                "down": {"type": "string", "minLength": 1, "maxLength": 60},
            },
            "description": "What up and down say on the page (default Good / Bad).",
        },
        "criteria": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_CRITERIA,
            "items": CRITERION_SCHEMA,
            "description": "Aspects rated besides the overall rating, each required.",
        },
        **common.RATIONALE_CONFIG,
        **common.ABSTAIN_CONFIG,
        "keys": common.keys_schema(list(DEFAULT_KEYS)),
    },
}


def mode(config: Config) -> str:
    return str(config.get("mode", "likert"))


def overall_scale(config: Config) -> dict[str, Any]:
    return dict(config.get("scale") or DEFAULT_SCALE)


def criterion_scale(config: Config, criterion: dict[str, Any]) -> dict[str, Any]:
    """A likert criterion's scale: its own, else the overall one."""
    return dict(criterion.get("scale") or overall_scale(config))


def values(config: Config, scale: dict[str, Any]) -> list[Any]:
    """Every value a rating may take, lowest first."""
    return list(THUMBS) if mode(config) == "thumbs" else scale_values(scale)


def thumbs_label(config: Config, value: str) -> str:
    return str((config.get("thumbs_labels") or {}).get(value) or DEFAULT_THUMBS_LABELS[value])


def rows(config: Config) -> list[tuple[str, str, dict[str, Any]]]:
    """(answer path, label, scale) of every rating the page asks for: the overall one first."""
    found = [("rating", str(config.get("question") or "Overall rating"), overall_scale(config))]
    for criterion in config.get("criteria", []):
        found.append((f"criteria.{criterion['id']}", criterion["label"], criterion_scale(config, criterion)))
    return found


def answer_schema(config: Config, response_ids: list[str]) -> dict:
    """``{"rating": 4 | "up", "criteria": {<id>: …}, "rationale": "…"}``."""
    properties: dict[str, Any] = {"rating": {"enum": values(config, overall_scale(config))}}
    required = ["rating"]
    criteria = config.get("criteria", [])
    if criteria:
        properties["criteria"] = {
            "type": "object",
            "additionalProperties": False,
            "required": [c["id"] for c in criteria],
            "properties": {c["id"]: {"enum": values(config, criterion_scale(config, c))} for c in criteria},
        }
        required.append("criteria")
    return common.answer_with_rationale(config, properties, required, RATIONALE_MAX)


def gold_value_schema(config: Config, scale: dict[str, Any]) -> dict[str, Any]:
    return common.one_or_several(values(config, scale))


def gold_schema(config: Config, response_ids: list[str]) -> dict[str, Any]:
    """``{"rating": 4}`` (exact), ``{"rating": [4, 5]}`` (any of these), ``{"rating": 4, "tolerance": 1}``
    (within 1 point, likert only); ``criteria`` likewise, any subset. At least one of the two."""
    criteria = config.get("criteria", [])
    properties: dict[str, Any] = {"rating": gold_value_schema(config, overall_scale(config))}
    if criteria:
        properties["criteria"] = {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {c["id"]: gold_value_schema(config, criterion_scale(config, c)) for c in criteria},
        }
    if mode(config) == "likert":
        properties["tolerance"] = TOLERANCE_SCHEMA
    return {
        "$schema": common.SCHEMA_DIALECT,
        "type": "object",
        "anyOf": [{"required": ["rating"]}, {"required": ["criteria"]}],
        "properties": properties,
    }


def config_checks(config: Config) -> list[Check]:
    """Sound scales (likert), unique criterion ids, no key clashes, no scale setting on thumbs."""
    found = common.key_conflicts(keys(config))
    if mode(config) == "likert":
        found += [
            (f"keys.{action}", f"{key!r} picks a point of the scale; choose another key")
            for action, key in keys(config).items()
            if key.lstrip("-").isdigit()
        ]
        found += [(f"scale.{p}", m) for p, m in scale_checks(overall_scale(config))]
        for i, criterion in enumerate(config.get("criteria", [])):
            if "scale" in criterion:
                found += [(f"criteria[{i}].scale.{p}", m) for p, m in scale_checks(criterion["scale"])]
    else:
        if "scale" in config:
            found.append(("scale", "a thumbs rating has no scale; leave it out or use mode likert"))
        for i, criterion in enumerate(config.get("criteria", [])):
            if "scale" in criterion:
                found.append((f"criteria[{i}].scale", "a thumbs rating has no scale; leave it out or use mode likert"))
    ids = [c["id"] for c in config.get("criteria", [])]
    for i, cid in enumerate(ids):
        if cid in ids[:i]:
            found.append((f"criteria[{i}].id", f"{cid!r} is used by an earlier criterion"))
    return found


def keys(config: Config) -> dict[str, str]:
    """j/k move between the ratings; digit keys (not configurable) pick a likert point of the
    focused rating; y/n (thumbs) pick up or down."""
    found = common.merged_keys(DEFAULT_KEYS, config)
    if mode(config) != "thumbs":
        found.pop("up")
        found.pop("down")
    if not config.get("criteria"):
        found.pop("next_row")
        found.pop("previous_row")
    return found
