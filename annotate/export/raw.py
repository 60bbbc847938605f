"""``raw``: one row per judgment, lossless and traceable.

Every judgment is kept, whatever its review verdict (its ``review`` says
which); the other filters apply. Free-form source data (``metadata``,
``suggestion``, ``gold``) is written as JSON text so that no column changes
type between rows whatever the source held: ``json.loads(row["metadata"])``
gives it back exactly as imported.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
from sqlalchemy import select

from annotate.export.base import ExportContext, ExportFormat, Record
from annotate.export.selection import groups, is_abstain, pseudonym
from annotate.models import ProjectMember, ReviewVerdict, User
from annotate.models.work import ReviewState


def review_status(row) -> str:
    """unreviewed, pending (revised after a review, waiting for the next), accepted, fixed or rejected."""
    if row.review is None:
        return "unreviewed"
    if row.review_state is ReviewState.PENDING:
        return "pending"
    if row.review_state is ReviewState.REJECTED:
        return "rejected"
    return "fixed" if row.review is ReviewVerdict.FIX else "accepted"


def json_text(stored: str | None) -> str:
    """A free-form JSON column as JSON text: the stored text (orjson wrote it), "null" for none."""
    return "null" if stored is None else stored


def emails(ctx: ExportContext) -> dict[int, str]:
    """Member emails by user id, only for ``--emails``."""
    stmt = (
        select(User.id, User.email)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == ctx.project.id)
    )
    return dict(ctx.session.execute(stmt).all())


def suggestion_columns(found: dict | None) -> Record:
    """How the expert met the item's suggestion, as flat columns of one type each: the policy
    ("" when the item has none), whether and when (ISO 8601, "" when not) it was seen, and
    whether the answer was revised after it was revealed."""
    found = found or {}
    return {
        "suggestion_policy": found.get("policy") or "",
        "suggestion_seen": bool(found.get("seen")),
        "suggestion_seen_at": found.get("seen_at") or "",
        "suggestion_revised": bool(found.get("revised")),
    }


def records(ctx: ExportContext) -> Iterator[Record]:
    summary, project = ctx.summary, ctx.project
    config, choice_of = ctx.config, ctx.kind.choice
    email_of = emails(ctx) if ctx.options.emails else None
    for group in groups(ctx, full=True, keep_rejected=True, decode=False):
        if group.judgments:
            summary.items += 1
        # The item's columns are the same on each of its rows: copied as stored, read once.
        first = group.item.row
        prompt, responses = orjson.Fragment(first.prompt_json), orjson.Fragment(first.responses_json)
        metadata, suggestion, gold = (
            json_text(first.meta_json),
            json_text(first.suggestion_json),
            json_text(first.gold_json),
        )
        for row in group.judgments:
            summary.judgments_used += 1
            summary.experts.add(row.expert_id)
            if is_abstain(row.answers):
                summary.abstains += 1
            elif choice_of is not None and (choice := choice_of(config, row.answers)) and choice.preferred == "tie":
                summary.ties += 1
            record: Record = {
                "judgment_id": row.judgment_id,
                "item_id": row.external_id,
                "project": project.slug,
                "expert": pseudonym(ctx, row),
                "prompt": prompt,
                "responses": responses,
                "metadata": metadata,
                "suggestion": suggestion,
                "gold": gold,
                "source": {
                    "batch": row.batch_id,
                    "file": row.source,
                    "format": row.batch_format,
                    "shape": row.batch_shape or "",
                    "imported_at": row.imported_at.isoformat(),
                },
                "answers": row.answers,
                "abstained": is_abstain(row.answers),
                "adjudication": bool(row.adjudication),
                "display_order": row.display_order,
                "template": {"name": row.template_name, "kind": project.kind, "version": row.template_version},
                "instructions_version": row.instructions_version,
                "review": {
                    "status": review_status(row),
                    "comment": row.review_comment or "",
                    "reviewed_at": row.reviewed_at.isoformat() if row.reviewed_at else "",
                },
                "created_at": row.created_at.isoformat(),
                "updated_at": row.updated_at.isoformat(),
                "active_seconds": row.active_seconds,
                "interval_count": row.interval_count,
                "flags": row.flags or {},
                # Per-turn judgments (annotate.turns), each with its turn's index in ``prompt``.
                "turns": row.turns or [],
                # The item's machine suggestion as this expert met it (annotate.suggestions).
                **suggestion_columns(row.suggestion_record),
            }
            if email_of is not None:
                record["expert_email"] = email_of.get(row.expert_id, "")
            yield record


RAW = ExportFormat(
    name="raw",
    description=(
        "One row per judgment: the item as imported, answers by response id, review status and full provenance."
    ),
    schema="raw",
    records=records,
    takes=("emails",),
    units=("judgment",),
    default_unit="judgment",
    tags=("rlhf", "human-feedback", "raw-annotations"),
)
