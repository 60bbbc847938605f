"""``ranking``: k-wise rankings (Nectar-like), or with ``--pairs`` TRL preference pairs.

It reads answers of the ranking kind's shape, ``{"ranking": [[ids of the best tier], …]}``:
a kind that lists this format (``Kind.formats``) answers in that shape.

A ranking answer is a list of tiers, best first; a response's rank is
1 + the number of responses in better tiers (so tied responses share a rank).

``--unit item``: ``majority`` (default) ranks responses by their mean rank
over the experts (a Borda count; equal means share a rank); ``unanimous``
keeps only items every expert ranked identically (an adjudication ranking, when
there is one, is the item's ranking); ``all`` gives one row per
judgment of the items that pass the item rules. Agreement is the mean, over
response pairs, of the share of experts who agree with the most common
verdict on that pair (better, worse or tied). ``--unit judgment``: one row per
judgment, with the expert's pseudonym.

``--pairs``: every pair of differently ranked responses becomes a ``trl`` row
(chosen = the better ranked); tied responses give no pair.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import combinations

from annotate.export.base import ExportContext, ExportFormat, Record
from annotate.export.messages import reply
from annotate.export.selection import ItemView, complete_groups, is_abstain, pseudonym
from annotate.kinds.common import ranks_of


def agreement(rankings: list[dict[str, int]], ids: list[str]) -> float:
    """Mean over response pairs of the share of rankings agreeing with the modal verdict."""
    pairs = list(combinations(ids, 2))
    if not pairs or not rankings:
        return 1.0
    total = 0.0
    for a, b in pairs:
        verdicts = Counter((r[a] > r[b]) - (r[a] < r[b]) for r in rankings)
        total += verdicts.most_common(1)[0][1] / len(rankings)
    return total / len(pairs)


def aggregate(rankings: list[dict[str, int]], ids: list[str]) -> tuple[dict[str, int], dict[str, float]]:
    """(rank, mean rank) per response from several rankings."""
    means = {i: round(sum(r[i] for r in rankings) / len(rankings), 6) for i in ids}
    ranks = {i: 1 + sum(1 for j in ids if means[j] < means[i]) for i in ids}
    return ranks, means


def decisions(ctx: ExportContext) -> Iterator[tuple[ItemView, dict[str, int], dict[str, float], int, str | None]]:
    """(item row, ranks, mean ranks, judgments, expert or None) for each row to write."""
    summary, options = ctx.summary, ctx.options
    per_item = ctx.unit == "item" and options.aggregation != "all"
    for group in complete_groups(ctx):
        ids = [r["id"] for r in group.item.responses]
        rankings = []
        for row in group.judgments:
            if is_abstain(row.answers):
                summary.abstains += 1
                continue
            ranking = row.answers.get("ranking") or []
            ranks = ranks_of(ranking)
            if sorted(ranks) != sorted(ids) or sum(map(len, ranking)) != len(ids):
                summary.leave_out("judgment: ranking does not cover the item's responses once each")
                continue
            if any(len(tier) > 1 for tier in ranking):
                summary.ties += 1
            rankings.append((row, ranks))
        if not rankings:
            summary.leave_out("item: every judgment abstained")
            continue
        adjudication = group.adjudication if per_item else None
        if adjudication is not None:
            decided = [(row, r) for row, r in rankings if row is adjudication]
            if decided:
                row, ranks = decided[0]
                summary.judgments_used += len(rankings)
                summary.experts.update(r.expert_id for r, _ in rankings)
                summary.items += 1
                yield group.item, ranks, {i: float(ranks[i]) for i in ids}, len(rankings), None
                continue
        if options.min_agreement is not None and agreement([r for _, r in rankings], ids) < options.min_agreement:
            summary.leave_out("item: agreement below the minimum")
            continue
        if not per_item:
            for row, ranks in rankings:
                summary.judgments_used += 1
                summary.experts.add(row.expert_id)
                yield group.item, ranks, {i: float(ranks[i]) for i in ids}, 1, pseudonym(ctx, row)
            summary.items += 1
            continue
        if options.aggregation == "unanimous" and any(r != rankings[0][1] for _, r in rankings):
            summary.leave_out("item: not unanimous")
            continue
        ranks, means = aggregate([r for _, r in rankings], ids)
        summary.judgments_used += len(rankings)
        summary.experts.update(row.expert_id for row, _ in rankings)
        summary.items += 1
        yield group.item, ranks, means, len(rankings), None


def records(ctx: ExportContext) -> Iterator[Record]:
    for item, ranks, means, judgments, expert in decisions(ctx):
        prompt = item.prompt_messages  # serialised once per item
        if ctx.options.pairs:
            by_id = {r["id"]: r for r in item.responses}
            ordered = sorted(by_id, key=lambda i: ranks[i])
            for a, b in combinations(ordered, 2):
                if ranks[a] == ranks[b]:
                    continue
                row: Record = {
                    "id": item.external_id,
                    "prompt": prompt,
                    "chosen": reply(by_id[a]["content"]),
                    "rejected": reply(by_id[b]["content"]),
                }
                if expert is not None:
                    row["expert"] = expert
                yield row
            continue
        responses = sorted(
            (
                {
                    "response_id": r["id"],
                    "content": r["content"],
                    "model": str(r.get("model") or ""),
                    "rank": ranks[r["id"]],
                    "mean_rank": means[r["id"]],
                }
                for r in item.responses
            ),
            key=lambda r: (r["rank"], r["response_id"]),
        )
        row = {"id": item.external_id, "prompt": prompt, "responses": responses, "num_judgments": judgments}
        if expert is not None:
            row["expert"] = expert
        yield row


RANKING = ExportFormat(
    name="ranking",
    description="k-wise rankings: prompt + responses with rank (Nectar-like); --pairs gives trl rows.",
    schema="ranking",
    records=records,
    takes=("pairs",),
    tags=("rlhf", "human-feedback", "ranking", "preference"),
    schema_for=lambda options: "trl" if options.pairs else "ranking",
)
