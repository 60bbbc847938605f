"""k-wise ranking: k >= 2 responses ordered best to worst, in tiers when ties are allowed.

The answer is ``{"ranking": [["r2"], ["r1", "r3"]], "rationale": …}``: tiers best first,
each a list of response ids; every id exactly once.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Check, Config, Kind, Pair

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
    """Tiers of response ids, best first; one id per tier unless ties are allowed."""
    tier: dict[str, Any] = {"type": "array", "minItems": 1, "items": {"enum": list(response_ids)}, "uniqueItems": True}
    if not config.get("allow_ties", False):
        tier["maxItems"] = 1
    ranking: dict[str, Any] = {"type": "array", "minItems": 1, "maxItems": len(response_ids), "items": tier}
    if not config.get("allow_ties", False):
        ranking["minItems"] = len(response_ids)
    else:
        # Every response somewhere in the tiers (duplicates are caught by extra_checks).
        ranking["allOf"] = [{"contains": {"contains": {"const": rid}}} for rid in response_ids]
    properties: dict[str, Any] = {"ranking": ranking}
    required = ["ranking"]
    rationale = config.get("rationale", "optional")
    if rationale != "off":
        properties["rationale"] = common.rationale_schema(config)
        if rationale == "required":
            required.append("rationale")
    answer = {"type": "object", "additionalProperties": False, "required": required, "properties": properties}
    return common.with_abstain(config, answer)


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


def content_checks(config: Config, answers: Answers, responses: list[Any]) -> list[Check]:
    """Every response of the item is ranked."""
    if common.is_abstain(answers):
        return []
    ranked = {rid for tier in answers.get("ranking", []) for rid in tier}
    missing = [r["id"] for r in responses if r["id"] not in ranked]
    return [("ranking", f"rank every response; not ranked: {', '.join(missing)}")] if missing else []


def config_checks(config: Config) -> list[Check]:
    return common.key_conflicts(keys(config))


def preference(answers: Answers) -> str | None:
    """The single best response when the ranking has a strict winner; None otherwise."""
    if common.is_abstain(answers):
        return None
    ranking = answers.get("ranking") or []
    if not ranking or len(ranking[0]) != 1:
        return "tie" if ranking else None
    return ranking[0][0]


def pairs(config: Config, answers: Answers, response_ids: list[str]) -> list[Pair]:
    """Every (better, worse) pair across tiers; the margin is how many tiers apart they are."""
    if common.is_abstain(answers):
        return []
    tiers = answers.get("ranking") or []
    return [
        (better, worse, float(j - i))
        for i, upper in enumerate(tiers)
        for j in range(i + 1, len(tiers))
        for better in upper
        for worse in tiers[j]
    ]


def keys(config: Config) -> dict[str, str]:
    """Arrows move the focused response; number keys (1-k, not configurable) give it a rank."""
    return common.merged_keys(DEFAULT_KEYS, config)


def from_form(config: Config, response_ids: list[str], form: Any) -> Answers:
    """Tiers from the ``rank-<id>`` fields (1 = best). Equal ranks make a tier; unranked ids are left out."""
    abstain = common.abstain_from_form(config, form)
    if abstain is not None:
        return abstain
    by_rank: dict[int, list[str]] = defaultdict(list)
    for rid in response_ids:
        value = common.int_or_raw(form.get(f"rank-{rid}"))
        if isinstance(value, int):
            by_rank[value].append(rid)
    answers: Answers = {"ranking": [by_rank[rank] for rank in sorted(by_rank)]}
    common.rationale_from_form(config, form, answers)
    return answers


def ranks(answers: Answers) -> dict[str, int]:
    """{response id: 1-based rank} from an answer, for refilling the form (tied ids share a rank)."""
    if common.is_abstain(answers):
        return {}
    return {rid: t + 1 for t, tier in enumerate(answers.get("ranking") or []) for rid in tier}


def explain(config: Config, path: str, rule: str, names: dict[str, str]) -> str | None:
    """The ranking's problems in the expert's words: all of them are about the whole list."""
    if path.startswith("ranking"):
        if config.get("allow_ties", False):
            return "Give every response a rank (1 = best); give two the same rank only to tie them."
        return f"Give every response a different rank from 1 to {len(names)} (1 = best); ties are not allowed here."
    return common.shared_explain(config, path, rule, names)


def anchor(path: str) -> str:
    """Every problem inside the ranking is shown by the list as a whole."""
    return "ranking" if path.startswith("ranking") else path


RANKING = Kind(
    name="ranking",
    title="k-wise ranking",
    config_schema=CONFIG_SCHEMA,
    answer_schema=answer_schema,
    partial="kinds/_ranking.html",
    min_responses=2,
    max_responses=MAX_RESPONSES,
    preference=preference,
    extra_checks=extra_checks,
    content_checks=content_checks,
    config_checks=config_checks,
    from_form=from_form,
    keys=keys,
    key_labels={
        "move_up": "Move the focused response up",
        "move_down": "Move the focused response down",
        "focus_next": "Focus the next response",
        "focus_previous": "Focus the previous response",
        "abstain": "Abstain (choose a reason)",
    },
    pairs=pairs,
    explain=explain,
    anchor=anchor,
)
