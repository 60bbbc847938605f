"""Claim the next task, expire leases, skip, submit judgments, and prioritise batches.

Correct under concurrency on both databases:

* SQLite: each service begins its transaction as a writer's (``BEGIN IMMEDIATE``,
  ``annotate.db.begin_write``; a transaction that has only read becomes a writer's in place),
  so claims are serialised.
* PostgreSQL: the candidate item is locked with ``FOR UPDATE SKIP LOCKED``
  and its ``assigned_count`` incremented in the same statement. A competing
  claim that reaches the row after our commit re-checks ``assigned_count <
  overlap`` against the new row version (READ COMMITTED re-evaluation), so an
  item never exceeds its overlap. An expert's claims are serialised on their
  user row, so two tabs or devices get one lease.

Submits and skips also update the project's progress counters
(``annotate.projects.counters``) in their transaction; claims and expiries change
only leases, which the progress page counts live.

Only judging leases (``AssignmentPurpose.JUDGE``) use an item's overlap slots;
adjudication leases (``annotate.assign.adjudication``) have their own slot, the
item's ``Adjudication`` row.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Insert, Select, Update, bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from annotate import kinds, suggestions
from annotate import turns as per_turn
from annotate.assign import queries
from annotate.assign.routing import active_leases, has_expertise, used_quota
from annotate.db import MAX_ID, begin_write, prebuilt, rowcount, utcnow
from annotate.kinds import get_kind
from annotate.models import (
    Assignment,
    AssignmentPurpose,
    AssignmentStatus,
    Batch,
    Item,
    Judgment,
    JudgmentRevision,
    Project,
    ReviewState,
    User,
)
from annotate.ops import metrics
from annotate.projects import counters
from annotate.projects.services import must_accept_terms
from annotate.timekeeping import judging
from annotate.validation import InvalidDocument, Problem
from annotate.webhooks import events as webhook_events


class AssignmentError(Exception):
    """The request cannot be honoured; the message is for the user. ``status`` suits HTTP."""

    status = 409


class LeaseLost(AssignmentError):
    """A late submit whose slot somebody else has taken. Raised before anything is written."""


class TermsPending(AssignmentError):
    """The expert has not accepted the project's current terms: nothing is leased until they do."""

    status = 403


def lock_user(session: Session, user: User) -> None:
    """Serialise one user's claims (tabs, devices, API clients) on their row (PostgreSQL).

    SQLite has no row locks; there ``BEGIN IMMEDIATE`` already serialises every writer.
    """
    if session.get_bind().dialect.name != "sqlite":
        session.execute(select(User.id).where(User.id == user.id).with_for_update(key_share=True))


def lock_row(session: Session, model: Any, row_id: int) -> None:
    """Lock one row until the transaction ends (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises)."""
    session.execute(select(model.id).where(model.id == row_id).with_for_update())


def lock_assignment(session: Session, assignment_id: int) -> Assignment:
    """Lock the assignment's row and re-read it, in one statement: a concurrent submit, skip or
    expiry of the lease waits until this transaction ends.

    A plain select, not ``refresh(with_for_update=True)``: refresh reuses the caller's loader
    options, and PostgreSQL refuses FOR UPDATE on the outer join a joinedload adds."""
    return session.scalars(_locked_assignment(), {"assignment": assignment_id}).one()


