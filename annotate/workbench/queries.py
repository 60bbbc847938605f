"""Reads for the expert's pages."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import Select, distinct, func, literal, select, union_all
from sqlalchemy.orm import Session

from annotate.db import utcnow
from annotate.models import Assignment, AssignmentStatus, Item, Judgment, JudgmentRevision, Project, User
from annotate.projects import counters

# Names of expert_progress's own rows among the counters' (no counter is named with a space).
_DONE = "done, all"
_DONE_TODAY = "done, today"
_FILLED_BY_LEASES = "filled by leases"
_HAD_OPEN = "had, open"
# An expert's assignment that is neither a lease nor submitted (skipped, expired): at overlap 1
# the only kind whose item can be open (see expert_progress).
_GIVEN_UP = tuple(s for s in AssignmentStatus if s not in (AssignmentStatus.LEASED, AssignmentStatus.SUBMITTED))


def expert_progress(session: Session, project: Project, expert: User) -> dict[str, int]:
    """Done today, done in the project, items open in the project (fewer than ``overlap`` of
    their slots taken), and items remaining for this expert (open, and not had by them yet).

    This runs on every task page, so nothing here counts the project's items: one statement,
    bounded by the expert's own judgments and assignments and by the project's live leases.
    Done and today are counts over the expert's judgments in the (project, expert, created_at)
    index, no table row read. An item's slots in use (``assigned_count``) are its judgments
    (tie-breakers excluded) and its judging leases, so an item is full when it has ``overlap``
    judgments (the project's counters, ``annotate.projects.counters``) or when leases fill what
    its judgments leave (only a leased item can be, and leases are few). Open = items - those
    two; remaining = open - the open items among the expert's own assignments (one per item
    and expert). At overlap 1 only their skipped and expired assignments can be among those
    (``_GIVEN_UP``): a prolific expert's submitted ones are not read.
    """
    midnight = datetime.combine(utcnow().date(), time(), tzinfo=UTC)
    mine = (Judgment.project_id == project.id, Judgment.expert_id == expert.id)
    done = select(literal(_DONE), func.count()).select_from(Judgment).where(*mine)
    done_today = (
        select(literal(_DONE_TODAY), func.count()).select_from(Judgment).where(*mine, Judgment.created_at >= midnight)
    )
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
        .where(
            Assignment.project_id == project.id,
            Assignment.expert_id == expert.id,
            Item.assigned_count < project.overlap,
        )
    )
    if project.overlap <= 1:
        # One slot taken fills an item. A judging lease holds its slot until it is skipped or
        # released (EXPIRED), a submitted judging assignment's judgment holds it for good (no
        # judgment is deleted), and a tie-breaker (leased or submitted) is only for an item whose
        # judgments disagree: two at least. So only the skipped and expired assignments need
        # their item read: a seek per state in ix_assignments_expert_status, and a few per cent
        # of a prolific expert's assignments.
        had_open = had_open.where(Assignment.status.in_(_GIVEN_UP))
    # One statement, so one snapshot on PostgreSQL (READ COMMITTED gives each statement its
    # own): a submit committed meanwhile is in the counters, the leases and the expert's
    # figures, or in none of them.
    rows = session.execute(union_all(done, done_today, counters.totals_query(project.id), filled_by_leases, had_open))
    values = {name: int(n) for name, n in rows if n}
    done_n, today_n = values.pop(_DONE, 0), values.pop(_DONE_TODAY, 0)
    filled, had = values.pop(_FILLED_BY_LEASES, 0), values.pop(_HAD_OPEN, 0)
    open_items = values.get("items", 0) - counters.items_with_judgments(values, project.overlap) - filled
    return {"done": done_n, "today": today_n, "open": open_items, "remaining": open_items - had}


def own_judgments(project: Project, expert: User) -> Select:
    """The expert's judgments in ``project``, newest first: rows (Judgment, item external id,
    revision count, the item's responses, the display order the expert saw them in)."""
    revisions = (
        select(func.count(JudgmentRevision.id)).where(JudgmentRevision.judgment_id == Judgment.id).scalar_subquery()
    )
    return (
        select(Judgment, Item.external_id, revisions.label("revisions"), Item.responses, Assignment.display_order)
        .join(Item, Item.id == Judgment.item_id)
        .join(Assignment, Assignment.id == Judgment.assignment_id)
        .where(Judgment.project_id == project.id, Judgment.expert_id == expert.id)
        .order_by(Judgment.created_at.desc(), Judgment.id.desc())
    )
