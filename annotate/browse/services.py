"""Bulk review: accept or reject many judgments at once. Flushes only; the caller commits, so
that every judgment changes, or none (STYLE.md 4)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, insert, select, update
from sqlalchemy.orm import Session

from annotate.db import utcnow
from annotate.models import Judgment, Review, ReviewState, ReviewVerdict, User
from annotate.review.services import COMMENT_MAX, ReviewError

BULK_VERDICTS = (ReviewVerdict.ACCEPT, ReviewVerdict.REJECT)
CHUNK = 500  # ids per statement: under every database's bound-parameter limit


def review_many(
    session: Session,
    eligible: Select,
    reviewer: User,
    verdict: ReviewVerdict,
    comment: str = "",
    now: datetime | None = None,
) -> int:
    """Record one ``verdict`` (with one ``comment``) on every judgment ``eligible`` selects (ids of
    pending judgments the reviewer may review: ``queries.reviewable``); returns how many.

    The rows are locked first (PostgreSQL ``FOR UPDATE``; SQLite's write lock serialises), and the
    update re-checks that each is still pending, so a judgment reviewed meanwhile by someone else
    is left alone rather than reviewed twice. Like one review: the latest review is the verdict,
    and a rejected judgment goes back to its expert with the comment."""
    now = now or utcnow()
    comment = (comment or "").strip()
    if verdict not in BULK_VERDICTS:
        raise ReviewError("verdict: choose accept or reject")
    if len(comment) > COMMENT_MAX:
        raise ReviewError(f"comment: at most {COMMENT_MAX} characters")
    if verdict is ReviewVerdict.REJECT and not comment:
        raise ReviewError("comment: say what the experts should change")
    ids = list(session.scalars(select(Judgment.id).where(Judgment.id.in_(eligible)).with_for_update()))
    state = ReviewState.REJECTED if verdict is ReviewVerdict.REJECT else ReviewState.ACCEPTED
    done = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        changed = list(
            session.scalars(
                update(Judgment)
                .where(Judgment.id.in_(chunk), Judgment.review_state == ReviewState.PENDING)
                .values(review_state=state, review_claimed_by_id=None, review_claimed_until=None)
                .returning(Judgment.id)
                .execution_options(synchronize_session=False),
            )
        )
        if changed:
            session.execute(
                insert(Review),
                [
                    {
                        "judgment_id": j,
                        "reviewer_id": reviewer.id,
                        "verdict": verdict,
                        "comment": comment,
                        "created_at": now,
                    }
                    for j in changed
                ],
            )
        done += len(changed)
    session.flush()
    return done
