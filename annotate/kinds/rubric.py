"""Rubric rating: each response scored on each criterion (a response x criterion grid),
every criterion with a description and an anchored integer scale, optional rationales."""

from __future__ import annotations

from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Check, Config, Kind, Pair
from annotate.kinds.pairwise import ID_SCHEMA
from annotate.kinds.scales import SCALE_SCHEMA, scale_checks, scale_values

MAX_RESPONSES = 8
DEFAULT_KEYS = {"next_cell": "j", "previous_cell": "k", "abstain": "z"}

CRITERION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "label", "scale"],
    "properties": {
        "id": ID_SCHEMA,
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


def mean_scores(config: Config, answers: Answers) -> dict[str, float]:
    """Each response's mean score over the criteria, each criterion normalised to 0..1."""
    if common.is_abstain(answers):
        return {}
    out: dict[str, float] = {}
    for rid, row in answers.get("scores", {}).items():
        parts = [
            (row[c["id"]] - c["scale"]["min"]) / (c["scale"]["max"] - c["scale"]["min"])
            for c in config["criteria"]
            if c["id"] in row
        ]
        if parts:
            out[rid] = sum(parts) / len(parts)
    return out


def preference(answers: Answers) -> str | None:
    """Rubric scores imply no preference without the config; use ``pairs`` for margins."""
    return None


def pairs(config: Config, answers: Answers, response_ids: list[str]) -> list[Pair]:
    """(better, worse, margin) for every pair whose normalised mean scores differ."""
    means = mean_scores(config, answers)
    ids = [r for r in response_ids if r in means]
    found: list[Pair] = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if means[a] != means[b]:
                better, worse = (a, b) if means[a] > means[b] else (b, a)
                found.append((better, worse, round(abs(means[a] - means[b]), 6)))
    return found


def keys(config: Config) -> dict[str, str]:
    """j/k move between cells; digit keys (not configurable) set the focused cell's score."""
    return common.merged_keys(DEFAULT_KEYS, config)


def from_form(config: Config, response_ids: list[str], form: Any) -> Answers:
    """Scores from ``score-<response>-<criterion>``; rationales from ``rationale-<response>-<criterion>``."""
    abstain = common.abstain_from_form(config, form)
    if abstain is not None:
        return abstain
    scores: dict[str, dict[str, Any]] = {}
    rationales: dict[str, dict[str, str]] = {}
    mode = config.get("rationale", "off")
    for rid in response_ids:
        row = {}
        for criterion in config["criteria"]:
            value = common.int_or_raw(form.get(f"score-{rid}-{criterion['id']}"))
            if value is not None:
                row[criterion["id"]] = value
            text = common.text_from_form(form, f"rationale-{rid}-{criterion['id']}")
            if mode != "off" and (text or mode == "required"):
                rationales.setdefault(rid, {})[criterion["id"]] = text
        scores[rid] = row
    answers: Answers = {"scores": scores}
    if rationales:
        answers["rationales"] = rationales
    return answers


def explain(config: Config, path: str, rule: str, names: dict[str, str]) -> str | None:
    """A grid cell's problem in the expert's words: which criterion of which response."""
    parts = path.split(".")
    if len(parts) == 3 and parts[0] in ("scores", "rationales"):
        _what, rid, cid = parts
        where = f"“{common.criterion_label(config, cid)}” of Response {names.get(rid, '?')}"
        if parts[0] == "scores":
            return f"Choose a score for {where}."
        minimum = config.get("rationale_min_length", 0)
        return f"Say why you gave this score for {where}" + (f" (at least {minimum} characters)." if minimum else ".")
    return common.shared_explain(config, path, rule, names)


RUBRIC = Kind(
    name="rubric",
    title="Rubric rating",
    config_schema=CONFIG_SCHEMA,
    answer_schema=answer_schema,
    partial="kinds/_rubric.html",
    min_responses=1,
    max_responses=MAX_RESPONSES,
    preference=preference,
    config_checks=config_checks,
    from_form=from_form,
    keys=keys,
    key_labels={
        "next_cell": "Go to the next score",
        "previous_cell": "Go to the previous score",
        "abstain": "Abstain (choose a reason)",
    },
    pairs=pairs,
    explain=explain,
)
