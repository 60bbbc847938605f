"""Rating: the plain form post read as answers, and answer problems in the expert's words."""

from __future__ import annotations

from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Config
from annotate.kinds.rating.schema import mode, overall_scale, thumbs_label


def _value(config: Config, raw: str | None) -> Any:
    if mode(config) == "thumbs":
        return (raw or "").strip() or None
    return common.int_or_raw(raw)


def from_form(config: Config, response_ids: list[str], form: Any) -> Answers:
    """``rating``, ``criterion-<id>`` and ``rationale``; empty fields left out so the schema names them."""
    abstain = common.abstain_from_form(config, form)
    if abstain is not None:
        return abstain
    answers: Answers = {}
    rating = _value(config, form.get("rating"))
    if rating is not None:
        answers["rating"] = rating
    if config.get("criteria"):
        found = {}
        for criterion in config["criteria"]:
            value = _value(config, form.get(f"criterion-{criterion['id']}"))
            if value is not None:
                found[criterion["id"]] = value
        answers["criteria"] = found
    common.rationale_from_form(config, form, answers)
    return answers


def _choices(config: Config, scale: dict[str, Any]) -> str:
    if mode(config) == "thumbs":
        return f"“{thumbs_label(config, 'up')}” or “{thumbs_label(config, 'down')}”"
    return f"a point from {scale['min']} to {scale['max']}"


def explain(config: Config, path: str, rule: str, names: dict[str, str]) -> str | None:
    """The rating fields' problems in the expert's words."""
    if path == "rating":
        return f"Rate the response: choose {_choices(config, overall_scale(config))}."
    if path.startswith("criteria."):
        cid = path.split(".", 1)[1]
        criterion = next((c for c in config.get("criteria", []) if c["id"] == cid), None)
        scale = (criterion or {}).get("scale") or overall_scale(config)
        return f"Rate “{common.criterion_label(config, cid)}”: choose {_choices(config, scale)}."
    if path == "criteria":
        return "Rate every criterion."
    return common.shared_explain(config, path, rule, names)
