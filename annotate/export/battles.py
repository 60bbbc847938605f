"""``battles``: Chatbot-Arena-style battles, one row per vote, for leaderboards (Elo, Bradley-Terry).

``model_a`` is the model of the response the expert saw first (left/top),
``model_b`` the second, so position bias stays measurable. ``winner`` is
``model_a``, ``model_b``, ``tie``, or ``tie (bothbad)`` when the expert said
both are bad and preferred neither. Abstentions give no battle. Items whose
responses carry no ``model`` name are left out (a leaderboard needs names).
``--min-agreement`` applies per item, over its votes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from annotate.export.base import ExportContext, ExportFormat, Record
from annotate.export.messages import prompt_messages, reply
from annotate.export.selection import complete_groups, is_abstain, pseudonym
from annotate.kinds.base import Choice


def winner_of(choice: Choice | None, first: str, second: str) -> str | None:
    preferred = choice.preferred if choice is not None else None
    if preferred == first:
        return "model_a"
    if preferred == second:
        return "model_b"
    if choice is not None and preferred == "tie":
        return "tie (bothbad)" if choice.both_bad else "tie"
    return None


def records(ctx: ExportContext) -> Iterator[Record]:
    summary, minimum = ctx.summary, ctx.options.min_agreement
    config, choice_of = ctx.config, ctx.kind.choice
    assert choice_of is not None, "resolve() refuses a kind without the choice hook"
    for group in complete_groups(ctx, order=True):
        item = group.item
        by_id = {r["id"]: r for r in item.responses}
        if any(not r.get("model") for r in item.responses):
            summary.leave_out("item: responses carry no model name")
            continue
        prompt = prompt_messages(item.prompt)
        turns = sum(1 for m in item.prompt if m["role"] == "user")
        votes = [(row, choice_of(config, row.answers)) for row in group.judgments if not is_abstain(row.answers)]
        summary.abstains += len(group.judgments) - len(votes)
        if not votes:
            summary.leave_out("item: every judgment abstained")
            continue
        if minimum is not None:
            top = Counter(c.preferred if c else None for _row, c in votes).most_common(1)[0][1]
            if top / len(votes) < minimum:
                summary.leave_out("item: agreement below the minimum")
                continue
        emitted = 0
        for row, choice in votes:
            order = row.display_order if row.display_order and set(row.display_order) == set(by_id) else list(by_id)
            first, second = order[0], order[1]
            winner = winner_of(choice, first, second)
            if winner is None:
                summary.leave_out("judgment: names a response the item does not have")
                continue
            if winner.startswith("tie"):
                summary.ties += 1
            emitted += 1
            summary.judgments_used += 1
            summary.experts.add(row.expert_id)
            yield {
                "id": item.external_id,
                "model_a": str(by_id[first]["model"]),
                "model_b": str(by_id[second]["model"]),
                "winner": winner,
                "judge": pseudonym(ctx, row),
                "conversation_a": prompt + reply(by_id[first]["content"]),
                "conversation_b": prompt + reply(by_id[second]["content"]),
                "turn": turns,
                "tstamp": row.created_at.timestamp(),
            }
        summary.items += 1 if emitted else 0


BATTLES = ExportFormat(
    name="battles",
    description=(
        "Chatbot-Arena-style battles: model_a / model_b / winner / judge + both conversations, one row per vote."
    ),
    schema="battles",
    records=records,
    reads=("choice",),
    units=("judgment",),
    default_unit="judgment",
    tags=("rlhf", "human-feedback", "leaderboard", "arena"),
)
