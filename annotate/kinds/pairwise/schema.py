"""Pairwise: the template's config schema, the answer and gold schemas, and the checks JSON
Schema cannot say."""

from __future__ import annotations

from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Check, Config

MAX_STRENGTH = 7
DEFAULT_KEYS = {"a": "1", "b": "2", "tie": "3", "both_bad": "0", "diff": "d", "abstain": "z"}
DEFAULT_STRENGTH_KEYS = ["q", "w", "e", "r", "t", "y", "u"]
RATIONALE_MAX = common.TEXT_MAX
ID_SCHEMA = common.ID_SCHEMA

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "allow_tie": {"type": "boolean", "default": True},
        "allow_both_bad": {"type": "boolean", "default": False},
        "strength": {
            "type": "object",
            "additionalProperties": False,
            "required": ["labels"],
            "description": "How much better the preferred response is; labels weakest first.",
            "properties": {
                "labels": {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1, "maxLength": 60},
                    "minItems": 2,
                    "maxItems": MAX_STRENGTH,
                    "uniqueItems": True,
                },
                "keys": {"type": "array", "items": common.KEY_SCHEMA, "maxItems": MAX_STRENGTH},
            },
        },
        "criteria": {
            "type": "array",
            "minItems": 1,
            "maxItems": 12,
            "description": "Per-criterion verdicts (A / B / tie for each), besides the overall one.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "label"],
                "properties": {
                    "id": ID_SCHEMA,
                    "label": {"type": "string", "minLength": 1, "maxLength": 100},
                    "description": {"type": "string", "maxLength": 2000},
                },
            },
        },
        **common.RATIONALE_CONFIG,
        **common.ABSTAIN_CONFIG,
        "keys": common.keys_schema(list(DEFAULT_KEYS)),
    },
}


def strength_labels(config: Config) -> list[str]:
    return list(config.get("strength", {}).get("labels", []))


def answer_schema(config: Config, response_ids: list[str]) -> dict:
    """Answers name the preferred response by id (never by position), or "tie"."""
    tie_possible = config.get("allow_tie", True) or config.get("allow_both_bad", False)
    properties: dict[str, Any] = {"preferred": {"enum": list(response_ids) + (["tie"] if tie_possible else [])}}
    required = ["preferred"]
    if config.get("strength"):
        properties["strength"] = {"enum": strength_labels(config)}
    if config.get("allow_both_bad"):
        properties["both_bad"] = {"const": True}
    criteria = [c["id"] for c in config.get("criteria", [])]
    if criteria:
        verdict = {"enum": [*list(response_ids), "tie"]}
        properties["criteria"] = {
            "type": "object",
            "additionalProperties": False,
            "required": criteria,
            "properties": dict.fromkeys(criteria, verdict),
        }
        required.append("criteria")
    return common.answer_with_rationale(config, properties, required, RATIONALE_MAX)


def gold_schema(config: Config, response_ids: list[str]) -> dict[str, Any]:
    """``{"preferred": <id or "tie">}``, or a list of the verdicts that count as right
    (``["r1", "tie"]``); other keys (a note for reviewers) are kept and not compared."""
    return {
        "$schema": common.SCHEMA_DIALECT,
        "type": "object",
        "required": ["preferred"],
        "properties": {"preferred": common.one_or_several([*response_ids, "tie"])},
    }


def extra_checks(config: Config, answers: Answers) -> list[Check]:
    """What the schema cannot say: when a tie is allowed, when a strength is required."""
    if common.is_abstain(answers):
        return []
    found: list[Check] = []
    tie = answers["preferred"] == "tie"
    if tie and not config.get("allow_tie", True) and not answers.get("both_bad"):
        found.append(("preferred", "a tie is allowed here only when both responses are bad"))
    if config.get("strength"):
        if tie and "strength" in answers:
            found.append(("strength", "a tie has no strength; leave it out"))
        elif not tie and "strength" not in answers:
            found.append(("strength", "say how much better the preferred response is"))
    return found


def keys(config: Config) -> dict[str, str]:
    """The template's keyboard keys filled in with the defaults; strength keys as strength_1…"""
    found = common.merged_keys(DEFAULT_KEYS, config)
    if not config.get("allow_tie", True) and not config.get("allow_both_bad"):
        found.pop("tie")
    if not config.get("allow_both_bad"):
        found.pop("both_bad")
    labels = strength_labels(config)
    # config_checks insists on one key per label; until then, defaults fill the gaps.
    strength_keys = list(config.get("strength", {}).get("keys") or []) + DEFAULT_STRENGTH_KEYS
    for i, _label in enumerate(labels):
        found[f"strength_{i + 1}"] = strength_keys[i]
    return found


def config_checks(config: Config) -> list[Check]:
    """Duplicate keys or criterion ids; strength keys that do not match the labels."""
    found = common.key_conflicts(keys(config))
    ids = [c["id"] for c in config.get("criteria", [])]
    for i, cid in enumerate(ids):
        if cid in ids[:i]:
            found.append((f"criteria[{i}].id", f"{cid!r} is used by an earlier criterion"))
    strength = config.get("strength")
    if strength and "keys" in strength and len(strength["keys"]) != len(strength["labels"]):
        found.append(
            ("strength.keys", f"give one key per label: {len(strength['labels'])} labels, {len(strength['keys'])} keys")
        )
    return found
