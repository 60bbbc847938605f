"""Critique: what exports, agreement and gold scoring read from an answer."""

from __future__ import annotations

from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Config, GoldMatch, Question, Vote
from annotate.kinds.scales import gold_score_matches, scale_question


def questions(config: Config) -> list[Question]:
    """The score of each critiqued response (when the template has a score scale); abstaining."""
    scale = config.get("score")
    found = [scale_question("score", scale.get("label") or "Overall score", scale)] if scale else []
    return found + common.abstain_questions(config)


def votes(config: Config, answers: Answers, response_ids: list[str]) -> list[Vote]:
    if common.is_abstain(answers):
        return common.abstain_votes(config, answers)
    critiques = answers.get("critiques") or {}
    found = []
    if config.get("score"):
        for rid in response_ids:
            score = (critiques.get(rid) or {}).get("score")
            if isinstance(score, int):
                found.append(Vote("score", rid, score))
    return found + common.abstain_votes(config, answers)


def gold_match(config: Config, answers: Answers, gold: dict[str, Any]) -> GoldMatch:
    """The same score (within the tolerance, or one of the list) for every response the gold
    answer scores; None when it scores none."""
    expected = {rid: c.get("score") for rid, c in gold["critiques"].items() if c.get("score") is not None}
    if not expected:
        return None
    given = answers.get("critiques", {})
    tolerance = gold.get("tolerance", 0)
    return all(gold_score_matches((given.get(rid) or {}).get("score"), s, tolerance) for rid, s in expected.items())
