"""Reads for the assignment engine; each returns a select() for the caller to run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, Select, and_, bindparam, exists, func, or_, select

from annotate.db import UTCDateTime, prebuilt
from annotate.models import (
    Adjudication,
    AdjudicationStatus,
    Assignment,
    AssignmentPurpose,
    AssignmentStatus,
    Item,
    Judgment,
    Project,
    ProjectMember,
    User,
)
from annotate.models.item import visible


@prebuilt
def active_lease() -> Select:
    """The expert's oldest unexpired judging lease in the project (parameters ``in_project``,
    ``for_expert``, ``now``)."""
    return (
        select(Assignment)
        .where(
            Assignment.project_id == bindparam("in_project", type_=Integer),
            Assignment.expert_id == bindparam("for_expert", type_=Integer),
            Assignment.purpose == AssignmentPurpose.JUDGE,
            Assignment.status == AssignmentStatus.LEASED,
            Assignment.expires_at > bindparam("now", type_=UTCDateTime),
        )
        .order_by(Assignment.leased_at, Assignment.id)
        .limit(1)
    )


def next_assignable(below: bool = False) -> Select:
    """The id of the next item for an expert at the project's highest priority (below the
    ``below_priority`` parameter, when ``below``): open slots, not had by them yet (skipped ones included).

    Values go in as parameters at execution: ``in_project``, ``max_assigned`` (the
    overlap), ``for_expert`` (and ``below_priority``), so that the statement is built
    once (``annotate.db.prebuilt``; an UPDATE reserves its columns' names).

    Higher priority first (a researcher can push a batch ahead), then items already
    started (highest ``assigned_count``), so complete items accumulate early, then
    import order. With the priority fixed, that is the order of ``ix_items_queue``:
    one seek past the level's full items, then a short walk, whatever the project's
    size. When the level has nothing for the expert, ``top_priority(project, level)``
    names the next one down. Locked rows are skipped on PostgreSQL, so concurrent
    claims never wait on each other.
    """
    # Plain table aliases (an ORM alias costs more than the query); their columns are
    # collected here, before the statement is shared between threads.
    candidate, level = Item.__table__.alias("candidate").c, Item.__table__.alias("level").c
    project_id = bindparam("in_project", type_=Integer)
    # Items of batches still being imported (or failed) are not there yet (pipeline.py).
    top = select(func.max(level.priority)).where(level.project_id == project_id, visible(level.batch_id, project_id))
    if below:
        top = top.where(level.priority < bindparam("below_priority", type_=Integer))
    mine = exists().where(
        Assignment.item_id == candidate.id, Assignment.expert_id == bindparam("for_expert", type_=Integer)
    )
    return (
        select(candidate.id)
        .where(
            candidate.project_id == project_id,
            candidate.priority == top.scalar_subquery(),
            candidate.assigned_count < bindparam("max_assigned", type_=Integer),
            visible(candidate.batch_id, project_id),
            ~mine,
        )
        .order_by(candidate.assigned_count.desc(), candidate.id)
        .limit(1)
        # FOR NO KEY UPDATE (PostgreSQL): rows inserted meanwhile that reference the item
        # (judgments, assignments) take FOR KEY SHARE, which this lock does not block.
        .with_for_update(skip_locked=True, key_share=True)
    )


def top_priority(project: Project, below: int | None = None) -> Select:
    """The highest priority among the project's items (below ``below``, when given); None when there is none."""
    stmt = select(func.max(Item.priority)).where(Item.project_id == project.id, visible(Item.batch_id, project.id))
    return stmt.where(Item.priority < below) if below is not None else stmt


@prebuilt
def expired_leases() -> Select:
    """Ids of leases past their expiry (parameter ``now``) that nobody is working on right now,
    in the project ``in_project``."""
    return (
        select(Assignment.id)
        .where(
            Assignment.project_id == bindparam("in_project", type_=Integer),
            Assignment.status == AssignmentStatus.LEASED,
            Assignment.expires_at <= bindparam("now", type_=UTCDateTime),
        )
        .with_for_update(skip_locked=True)
    )


def submitted_count(project: Project, expert: User) -> Select:
    """How many judgments (tie-breakers excluded) the expert has submitted in the project."""
    return (
        select(func.count())
        .select_from(Judgment)
        .where(Judgment.project_id == project.id, Judgment.expert_id == expert.id, Judgment.adjudication.is_(False))
    )


def item_judgment_counts(project: Project) -> Select:
    """(item id, number of judgments) for every judged item of the project, tie-breakers excluded."""
    return (
        select(Judgment.item_id, func.count().label("n"))
        .where(Judgment.project_id == project.id, Judgment.adjudication.is_(False))
        .group_by(Judgment.item_id)
    )


def skipped_items(project: Project) -> Select:
    """Items of the project that experts skipped and that still lack judgments, most skipped first.

    Rows: (Item, skips, judgments). ``annotate.assign.skips.skipped_report`` adds
    who is left to take each one.
    """
    skips = (
        select(func.count())
        .where(Assignment.item_id == Item.id, Assignment.status == AssignmentStatus.SKIPPED)
        .correlate(Item)
        .scalar_subquery()
    )
    judged = (
        select(func.count())
        .where(Judgment.item_id == Item.id, Judgment.adjudication.is_(False))
        .correlate(Item)
        .scalar_subquery()
    )
    any_skip = exists().where(and_(Assignment.item_id == Item.id, Assignment.status == AssignmentStatus.SKIPPED))
    return (
        select(Item, skips.label("skips"), judged.label("judgments"))
        .where(Item.project_id == project.id, any_skip, judged < project.overlap)
        .order_by(skips.desc(), Item.id)
    )


# -- adjudication (annotate.assign.adjudication) -------------------------------------------


def judged_answers(item_id: int) -> Select:
    """The answers of the item's judgments, tie-breakers excluded."""
    return select(Judgment.answers).where(Judgment.item_id == item_id, Judgment.adjudication.is_(False))


def adjudication_of(item_id: int, *, locked: bool = False) -> Select:
    """The item's adjudication; ``locked``: its row locked and re-read until the transaction ends."""
    stmt = select(Adjudication).where(Adjudication.item_id == item_id)
    return stmt.with_for_update().execution_options(populate_existing=True) if locked else stmt


def adjudication_lease(project: Project, adjudicator: User, now: datetime) -> Select:
    """The adjudicator's oldest unexpired adjudication lease in the project."""
    return (
        select(Assignment)
        .where(
            Assignment.project_id == project.id,
            Assignment.expert_id == adjudicator.id,
            Assignment.purpose == AssignmentPurpose.ADJUDICATE,
            Assignment.status == AssignmentStatus.LEASED,
            Assignment.expires_at > now,
        )
        .order_by(Assignment.leased_at, Assignment.id)
        .limit(1)
    )


def next_adjudication(project: Project, adjudicator: User, now: datetime) -> Select:
    """The oldest open adjudication the adjudicator may take, locked (skipping rows others hold).

    Not an item they judged or gave back; their own lapsed adjudication lease may be renewed."""
    excluded = exists().where(
        Assignment.item_id == Adjudication.item_id,
        Assignment.expert_id == adjudicator.id,
        or_(Assignment.purpose == AssignmentPurpose.JUDGE, Assignment.status == AssignmentStatus.SKIPPED),
    )
    return (
        select(Adjudication)
        .where(
            Adjudication.project_id == project.id,
            Adjudication.status == AdjudicationStatus.OPEN,
            or_(Adjudication.lease_expires_at.is_(None), Adjudication.lease_expires_at <= now),
            ~excluded,
        )
        .order_by(Adjudication.created_at, Adjudication.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )


def assignment_of(item_id: int, expert_id: int) -> Select:
    """The expert's assignment of the item, whatever its purpose and state (one per item and expert)."""
    return select(Assignment).where(Assignment.item_id == item_id, Assignment.expert_id == expert_id)


def earlier_judgments(item: Item) -> Select:
    """(Judgment, pseudonym) of the item's judgments an adjudicator weighs, oldest first.

    Experts appear under their project pseudonym, never their name or email.
    """
    return (
        select(Judgment, ProjectMember.pseudonym)
        .outerjoin(
            ProjectMember,
            (ProjectMember.project_id == Judgment.project_id) & (ProjectMember.user_id == Judgment.expert_id),
        )
        .where(Judgment.item_id == item.id, Judgment.adjudication.is_(False))
        .order_by(Judgment.created_at, Judgment.id)
    )


def open_adjudications(project: Project) -> Select:
    """The project's adjudications still waiting for a tie-breaker, oldest first."""
    return (
        select(Adjudication)
        .where(Adjudication.project_id == project.id, Adjudication.status == AdjudicationStatus.OPEN)
        .order_by(Adjudication.created_at, Adjudication.id)
    )
