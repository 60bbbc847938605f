"""Integer scales with anchor labels, shared by rubric criteria and critique scores."""

from __future__ import annotations

from typing import Any

from annotate.kinds.base import Check, Level, Question
from annotate.kinds.common import one_or_several

MAX_STEPS = 11  # e.g. 0-10

SCALE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["min", "max"],
    "properties": {
        "min": {"type": "integer", "minimum": -100, "maximum": 100},
        "max": {"type": "integer", "minimum": -100, "maximum": 100},
        "level": {
            "enum": ["ordinal", "interval"],
            "default": "interval",
            "description": "How agreement compares two scores: by order only (ordinal) or by distance (interval).",
        },
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


def scale_level(scale: dict[str, Any]) -> Level:
    """The scale's level of measurement (interval unless the template says ordinal)."""
    return "ordinal" if scale.get("level") == "ordinal" else "interval"


def scale_question(qid: str, label: str, scale: dict[str, Any]) -> Question:
    """A score per response on ``scale``, at the level the scale declares."""
    return Question(qid, label, scale_level(scale), per="response", domain=tuple(scale_values(scale)))


def gold_cell_schema(scale: dict[str, Any]) -> dict[str, Any]:
    """A gold score: one point of the scale (within the gold answer's tolerance), or a list of
    the points that count as right."""
    return one_or_several(scale_values(scale))


def gold_score_matches(given: Any, gold: Any, tolerance: int) -> bool:
    """A score against a gold score: in the gold list, or within ``tolerance`` of the gold point."""
    if not isinstance(given, int) or isinstance(given, bool):
        return False
    if isinstance(gold, list):
        return given in gold
    return abs(given - gold) <= tolerance


TOLERANCE_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": 200}


def anchor(scale: dict[str, Any], value: int) -> str | None:
    return scale.get("anchors", {}).get(str(value))
