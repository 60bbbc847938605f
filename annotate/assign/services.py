"""Claim the next task, expire leases, skip, and submit judgments.

Correct under concurrency on both databases:

* SQLite: callers begin the transaction with ``BEGIN IMMEDIATE``
  (``annotate.db.begin_write``), so claims are serialised.
* PostgreSQL: the candidate item is locked with ``FOR UPDATE SKIP LOCKED``
  and its ``assigned_count`` incremented in the same transaction. A competing
  claim that reaches the row after our commit re-checks ``assigned_count <
  overlap`` against the new row version (READ COMMITTED re-evaluation), so an
  item never exceeds its overlap. An expert's claims are serialised on their
  membership row, so two tabs get one lease.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from annotate.assign import queries
from annotate.db import utcnow
from annotate.kinds import get_kind
from annotate.models import Assignment, AssignmentStatus, Item, Judgment, JudgmentRevision, Project, ProjectMember, User
from annotate.validation import InvalidDocument, Problem, problems


class AssignmentError(Exception):
    """The request cannot be honoured; the message is for the user. ``status`` suits HTTP."""

    status = 409


class LeaseLost(AssignmentError):
    """A late submit whose slot somebody else has taken."""


def release_expired(session: Session, project: Project, now: datetime | None = None) -> int:
    """Mark expired leases as such and give their slots back to the pool. Returns how many."""
    now = now or utcnow()
    ids = list(session.scalars(queries.expired_leases(project, now)))
    if not ids:
        return 0
    item_ids = session.scalars(
        update(Assignment)
        .where(Assignment.id.in_(ids), Assignment.status == AssignmentStatus.LEASED)
        .values(status=AssignmentStatus.EXPIRED, finished_at=now)
        .returning(Assignment.item_id)
    ).all()
    for item_id, n in sorted(Counter(item_ids).items()):
        session.execute(update(Item).where(Item.id == item_id).values(assigned_count=Item.assigned_count - n))
    return len(item_ids)


def claim_next(session: Session, project: Project, expert: User, now: datetime | None = None) -> Assignment | None:
    """Lease the next task to ``expert``, or return their current lease; None when nothing is left."""
    now = now or utcnow()
    # Serialise this expert's claims (tabs, devices) on their membership row.
    session.execute(
        select(ProjectMember.id)
        .where(ProjectMember.project_id == project.id, ProjectMember.user_id == expert.id)
        .with_for_update()
    )
    release_expired(session, project, now)
    current = session.scalar(queries.active_lease(project, expert, now))
    if current is not None:
        return current
    if project.quota_per_expert is not None:
        if session.scalar(queries.submitted_count(project, expert)) >= project.quota_per_expert:
            return None
    item = session.scalar(queries.next_assignable(project, expert))
    if item is None:
        return None
    order = [r["id"] for r in item.responses]
    if project.randomize_order:
        random.SystemRandom().shuffle(order)
    session.execute(update(Item).where(Item.id == item.id).values(assigned_count=Item.assigned_count + 1))
    assignment = Assignment(
        project_id=project.id,
        item_id=item.id,
        expert_id=expert.id,
        status=AssignmentStatus.LEASED,
        leased_at=now,
        expires_at=now + timedelta(seconds=project.lease_seconds),
        display_order=order,
    )
    session.add(assignment)
    session.flush()
    return assignment


def answer_schema(project: Project, item: Item) -> dict[str, Any]:
    """The JSON Schema a judgment of ``item`` must satisfy under the project's template."""
    kind = get_kind(project.kind)
    return kind.answer_schema(project.template["config"], [r["id"] for r in item.responses])


def check_answers(project: Project, item: Item, answers: Any) -> dict[str, Any]:
    """Validate answers server-side (the browser is not trusted); raise InvalidDocument with JSON paths."""
    found = problems(answer_schema(project, item), answers, prefix="answers")
    if not found:
        kind = get_kind(project.kind)
        found = [Problem(f"answers.{p}" if p else "answers", m) for p, m in kind.extra_checks(project.template["config"], answers)]
    if found:
        raise InvalidDocument(found, "answers")
    return answers


def submit_judgment(
    session: Session,
    assignment: Assignment,
    project: Project,
    answers: dict[str, Any],
    *,
    active_seconds: int = 0,
    now: datetime | None = None,
) -> tuple[Judgment, bool]:
    """Record the expert's answers for ``assignment``. Returns (judgment, created).

    Idempotent: the same answers again return the existing judgment; different
    answers on a submitted assignment are an edit, and the previous answers are
    kept as a revision. A late submit on an expired lease is taken if the item
    still has a free slot, otherwise LeaseLost.
    """
    now = now or utcnow()
    session.execute(select(Assignment.id).where(Assignment.id == assignment.id).with_for_update())
    session.refresh(assignment)
    item = session.get(Item, assignment.item_id)
    check_answers(project, item, answers)
    active_seconds = max(0, min(int(active_seconds or 0), 24 * 3600))

    if assignment.status is AssignmentStatus.SUBMITTED:
        judgment = session.scalar(select(Judgment).where(Judgment.assignment_id == assignment.id))
        if judgment.answers != answers:
            session.add(JudgmentRevision(judgment_id=judgment.id, answers=judgment.answers, edited_by_id=assignment.expert_id, created_at=now))
            judgment.answers = answers
            judgment.updated_at = now
            judgment.active_seconds += active_seconds
            session.flush()
        return judgment, False
    if assignment.status is AssignmentStatus.SKIPPED:
        raise AssignmentError("You skipped this task; it has gone to someone else.")
    if assignment.status is AssignmentStatus.EXPIRED:
        taken = session.execute(
            update(Item)
            .where(Item.id == item.id, Item.assigned_count < project.overlap)
            .values(assigned_count=Item.assigned_count + 1)
        ).rowcount
        if not taken:
            raise LeaseLost(
                "Your lease on this task expired and another expert has taken it; your answer was not recorded."
            )

    assignment.status = AssignmentStatus.SUBMITTED
    assignment.finished_at = now
    assignment.active_seconds = active_seconds
    judgment = Judgment(
        assignment_id=assignment.id,
        project_id=project.id,
        item_id=item.id,
        expert_id=assignment.expert_id,
        answers=answers,
        template_name=project.template_name,
        template_version=project.template_version,
        instructions_version=project.instructions_version,
        active_seconds=active_seconds,
        created_at=now,
        updated_at=now,
    )
    session.add(judgment)
    session.flush()
    return judgment, True


def skip_assignment(session: Session, assignment: Assignment, reason: str, now: datetime | None = None) -> Assignment:
    """Give a leased task back with a reason: the slot returns to the pool and the item
    goes to someone else (this expert never gets it again: one assignment per item and expert)."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise AssignmentError("Say why you skip this task.")
    session.execute(select(Assignment.id).where(Assignment.id == assignment.id).with_for_update())
    session.refresh(assignment)
    if assignment.status is AssignmentStatus.SKIPPED:
        return assignment
    if assignment.status is AssignmentStatus.SUBMITTED:
        raise AssignmentError("This task is already submitted; edit your judgment instead of skipping.")
    if assignment.status is AssignmentStatus.LEASED:
        # An expired lease that has not been reaped yet still holds its slot.
        session.execute(update(Item).where(Item.id == assignment.item_id).values(assigned_count=Item.assigned_count - 1))
    assignment.status = AssignmentStatus.SKIPPED
    assignment.skip_reason = reason[:2000]
    assignment.finished_at = now
    session.flush()
    return assignment
