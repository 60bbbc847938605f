"""Integer scales with anchor labels, shared by rubric criteria and critique scores."""

from __future__ import annotations

from typing import Any

from annotate.kinds.base import Check

MAX_STEPS = 11  # e.g. 0-10

SCALE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["min", "max"],
    "properties": {
        "min": {"type": "integer", "minimum": -100, "maximum": 100},
        "max": {"type": "integer", "minimum": -100, "maximum": 100},
        "anchors": {
            "type": "object",
            "description": "Labels for scale points, keyed by the value as a string.",
            "propertyNames": {"pattern": "^-?[0-9]+$"},
            "additionalProperties": {"type": "string", "minLength": 1, "maxLength": 300},
        },
    },
}


def scale_values(scale: dict[str, Any]) -> list[int]:
    return list(range(scale["min"], scale["max"] + 1))


def scale_checks(scale: dict[str, Any]) -> list[Check]:
    """max above min, at most MAX_STEPS points, anchors on the scale."""
    found: list[Check] = []
    if scale["max"] <= scale["min"]:
        found.append(("max", f"must be greater than min ({scale['min']})"))
    elif scale["max"] - scale["min"] + 1 > MAX_STEPS:
        found.append(("max", f"a scale has at most {MAX_STEPS} points"))
    for value in scale.get("anchors", {}):
        if not scale["min"] <= int(value) <= scale["max"]:
            found.append((f"anchors.{value}", f"{value} is outside the scale {scale['min']}..{scale['max']}"))
    return found


def anchor(scale: dict[str, Any], value: int) -> str | None:
    return scale.get("anchors", {}).get(str(value))
