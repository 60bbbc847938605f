"""Streaming reads for exports: plain columns (no ORM identity map), ordered by item."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, Text, cast, func, select

from annotate.models import (
    Assignment,
    Batch,
    ExportRecord,
    Item,
    Judgment,
    Project,
    ProjectMember,
    Review,
)


def latest_review(column):
    """A scalar subquery: the given column of the judgment's latest review (None when unreviewed)."""
    return (
        select(column)
        .where(Review.judgment_id == Judgment.id)
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(1)
        .correlate(Judgment)
        .scalar_subquery()
    )


def as_text(column, name: str):
    """A JSON column as its stored text (``<name>_json``): the export decodes an item's JSON once
    for all its judgments, or copies it unread (PostgreSQL ``json`` keeps the exact text)."""
    return cast(column, Text).label(f"{name}_json")


def judgment_rows(
    project: Project, *, full: bool = False, order: bool = False, moments: bool = False, batches: Iterable[int] = ()
) -> Select:
    """Every judgment of the project with what exports need, ordered by item then judgment
    (the order of ``ix_judgments_project_item``: no sort).

    The review status is the judgment's ``review_state`` (kept in step with its
    latest review by the review services). ``order`` adds the display order
    (a join on assignments); ``full`` adds what only the lossless ``raw`` format
    needs (metadata, gold, provenance, the latest review), ``moments`` the judgment's time, so
    that the preference formats read (and convert) less.

    The item's JSON columns come as text (``prompt_json``, ``responses_json``, …):
    they are the same on every judgment of an item, so selection.ItemView decodes
    them once. A judgment's answers are decoded per row. Experts are named by
    id: their pseudonyms are read once (ExportContext.pseudonyms), not joined to every row.
    """
    columns = [
        Item.id.label("item_pk"),
        Item.external_id,
        as_text(Item.prompt, "prompt"),
        as_text(Item.responses, "responses"),
        Judgment.id.label("judgment_id"),
        Judgment.expert_id,
        Judgment.answers,
        Judgment.adjudication,
        Judgment.review_state,
        # Time and flags (annotate.timekeeping): --exclude-flagged, and the dataset card's figures.
        Judgment.active_seconds,
        Judgment.flag_bits,
    ]
    if order or full:
        columns.append(Assignment.display_order)
    if moments or order or full:
        columns.append(Judgment.created_at)
    if full:
        columns += [
            latest_review(Review.verdict).label("review"),
            as_text(Item.meta, "meta"),
            as_text(Item.suggestion, "suggestion"),
            as_text(Item.gold, "gold"),
            Item.batch_id,
            Batch.source,
            Batch.format.label("batch_format"),
            Batch.shape.label("batch_shape"),
            Batch.created_at.label("imported_at"),
            Judgment.updated_at,
            Judgment.template_name,
            Judgment.template_version,
            Judgment.instructions_version,
            Judgment.interval_count,
            Judgment.flags,
            Judgment.turns,
            Judgment.suggestion.label("suggestion_record"),
            latest_review(Review.comment).label("review_comment"),
            latest_review(Review.created_at).label("reviewed_at"),
        ]
    stmt = (
        select(*columns)
        .join(Item, Item.id == Judgment.item_id)
        .where(Judgment.project_id == project.id)
        .order_by(Judgment.item_id, Judgment.id)
    )
    if order or full:
        stmt = stmt.join(Assignment, Assignment.id == Judgment.assignment_id)
    if full:
        stmt = stmt.join(Batch, Batch.id == Item.batch_id)
    batches = list(batches)
    if batches:
        stmt = stmt.where(Item.batch_id.in_(batches))
    return stmt


def gold_judgments(project: Project) -> Select:
    """(expert id, answers, gold answer) for every judgment on an item that carries a gold answer."""
    return (
        select(Judgment.expert_id, Judgment.answers, Item.gold)
        .join(Item, Item.id == Judgment.item_id)
        .where(Judgment.project_id == project.id, Item.gold.is_not(None))
    )


def member_lookup(project: Project) -> Select:
    """(user id, pseudonym) of every member of the project, to resolve --exclude-expert."""
    return select(ProjectMember.user_id, ProjectMember.pseudonym).where(ProjectMember.project_id == project.id)


def batch_ids(project: Project) -> Select:
    """The ids of the project's import batches."""
    return select(Batch.id).where(Batch.project_id == project.id)


def recent_exports(project: Project, limit: int = 20) -> Select:
    """The project's latest exports, newest first."""
    return (
        select(ExportRecord)
        .where(ExportRecord.project_id == project.id)
        .order_by(ExportRecord.created_at.desc(), ExportRecord.id.desc())
        .limit(limit)
    )


def judgment_count(project: Project) -> Select:
    """How many judgments the project has (for progress bars)."""
    return select(func.count()).select_from(Judgment).where(Judgment.project_id == project.id)
