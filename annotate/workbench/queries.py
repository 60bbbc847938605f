"""Reads for the expert's pages."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import Session

from annotate.db import utcnow
from annotate.models import Assignment, Item, Judgment, JudgmentRevision, Project, User


def expert_progress(session: Session, project: Project, expert: User) -> dict[str, int]:
    """Done today, done in the project, items open in the project, and items remaining for this expert.

    Two queries (this runs on every task page): one over the expert's judgments, one over the items.
    """
    midnight = datetime.combine(utcnow().date(), time(), tzinfo=UTC)
    done, today = session.execute(
        select(func.count(), func.count(case((Judgment.created_at >= midnight, 1))))
        .select_from(Judgment)
        .where(Judgment.project_id == project.id, Judgment.expert_id == expert.id)
    ).one()
    # Remaining for this expert: open items they have not had yet (one assignment per item and expert).
    theirs = exists().where(Assignment.item_id == Item.id, Assignment.expert_id == expert.id)
    open_items, remaining = session.execute(
        select(func.count(), func.count(case((~theirs, 1))))
        .select_from(Item)
        .where(Item.project_id == project.id, Item.assigned_count < project.overlap)
    ).one()
    return {"done": done, "today": today, "open": open_items, "remaining": remaining}


def own_judgments(project: Project, expert: User) -> Select:
    """The expert's judgments in ``project``, newest first, with their item and revision count."""
    revisions = (
        select(func.count(JudgmentRevision.id)).where(JudgmentRevision.judgment_id == Judgment.id).scalar_subquery()
    )
    return (
        select(Judgment, Item.external_id, revisions.label("revisions"))
        .join(Item, Item.id == Judgment.item_id)
        .where(Judgment.project_id == project.id, Judgment.expert_id == expert.id)
        .order_by(Judgment.created_at.desc(), Judgment.id.desc())
    )
