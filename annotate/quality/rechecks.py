"""Position checks: a sample of an expert's judged two-response items shown to them again with
the order swapped. An expert whose choices follow the screen position rather than the content
flips: the *flip rate* is the share of answered checks whose choice differs from the first one
(by response id; a tie is a choice like any other). Read through the kind's ``choice`` hook.

A researcher asks for the checks on the Quality page; the expert finds them on their project
page ("Look again"), answers them on a page of their own, and the report counts the flips.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotate import kinds
from annotate.kinds import get_kind
from annotate.models import Assignment, Item, Judgment, PositionCheck, Project, User

MAX_PER_REQUEST = 200
_RANDOM = random.SystemRandom()


class RecheckError(ValueError):
    """The request cannot be honoured; the message says why, for the person."""


def create_rechecks(session: Session, project: Project, expert: User, count: int, now: datetime) -> int:
    """Sample up to ``count`` of the expert's decided two-response judgments not checked yet and
    queue them with the order swapped. Returns how many were queued."""
    kind = get_kind(project.kind)
    if kind.choice is None:
        raise RecheckError("This project's task kind gives no choice between two responses to check.")
    if not 1 <= count <= MAX_PER_REQUEST:
        raise RecheckError(f"Ask for 1 to {MAX_PER_REQUEST} items at a time.")
    checked = select(PositionCheck.judgment_id).where(PositionCheck.project_id == project.id)
    rows = session.execute(
        select(Judgment.id, Judgment.item_id, Judgment.answers, Assignment.display_order)
        .join(Assignment, Assignment.id == Judgment.assignment_id)
        .where(
            Judgment.project_id == project.id,
            Judgment.expert_id == expert.id,
            Judgment.adjudication.is_(False),
            Judgment.id.not_in(checked),
        )
    ).all()
    config = project.template.get("config", {})
    eligible = []
    for judgment_id, item_id, answers, order in rows:
        choice = kind.choice(config, answers)
        if choice is not None and order and len(order) == 2:
            eligible.append((judgment_id, item_id, order))
    if not eligible:
        raise RecheckError("This expert has no judged two-response item left to show again.")
    for judgment_id, item_id, order in _RANDOM.sample(eligible, min(count, len(eligible))):
        session.add(
            PositionCheck(
                project_id=project.id,
                expert_id=expert.id,
                item_id=item_id,
                judgment_id=judgment_id,
                display_order=list(reversed(order)),
                created_at=now,
            )
        )
    session.flush()
    return min(count, len(eligible))


def pending(project: Project, user_id: int) -> Any:
    """The user's unanswered checks in the project, oldest first (a select)."""
    return (
        select(PositionCheck)
        .where(
            PositionCheck.project_id == project.id,
            PositionCheck.expert_id == user_id,
            PositionCheck.answered_at.is_(None),
        )
        .order_by(PositionCheck.id)
    )


def pending_count(session: Session, project: Project, user_id: int) -> int:
    """How many checks the user has still to answer in the project."""
    return session.scalar(select(func.count()).select_from(pending(project, user_id).subquery())) or 0


def answer(session: Session, check: PositionCheck, project: Project, answers: dict[str, Any], now: datetime) -> None:
    """Record the expert's answer to a check (validated as a task's answer; InvalidDocument names
    the field). An answered check keeps its first answer."""
    if check.answered_at is not None:
        raise RecheckError("You have answered this one already.")
    item = session.get_one(Item, check.item_id)
    kinds.check_answers(get_kind(project.kind), project.template.get("config", {}), answers, item.responses)
    check.answers = answers
    check.answered_at = now
    session.flush()


def flips(session: Session, project: Project) -> dict[int, tuple[int, int]]:
    """(flips, compared) per expert over their answered checks: a check is compared when both
    answers are choices; it flips when they choose differently."""
    kind = get_kind(project.kind)
    if kind.choice is None:
        return {}
    config = project.template.get("config", {})
    found: dict[int, list[int]] = {}
    rows = session.execute(
        select(PositionCheck.expert_id, PositionCheck.answers, Judgment.answers)
        .join(Judgment, Judgment.id == PositionCheck.judgment_id)
        .where(PositionCheck.project_id == project.id, PositionCheck.answered_at.is_not(None))
    )
    for expert_id, again, first in rows:
        before, after = kind.choice(config, first), kind.choice(config, again or {})
        if before is None or after is None:
            continue
        tally = found.setdefault(expert_id, [0, 0])
        tally[1] += 1
        tally[0] += before.preferred != after.preferred
    return {expert: (k, n) for expert, (k, n) in found.items()}
