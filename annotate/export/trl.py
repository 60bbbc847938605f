"""``trl``: TRL's conversational preference format with an explicit prompt.

One row per decided item (or per vote with ``--unit judgment`` / ``--aggregation all``,
which add the expert's pseudonym); see pairs.py for how a pair is decided.
"""

from __future__ import annotations

from collections.abc import Iterator

from annotate.export.base import ExportContext, ExportFormat, Record
from annotate.export.messages import reply
from annotate.export.pairs import Pair, pair_decisions

# TRL's DPO/Reward trainers: a conversational preference dataset with explicit prompt.
TAGS = ("dpo", "rlhf", "human-feedback", "preference")


def trl_row(pair: Pair) -> Record:
    """A TRL conversational preference row for one pair."""
    item = pair.item
    contents = item.contents
    row: Record = {
        "id": item.external_id,
        "prompt": item.prompt_messages,
        "chosen": reply(contents[pair.chosen]),
        "rejected": reply(contents[pair.rejected]),
    }
    if pair.expert is not None:
        row["expert"] = pair.expert
    return row


def records(ctx: ExportContext) -> Iterator[Record]:
    for pair in pair_decisions(ctx):
        yield trl_row(pair)


TRL = ExportFormat(
    name="trl",
    description="TRL conversational preference: prompt / chosen / rejected message lists + id.",
    schema="trl",
    records=records,
    reads=("choice",),
    tags=TAGS,
)
