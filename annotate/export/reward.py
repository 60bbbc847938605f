"""``reward``: TRL's implicit-prompt preference format for RewardTrainer, with a ``margin``.

Pairs (a kind with the ``choice`` hook): ``chosen`` and ``rejected`` are whole
conversations (the prompt then the reply); ``margin`` comes from the preference strength
(see pairs.py) and is always a float.

Pointwise (a kind with the ``scores`` hook and no ``choice``, e.g. rating): one row per rated
response (see pointwise.py) with ``prompt`` and ``completion`` message lists and ``score``,
the mean normalised rating (0..1), and ``num_judgments``.
"""

from __future__ import annotations

from collections.abc import Iterator

from annotate.export.base import ExportContext, ExportFormat, Record
from annotate.export.messages import prompt_messages, reply
from annotate.export.pairs import pair_decisions
from annotate.export.pointwise import point_decisions


def pointwise(ctx: ExportContext) -> Iterator[Record]:
    """One row per rated response with its mean normalised score."""
    for point in point_decisions(ctx, lambda score: score):
        item = point.item
        row: Record = {
            "id": item.external_id,
            "prompt": item.prompt_messages,
            "completion": reply(item.contents[point.response_id]),
            "score": point.score,
            "num_judgments": point.judgments,
        }
        if point.expert is not None:
            row["expert"] = point.expert
        yield row


def records(ctx: ExportContext) -> Iterator[Record]:
    if ctx.kind.choice is None:
        yield from pointwise(ctx)
        return
    for pair in pair_decisions(ctx, margins=True):
        item = pair.item
        prompt = prompt_messages(item.prompt)
        row: Record = {
            "id": item.external_id,
            "chosen": prompt + reply(item.contents[pair.chosen]),
            "rejected": prompt + reply(item.contents[pair.rejected]),
            "margin": pair.margin,
        }
        if pair.expert is not None:
            row["expert"] = pair.expert
        yield row


REWARD = ExportFormat(
    name="reward",
    description=(
        "Reward-model pairs: chosen / rejected full conversations + margin from the preference strength; "
        "ratings: pointwise prompt / completion + score (0..1)."
    ),
    schema="reward",
    records=records,
    reads_any=("choice", "scores"),
    tags=("reward-modeling", "rlhf", "human-feedback", "preference"),
)
