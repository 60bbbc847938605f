"""``rubric``: per response, per criterion scores (HelpSteer-style), or with ``--binarize``
chosen/rejected pairs by aggregate score (UltraFeedback-binarized-like).

It reads answers of the rubric kind's shape, ``{"scores": {<response>: {<criterion>: n}},
"rationales": …}``, and the template's ``criteria``: a kind that lists this format
(``Kind.formats``) answers in that shape.

One row per (item, response). Each criterion of the template is a column of
its own holding the aggregate score (a float: the mean over the experts).
When a criterion id would clash with another column, or the judgments do not
all use the template's criteria, the scores go instead into a ``scores``
list of ``{criterion, score}`` so that keys never vary between rows.
``annotations`` lists every expert's score and rationale per criterion
(``rationale`` is "" when none was given).

Aggregation (``--unit item``): ``majority`` (default) is the mean; ``unanimous``
keeps only items where every expert gave every cell the same score (an
adjudication judgment, when there is one, gives the item's scores); ``all``
gives one row per judgment and response. Agreement is the mean over cells of
the share of experts giving the cell's most common score.

``--binarize``: each response's overall score is the mean over criteria of
its aggregate score scaled to 0..1 by the criterion's scale; ``chosen`` is the
best response, ``rejected`` the worst, with ``score_chosen`` /
``score_rejected``; items whose responses all score the same are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from annotate.export.base import ExportContext, ExportFormat, Record
from annotate.export.messages import reply
from annotate.export.selection import complete_groups, is_abstain, pseudonym

RESERVED = {"id", "prompt", "response_id", "response", "model", "annotations", "num_judgments", "expert", "scores"}


def criteria(ctx: ExportContext) -> list[dict[str, Any]]:
    return list(ctx.project.template.get("config", {}).get("criteria", []))


def columns_fixed(criterion_ids: list[str]) -> bool:
    return not any(c in RESERVED for c in criterion_ids)


def agreement(cells: list[list[int]]) -> float:
    if not cells:
        return 1.0
    return sum(Counter(c).most_common(1)[0][1] / len(c) for c in cells) / len(cells)


def decisions(ctx: ExportContext) -> Iterator[tuple[Any, list, str | None]]:
    """(item row, [(judgment row, answers)], expert or None) for each set of scores to write."""
    summary, options = ctx.summary, ctx.options
    criterion_ids = [c["id"] for c in criteria(ctx)]
    per_item = ctx.unit == "item" and options.aggregation != "all"
    for group in complete_groups(ctx):
        ids = [r["id"] for r in group.item.responses]
        scored = []
        for row in group.judgments:
            if is_abstain(row.answers):
                summary.abstains += 1
                continue
            scores = row.answers.get("scores", {})
            if any(not isinstance(scores.get(i, {}).get(c), int) for i in ids for c in criterion_ids):
                summary.leave_out("judgment: a response x criterion score is missing")
                continue
            scored.append(row)
        if not scored:
            summary.leave_out("item: every judgment abstained")
            continue
        adjudication = group.adjudication if per_item else None
        if adjudication is not None and adjudication in scored:
            summary.judgments_used += len(scored)
            summary.experts.update(r.expert_id for r in scored)
            summary.items += 1
            yield group.item, [adjudication], None
            continue
        cells = [[r.answers["scores"][i][c] for r in scored] for i in ids for c in criterion_ids]
        if options.min_agreement is not None and agreement(cells) < options.min_agreement:
            summary.leave_out("item: agreement below the minimum")
            continue
        if per_item and options.aggregation == "unanimous" and any(len(set(c)) > 1 for c in cells):
            summary.leave_out("item: not unanimous")
            continue
        summary.judgments_used += len(scored)
        summary.experts.update(r.expert_id for r in scored)
        summary.items += 1
        if per_item:
            yield group.item, scored, None
        else:
            for row in scored:
                yield group.item, [row], pseudonym(ctx, row)


def mean_scores(scored: list, response_id: str, criterion_ids: list[str]) -> dict[str, float]:
    return {c: round(sum(r.answers["scores"][response_id][c] for r in scored) / len(scored), 6) for c in criterion_ids}


def overall(means: dict[str, float], spec: list[dict[str, Any]]) -> float:
    """Mean over criteria of the score scaled to 0..1 by the criterion's scale."""
    parts = []
    for c in spec:
        low, high = c["scale"]["min"], c["scale"]["max"]
        parts.append((means[c["id"]] - low) / (high - low) if high > low else 0.0)
    return round(sum(parts) / len(parts), 6) if parts else 0.0


def records(ctx: ExportContext) -> Iterator[Record]:
    spec = criteria(ctx)
    criterion_ids = [c["id"] for c in spec]
    fixed = columns_fixed(criterion_ids)
    for item, scored, expert in decisions(ctx):
        prompt = item.prompt_messages  # serialised once per item
        if ctx.options.binarize:
            totals = {r["id"]: overall(mean_scores(scored, r["id"], criterion_ids), spec) for r in item.responses}
            best = max(item.responses, key=lambda r: totals[r["id"]])
            worst = min(item.responses, key=lambda r: totals[r["id"]])
            if totals[best["id"]] == totals[worst["id"]]:
                ctx.summary.leave_out("item: every response has the same score")
                continue
            row: Record = {
                "id": item.external_id,
                "prompt": prompt,
                "chosen": reply(best["content"]),
                "rejected": reply(worst["content"]),
                "score_chosen": totals[best["id"]],
                "score_rejected": totals[worst["id"]],
            }
            if expert is not None:
                row["expert"] = expert
            yield row
            continue
        for response in item.responses:
            rid = response["id"]
            means = mean_scores(scored, rid, criterion_ids)
            row = {
                "id": item.external_id,
                "prompt": prompt,
                "response_id": rid,
                "response": response["content"],
                "model": str(response.get("model") or ""),
            }
            if fixed:
                row.update(means)
            else:
                row["scores"] = [{"criterion": c, "score": means[c]} for c in criterion_ids]
            row["annotations"] = [
                {
                    "expert": pseudonym(ctx, r),
                    "criterion": c,
                    "score": r.answers["scores"][rid][c],
                    "rationale": str((r.answers.get("rationales") or {}).get(rid, {}).get(c, "")),
                }
                for r in scored
                for c in criterion_ids
            ]
            row["num_judgments"] = len(scored)
            if expert is not None:
                row["expert"] = expert
            yield row


RUBRIC = ExportFormat(
    name="rubric",
    description=(
        "Rubric scores per response and criterion (HelpSteer-style) with per-expert scores; --binarize gives pairs."
    ),
    schema="rubric",
    records=records,
    takes=("binarize",),
    tags=("rlhf", "human-feedback", "rubric", "reward-modeling"),
    task_categories=("text-generation", "text-classification"),
    schema_for=lambda options: "rubric-binarized" if options.binarize else "rubric",
)
