"""``trl-kto``: TRL's unpaired preference format (prompt, completion, label), conversational.

Pairs (a kind with the ``choice`` hook, e.g. pairwise): each pair gives two rows, the chosen
response with ``label: true`` and the rejected one with ``label: false``, in that order. An
item the experts judge "both bad" (see pairs.py) gives two ``label: false`` rows, in response
order.

Ratings (a kind with the ``scores`` hook and no ``choice``, e.g. rating): one unpaired row per
rated response (see pointwise.py), ``label: true`` when its score (0..1) is above the
export's ``label_threshold`` (default 0.5, recorded in the manifest's options): on a 1-5
scale with the default, 4 and 5 are desirable, 1 to 3 not; thumbs up is, down is not.
"""

from __future__ import annotations

from collections.abc import Iterator

from annotate.export.base import ExportContext, ExportFormat, Record
from annotate.export.messages import reply
from annotate.export.pairs import pair_decisions
from annotate.export.pointwise import point_decisions


def records(ctx: ExportContext) -> Iterator[Record]:
    if ctx.kind.choice is None:
        yield from unpaired(ctx)
        return
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


def unpaired(ctx: ExportContext) -> Iterator[Record]:
    """One row per rated response, labelled by the threshold."""
    threshold = ctx.options.label_threshold
    assert threshold is not None, "resolve() fills in the threshold"

    def desirable(score: float) -> bool:
        return score > threshold

    for point in point_decisions(ctx, desirable):
        item = point.item
        row: Record = {
            "id": item.external_id,
            "prompt": item.prompt_messages,
            "completion": reply(item.contents[point.response_id]),
            "label": desirable(point.score),
        }
        if point.expert is not None:
            row["expert"] = point.expert
        yield row


def _scored(kind) -> bool:
    """Whether the export reads ratings (pointwise scores) rather than pairs."""
    return kind.choice is None and kind.scores is not None


TRL_KTO = ExportFormat(
    name="trl-kto",
    description="TRL unpaired preference (KTO): prompt / completion message lists + boolean label + id.",
    schema="trl-kto",
    records=records,
    reads_any=("choice", "scores"),
    takes_threshold=_scored,
    tags=("kto", "rlhf", "human-feedback", "preference"),
)
