"""Preference pairs from two-response judgments: the decision behind trl, trl-standard,
trl-kto, reward and hh-rlhf. Answers are read through the kind's ``choice`` hook
(annotate.kinds.base.Choice), so any kind that has one feeds these formats.

Votes. A judgment votes for a response id or for ``"tie"`` (a both-bad
answer, pairwise's ``{"preferred": "tie", "both_bad": true}``, votes ``"tie"``). An
abstention does not vote; it is counted in the summary as ``abstains``.

Both bad (``trl-kto`` only, which can say "rejected" without "chosen"): a
both-bad answer votes ``"both bad"``, a verdict of its own, counted in ``ties``
like any tie. When it wins an item (by the rules below, or by adjudication),
or, per vote, for each both-bad vote, the pair is a both-bad pair: the item's
two responses, both to be written as rejected.

``--unit item`` (one pair per item):

- ``majority`` (default): the label with strictly more votes than any other
  wins; a tied vote leaves the item out ("no majority");
- ``unanimous``: every vote must name the same label;
- ``all``: one row per non-tie vote of each item that passes the item rules
  (complete, minimum agreement): disagreeing experts give opposite rows;
- ``weighted``: as ``majority``, but each vote weighs its expert's quality score
  (annotate.quality.scores, 0-100, as 0-1; at least 0.05; 0.5 for an expert without
  a score); the agreement is the winner's share of the weight.

An adjudication judgment, when the item has one, decides it (see selection.py).
When the winner is ``"tie"`` the item has no preference and is left out
("the experts call it a tie"). Agreement is the winning label's share of the
votes; ``--min-agreement`` leaves out items below it.

``--unit judgment``: one pair per non-tie vote (tie votes are counted in
``ties`` and give no row), with the expert's pseudonym.

Margin (``reward``): the strength of a vote is its choice's ``strength`` (pairwise:
the 1-based index of its strength label in the template's ``config.strength.labels``,
weakest first, or 1 without a scale). A judgment's margin is its strength; an item's margin
is the mean over its votes of +strength (for the winner), -strength (against)
and 0 (tie), so disagreement shrinks it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from annotate.export.base import ExportContext
from annotate.export.selection import ItemView, complete_groups, is_abstain, pseudonym

DEFAULT_SCORE = 50.0  # the weight of an expert with no quality score yet, under ``weighted``
BOTH_BAD = "both bad"  # the vote of a both-bad answer when it is told apart from a tie (trl-kto)


@dataclass(slots=True)
class Pair:
    """One preference: the item, chosen and rejected response ids, margin and who said so.

    With ``both_bad`` (trl-kto only) there is no preference: the experts rejected
    both responses, ``chosen`` and ``rejected`` are the item's two responses in order.
    """

    item: ItemView
    chosen: str
    rejected: str
    margin: float | None  # None unless pair_decisions was asked for margins
    expert: str | None = None  # set for --unit judgment and --aggregation all
    both_bad: bool = False


def pair_decisions(ctx: ExportContext, *, margins: bool = False, both_bad: bool = False) -> Iterator[Pair]:
    """Stream the pairs the options ask for (see the module doc). ``margins`` computes each
    pair's margin (only ``reward`` writes it); ``both_bad`` tells a both-bad vote apart from
    a tie, so that it can win and give a both-bad pair (only ``trl-kto`` can write one)."""
    summary, options = ctx.summary, ctx.options
    config = ctx.config
    choice_of = ctx.kind.choice
    assert choice_of is not None, "resolve() refuses a kind without the choice hook"
    per_item = ctx.unit == "item"
    aggregation = options.aggregation
    each_vote = not per_item or aggregation == "all"
    minimum = options.min_agreement
    experts = summary.experts
    for group in complete_groups(ctx):
        item = group.item
        contents = item.contents
        votes = []
        for row in group.judgments:
            answers = row.answers
            if is_abstain(answers):
                summary.abstains += 1
                continue
            choice = choice_of(config, answers)
            preferred = choice.preferred if choice is not None else None
            if choice is not None and preferred == "tie":
                summary.ties += 1
                if both_bad and choice.both_bad:
                    preferred = BOTH_BAD
            elif choice is None or preferred not in contents:
                summary.leave_out("judgment: names a response the item does not have")
                continue
            votes.append((row, preferred, choice.strength))
        if not votes:
            summary.leave_out("item: every judgment abstained")
            continue
        total: float = len(votes)
        if aggregation == "weighted":  # each vote weighs its expert's quality score
            weighed: dict[str, float] = {}
            for row, p, _s in votes:
                weighed[p] = weighed.get(p, 0.0) + vote_weight(ctx.scores.get(row.expert_id))
            ranked = sorted(weighed.items(), key=lambda kv: -kv[1])
            winner = ranked[0][0]
            top, runner_up = ranked[0][1], ranked[1][1] if len(ranked) > 1 else 0.0
            total = sum(weighed.values())
        elif len(votes) == 1:  # overlap 1: nothing to count
            winner, top, runner_up = votes[0][1], 1.0, 0.0
        else:
            counts = Counter(p for _, p, _s in votes).most_common(2)
            winner, top = counts[0][0], float(counts[0][1])
            runner_up = float(counts[1][1]) if len(counts) > 1 else 0.0
        adjudication = None if each_vote else group.adjudication
        adjudicated = adjudication is not None
        if adjudication is not None:
            decided = choice_of(config, adjudication.answers)
            if decided is not None:  # never None: an adjudication that abstains decides nothing
                winner = decided.preferred
                if both_bad and winner == "tie" and decided.both_bad:
                    winner = BOTH_BAD
        elif minimum is not None and top / total < minimum:
            summary.leave_out("item: agreement below the minimum")
            continue
        if each_vote:
            emitted = 0
            for row, preferred, strength in votes:
                if preferred == "tie":
                    continue
                emitted += 1
                summary.judgments_used += 1
                experts.add(row.expert_id)
                margin = float(strength) if margins else None
                if preferred == BOTH_BAD:
                    yield both_bad_pair(item, margin, pseudonym(ctx, row))
                else:
                    yield Pair(item, preferred, other(contents, preferred), margin, pseudonym(ctx, row))
            if emitted:
                summary.items += 1
            else:
                summary.leave_out("item: the experts call it a tie")
            continue
        if not adjudicated and aggregation in ("majority", "weighted") and runner_up == top:
            summary.leave_out("item: no majority (tied vote)")
            continue
        if not adjudicated and aggregation == "unanimous" and runner_up:
            summary.leave_out("item: not unanimous")
            continue
        if winner == "tie":
            summary.leave_out("item: the experts call it a tie")
            continue
        margin = None
        if margins:
            loser = other(contents, winner)
            signed = 0
            for _row, preferred, s in votes:
                signed += s if preferred == winner else (-s if preferred == loser else 0)
            margin = round(signed / len(votes), 6)
        for row, _, _s in votes:
            experts.add(row.expert_id)
        summary.judgments_used += len(votes)
        summary.items += 1
        if winner == BOTH_BAD:
            yield both_bad_pair(item, margin)
        else:
            yield Pair(item, winner, other(contents, winner), margin)


def vote_weight(score: float | None) -> float:
    """A vote's weight under ``weighted``: its expert's score (0-100) as 0..1, with a floor so that
    no vote counts for nothing; an expert with no score yet weighs as a middling one."""
    return max(0.05, (DEFAULT_SCORE if score is None else score) / 100)


def other(response_ids, response_id: str) -> str:
    """The other of a pairwise item's two response ids."""
    first, second = response_ids
    return second if response_id == first else first


def both_bad_pair(item: ItemView, margin: float | None, expert: str | None = None) -> Pair:
    """The item's two responses, both rejected."""
    first, second = item.contents
    return Pair(item, first, second, margin, expert, both_bad=True)