@prebuilt
def _locked_assignment() -> Select:
    return (
        select(Assignment)
        .where(Assignment.id == bindparam("assignment"))
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def release_expired(session: Session, project: Project, now: datetime | None = None) -> int:
    """Mark expired leases as such and give their slots back to the pool. Returns how many."""
    now = now or utcnow()
    ids = list(session.scalars(queries.expired_leases(), {"in_project": project.id, "now": now}))
    if not ids:
        return 0
    released = session.execute(
        update(Assignment)
        .where(Assignment.id.in_(ids), Assignment.status == AssignmentStatus.LEASED)
        .values(status=AssignmentStatus.EXPIRED, finished_at=now)
        .returning(Assignment.item_id, Assignment.purpose)
    ).all()
    # Only judging leases hold one of the item's overlap slots.
    judging = Counter(item_id for item_id, purpose in released if purpose is AssignmentPurpose.JUDGE)
    # Sorted, so that concurrent releases lock items in one order and never deadlock.
    for item_id, n in sorted(judging.items()):
        session.execute(update(Item).where(Item.id == item_id).values(assigned_count=Item.assigned_count - n))
    return len(released)


def claim_task(session: Session, project: Project, expert: User, *, fresh: bool = False) -> Assignment | None:
    """A claim from the task page or the API: ``TermsPending`` until the expert has accepted the
    project's current terms (one small query), then ``claim_next``."""
    if must_accept_terms(session, project, expert):
        raise TermsPending("accept the project's terms first")
    return claim_next(session, project, expert, fresh=fresh)


def claim_next(
    session: Session, project: Project, expert: User, now: datetime | None = None, *, fresh: bool = False
) -> Assignment | None:
    """Lease the next task to ``expert``; None when there is nothing for them.

    By default an expert's open lease is returned again (a retried POST, a second tab or
    device gets the same task). ``fresh=True`` leases another item while the expert holds
    fewer than ``project.max_active_leases``. Nothing is leased to an expert without the
    project's required expertise or past its quota; ``routing.refusal`` says which.
    """
    now = now or utcnow()
    begin_write(session)
    lock_user(session, expert)
    release_expired(session, project, now)
    if not fresh:
        current = session.scalar(
            queries.active_lease(), {"in_project": project.id, "for_expert": expert.id, "now": now}
        )
        if current is not None:
            return current
    elif active_leases(session, project, expert, now) >= project.max_active_leases:
        return None
    if not has_expertise(project, expert):
        return None
    if project.quota_per_expert is not None and used_quota(session, project, expert, now) >= project.quota_per_expert:
        return None
    item = _take_slot(session, project, expert)
    if item is None:
        return None
    order = [r["id"] for r in item.responses]
    if project.randomize_order:
        random.SystemRandom().shuffle(order)
    # An INSERT … RETURNING, not session.add() and a flush: the unit of work costs more than the insert.
    assignment = session.scalars(
        _new_lease(),
        [
            {
                "project_id": project.id,
                "item_id": item.id,
                "expert_id": expert.id,
                "status": AssignmentStatus.LEASED,
                "purpose": AssignmentPurpose.JUDGE,
                "leased_at": now,
                "expires_at": now + timedelta(seconds=project.lease_seconds),
                "display_order": order,
                "active_seconds": 0,
            }
        ],
    ).one()
    set_committed_value(assignment, "item", item)
    metrics.CLAIMS.inc()
    return assignment


@prebuilt
def _new_lease() -> Insert:
    return insert(Assignment).returning(Assignment)


def _take_slot(session: Session, project: Project, expert: User) -> Item | None:
    """Find the next item for ``expert`` and take one of its slots (``assigned_count + 1``) in
    one statement; None when nothing is left for them.

    One statement per priority level tried: usually the first (the highest) has work."""
    params = {"in_project": project.id, "max_assigned": project.overlap, "for_expert": expert.id}
    below = None
    while True:
        item = session.scalars(_claim_statement(below is not None), params).one_or_none()
        if item is not None:
            return item
        below = session.scalar(queries.top_priority(project, below))
        if below is None:
            return None
        params["below_priority"] = below


@prebuilt
def _claim_statement(below: bool) -> Update:
    """UPDATE … RETURNING the item whose slot a claim takes (parameters: ``queries.next_assignable``).

    The candidate is picked in a MATERIALIZED common table expression, not a subquery in the
    WHERE clause: PostgreSQL may evaluate such a subquery more than once in one statement
    (each time skipping the rows it locked before) and so update several items."""
    picked = queries.next_assignable(below).cte("picked").prefix_with("MATERIALIZED")
    return (
        update(Item)
        .where(Item.id.in_(select(picked.c.id)))
        .values(assigned_count=Item.assigned_count + 1)
        .returning(Item)
        .execution_options(synchronize_session=False, populate_existing=True)
    )


def answer_schema(project: Project, item: Item) -> dict[str, Any]:
    """The JSON Schema a judgment of ``item`` must satisfy under the project's template."""
    kind = get_kind(project.kind)
    return kind.answer_schema(project.template["config"], [r["id"] for r in item.responses])


def check_answers(project: Project, item: Item, answers: Any) -> dict[str, Any]:
    """Validate answers server-side (the browser is not trusted) through the kinds' one path
    (``annotate.kinds.check_answers``); raise InvalidDocument with JSON paths. Returns the
    answers to store (the kind may add what the server measures, ``Kind.complete``)."""
    completed: dict[str, Any] = kinds.check_answers(
        get_kind(project.kind), project.template["config"], answers, item.responses
    )
    return completed


def submit_judgment(
    session: Session,
    assignment: Assignment,
    project: Project,
    answers: dict[str, Any],
    *,
    signals: dict[str, Any] | None = None,
    turns: Any = None,
    now: datetime | None = None,
) -> tuple[Judgment, bool]:
    """Record the expert's answers for ``assignment``. Returns (judgment, created).

    Idempotent: the same answers again return the existing judgment. Different answers
    on a submitted assignment change it, keeping the previous answers as a revision:
    freely before review, as a revision after a reviewer rejected it (it is then pending
    review again), never once a reviewer accepted it. A late submit on an expired lease
    is taken if the slot is still free, otherwise LeaseLost.

    Its active time is the server's (annotate.timekeeping: the expert's intervals on the
    assignment, the submit closing the last one); ``signals`` are what the task page
    recorded of how the text was entered. Both raise the judgment's flags.

    ``turns``: the per-turn judgments when the template asks for them (annotate.turns),
    checked with the answers (one InvalidDocument lists the problems of both). The judgment
    also records the item's machine suggestion as this expert met it (annotate.suggestions).
    """
    from annotate.assign import adjudication

    now = now or utcnow()
    # An item never changes after its import, so the answers are checked before the write
    # lock (SQLite) or the assignment's row lock (PostgreSQL) is taken: it is held for less
    # time, and an invalid submit takes no lock at all.
    item = session.get_one(Item, assignment.item_id)
    turns_config = per_turn.config_of(project.template)
    found: list[Problem] = []
    try:
        answers = check_answers(project, item, answers)
    except InvalidDocument as exc:
        found = list(exc.problems)
    found += per_turn.problems(turns_config, item.prompt, turns)
    if found:
        raise InvalidDocument(found, "answers")
    stored_turns = per_turn.check(turns_config, item.prompt, turns)
    begin_write(session)
    # The expert's clock before the assignment: a heartbeat locks them in that order too.
    clocked = judging.close(session, assignment, now)
    assignment = lock_assignment(session, assignment.id)

    if assignment.status is AssignmentStatus.SUBMITTED:
        judgment = session.scalars(
            select(Judgment)
            .where(Judgment.assignment_id == assignment.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if judgment.answers != answers or judgment.turns != stored_turns:
            measured = judging.measure(session, assignment, project, signals, clocked, earlier_signals=judgment.signals)
            _revise(session, judgment, item, answers, stored_turns, assignment.expert_id, measured, now)
        return judgment, False
    if assignment.status is AssignmentStatus.SKIPPED:
        raise AssignmentError("You skipped this task; it has gone to someone else.")
    is_adjudication = assignment.purpose is AssignmentPurpose.ADJUDICATE
    judged = None
    if is_adjudication:
        adjudication.take_slot(session, assignment, now)
    else:
        judged = _count_judgment(session, project, item, late=assignment.status is AssignmentStatus.EXPIRED)

    measured = judging.measure(session, assignment, project, signals, clocked)
    # Statements, not the unit of work (which costs more than they do): the assignment is
    # locked and read above, and nothing else in this session has changed it.
    session.execute(_finish_assignment(), {"assignment": assignment.id, "finished": now, "seconds": measured.seconds})
    for key, value in (
        ("status", AssignmentStatus.SUBMITTED),
        ("finished_at", now),
        ("active_seconds", measured.seconds),
    ):
        set_committed_value(assignment, key, value)
    judgment = session.scalars(
        _new_judgment(),
        [
            {
                "assignment_id": assignment.id,
                "project_id": project.id,
                "item_id": item.id,
                "expert_id": assignment.expert_id,
                "answers": answers,
                "turns": stored_turns,
                "suggestion": suggestions.record(suggestions.policy_of(project), item, assignment.leased_at, now),
                "template_name": project.template_name,
                "template_version": project.template_version,
                "instructions_version": project.instructions_version,
                **measured.columns(),
                "adjudication": is_adjudication,
                "review_state": ReviewState.PENDING,
                "created_at": now,
                "updated_at": now,
            }
        ],
    ).one()
    if is_adjudication:
        adjudication.resolve(session, assignment, judgment, now)
    else:
        adjudication.flag_if_disputed(session, project, item, now, judged=judged)
    counters.add(session, project.id, counters.judgment_added(judged, now), actor_id=assignment.expert_id)
    webhook_events.judgment_submitted(session, project, item, judgment, judged)
    # The caller's response names the item: no query for it after the commit.
    set_committed_value(assignment, "item", item)
    metrics.SUBMITS.inc()
    return judgment, True


@prebuilt
def _finish_assignment() -> Update:
    return (
        update(Assignment)
        .where(Assignment.id == bindparam("assignment"))
        .values(
            status=AssignmentStatus.SUBMITTED, finished_at=bindparam("finished"), active_seconds=bindparam("seconds")
        )
        .execution_options(synchronize_session=False)
    )


@prebuilt
def _new_judgment() -> Insert:
    return insert(Judgment).returning(Judgment)


def _count_judgment(session: Session, project: Project, item: Item, *, late: bool) -> int:
    """Count one more judgment on ``item``; return how many it has now (tie-breakers excluded).

    The update locks the item's row, so concurrent final judgments of one item queue here and
    each sees the others' (PostgreSQL re-reads the row once the lock is free). A late submit
    on an expired lease also takes its slot back, if the slot is still free; else LeaseLost.
    """
    params = {"item": item.id}
    if late:
        params["max_assigned"] = project.overlap
    row = session.execute(_count_statement(late), params).one_or_none()
    if row is None:
        raise LeaseLost(
            "Your lease on this task expired and another expert has taken it; your answer was not recorded."
        )
    set_committed_value(item, "judged_count", row.judged_count)
    set_committed_value(item, "assigned_count", row.assigned_count)
    return row.judged_count


@prebuilt
def _count_statement(late: bool) -> Update:
    """One more judgment on the item ``item``; ``late`` also takes a free slot back (``max_assigned``: the overlap)."""
    values = {"judged_count": Item.judged_count + 1}
    statement = update(Item).where(Item.id == bindparam("item"))
    if late:
        values["assigned_count"] = Item.assigned_count + 1
        statement = statement.where(Item.assigned_count < bindparam("max_assigned"))
    return (
        statement.values(**values)
        .returning(Item.judged_count, Item.assigned_count)
        .execution_options(synchronize_session=False)
    )


def _revise(
    session: Session,
    judgment: Judgment,
    item: Item,
    answers: dict[str, Any],
    turns: list[dict[str, Any]] | None,
    expert_id: int,
    measured: judging.Measured,
    now: datetime,
) -> None:
    """The expert changes a submitted judgment; the answers it replaces become a revision
    (``after-suggestion`` when the machine suggestion had been revealed to them)."""
    if judgment.review_state is ReviewState.ACCEPTED:
        raise AssignmentError("A reviewer has accepted this judgment; it can no longer be changed.")
    reason = "edit"
    if judgment.review_state is ReviewState.REJECTED:
        reason = "revision"
    elif suggestions.revised_after_seeing(judgment.suggestion):
        reason = "after-suggestion"
    session.add(
        JudgmentRevision(
            judgment_id=judgment.id,
            answers=judgment.answers,
            turns=judgment.turns,
            edited_by_id=expert_id,
            reason=reason,
            created_at=now,
        )
    )
    if judgment.suggestion:
        judgment.suggestion = suggestions.record(
            judgment.suggestion.get("policy", suggestions.DEFAULT),
            item,
            judgment.created_at,
            now,
            earlier=judgment.suggestion,
        )
    judgment.answers = answers
    judgment.turns = turns
    judgment.updated_at = now
    for key, value in measured.columns().items():  # the assignment's whole time, both sittings
        setattr(judgment, key, value)
    # A revised judgment goes back into the review queue; a reviewer's hold on the old version lapses.
    judgment.review_state = ReviewState.PENDING
    judgment.review_claimed_by_id = None
    judgment.review_claimed_until = None
    session.flush()


def skip_assignment(session: Session, assignment: Assignment, reason: str, now: datetime | None = None) -> Assignment:
    """Give a leased task back with a reason: the slot returns to the pool and the item
    goes to someone else (this expert never gets it again: one assignment per item and expert)."""
    from annotate.assign import adjudication

    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise AssignmentError("Say why you skip this task.")
    begin_write(session)
    assignment = lock_assignment(session, assignment.id)
    if assignment.status is AssignmentStatus.SKIPPED:
        return assignment
    if assignment.status is AssignmentStatus.SUBMITTED:
        raise AssignmentError("This task is already submitted; edit your judgment instead of skipping.")
    if assignment.purpose is AssignmentPurpose.ADJUDICATE:
        adjudication.give_back(session, assignment)
    elif assignment.status is AssignmentStatus.LEASED:
        # An expired lease that has not been reaped yet still holds its slot.
        session.execute(
            update(Item).where(Item.id == assignment.item_id).values(assigned_count=Item.assigned_count - 1)
        )
    assignment.status = AssignmentStatus.SKIPPED
    assignment.skip_reason = reason[:2000]
    assignment.finished_at = now
    session.flush()
    counters.add(session, assignment.project_id, {"skips": 1}, actor_id=assignment.expert_id)
    metrics.SKIPS.inc()
    return assignment


# A batch's priority is a whole number in [-PRIORITY_LIMIT, PRIORITY_LIMIT]; higher goes first.
PRIORITY_LIMIT = 1_000_000


def prioritize_batch(session: Session, project: Project, batch_id: int, priority: int) -> int:
    """Give every item of one of the project's batches ``priority`` (higher goes first). Returns how many."""
    if not -PRIORITY_LIMIT <= priority <= PRIORITY_LIMIT:
        raise AssignmentError(f"priority: must be between {-PRIORITY_LIMIT} and {PRIORITY_LIMIT}")
    batch = session.get(Batch, batch_id) if 0 <= batch_id <= MAX_ID else None
    if batch is None or batch.project_id != project.id:
        error = AssignmentError(f"batch: no batch {batch_id} in project {project.slug}")
        error.status = 404
        raise error
    return rowcount(
        session.execute(
            update(Item).where(Item.project_id == project.id, Item.batch_id == batch_id).values(priority=priority)
        )
    )
