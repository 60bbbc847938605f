"""Inter-annotator agreement for the dataset card: Krippendorff's alpha with its bootstrap 95%
interval, computed by annotate.quality.agreement (the one implementation the Quality page,
``annotate quality`` and the API share) over the judgments the export's filters keep.

One alpha per *headline* question of the project's kind (``Kind.questions``: what the
exported label is, e.g. pairwise's preferred response, each rubric criterion's score), from
the votes each answer gives (``Kind.votes``). Abstentions give no headline vote (they are
missing values).
"""

from __future__ import annotations

from typing import Any

from annotate.export.base import ExportContext
from annotate.export.selection import groups
from annotate.quality.agreement import Measure, add_item, measures_for, method

__all__ = ["Measure", "add_item", "krippendorff_alpha", "measures_for", "method"]


def krippendorff_alpha(ctx: ExportContext) -> dict[str, Any]:
    """{"method", "alpha": {question: value or None}, "units": {question: n}, "ci": {question:
    [low, high] or None}, "items", "judgments"} for the card and the manifest."""
    kind, config = ctx.kind, ctx.config
    headline = [q for q in kind.questions(config) if q.headline]
    measures = measures_for(headline)
    if measures:
        for group in groups(ctx):
            ids = [r["id"] for r in group.item.responses]
            add_item(measures, (kind.votes(config, row.answers, ids) for row in group.judgments))
    intervals = {name: m.interval() for name, m in measures.items()}
    return {
        "method": method(headline) if headline else "",
        "alpha": {name: m.alpha() for name, m in measures.items()},
        "ci": {name: None if ci is None else list(ci) for name, ci in intervals.items()},
        "units": {name: m.units for name, m in measures.items()},
        "items": {name: m.items for name, m in measures.items()},
        "judgments": {name: m.judgments for name, m in measures.items()},
    }
