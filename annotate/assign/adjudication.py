"""Disagreement routing: an item whose judgments disagree beyond the project's threshold
gets one extra, tie-breaking judgment from an adjudicator. Raw judgments are never touched.

The rule: when an item has all ``overlap`` judgments, each judgment's answer is reduced
to its kind's *preference* (pairwise: the preferred response id, "tie", or none for an
abstention); the agreement is the share of judgments giving the most common one, in
whole percent rounded down. If it is below ``Project.adjudication_threshold`` the item
gets an ``Adjudication`` row and goes to the adjudication queue. A split 1-1 vote has
50 % agreement, 2-1 has 66 %: a threshold of 100 adjudicates any disagreement, 67
adjudicates 2-1 splits, 51 only ties.

An adjudication lease is an ``Assignment`` with purpose ADJUDICATE, leased and
expiring like any other, but it uses no overlap slot: the ``Adjudication`` row is the
slot, locked with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (serialised by ``BEGIN
IMMEDIATE`` on SQLite). Nobody adjudicates an item they judged.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotate.assign import queries
from annotate.assign.queries import earlier_judgments, open_adjudications  # noqa: F401  (the pages' names)
from annotate.db import begin_write, utcnow
from annotate.kinds import get_kind
from annotate.models import (
    Adjudication,
    AdjudicationStatus,
    Assignment,
    AssignmentPurpose,
    AssignmentStatus,
    Item,
    Judgment,
    Project,
    User,
)


def agreement_pct(project: Project, answers: list[dict[str, Any]]) -> int:
    """Share (whole percent, rounded down) of ``answers`` that give the most common preference."""
    if not answers:
        return 100
    kind = get_kind(project.kind)
    counts = Counter(repr(kind.preference(a)) for a in answers)
    return counts.most_common(1)[0][1] * 100 // len(answers)


def flag_if_disputed(
    session: Session, project: Project, item: Item, now: datetime, judged: int | None = None
) -> Adjudication | None:
    """After a judgment of ``item``: open an adjudication if its judgments are complete and disagree.

    ``judged``: the item's judgment count, when the caller knows it under the item's row
    lock (``submit_judgment``); an item still short of its overlap costs no query then."""
    if project.adjudication_threshold is None or (judged is not None and judged < project.overlap):
        return None
    # Concurrent final judgments of one item queue here, so the last one sees them all.
    session.execute(select(Item.id).where(Item.id == item.id).with_for_update(key_share=True))
    answers = list(session.scalars(queries.judged_answers(item.id)))
    if len(answers) < project.overlap:
        return None
    if session.scalar(queries.adjudication_of(item.id)) is not None:
        return None
    pct = agreement_pct(project, answers)
    if pct >= project.adjudication_threshold:
        return None
    adjudication = Adjudication(project_id=project.id, item_id=item.id, agreement_pct=pct, created_at=now)
    session.add(adjudication)
    session.flush()
    return adjudication


def claim_adjudication(
    session: Session, project: Project, adjudicator: User, now: datetime | None = None
) -> Assignment | None:
    """Lease the oldest open adjudication to ``adjudicator`` (or return their open one); None when none is left.

    The caller checks that the user may adjudicate (``routing.can_adjudicate``).
    """
    from annotate.assign.services import NotQualified, lock_user, release_expired
    from annotate.quality.routing import adjudication_refusal

    now = now or utcnow()
    begin_write(session)
    lock_user(session, adjudicator)
    release_expired(session, project, now)
    current = session.scalar(queries.adjudication_lease(project, adjudicator, now))
    if current is not None:
        return current
    # Scores route disputed items to the strongest qualified adjudicators (annotate.quality.routing).
    refused = adjudication_refusal(session, project, adjudicator)
    if refused:
        raise NotQualified(refused)
    adjudication = session.scalar(queries.next_adjudication(project, adjudicator, now))
    if adjudication is None:
        return None
    expires = now + timedelta(seconds=project.lease_seconds)
    assignment = session.scalar(queries.assignment_of(adjudication.item_id, adjudicator.id))
    if assignment is None:
        order = [r["id"] for r in adjudication.item.responses]
        if project.randomize_order:
            random.SystemRandom().shuffle(order)
        assignment = Assignment(
            project_id=project.id,
            item_id=adjudication.item_id,
            expert_id=adjudicator.id,
            purpose=AssignmentPurpose.ADJUDICATE,
            display_order=order,
        )
        session.add(assignment)
    assignment.status = AssignmentStatus.LEASED
    assignment.leased_at = now
    assignment.expires_at = expires
    assignment.finished_at = None
    session.flush()
    adjudication.assignment_id = assignment.id
    adjudication.lease_expires_at = expires
    session.flush()
    return assignment


def take_slot(session: Session, assignment: Assignment, now: datetime) -> Adjudication:
    """Before an adjudicator's judgment is recorded: the item's adjudication must still be theirs."""
    from annotate.assign.services import AssignmentError, LeaseLost

    adjudication = session.scalar(queries.adjudication_of(assignment.item_id, locked=True))
    if adjudication is None:
        raise AssignmentError("This item no longer needs adjudication.")
    if adjudication.status is AdjudicationStatus.DONE or adjudication.assignment_id != assignment.id:
        raise LeaseLost(
            "Your adjudication lease expired and another adjudicator has taken this item; your answer was not recorded."
        )
    return adjudication


def resolve(session: Session, assignment: Assignment, judgment: Judgment, now: datetime) -> None:
    """Close the item's adjudication with the tie-breaking ``judgment``."""
    adjudication = session.scalar(queries.adjudication_of(assignment.item_id))
    adjudication.status = AdjudicationStatus.DONE
    adjudication.judgment_id = judgment.id
    adjudication.resolved_at = now
    adjudication.lease_expires_at = None
    session.flush()


def give_back(session: Session, assignment: Assignment) -> None:
    """An adjudicator skips: the item is free for another adjudicator at once."""
    adjudication = session.scalar(queries.adjudication_of(assignment.item_id, locked=True))
    if (
        adjudication is not None
        and adjudication.assignment_id == assignment.id
        and adjudication.status is AdjudicationStatus.OPEN
    ):
        adjudication.assignment_id = None
        adjudication.lease_expires_at = None
        session.flush()
