"""``reward``: TRL's implicit-prompt preference format for RewardTrainer, with a ``margin``.

``chosen`` and ``rejected`` are whole conversations (the prompt then the
reply); ``margin`` comes from the preference strength (see pairs.py) and is
always a float.
"""

from __future__ import annotations

from collections.abc import Iterator

from annotate.export.base import ExportContext, ExportFormat, Record
from annotate.export.messages import prompt_messages, reply
from annotate.export.pairs import pair_decisions


def records(ctx: ExportContext) -> Iterator[Record]:
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
    description="Reward-model pairs: chosen / rejected full conversations + margin from the preference strength.",
    schema="reward",
    records=records,
    reads=("choice",),
    tags=("reward-modeling", "rlhf", "human-feedback", "preference"),
)
