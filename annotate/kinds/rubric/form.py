"""Rubric: the plain form post read as answers, and answer problems in the expert's words."""

from __future__ import annotations

from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Config


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
