"""Reads for review and adjudication; each returns a select() for the caller to run."""

from __future__ import annotations

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from annotate.models import Item, Judgment, JudgmentRevision, Project, ProjectMember, Review, ReviewState, User


def review_queue(project: Project) -> Select:
    """Judgments waiting for review, oldest change first: rows (Judgment, item external id)."""
    return (
        select(Judgment, Item.external_id)
        .join(Item, Item.id == Judgment.item_id)
        .where(Judgment.project_id == project.id, Judgment.review_state == ReviewState.PENDING)
        .order_by(Judgment.updated_at, Judgment.id)
    )


def review_counts(project: Project) -> Select:
    """(review state, count) of the project's judgments."""
    return (
        select(Judgment.review_state, func.count())
        .where(Judgment.project_id == project.id)
        .group_by(Judgment.review_state)
    )


def latest_review(judgment_id: int) -> Select:
    """The judgment's current verdict: its latest review."""
    return (
        select(Review)
        .where(Review.judgment_id == judgment_id)
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(1)
    )


def returned_with_review(expert: User, project: Project | None = None) -> Select:
    """``returned_to`` with each judgment's latest review (None if it has none) and its reviewer,
    in one query for the whole page: rows (Judgment, slug, title, item external id, Review | None)."""
    later = aliased(Review)
    superseded = (
        select(later.id)
        .where(
            later.judgment_id == Review.judgment_id,
            or_(
                later.created_at > Review.created_at, and_(later.created_at == Review.created_at, later.id > Review.id)
            ),
        )
        .correlate(Review)
        .exists()
    )
    return (
        returned_to(expert, project)
        .add_columns(Review)
        .outerjoin(Review, and_(Review.judgment_id == Judgment.id, ~superseded))
        .options(joinedload(Review.reviewer))
    )


def reviews_of(judgment_id: int) -> Select:
    """Every review of the judgment, oldest first."""
    return select(Review).where(Review.judgment_id == judgment_id).order_by(Review.created_at, Review.id)


def revisions_of(judgment_id: int) -> Select:
    """(JudgmentRevision, editor's display name or None) of the judgment, oldest first."""
    return (
        select(JudgmentRevision, func.coalesce(func.nullif(User.name, ""), User.email))
        .outerjoin(User, User.id == JudgmentRevision.edited_by_id)
        .where(JudgmentRevision.judgment_id == judgment_id)
        .order_by(JudgmentRevision.created_at, JudgmentRevision.id)
    )


def returned_count(expert: User) -> Select:
    """How many of the expert's judgments wait for their revision (``returned_to``, counted)."""
    return select(func.count()).select_from(returned_to(expert).order_by(None).subquery())


def returned_to(expert: User, project: Project | None = None) -> Select:
    """The expert's judgments a reviewer rejected and they have not revised yet, oldest first:
    rows (Judgment, Project slug, Project title, item external id)."""
    stmt = (
        select(Judgment, Project.slug, Project.title, Item.external_id)
        .join(Project, Project.id == Judgment.project_id)
        .join(Item, Item.id == Judgment.item_id)
        .join(ProjectMember, (ProjectMember.project_id == Project.id) & (ProjectMember.user_id == expert.id))
        .where(
            Judgment.expert_id == expert.id,
            Judgment.review_state == ReviewState.REJECTED,
            ProjectMember.active.is_(True),
            Project.archived.is_(False),
        )
        .order_by(Judgment.updated_at, Judgment.id)
    )
    if project is not None:
        stmt = stmt.where(Project.id == project.id)
    return stmt
