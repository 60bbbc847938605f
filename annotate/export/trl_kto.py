"""``trl-kto``: TRL's unpaired preference format (prompt, completion, label), conversational.

Each pair gives two rows: the chosen response with ``label: true`` and the
rejected one with ``label: false``, in that order. An item the experts judge
"both bad" (see pairs.py) gives two ``label: false`` rows, in response order.
"""

from __future__ import annotations

from collections.abc import Iterator

from annotate.export.base import ExportContext, ExportFormat, Record
from annotate.export.messages import reply
from annotate.export.pairs import pair_decisions


def records(ctx: ExportContext) -> Iterator[Record]:
    for pair in pair_decisions(ctx, both_bad=True):
        item = pair.item
        for response_id, label in ((pair.chosen, not pair.both_bad), (pair.rejected, False)):
            row: Record = {
                "id": item.external_id,
                "prompt": item.prompt_messages,
                "completion": reply(item.contents[response_id]),
                "label": label,
            }
            if pair.expert is not None:
                row["expert"] = pair.expert
            yield row


TRL_KTO = ExportFormat(
    name="trl-kto",
    description="TRL unpaired preference (KTO): prompt / completion message lists + boolean label + id.",
    schema="trl-kto",
    records=records,
    reads=("choice",),
    tags=("kto", "rlhf", "human-feedback", "preference"),
)
