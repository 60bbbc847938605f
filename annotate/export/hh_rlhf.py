"""``hh-rlhf``: Anthropic HH-RLHF transcripts, ``chosen`` and ``rejected`` as strings."""

from __future__ import annotations

from collections.abc import Iterator

from annotate.export.base import ExportContext, ExportFormat, Record
from annotate.export.messages import hh_transcript
from annotate.export.pairs import pair_decisions


def records(ctx: ExportContext) -> Iterator[Record]:
    for pair in pair_decisions(ctx):
        item = pair.item
        row: Record = {
            "id": item.external_id,
            "chosen": hh_transcript(item.prompt, item.contents[pair.chosen]),
            "rejected": hh_transcript(item.prompt, item.contents[pair.rejected]),
        }
        if pair.expert is not None:
            row["expert"] = pair.expert
        yield row


HH_RLHF = ExportFormat(
    name="hh-rlhf",
    description="Anthropic HH-RLHF style: chosen / rejected transcripts (\\n\\nHuman: … \\n\\nAssistant: …) + id.",
    schema="hh-rlhf",
    records=records,
    reads=("choice",),
    tags=("rlhf", "human-feedback", "preference", "hh-rlhf"),
)
