"""Critique: the template's config schema, the answer and gold schemas, the checks JSON Schema
cannot say, and the keys.

Span offsets count Unicode code points into the response's raw ``content`` (Python
string indices), never into rendered HTML; ``text`` repeats the selection as a check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Check, Config
from annotate.kinds.scales import SCALE_SCHEMA, TOLERANCE_SCHEMA, gold_cell_schema, scale_checks, scale_values

DEFAULT_KEYS = {"add_span": "s", "focus_critique": "c", "focus_rewrite": "w", "next_response": "n", "abstain": "z"}
MAX_SPANS = 200

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "responses": {
            "enum": ["all", "first"],
            "default": "all",
            "description": "Critique every response, or only the item's first one.",
        },
        "critique": {"enum": ["optional", "required"], "default": "required"},
        "critique_min_length": {"type": "integer", "minimum": 0, "maximum": 5000, "default": 0},
        "span_labels": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 60},
            "uniqueItems": True,
            "maxItems": 30,
            "description": "Labels for error spans; none turns span marking off.",
        },
        "rewrite": {"enum": ["off", "optional", "required"], "default": "optional"},
        "score": {
            **SCALE_SCHEMA,
            "properties": {
                **SCALE_SCHEMA["properties"],
                "label": {"type": "string", "maxLength": 100},
                "required": {"type": "boolean", "default": False},
            },
        },
        **common.ABSTAIN_CONFIG,
        "keys": common.keys_schema(list(DEFAULT_KEYS)),
    },
}


def targets(config: Config, response_ids: list[str]) -> list[str]:
    """The ids of the responses the template asks to critique (item order, not display order)."""
    return list(response_ids[:1]) if config.get("responses", "all") == "first" else list(response_ids)


def entry_schema(config: Config) -> dict[str, Any]:
    """Schema of one response's critique."""
    minimum = config.get("critique_min_length", 0) if config.get("critique", "required") == "required" else 0
    if config.get("critique", "required") == "required":
        minimum = max(minimum, 1)
    labels = list(config.get("span_labels", []))
    span = {
        "type": "object",
        "additionalProperties": False,
        "required": ["start", "end", "label", "comment", "text"],
        "properties": {
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 1},
            "label": {"enum": labels},
            "comment": {"type": "string", "maxLength": 5000},
            "text": {"type": "string", "minLength": 1},
        },
    }
    rewrite_mode = config.get("rewrite", "optional")
    rewrite: dict[str, Any] = (
        {"type": "null"}
        if rewrite_mode == "off"
        else {"type": ["string", "null"], "minLength": 1, "maxLength": 100_000}
    )
    if rewrite_mode == "required":
        rewrite["type"] = "string"
    score: dict[str, Any] = {"type": "null"}
    if config.get("score"):
        values = scale_values(config["score"])
        score = {"enum": values if config["score"].get("required") else [*values, None]}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["critique", "spans", "rewrite", "score"],
        "properties": {
            "critique": {"type": "string", "minLength": minimum, "maxLength": common.TEXT_MAX},
            "spans": {"type": "array", "items": span, "maxItems": MAX_SPANS if labels else 0},
            "rewrite": rewrite,
            "score": score,
        },
    }


def answer_schema(config: Config, response_ids: list[str]) -> dict:
    """``{"critiques": {<id>: {critique, spans, rewrite, score}}}`` for each target response."""
    ids = targets(config, response_ids)
    entry = entry_schema(config)
    answer = {
        "type": "object",
        "additionalProperties": False,
        "required": ["critiques"],
        "properties": {
            "critiques": {
                "type": "object",
                "additionalProperties": False,
                "required": ids,
                "properties": dict.fromkeys(ids, entry),
            }
        },
    }
    return common.with_abstain(config, answer)


def gold_schema(config: Config, response_ids: list[str]) -> dict[str, Any]:
    """``{"critiques": {<response id>: {"score": n or [n, …]}}, "tolerance": n}``: the scores the
    gold answer fixes (matched within ``tolerance``, default 0, or one of the list) for the
    responses the template critiques. Other fields of an entry (a model critique, spans, a
    rewrite) are kept for reviewers and not compared; without a score scale there is nothing to score."""
    score: dict[str, Any] = {"type": "null"}
    if config.get("score"):
        score = {"if": {"type": "null"}, "then": {}, "else": gold_cell_schema(config["score"])}
    entry = {"type": "object", "properties": {"score": score}}
    return {
        "$schema": common.SCHEMA_DIALECT,
        "type": "object",
        "required": ["critiques"],
        "properties": {
            "critiques": {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "properties": dict.fromkeys(targets(config, response_ids), entry),
            },
            "tolerance": TOLERANCE_SCHEMA,
        },
    }


def extra_checks(config: Config, answers: Answers) -> list[Check]:
    """Span offsets are a non-empty range whose length matches the quoted text."""
    if common.is_abstain(answers):
        return []
    found: list[Check] = []
    for rid, entry in answers["critiques"].items():
        for i, span in enumerate(entry["spans"]):
            where = f"critiques.{rid}.spans[{i}]"
            if span["end"] <= span["start"]:
                found.append((f"{where}.end", f"must be greater than start ({span['start']})"))
            elif len(span["text"]) != span["end"] - span["start"]:
                found.append(
                    (
                        f"{where}.text",
                        f"is {len(span['text'])} characters long but the span covers {span['end'] - span['start']}",
                    )
                )
    return found


def content_checks(config: Config, answers: Answers, responses: Sequence[Mapping[str, Any]]) -> list[Check]:
    """Each span lies inside its response and quotes exactly the text at its offsets."""
    if common.is_abstain(answers):
        return []
    contents = {r["id"]: r.get("content") or "" for r in responses}
    found: list[Check] = []
    for rid, entry in answers.get("critiques", {}).items():
        content = contents.get(rid, "")
        for i, span in enumerate(entry.get("spans", [])):
            where = f"critiques.{rid}.spans[{i}]"
            if span["end"] > len(content):
                found.append(
                    (f"{where}.end", f"{span['end']} is past the end of the response ({len(content)} characters)")
                )
            elif content[span["start"] : span["end"]] != span["text"]:
                found.append((f"{where}.text", f"does not match the response at {span['start']}..{span['end']}"))
    return found


def config_checks(config: Config) -> list[Check]:
    found = common.key_conflicts(keys(config))
    if config.get("score"):
        found += [(f"score.{p}", m) for p, m in scale_checks(config["score"])]
    return found


def keys(config: Config) -> dict[str, str]:
    found = common.merged_keys(DEFAULT_KEYS, config)
    if not config.get("span_labels"):
        found.pop("add_span")
    if config.get("rewrite", "optional") == "off":
        found.pop("focus_rewrite")
    if config.get("responses", "all") == "first":
        found.pop("next_response")
    return found
