"""Reads for quality; each returns a select() for the caller to run."""

from __future__ import annotations

from sqlalchemy import Select, Text, cast, exists, func, or_, select
from sqlalchemy.orm import joinedload

from annotate.models import (
    Assignment,
    Item,
    Judgment,
    PositionCheck,
    Project,
    ProjectMember,
    Qualification,
    QualificationStatus,
    Review,
    ReviewState,
    User,
)
from annotate.models.item import visible


def judgment_rows(project: Project) -> Select:
    """Every judging judgment of the project (tie-breakers excluded) with what quality reads of
    it and of its item, in item order: item id, expert id, active seconds, flag bits, and as
    their stored JSON text (decoded by the caller, an item's once for all its judgments):
    ``answers_json``, ``order_json`` (display order), ``responses_json``, ``gold_json``,
    ``suggestion_json``, ``meta_json``."""
    return (
        select(
            Judgment.item_id,
            Judgment.expert_id,
            cast(Judgment.answers, Text).label("answers_json"),
            Judgment.active_seconds,
            Judgment.flag_bits,
            cast(Assignment.display_order, Text).label("order_json"),
            cast(Item.responses, Text).label("responses_json"),
            cast(Item.gold, Text).label("gold_json"),
            cast(Item.suggestion, Text).label("suggestion_json"),
            cast(Item.meta, Text).label("meta_json"),
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
    """What changes whenever a figure of the report may change, read from indexes only: per
    review state, the number of the project's judgments and their latest change, and the
    highest judgment id, and the answered position checks. A new judgment raises the highest
    id; an edit (or a reviewer's fix) its latest change; a first review moves a judgment out of
    ``pending`` (the counts); a deleted judgment lowers a count. (ix_judgments_project_review_id,
    ix_judgments_review_queue and ix_judgments_project_id answer them: seeks and index-only
    counts, no table scan.)"""
    parts = []
    for state in ReviewState:
        where = (Judgment.project_id == project.id, Judgment.review_state == state)
        parts.append(select(func.count(Judgment.id)).where(*where).scalar_subquery())
        parts.append(select(func.max(Judgment.updated_at)).where(*where).scalar_subquery())
    parts.append(
        select(func.count(PositionCheck.id))
        .where(PositionCheck.project_id == project.id, PositionCheck.answered_at.is_not(None))
        .scalar_subquery()
    )
    parts.append(select(func.max(Judgment.id)).where(Judgment.project_id == project.id).scalar_subquery())
    return select(*parts)


def latest_attempt(project_id: int, user_id: int) -> Select:
    """The user's latest qualification attempt in the project."""
    return (
        select(Qualification)
        .where(Qualification.project_id == project_id, Qualification.user_id == user_id)
        .order_by(Qualification.attempt.desc())
        .limit(1)
    )


def passed(project: Project, user_id: int) -> Select:
    """A passed attempt that qualifies the user in ``project``: its own, or one with its tag."""
    where = Qualification.project_id == project.id
    if project.qualification_tag:
        where = or_(where, Qualification.tag == project.qualification_tag)
    return (
        select(Qualification.id)
        .where(Qualification.user_id == user_id, Qualification.status == QualificationStatus.PASSED, where)
        .limit(1)
    )


def unseen_gold(project: Project, user_id: int, limit: int = 5) -> Select:
    """A few of the project's gold items the user never had, in random order."""
    mine = exists().where(Assignment.item_id == Item.id, Assignment.expert_id == user_id)
    return (
        select(Item)
        .where(Item.project_id == project.id, Item.gold.is_not(None), visible(Item.batch_id, project.id), ~mine)
        .order_by(func.random())
        .limit(limit)
    )


def attempts(project: Project) -> Select:
    """Every qualification attempt in the project, with its expert's email and name, newest first."""
    return (
        select(Qualification, User.email, User.name)
        .join(User, User.id == Qualification.user_id)
        .where(Qualification.project_id == project.id)
        .order_by(Qualification.user_id, Qualification.attempt.desc())
    )


def judgments_of(user_id: int, item_ids: list[int]) -> Select:
    """The user's judgments of these items, with their items and the display order they saw."""
    return (
        select(Judgment, Item, Assignment.display_order)
        .join(Item, Item.id == Judgment.item_id)
        .join(Assignment, Assignment.id == Judgment.assignment_id)
        .where(Judgment.expert_id == user_id, Judgment.item_id.in_(item_ids))
    )


def members_with_roles(project: Project) -> Select:
    """(user id, email, name, pseudonym, project role) of the project's active members."""
    return (
        select(User.id, User.email, User.name, ProjectMember.pseudonym, ProjectMember.role)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project.id, ProjectMember.active.is_(True))
    )


def members(project: Project) -> Select:
    """The project's active memberships, with their users."""
    return (
        select(ProjectMember)
        .where(ProjectMember.project_id == project.id, ProjectMember.active.is_(True))
        .options(joinedload(ProjectMember.user))
    )
