"""Gold checks: an item may carry a ``gold`` answer, in the shape its kind defines
(``Kind.gold_schema``, checked at import) and compared by the kind (``Kind.gold_match``,
through ``annotate.kinds.match_gold``); task_templates/README.md gives each kind's shape.

An expert *passes* when, over the gold items they judged (abstentions and
gold answers the kind cannot compare are not counted), the share of their
answers that match the gold answer is at least ``gold_threshold`` (0.8 by
default). An expert who judged no gold item does not pass.
"""

from __future__ import annotations

from collections import defaultdict

from annotate.export.base import ExportContext
from annotate.export.queries import gold_judgments
from annotate.kinds import match_gold


def gold_rates(ctx: ExportContext) -> dict[int, tuple[int, int]]:
    """(matches, compared) per expert id over the project's gold items."""
    kind, config = ctx.kind, ctx.config
    rates: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for expert_id, answers, gold in ctx.session.execute(gold_judgments(ctx.project)):
        match = match_gold(kind, config, answers, gold)  # None also for JSON null stored as "no gold"
        if match is None:
            continue
        rates[expert_id][1] += 1
        rates[expert_id][0] += int(match)
    return {expert: (m, n) for expert, (m, n) in rates.items()}


def passing_experts(ctx: ExportContext) -> set[int]:
    """Ids of the experts whose gold match rate reaches the threshold."""
    threshold = ctx.options.gold_threshold
    return {expert for expert, (m, n) in gold_rates(ctx).items() if n and m / n >= threshold}
