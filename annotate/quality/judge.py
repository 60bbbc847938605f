"""Where an item's automatic judgment (an LLM judge's suggestion) is read from: the one
place to change when the suggestion's field settles.

The item's ``suggestion`` (ARCHITECTURE.md: "optional machine judgment") is read as an
answer of the project's kind, either the whole object (``{"preferred": "r1", "model":
"judge-1"}``) or its ``answers`` (``{"model": "judge-1", "answers": {...}}``); the judge's
name is its ``model`` (or ``judge``), else "judge". An item without one may carry it in its
metadata under ``suggestion``. Anything else is no suggestion.
"""

from __future__ import annotations

from typing import Any

NAME_KEYS = ("model", "judge")
NOT_ANSWERS = {"model", "judge", "answers", "confidence", "rationale_model"}


def judge_answers(suggestion: Any, meta: Any) -> tuple[str, dict[str, Any]] | None:
    """(judge name, answers) of an item's suggestion, or None."""
    if not isinstance(suggestion, dict) or not suggestion:
        suggestion = meta.get("suggestion") if isinstance(meta, dict) else None
    if not isinstance(suggestion, dict) or not suggestion:
        return None
    name = next((str(suggestion[k]) for k in NAME_KEYS if isinstance(suggestion.get(k), str)), "judge")[:100]
    answers = suggestion.get("answers")
    if not isinstance(answers, dict):
        answers = {k: v for k, v in suggestion.items() if k not in NOT_ANSWERS}
    return (name, answers) if answers else None
