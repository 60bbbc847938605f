"""Reads for the expert's pages."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import Select, case, distinct, func, literal, select, union_all
from sqlalchemy.orm import Session

from annotate.db import utcnow
from annotate.models import Assignment, AssignmentStatus, Item, Judgment, JudgmentRevision, Project, User
from annotate.projects import counters


# Names of expert_progress's own rows among the counters' (no counter is named with a space).
_FILLED_BY_LEASES = "filled by leases"
_HAD_OPEN = "had, open"


def expert_progress(session: Session, project: Project, expert: User) -> dict[str, int]:
    """Done today, done in the project, items open in the project (fewer than ``overlap`` of
    their slots taken), and items remaining for this expert (open, and not had by them yet).

    This runs on every task page, so nothing here counts the project's items: two queries,
    bounded by the expert's own judgments and assignments and by the project's live leases.
    An item's slots in use (``assigned_count``) are its judgments (tie-breakers excluded) and
    its judging leases, so an item is full when it has ``overlap`` judgments (the project's
    counters, ``annotate.projects.counters``) or when leases fill what its judgments leave
    (only a leased item can be, and leases are few). Open = items - those two; remaining =
    open - the open items among the expert's own assignments (one per item and expert).
    """
    midnight = datetime.combine(utcnow().date(), time(), tzinfo=UTC)
    done, today = session.execute(
        select(func.count(), func.count(case((Judgment.created_at >= midnight, 1))))
        .select_from(Judgment)
        .where(Judgment.project_id == project.id, Judgment.expert_id == expert.id)
    ).one()
    # The item's own counts decide (slots in use beyond its judgments are leases); the live
    # leases only bound the read. A lease past its expiry that no claim has released yet
    # (annotate.assign.services.release_expired) is still LEASED and still holds its slot.
    filled_by_leases = (
        select(literal(_FILLED_BY_LEASES), func.count(distinct(Assignment.item_id)))
        .select_from(Assignment)
        .join(Item, Item.id == Assignment.item_id)
        .where(
            Assignment.project_id == project.id,
            Assignment.status == AssignmentStatus.LEASED,
            Item.judged_count < project.overlap,
            Item.assigned_count >= project.overlap,
        )
    )
    had_open = (
        select(literal(_HAD_OPEN), func.count())
        .select_from(Assignment)
        .join(Item, Item.id == Assignment.item_id)
        .where(Assignment.project_id == project.id, Assignment.expert_id == expert.id, Item.assigned_count < project.overlap)
    )
    # One statement, so one snapshot on PostgreSQL (READ COMMITTED gives each statement its
    # own): a submit committed meanwhile is in both the counters and the leases, or in neither.
    rows = session.execute(union_all(counters.totals_query(project.id), filled_by_leases, had_open))
    values = {name: int(n) for name, n in rows if n}
    filled, had = values.pop(_FILLED_BY_LEASES, 0), values.pop(_HAD_OPEN, 0)
    open_items = values.get("items", 0) - counters.items_with_judgments(values, project.overlap) - filled
    return {"done": done, "today": today, "open": open_items, "remaining": open_items - had}


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
