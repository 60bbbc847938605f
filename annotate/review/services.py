"""Review verdicts on judgments. Services flush; the caller commits (STYLE.md 4).

How a judgment moves (``Judgment.review_state``):

* PENDING: new, or revised by its expert after a rejection. In the review queue.
* ACCEPTED: a reviewer accepted it, or fixed and accepted it. Final: the expert can
  no longer change it.
* REJECTED: a reviewer sent it back with a comment. The expert sees the comment
  (``queries.returned_to``) and re-opens the judgment by submitting changed answers
  for the same assignment (the task page or the API, as for any edit): the old
  answers become a ``JudgmentRevision`` (reason ``revision``) and the judgment is
  PENDING again. The expert's overlap slot is kept throughout; no new lease is needed.

Every verdict is a ``Review`` row; the latest one is the current verdict (see
``annotate.models.Review``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from annotate.assign.services import AssignmentError, check_answers, lock_row, lock_user
from annotate.db import utcnow
from annotate.models import Item, Judgment, JudgmentRevision, Project, Review, ReviewState, ReviewVerdict, User

# How long a reviewer holds a judgment they opened from the queue.
HOLD_SECONDS = 15 * 60
COMMENT_MAX = 5000


class ReviewError(AssignmentError):
    """A verdict that cannot be recorded; the message says why. ``field``: the form field it is
    about (the page shows the message next to it), or None for the verdict as a whole."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def claim_review(session: Session, project: Project, reviewer: User, now: datetime | None = None) -> Judgment | None:
    """Hold the next pending judgment for ``reviewer`` (or return the one they hold); None when the queue is empty.

    Oldest change first; never the reviewer's own judgments; a judgment another
    reviewer holds is skipped (``FOR UPDATE SKIP LOCKED`` on PostgreSQL).
    """
    now = now or utcnow()
    lock_user(session, reviewer)
    held = session.scalar(
        select(Judgment)
        .where(
            Judgment.project_id == project.id,
            Judgment.review_state == ReviewState.PENDING,
            Judgment.review_claimed_by_id == reviewer.id,
            Judgment.review_claimed_until > now,
        )
        .order_by(Judgment.updated_at, Judgment.id)
        .limit(1)
    )
    if held is not None:
        return held
    judgment = session.scalar(
        select(Judgment)
        .where(
            Judgment.project_id == project.id,
            Judgment.review_state == ReviewState.PENDING,
            Judgment.expert_id != reviewer.id,
            or_(Judgment.review_claimed_until.is_(None), Judgment.review_claimed_until <= now),
        )
        .order_by(Judgment.updated_at, Judgment.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if judgment is None:
        return None
    judgment.review_claimed_by_id = reviewer.id
    judgment.review_claimed_until = now + timedelta(seconds=HOLD_SECONDS)
    session.flush()
    return judgment


def record_review(
    session: Session,
    judgment: Judgment,
    project: Project,
    reviewer: User,
    verdict: ReviewVerdict,
    *,
    comment: str = "",
    answers: dict[str, Any] | None = None,
    seen_updated_at: datetime | None = None,
    now: datetime | None = None,
) -> Review:
    """Record ``reviewer``'s verdict on ``judgment``.

    ACCEPT accepts it; REJECT (a comment is required) returns it to its expert; FIX
    replaces its answers with ``answers`` (validated like any judgment), keeping the
    original as a revision, and accepts it. ``seen_updated_at``: the version the
    reviewer looked at; if the expert changed the judgment since, nothing is recorded.
    """
    now = now or utcnow()
    lock_row(session, Judgment, judgment.id)
    session.refresh(judgment)
    comment = (comment or "").strip()
    if judgment.expert_id == reviewer.id:
        raise ReviewError("You cannot review your own judgment.")
    if judgment.review_state is not ReviewState.PENDING:
        raise ReviewError(f"This judgment has already been reviewed ({judgment.review_state.value}).")
    if seen_updated_at is not None and abs((judgment.updated_at - seen_updated_at).total_seconds()) >= 0.001:
        raise ReviewError(
            "The expert changed this judgment while you were reviewing it; reload it and review the new version."
        )
    if (
        judgment.review_claimed_by_id not in (None, reviewer.id)
        and judgment.review_claimed_until is not None
        and judgment.review_claimed_until > now
    ):
        raise ReviewError("Another reviewer is reviewing this judgment right now.")
    if len(comment) > COMMENT_MAX:
        raise ReviewError(f"comment: at most {COMMENT_MAX} characters", field="comment")
    if verdict is ReviewVerdict.REJECT and not comment:
        raise ReviewError("comment: say what the expert should change before returning it", field="comment")

    revision = None
    if verdict is ReviewVerdict.FIX:
        if answers is None:
            raise ReviewError("answers: a fix needs the corrected answers")
        answers = check_answers(project, session.get_one(Item, judgment.item_id), answers)
        if answers == judgment.answers:
            raise ReviewError("answers: unchanged; accept the judgment instead of fixing it")
        revision = JudgmentRevision(
            judgment_id=judgment.id,
            answers=judgment.answers,
            edited_by_id=reviewer.id,
            reason="review-fix",
            created_at=now,
        )
        session.add(revision)
        session.flush()
        judgment.answers = answers
        judgment.updated_at = now

    judgment.review_state = ReviewState.REJECTED if verdict is ReviewVerdict.REJECT else ReviewState.ACCEPTED
    judgment.review_claimed_by_id = None
    judgment.review_claimed_until = None
    review = Review(
        judgment_id=judgment.id,
        reviewer_id=reviewer.id,
        verdict=verdict,
        comment=comment,
        created_at=now,
        revision_id=revision.id if revision is not None else None,
    )
    session.add(review)
    session.flush()
    return review


def release_hold(session: Session, judgment: Judgment, reviewer: User) -> None:
    """The reviewer puts a judgment back in the queue without a verdict."""
    if judgment.review_claimed_by_id == reviewer.id:
        judgment.review_claimed_by_id = None
        judgment.review_claimed_until = None
        session.flush()
