"""Critique: for one response (or each), a written critique, labelled error spans, a
rewrite shown as a diff against the original, and an optional overall score.

Span offsets count Unicode code points into the response's raw ``content`` (Python
string indices), never into rendered HTML; ``text`` repeats the selection as a check.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from annotate.kinds import common
from annotate.kinds.base import Answers, Check, Config, Kind
from annotate.kinds.scales import SCALE_SCHEMA, scale_checks, scale_values

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


def content_checks(config: Config, answers: Answers, responses: list[Any]) -> list[Check]:
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


def content_digest(text: str) -> str:
    """A short digest of a text as the form sends it back, to tell an untouched rewrite."""
    normalised = (text or "").replace("\r\n", "\n").strip()
    return hashlib.sha256(normalised.encode()).hexdigest()[:32]


def _spans_from_form(raw: str | None) -> Any:
    if not raw or not raw.strip():
        return []
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw  # the schema then says "expected an array, got a string"


def from_form(config: Config, response_ids: list[str], form: Any) -> Answers:
    """Critiques from ``critique-<id>``, ``spans-<id>`` (JSON the page keeps), ``rewrite-<id>``
    and ``score-<id>``. A rewrite left as the prefilled original counts as no rewrite."""
    abstain = common.abstain_from_form(config, form)
    if abstain is not None:
        return abstain
    critiques: dict[str, Any] = {}
    for rid in targets(config, response_ids):
        rewrite: str | None = None
        if config.get("rewrite", "optional") != "off":
            rewrite = common.text_from_form(form, f"rewrite-{rid}") or None
            if rewrite is not None and content_digest(rewrite) == form.get(f"rewrite_base-{rid}"):
                rewrite = None
        critiques[rid] = {
            "critique": common.text_from_form(form, f"critique-{rid}"),
            "spans": _spans_from_form(form.get(f"spans-{rid}")),
            "rewrite": rewrite,
            "score": common.int_or_raw(form.get(f"score-{rid}")) if config.get("score") else None,
        }
    return {"critiques": critiques}


def explain(config: Config, path: str, rule: str, names: dict[str, str]) -> str | None:
    """A critique's problems in the expert's words, naming the response by its letter."""
    parts = path.split(".")
    if len(parts) >= 2 and parts[0] == "critiques":
        which = f"Response {names.get(parts[1], '?')}"
        field = parts[2] if len(parts) > 2 else ""
        if field == "critique":
            minimum = config.get("critique_min_length", 0)
            return f"Write your critique of {which}" + (f" (at least {minimum} characters)." if minimum else ".")
        if field == "rewrite":
            return f"Rewrite {which}: change its text in the rewrite box."
        if field == "score":
            label = (config.get("score") or {}).get("label") or "Overall score"
            return f"Choose “{label}” for {which}."
        if field.startswith("spans"):
            return f"A marked error in {which} no longer matches its text; remove it and mark it again."
    return common.shared_explain(config, path, rule, names)


CRITIQUE = Kind(
    name="critique",
    title="Critique and rewrite",
    config_schema=CONFIG_SCHEMA,
    answer_schema=answer_schema,
    partial="kinds/_critique.html",
    min_responses=1,
    max_responses=None,
    extra_checks=extra_checks,
    content_checks=content_checks,
    config_checks=config_checks,
    from_form=from_form,
    keys=keys,
    key_labels={
        "add_span": "Mark the selected text as an error span",
        "focus_critique": "Write the critique",
        "focus_rewrite": "Edit the rewrite",
        "next_response": "Go to the next response",
        "abstain": "Abstain (choose a reason)",
    },
    explain=explain,
)
