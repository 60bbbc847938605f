"""Ranking: the template's config schema, the answer and gold schemas, the checks JSON Schema
cannot say, and the keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Check, Config
from annotate.kinds.scales import TOLERANCE_SCHEMA

MAX_RESPONSES = 9  # number keys 1-9 give a rank
DEFAULT_KEYS = {
    "move_up": "ArrowUp",
    "move_down": "ArrowDown",
    "focus_next": "j",
    "focus_previous": "k",
    "abstain": "z",
}

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "allow_ties": {"type": "boolean", "default": False},
        **common.RATIONALE_CONFIG,
        **common.ABSTAIN_CONFIG,
        "keys": common.keys_schema(list(DEFAULT_KEYS)),
    },
}


def answer_schema(config: Config, response_ids: list[str]) -> dict:
    """``{"ranking": tiers, "rationale": …}``: tiers of response ids, best first."""
    properties: dict[str, Any] = {"ranking": tiers_schema(config, response_ids)}
    required = ["ranking"]
    return common.answer_with_rationale(config, properties, required)


def tiers_schema(config: Config, response_ids: list[str]) -> dict[str, Any]:
    """Every response in tiers of ids, best first; one id per tier unless the template allows ties."""
    tier: dict[str, Any] = {"type": "array", "minItems": 1, "items": {"enum": list(response_ids)}, "uniqueItems": True}
    if not config.get("allow_ties", False):
        tier["maxItems"] = 1
    ranking: dict[str, Any] = {"type": "array", "minItems": 1, "maxItems": len(response_ids), "items": tier}
    if not config.get("allow_ties", False):
        ranking["minItems"] = len(response_ids)
    else:
        # Every response somewhere in the tiers (duplicates are caught by extra_checks).
        ranking["allOf"] = [{"contains": {"contains": {"const": rid}}} for rid in response_ids]
    return ranking


def gold_schema(config: Config, response_ids: list[str]) -> dict[str, Any]:
    """``{"ranking": tiers, "tolerance": n}``: the right order (ties in one tier, whatever the
    template allows), each response's rank within ``tolerance`` (default 0: the same tiers); or
    ``{"best": id or [ids]}``: the responses that may come first."""
    ranking = tiers_schema({"allow_ties": True}, response_ids)
    return {
        "$schema": common.SCHEMA_DIALECT,
        "type": "object",
        "if": {"required": ["best"]},
        "then": {"properties": {"best": common.one_or_several(list(response_ids))}},
        "else": {"required": ["ranking"], "properties": {"ranking": ranking, "tolerance": TOLERANCE_SCHEMA}},
    }


def extra_checks(config: Config, answers: Answers) -> list[Check]:
    """Every response appears exactly once across the tiers (JSON Schema cannot say it)."""
    if common.is_abstain(answers):
        return []
    seen: dict[str, int] = {}
    found: list[Check] = []
    for t, tier in enumerate(answers["ranking"]):
        for i, rid in enumerate(tier):
            if rid in seen:
                found.append((f"ranking[{t}][{i}]", f"{rid!r} is already ranked in tier {seen[rid] + 1}"))
            seen[rid] = t
    return found


def content_checks(config: Config, answers: Answers, responses: Sequence[Mapping[str, Any]]) -> list[Check]:
    """Every response of the item is ranked."""
    if common.is_abstain(answers):
        return []
    ranked = {rid for tier in answers.get("ranking", []) for rid in tier}
    missing = [r["id"] for r in responses if r["id"] not in ranked]
    return [("ranking", f"rank every response; not ranked: {', '.join(missing)}")] if missing else []


def keys(config: Config) -> dict[str, str]:
    """Arrows move the focused response; number keys (1-k, not configurable) give it a rank."""
    return common.merged_keys(DEFAULT_KEYS, config)


def config_checks(config: Config) -> list[Check]:
    return common.key_conflicts(keys(config))
