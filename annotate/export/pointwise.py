"""Pointwise scores from one-response judgments (ratings): the decision behind ``trl-kto``'s
unpaired rows and ``reward``'s pointwise rows. Answers are read through the kind's ``scores``
hook (annotate.kinds.base.Kind.scores): each answer gives its response a score normalised to
0..1 (the scale's lowest point 0, its highest 1; thumbs down 0, up 1).

``--unit item`` (one row per rated response of an item):

- ``majority`` (default): the mean of the judgments' scores;
- ``unanimous``: only items where every judgment gives the same verdict (``trl-kto``: the
  same label; ``reward``: the same score); the row is the mean, which is then that score;
- ``all``: one row per judgment, with the expert's pseudonym.

An adjudication judgment, when the item has one, gives the item's score. Agreement is the
share of judgments giving the most common verdict (the label for ``trl-kto``, the score for
``reward``); ``--min-agreement`` leaves out items below it. Abstentions give no score and
are counted as ``abstains``. ``--unit judgment``: one row per judgment, with its expert.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass

from annotate.export.base import ExportContext
from annotate.export.selection import ItemView, complete_groups, is_abstain, pseudonym


@dataclass(slots=True)
class Point:
    """One response's score: the item, the response id, the score (0..1), how many judgments
    gave it, and whose it is (per judgment)."""

    item: ItemView
    response_id: str
    score: float
    judgments: int
    expert: str | None = None


def point_decisions(ctx: ExportContext, verdict: Callable[[float], Hashable]) -> Iterator[Point]:
    """Stream the scores the options ask for (see the module doc). ``verdict`` turns a score into
    what agreement and unanimity compare (a label, or the score itself)."""
    summary, options = ctx.summary, ctx.options
    config = ctx.config
    scores_of = ctx.kind.scores
    assert scores_of is not None, "resolve() refuses a kind without the scores hook"
    each = ctx.unit == "judgment" or options.aggregation == "all"
    minimum = options.min_agreement
    for group in complete_groups(ctx):
        item = group.item
        ids = [r["id"] for r in item.responses]
        scored = []
        for row in group.judgments:
            if is_abstain(row.answers):
                summary.abstains += 1
                continue
            given = scores_of(config, row.answers, ids)
            if not given:
                summary.leave_out("judgment: gives no score")
                continue
            scored.append((row, given))
        if not scored:
            summary.leave_out("item: every judgment abstained")
            continue
        if each:
            for row, given in scored:
                summary.judgments_used += 1
                summary.experts.add(row.expert_id)
                for rid, score in given.items():
                    yield Point(item, rid, score, 1, pseudonym(ctx, row))
            summary.items += 1
            continue
        adjudication = group.adjudication
        decided = [s for s in scored if s[0] is adjudication] if adjudication is not None else []
        if not decided:
            verdicts = Counter(verdict(score) for _row, given in scored for score in given.values())
            top = verdicts.most_common(1)[0][1]
            total = verdicts.total()
            if minimum is not None and top / total < minimum:
                summary.leave_out("item: agreement below the minimum")
                continue
            if options.aggregation == "unanimous" and len(verdicts) > 1:
                summary.leave_out("item: not unanimous")
                continue
        used = decided or scored
        summary.judgments_used += len(scored)
        summary.experts.update(row.expert_id for row, _given in scored)
        summary.items += 1
        for rid in ids:
            values = [given[rid] for _row, given in used if rid in given]
            if values:
                yield Point(item, rid, round(sum(values) / len(values), 6), len(values))
