"""Reads for quality; each returns a select() for the caller to run."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from annotate.models import Assignment, Item, Judgment, Project, ProjectMember, Review, User
from annotate.models.item import visible


def judgment_rows(project: Project) -> Select:
    """Every judging judgment of the project (tie-breakers excluded) with what quality reads of
    it and of its item, in item order: (item id, expert id, answers, active seconds, flag bits,
    display order, responses, gold, suggestion, metadata)."""
    return (
        select(
            Judgment.item_id,
            Judgment.expert_id,
            Judgment.answers,
            Judgment.active_seconds,
            Judgment.flag_bits,
            Assignment.display_order,
            Item.responses,
            Item.gold,
            Item.suggestion,
            Item.meta,
        )
        .join(Assignment, Assignment.id == Judgment.assignment_id)
        .join(Item, Item.id == Judgment.item_id)
        .where(
            Judgment.project_id == project.id,
            Judgment.adjudication.is_(False),
            visible(Item.batch_id, project.id),
        )
        .order_by(Judgment.item_id, Judgment.id)
    )


def first_reviews(project: Project) -> Select:
    """(expert id, verdict) of each reviewed judgment's first review: first-pass acceptance."""
    first = (
        select(func.min(Review.id))
        .join(Judgment, Judgment.id == Review.judgment_id)
        .where(Judgment.project_id == project.id)
        .group_by(Review.judgment_id)
    )
    return (
        select(Judgment.expert_id, Review.verdict)
        .join(Judgment, Judgment.id == Review.judgment_id)
        .where(Review.id.in_(first.scalar_subquery()))
    )


def people(project: Project) -> Select:
    """(user id, email, name, pseudonym) of the project's members."""
    return (
        select(User.id, User.email, User.name, ProjectMember.pseudonym)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project.id)
    )


def fingerprint(project: Project) -> Select:
    """What changes whenever a figure of the report may change: the judgments' count, highest
    id and latest change, and the reviews' count and highest id."""
    judgments = select(func.count(Judgment.id), func.max(Judgment.id), func.max(Judgment.updated_at)).where(
        Judgment.project_id == project.id
    )
    reviews = (
        select(func.count(Review.id), func.max(Review.id))
        .join(Judgment, Judgment.id == Review.judgment_id)
        .where(Judgment.project_id == project.id)
    )
    return select(judgments.subquery(), reviews.subquery())
