"""Gold checks: an item may carry a ``gold`` answer (same shape as an expert's answer).

An expert *passes* when, over the gold items they judged (abstentions and
gold answers the kind cannot compare are not counted), the share of their
answers that match the gold answer is at least ``gold_threshold`` (0.8 by
default). An expert who judged no gold item does not pass. What "match"
means depends on the kind:

- pairwise: the same ``preferred`` (a response id or ``"tie"``);
- ranking: the same tiers, in the same order (order within a tier is ignored);
- rubric: every score within 1 point of the gold score;
- critique: the same ``score`` for every response the gold answer scores.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from annotate.export.base import ExportContext
from annotate.export.queries import gold_judgments

RUBRIC_TOLERANCE = 1


def gold_match(kind: str, answers: dict[str, Any], gold: dict[str, Any]) -> bool | None:
    """Whether ``answers`` match ``gold`` for this kind; None when they cannot be compared."""
    if "abstain" in answers or "abstain" in gold:
        return None
    if kind == "pairwise":
        if "preferred" not in gold:
            return None
        return answers.get("preferred") == gold["preferred"]
    if kind == "ranking":
        if "ranking" not in gold:
            return None
        return [set(t) for t in answers.get("ranking", [])] == [set(t) for t in gold["ranking"]]
    if kind == "rubric":
        gold_scores = gold.get("scores")
        if not gold_scores:
            return None
        scores = answers.get("scores", {})
        for response_id, cells in gold_scores.items():
            for criterion, value in cells.items():
                given = scores.get(response_id, {}).get(criterion)
                if given is None or abs(given - value) > RUBRIC_TOLERANCE:
                    return False
        return True
    if kind == "critique":
        expected = {rid: c.get("score") for rid, c in gold.get("critiques", {}).items() if c.get("score") is not None}
        if not expected:
            return None
        given = answers.get("critiques", {})
        return all(given.get(rid, {}).get("score") == score for rid, score in expected.items())
    return None


def gold_rates(ctx: ExportContext) -> dict[int, tuple[int, int]]:
    """(matches, compared) per expert id over the project's gold items."""
    kind = ctx.project.kind
    rates: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for expert_id, answers, gold in ctx.session.execute(gold_judgments(ctx.project)):
        if not gold:  # JSON null stored for "no gold"
            continue
        match = gold_match(kind, answers, gold)
        if match is None:
            continue
        rates[expert_id][1] += 1
        rates[expert_id][0] += int(match)
    return {expert: (m, n) for expert, (m, n) in rates.items()}


def passing_experts(ctx: ExportContext) -> set[int]:
    """Ids of the experts whose gold match rate reaches the threshold."""
    threshold = ctx.options.gold_threshold
    return {expert for expert, (m, n) in gold_rates(ctx).items() if n and m / n >= threshold}
