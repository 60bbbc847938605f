"""``trl-kto``: TRL's unpaired preference format (prompt, completion, label), conversational.

Each pair gives two rows: the chosen response with ``label: true`` and the
rejected one with ``label: false``, in that order.
"""

from __future__ import annotations

from collections.abc import Iterator

from annotate.export.base import ExportContext, ExportFormat, Record
from annotate.export.messages import prompt_messages, reply, response_content
from annotate.export.pairs import pair_decisions


def records(ctx: ExportContext) -> Iterator[Record]:
    for pair in pair_decisions(ctx):
        item = pair.item
        prompt = prompt_messages(item.prompt)
        for response_id, label in ((pair.chosen, True), (pair.rejected, False)):
            row: Record = {
                "id": item.external_id,
                "prompt": prompt,
                "completion": reply(response_content(item.responses, response_id)),
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
    tags=("kto", "rlhf", "human-feedback", "preference"),
)
