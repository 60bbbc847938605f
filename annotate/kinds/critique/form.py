"""Critique: the plain form post read as answers, the partial's helpers, and answer problems
in the expert's words."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

from annotate.kinds import common
from annotate.kinds.base import Answers, Config
from annotate.kinds.critique.schema import targets


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


def critique_entry(answers: Mapping[str, Any] | None, response_id: str) -> dict[str, Any]:
    """The refilled critique of one response, or an empty one."""
    entry = ((answers or {}).get("critiques") or {}).get(response_id)
    return entry if isinstance(entry, dict) else {}


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
