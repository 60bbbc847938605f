"""Pairwise preference: which of two responses is better, a tie, or both bad; with an
optional strength scale, per-criterion verdicts, a rationale and structured abstention."""

from __future__ import annotations

from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Check, Config, Kind, Pair
from annotate.kinds.messages import letters_list

MAX_STRENGTH = 7
DEFAULT_KEYS = {"a": "1", "b": "2", "tie": "3", "both_bad": "0", "diff": "d", "abstain": "z"}
DEFAULT_STRENGTH_KEYS = ["q", "w", "e", "r", "t", "y", "u"]
RATIONALE_MAX = common.TEXT_MAX
ID_SCHEMA = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"}

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
    rationale = config.get("rationale", "optional")
    if rationale != "off":
        properties["rationale"] = common.rationale_schema(config, RATIONALE_MAX)
        if rationale == "required":
            required.append("rationale")
    answer = {"type": "object", "additionalProperties": False, "required": required, "properties": properties}
    return common.with_abstain(config, answer)


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


def preference(answers: Answers) -> str | None:
    """The preferred id or "tie"; None for an abstention or when both responses are bad."""
    if common.is_abstain(answers) or answers.get("both_bad"):
        return None
    return answers.get("preferred")


def strength(config: Config, answers: Answers) -> int | None:
    """The strength as its 1-based index in the config's labels (weakest = 1), or None."""
    labels = strength_labels(config)
    label = answers.get("strength")
    return labels.index(label) + 1 if label in labels else None


def pairs(config: Config, answers: Answers, response_ids: list[str]) -> list[Pair]:
    """One (chosen, rejected, strength) pair for a clear preference; none otherwise."""
    winner = preference(answers)
    if winner in (None, "tie"):
        return []
    return [(winner, loser, strength(config, answers)) for loser in response_ids if loser != winner]


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


def from_form(config: Config, response_ids: list[str], form: Any) -> Answers:
    """Answers from the task form; empty fields are left out so the schema can name what is missing."""
    abstain = common.abstain_from_form(config, form)
    if abstain is not None:
        return abstain
    answers: Answers = {}
    if form.get("preferred"):
        answers["preferred"] = form["preferred"]
    if config.get("strength") and form.get("strength") and answers.get("preferred") != "tie":
        answers["strength"] = form["strength"]
    if config.get("allow_both_bad") and form.get("both_bad"):
        answers["both_bad"] = True
    if config.get("criteria"):
        answers["criteria"] = {
            c["id"]: form.get(f"criterion-{c['id']}") for c in config["criteria"] if form.get(f"criterion-{c['id']}")
        }
    common.rationale_from_form(config, form, answers)
    return answers


def explain(config: Config, path: str, rule: str, names: dict[str, str]) -> str | None:
    """The pairwise fields' problems in the expert's words."""
    letters = list(names.values())
    choices = letters_list(names) if len(letters) > 2 else " or ".join(letters)
    with_tie = config.get("allow_tie", True) or config.get("allow_both_bad", False)
    if path == "preferred":
        if rule == "invalid" and not config.get("allow_tie", True):
            return f"A tie is allowed here only when both responses are bad: choose {choices}, or tick “Both are bad”."
        return f"Choose {', '.join(letters)} or Tie." if with_tie else f"Choose {choices}."
    if path == "strength":
        return "Say how much better the response you chose is."
    if path.startswith("criteria."):
        label = common.criterion_label(config, path.split(".", 1)[1])
        return f"Choose {', '.join(letters)} or Tie for “{label}”."
    return common.shared_explain(config, path, rule, names)


PAIRWISE = Kind(
    name="pairwise",
    title="Pairwise preference",
    config_schema=CONFIG_SCHEMA,
    answer_schema=answer_schema,
    partial="kinds/_pairwise.html",
    min_responses=2,
    max_responses=2,
    preference=preference,
    extra_checks=extra_checks,
    config_checks=config_checks,
    from_form=from_form,
    keys=keys,
    key_labels={
        "a": "Prefer response A",
        "b": "Prefer response B",
        "tie": "Tie",
        "both_bad": "Both responses are bad",
        "diff": "Switch between side-by-side and diff view",
        "abstain": "Abstain (choose a reason)",
    },
    pairs=pairs,
    explain=explain,
)
