"""Reads for the expert's pages."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotate.db import utcnow
from annotate.models import Item, Judgment, Project, User


def expert_progress(session: Session, project: Project, expert: User) -> dict[str, int]:
    """Done today, done in the project, and items still open for the project."""
    midnight = datetime.combine(utcnow().date(), time(), tzinfo=UTC)
    mine = select(func.count()).select_from(Judgment).where(Judgment.project_id == project.id, Judgment.expert_id == expert.id)
    done = session.scalar(mine)
    today = session.scalar(mine.where(Judgment.created_at >= midnight))
    open_items = session.scalar(
        select(func.count()).select_from(Item).where(Item.project_id == project.id, Item.assigned_count < project.overlap)
    )
    return {"done": done, "today": today, "open": open_items}
