"""Gold items in the queue and the qualification test, in the claim and submit paths.

Gold items are items imported with a gold answer (``Item.gold``; the kind checks its shape
and compares answers with it, so a gold answer may list several right values or give a
tolerance). With ``Project.gold_rate`` set, each claim is, with that probability, a gold item
the expert has not had yet, served whatever the item's overlap (every expert can be checked
on every gold item); nothing on the page tells it apart. Without it, gold items are ordinary
items of the queue.

The qualification test (``Project.qualification_size``): before any real task, an expert
answers that many gold items; they pass when the share answered right reaches
``qualification_threshold``. A failed expert may start again after
``qualification_retake_hours`` (never, when None) on gold items they have not seen. With a
``qualification_tag``, passing the test of any project with the same tag qualifies the expert
here too. Until an expert is qualified, a claim that cannot give them a test question raises
``NotQualified``, whose message says why in their words (web and API show it).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from annotate.assign.services import NotQualified
from annotate.kinds import get_kind, match_gold
from annotate.models import Item, Project, Qualification, QualificationStatus, User
from annotate.quality import queries

_RANDOM = random.SystemRandom()


def latest_attempt(session: Session, project: Project, user: User | int) -> Qualification | None:
    """The expert's latest attempt at the project's test, or None."""
    user_id = user if isinstance(user, int) else user.id
    return session.scalar(queries.latest_attempt(project.id, user_id))


def qualified(session: Session, project: Project, user: User) -> bool:
    """True when the project has no test, or the expert passed it (here, or with the same tag elsewhere)."""
    if not project.qualification_size:
        return True
    return session.scalar(queries.passed(project, user.id)) is not None


def retake_at(project: Project, attempt: Qualification) -> datetime | None:
    """When a failed attempt may be retaken; None: never."""
    if project.qualification_retake_hours is None or attempt.finished_at is None:
        return None
    return attempt.finished_at + timedelta(hours=project.qualification_retake_hours)


def result_words(attempt: Qualification) -> str:
    """ "3 of 5 right; 80% needed", for the expert."""
    return f"{attempt.correct} of {attempt.size} right; {attempt.threshold:.0%} needed"


def refusal(session: Session, project: Project, user: User, now: datetime) -> str | None:
    """Why the qualification test keeps this expert from real tasks now, or None."""
    if qualified(session, project, user):
        return None
    attempt = latest_attempt(session, project, user)
    if attempt is None or attempt.status is QualificationStatus.PENDING:
        return None  # their next claim is a test question
    when = retake_at(project, attempt)
    if when is None:
        return (
            f"You did not pass this project's qualification test ({result_words(attempt)}), so it has no tasks for "
            "you. Your answers and the expected ones are on the qualification page."
        )
    if now < when:
        return (
            f"You did not pass this project's qualification test ({result_words(attempt)}). You can take it again "
            f"from {when:%Y-%m-%d %H:%M} UTC; meanwhile your answers and the expected ones are on the "
            "qualification page."
        )
    return None


def claim_gold(session: Session, project: Project, expert: User, now: datetime) -> Item | None:
    """In the claim, before the regular queue: a test question while the expert is not qualified
    (raising ``NotQualified`` when none can be given), else, at the project's gold rate, a gold
    item they have not had. The item's slot is taken (``assigned_count + 1``, past the overlap
    if need be); None: take the regular queue."""
    if not qualified(session, project, expert):
        attempt = latest_attempt(session, project, expert)
        if attempt is None or attempt.status is QualificationStatus.FAILED:
            why = refusal(session, project, expert, now)
            if why:
                raise NotQualified(why)
            attempt = _start(session, project, expert, attempt, now)
        item = _unseen_gold(session, project, expert)
        if item is None:
            raise NotQualified(
                "This project's qualification test has no question left that you have not seen; "
                "ask the project's researchers to add gold items."
            )
        attempt.item_ids = [*attempt.item_ids, item.id]
        session.flush()
        return item
    if project.gold_rate and _RANDOM.random() < project.gold_rate:
        return _unseen_gold(session, project, expert)
    return None


def _start(
    session: Session, project: Project, expert: User, previous: Qualification | None, now: datetime
) -> Qualification:
    attempt = Qualification(
        project_id=project.id,
        user_id=expert.id,
        tag=project.qualification_tag,
        attempt=(previous.attempt + 1) if previous else 1,
        status=QualificationStatus.PENDING,
        size=project.qualification_size or 1,
        threshold=project.qualification_threshold,
        answered=0,
        correct=0,
        item_ids=[],
        results=[],
        started_at=now,
    )
    session.add(attempt)
    session.flush()
    return attempt


def _unseen_gold(session: Session, project: Project, expert: User) -> Item | None:
    """A random gold item of the project the expert has never had, its slot taken; None when none is left."""
    for item in session.scalars(queries.unseen_gold(project, expert.id)):
        if not isinstance(item.gold, dict) or not item.gold:
            continue  # a JSON null stored by hand is no gold answer
        session.execute(update(Item).where(Item.id == item.id).values(assigned_count=Item.assigned_count + 1))
        session.refresh(item, ["assigned_count"])
        return item
    return None


def test_notice(session: Session, project: Project, user_id: int, item_id: int) -> str | None:
    """On the task page of a test question: which question of the test it is, in the expert's words."""
    if not project.qualification_size:
        return None
    attempt = latest_attempt(session, project, user_id)
    if attempt is None or attempt.status is not QualificationStatus.PENDING or item_id not in attempt.item_ids:
        return None
    number = attempt.item_ids.index(item_id) + 1
    return (
        f"Qualification test: question {number} of {attempt.size}. Your result, with the expected answers and "
        "their explanations, is shown on the qualification page once you have answered every question."
    )


def record_answer(
    session: Session, project: Project, expert_id: int, item: Item, answers: dict[str, Any], now: datetime
) -> Qualification | None:
    """After a judgment of a gold item: count it in the expert's pending attempt when the item
    is one of its questions, and grade the attempt once every question is answered."""
    if not project.qualification_size or not item.gold:
        return None
    attempt = latest_attempt(session, project, expert_id)
    if attempt is None or attempt.status is not QualificationStatus.PENDING or item.id not in attempt.item_ids:
        return None
    if any(r["item_id"] == item.id for r in attempt.results):
        return attempt
    match = match_gold(get_kind(project.kind), project.template.get("config", {}), answers, item.gold)
    attempt.results = [*attempt.results, {"item_id": item.id, "correct": bool(match)}]
    attempt.answered += 1
    attempt.correct += bool(match)
    if attempt.answered >= attempt.size:
        attempt.status = (
            QualificationStatus.PASSED
            if attempt.correct / attempt.size >= attempt.threshold - 1e-9
            else QualificationStatus.FAILED
        )
        attempt.finished_at = now
    session.flush()
    return attempt
