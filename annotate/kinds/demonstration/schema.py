"""Demonstration: the template's config schema, the answer and gold schemas, the checks JSON
Schema cannot say, and the keys.

An item is a prompt (one or many turns) with no response, or with one: a model draft the
template may show (``draft``: ``never``, ``on_request``, ``prefilled``). The answer is the
ideal next assistant message, written by the expert in Markdown.
"""

from __future__ import annotations

from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Check, Config

DEFAULT_KEYS = {"focus_editor": "e", "preview": "p", "use_draft": "d", "abstain": "z"}
DRAFT_POLICIES = ("never", "on_request", "prefilled")
TEXT_MAX = 100_000  # a demonstration may be long (code, a worked proof), not unbounded

CHECK_ITEM_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "label"],
    "properties": {
        "id": common.ID_SCHEMA,
        "label": {"type": "string", "minLength": 1, "maxLength": 300},
        "description": {"type": "string", "maxLength": 1000},
    },
}

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "min_length": {
            "type": "integer",
            "minimum": 1,
            "maximum": 20_000,
            "default": 1,
            "description": "The fewest characters a demonstration may have.",
        },
        "max_length": {"type": "integer", "minimum": 1, "maximum": TEXT_MAX, "default": TEXT_MAX},
        "draft": {
            "enum": list(DRAFT_POLICIES),
            "default": "never",
            "description": "Whether the item's model draft (its one response) is shown: never, when the "
            "expert asks for it, or already in the editor.",
        },
        "checklist": {
            "type": "array",
            "items": CHECK_ITEM_SCHEMA,
            "maxItems": 30,
            "description": "Points the expert confirms about their demonstration before submitting.",
        },
        "checklist_required": {
            "type": "boolean",
            "default": True,
            "description": "Every checklist point must be ticked (else the ticks are recorded as given).",
        },
        **common.ABSTAIN_CONFIG,
        "keys": common.keys_schema(list(DEFAULT_KEYS)),
    },
}


def policy(config: Config, response_ids: list[str]) -> str:
    """The draft policy that applies to an item: ``never`` when it has no draft."""
    return config.get("draft", "never") if response_ids else "never"


def checklist_ids(config: Config) -> list[str]:
    return [c["id"] for c in config.get("checklist", [])]


def answer_schema(config: Config, response_ids: list[str]) -> dict[str, Any]:
    """``{"text": "…", "checklist": {<id>: true}, "draft": {…}}``; ``draft`` (filled in by the
    server) only for an item whose draft the template shows."""
    minimum = config.get("min_length", 1)
    maximum = max(config.get("max_length", TEXT_MAX), minimum)
    ids = checklist_ids(config)
    required = config.get("checklist_required", True)
    tick: dict[str, Any] = {"const": True} if required else {"type": "boolean"}
    properties: dict[str, Any] = {"text": {"type": "string", "minLength": minimum, "maxLength": maximum}}
    needed = ["text"]
    if ids:
        properties["checklist"] = {
            "type": "object",
            "additionalProperties": False,
            "required": ids,
            "properties": dict.fromkeys(ids, tick),
        }
        needed.append("checklist")
    shown = policy(config, response_ids)
    if shown != "never":
        properties["draft"] = {
            "type": "object",
            "additionalProperties": False,
            "required": ["policy", "shown", "started_from", "distance", "similarity"],
            "properties": {
                "policy": {"const": shown},
                "shown": {"type": "boolean"},
                "started_from": {"type": "boolean"},
                "distance": {"type": "integer", "minimum": 0},
                "similarity": {"type": "number", "minimum": 0, "maximum": 1},
            },
        }
        needed.append("draft")
    answer = {"type": "object", "additionalProperties": False, "required": needed, "properties": properties}
    return common.with_abstain(config, answer)


def gold_schema(config: Config, response_ids: list[str]) -> dict[str, Any]:
    """``{"must_include": ["…"], "reference": "…", "min_similarity": 0.6}``: phrases the text
    must contain (case-insensitive), and/or a reference demonstration the text must resemble."""
    return {
        "$schema": common.SCHEMA_DIALECT,
        "type": "object",
        "minProperties": 1,
        "properties": {
            "must_include": {
                "type": "array",
                "minItems": 1,
                "maxItems": 50,
                "items": {"type": "string", "minLength": 1, "maxLength": 500},
            },
            "reference": {"type": "string", "minLength": 1, "maxLength": TEXT_MAX},
            "min_similarity": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        },
        "dependentRequired": {"min_similarity": ["reference"]},
    }


def extra_checks(config: Config, answers: Answers) -> list[Check]:
    """A demonstration is more than white space."""
    if common.is_abstain(answers) or answers["text"].strip():
        return []
    return [("text", "should be non-empty")]  # white space alone (messages.rule_of: "missing")


def config_checks(config: Config) -> list[Check]:
    found = common.key_conflicts(keys(config))
    ids = checklist_ids(config)
    for i, cid in enumerate(ids):
        if cid in ids[:i]:
            found.append((f"checklist[{i}].id", f"{cid!r} is used by another checklist point"))
    if config.get("max_length", TEXT_MAX) < config.get("min_length", 1):
        found.append(("max_length", f"must be at least min_length ({config.get('min_length', 1)})"))
    return found


def keys(config: Config) -> dict[str, str]:
    found = common.merged_keys(DEFAULT_KEYS, config)
    if config.get("draft", "never") == "never":
        found.pop("use_draft")
    return found
