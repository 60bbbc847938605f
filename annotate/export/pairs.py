"""Preference pairs from pairwise judgments: the decision behind trl, trl-standard,
trl-kto, reward and hh-rlhf.

Votes. A judgment votes for a response id or for ``"tie"`` (a both-bad
answer votes as it says, usually ``"tie"``). An abstention does not vote;
it is counted in the summary as ``abstains``.

``--unit item`` (one pair per item):

- ``majority`` (default): the label with strictly more votes than any other
  wins; a tied vote leaves the item out ("no majority");
- ``unanimous``: every vote must name the same label;
- ``all``: one row per non-tie vote of each item that passes the item rules
  (complete, minimum agreement): disagreeing experts give opposite rows.

An adjudication judgment, when the item has one, decides it (see selection.py).
When the winner is ``"tie"`` the item has no preference and is left out
("the experts call it a tie"). Agreement is the winning label's share of the
votes; ``--min-agreement`` leaves out items below it.

``--unit judgment``: one pair per non-tie vote (tie votes are counted in
``ties`` and give no row), with the expert's pseudonym.

Margin (``reward``): the strength of a vote is the 1-based index of its
strength label in the template's ``config.strength.labels`` (weakest first),
or 1 without a scale. A judgment's margin is its strength; an item's margin
is the mean over its votes of +strength (for the winner), -strength (against)
and 0 (tie), so disagreement shrinks it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.engine import Row

from annotate.export.base import ExportContext
from annotate.export.selection import complete_groups, is_abstain, pseudonym


@dataclass(slots=True)
class Pair:
    """One preference: the item row, chosen and rejected response ids, margin and who said so."""

    item: Row
    chosen: str
    rejected: str
    margin: float
    expert: str | None = None  # set for --unit judgment and --aggregation all


def strength_of(labels: list[str], answers: dict) -> int:
    label = answers.get("strength")
    return labels.index(label) + 1 if label in labels else 1


def pair_decisions(ctx: ExportContext) -> Iterator[Pair]:
    """Stream the pairs the options ask for (see the module doc)."""
    summary, options = ctx.summary, ctx.options
    config = ctx.project.template.get("config", {})
    labels = list((config.get("strength") or {}).get("labels", []))
    per_item = ctx.unit == "item"
    aggregation = options.aggregation
    for group in complete_groups(ctx):
        ids = [r["id"] for r in group.item.responses]
        votes = []
        for row in group.judgments:
            answers = row.answers
            if is_abstain(answers):
                summary.abstains += 1
                continue
            preferred = answers.get("preferred")
            if preferred != "tie" and preferred not in ids:
                summary.leave_out("judgment: names a response the item does not have")
                continue
            if preferred == "tie":
                summary.ties += 1
            votes.append((row, preferred))
        if not votes:
            summary.leave_out("item: every judgment abstained")
            continue
        counts = [(votes[0][1], 1)] if len(votes) == 1 else Counter(p for _, p in votes).most_common()
        winner, top = counts[0]
        adjudicated = per_item and aggregation != "all" and group.adjudication is not None
        if adjudicated:
            winner = group.adjudication.answers.get("preferred")
        elif options.min_agreement is not None and top / len(votes) < options.min_agreement:
            summary.leave_out("item: agreement below the minimum")
            continue
        if not per_item or aggregation == "all":
            emitted = 0
            for row, preferred in votes:
                if preferred == "tie":
                    continue
                other = next(i for i in ids if i != preferred)
                emitted += 1
                summary.judgments_used += 1
                summary.experts.add(row.expert_id)
                yield Pair(group.item, preferred, other, float(strength_of(labels, row.answers)), pseudonym(ctx, row))
            if emitted:
                summary.items += 1
            else:
                summary.leave_out("item: the experts call it a tie")
            continue
        if not adjudicated and aggregation == "majority" and len(counts) > 1 and counts[1][1] == top:
            summary.leave_out("item: no majority (tied vote)")
            continue
        if not adjudicated and aggregation == "unanimous" and len(counts) > 1:
            summary.leave_out("item: not unanimous")
            continue
        if winner == "tie":
            summary.leave_out("item: the experts call it a tie")
            continue
        loser = next(i for i in ids if i != winner)
        signed = 0
        for row, preferred in votes:
            s = strength_of(labels, row.answers)
            signed += s if preferred == winner else (-s if preferred == loser else 0)
            summary.experts.add(row.expert_id)
        summary.judgments_used += len(votes)
        summary.items += 1
        yield Pair(group.item, winner, loser, round(signed / len(votes), 6))
