"""``critique``: one row per critiqued response of each judgment, ready for critique and
revision SFT: ``prompt``, ``response``, ``critique``, ``spans``, ``revision``.

It reads answers of the critique kind's shape, ``{"critiques": {<response>: {critique, spans,
rewrite, score}}}``: a kind that lists this format (``Kind.formats``) answers in that shape.

Critiques are one expert's text: they are not aggregated, so the unit is
always the judgment. ``revision`` is the expert's rewrite, or "" when they
wrote none (``has_revision`` says which), so the column is a string in every
row. ``score`` is present when the template configures a score scale (null
where the expert gave none). Spans are character offsets into ``response``.
"""

from __future__ import annotations

from collections.abc import Iterator

from annotate.export.base import ExportContext, ExportFormat, Record
from annotate.export.selection import complete_groups, is_abstain, pseudonym


def records(ctx: ExportContext) -> Iterator[Record]:
    summary = ctx.summary
    scored = bool(ctx.project.template.get("config", {}).get("score"))
    for group in complete_groups(ctx):
        item = group.item
        by_id = {r["id"]: r for r in item.responses}
        prompt = item.prompt_messages  # serialised once per item
        emitted = 0
        for row in group.judgments:
            if is_abstain(row.answers):
                summary.abstains += 1
                continue
            critiques = row.answers.get("critiques") or {}
            if any(rid not in by_id for rid in critiques):
                summary.leave_out("judgment: names a response the item does not have")
                continue
            summary.judgments_used += 1
            summary.experts.add(row.expert_id)
            expert = pseudonym(ctx, row)
            for rid in (r["id"] for r in item.responses if r["id"] in critiques):
                entry = critiques[rid]
                rewrite = entry.get("rewrite")
                record: Record = {
                    "id": item.external_id,
                    "expert": expert,
                    "prompt": prompt,
                    "response_id": rid,
                    "response": by_id[rid]["content"],
                    "model": str(by_id[rid].get("model") or ""),
                    "critique": entry.get("critique", ""),
                    "spans": [
                        {"start": s["start"], "end": s["end"], "label": s["label"], "comment": s.get("comment", "")}
                        for s in entry.get("spans", [])
                    ],
                    "revision": rewrite or "",
                    "has_revision": bool(rewrite),
                }
                if scored:
                    record["score"] = entry.get("score")
                emitted += 1
                yield record
        if emitted:
            summary.items += 1


CRITIQUE = ExportFormat(
    name="critique",
    description=(
        "Critiques with marked spans and rewrites, one row per critiqued response: for critique and revision SFT."
    ),
    schema="critique",
    records=records,
    units=("judgment",),
    default_unit="judgment",
    tags=("rlhf", "human-feedback", "critique", "sft"),
)
