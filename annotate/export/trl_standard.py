"""``trl-standard``: TRL's standard (plain text) preference format with an explicit prompt."""

from __future__ import annotations

from collections.abc import Iterator

from annotate.export.base import ExportContext, ExportFormat, Record
from annotate.export.messages import standard_prompt
from annotate.export.pairs import pair_decisions
from annotate.export.trl import TAGS


def records(ctx: ExportContext) -> Iterator[Record]:
    for pair in pair_decisions(ctx):
        item = pair.item
        row: Record = {
            "id": item.external_id,
            "prompt": standard_prompt(item.prompt),
            "chosen": item.contents[pair.chosen],
            "rejected": item.contents[pair.rejected],
        }
        if pair.expert is not None:
            row["expert"] = pair.expert
        yield row


TRL_STANDARD = ExportFormat(
    name="trl-standard",
    description="TRL standard preference: prompt / chosen / rejected as plain strings + id.",
    schema="trl-standard",
    records=records,
    reads=("choice",),
    tags=TAGS,
)
