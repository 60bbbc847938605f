"""The review round trip: accept, reject back to the expert and revise, fix and accept; history kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from annotate.assign.services import AssignmentError, claim_next, submit_judgment
from annotate.models import Judgment, Review, ReviewState, ReviewVerdict
from annotate.review.queries import latest_review, returned_to, review_queue
from annotate.review.services import ReviewError, claim_review, record_review
from annotate.validation import InvalidDocument


def judge(session, project, expert, answers, now):
    lease = claim_next(session, project, expert, now)
    judgment, _ = submit_judgment(session, lease, project, answers, now=now)
    session.commit()
    return lease, judgment


def test_accept_makes_a_judgment_final(reviewed, session, now):
    project, (alice, _), rita, _ = reviewed()
    lease, judgment = judge(session, project, alice, {"preferred": "r1"}, now)
    held = claim_review(session, project, rita, now)
    assert held.id == judgment.id
    record_review(session, held, project, rita, ReviewVerdict.ACCEPT, now=now)
    session.commit()
    assert judgment.review_state is ReviewState.ACCEPTED
    assert session.scalar(latest_review(judgment.id)).verdict is ReviewVerdict.ACCEPT
    with pytest.raises(AssignmentError, match="accepted"):
        submit_judgment(session, lease, project, {"preferred": "r2"}, now=now)
    session.rollback()
    assert claim_review(session, project, rita, now) is None


def test_reject_returns_to_the_expert_who_revises_and_it_is_reviewed_again(reviewed, session, now):
    project, (alice, _), rita, _ = reviewed()
    lease, judgment = judge(session, project, alice, {"preferred": "r1"}, now)
    with pytest.raises(ReviewError, match="comment"):
        record_review(session, judgment, project, rita, ReviewVerdict.REJECT, comment=" ", now=now)
    session.rollback()
    record_review(
        session,
        judgment,
        project,
        rita,
        ReviewVerdict.REJECT,
        comment="Response B cites a source; look again.",
        now=now,
    )
    session.commit()
    (row,) = session.execute(returned_to(alice)).all()
    assert row[0].id == judgment.id
    assert row[1] == project.slug
    assert session.execute(review_queue(project)).all() == []

    later = now + timedelta(minutes=5)
    submit_judgment(session, lease, project, {"preferred": "r2", "rationale": "B cites a source"}, now=later)
    session.commit()
    session.refresh(judgment)
    assert judgment.review_state is ReviewState.PENDING
    assert [(r.reason, r.answers) for r in judgment.revisions] == [("revision", {"preferred": "r1"})]
    assert session.execute(returned_to(alice)).all() == []
    assert claim_review(session, project, rita, later).id == judgment.id
    record_review(session, judgment, project, rita, ReviewVerdict.ACCEPT, now=later)
    session.commit()
    verdicts = session.scalars(
        select(Review.verdict).where(Review.judgment_id == judgment.id).order_by(Review.id)
    ).all()
    assert verdicts == [ReviewVerdict.REJECT, ReviewVerdict.ACCEPT]


def test_fix_and_accept_keeps_the_original_as_a_revision(reviewed, session, now):
    project, (alice, _), rita, _ = reviewed()
    _lease, judgment = judge(session, project, alice, {"preferred": "r1"}, now)
    with pytest.raises(InvalidDocument):
        record_review(session, judgment, project, rita, ReviewVerdict.FIX, answers={"preferred": "r9"}, now=now)
    session.rollback()
    with pytest.raises(ReviewError, match="unchanged"):
        record_review(session, judgment, project, rita, ReviewVerdict.FIX, answers={"preferred": "r1"}, now=now)
    session.rollback()
    review = record_review(
        session,
        judgment,
        project,
        rita,
        ReviewVerdict.FIX,
        answers={"preferred": "tie"},
        comment="equal quality",
        now=now,
    )
    session.commit()
    session.refresh(judgment)
    assert judgment.answers == {"preferred": "tie"}
    assert judgment.review_state is ReviewState.ACCEPTED
    (revision,) = judgment.revisions
    assert (revision.answers, revision.reason, revision.edited_by_id) == ({"preferred": "r1"}, "review-fix", rita.id)
    assert review.revision_id == revision.id


def test_reviewers_cannot_review_their_own_work_nor_twice(reviewed, session, now):
    project, (alice, _), rita, _ = reviewed()
    _lease, judgment = judge(session, project, alice, {"preferred": "r1"}, now)
    with pytest.raises(ReviewError, match="own"):
        record_review(session, judgment, project, alice, ReviewVerdict.ACCEPT, now=now)
    session.rollback()
    record_review(session, judgment, project, rita, ReviewVerdict.ACCEPT, now=now)
    session.commit()
    with pytest.raises(ReviewError, match="already been reviewed"):
        record_review(session, judgment, project, rita, ReviewVerdict.REJECT, comment="no", now=now)


def test_two_reviewers_never_hold_the_same_judgment(reviewed, make_user, session, now):
    project, (alice, bob), rita, _ = reviewed()
    from annotate.models import ProjectRole
    from annotate.projects.services import add_member

    rob = make_user("expert")
    add_member(session, project, rob, ProjectRole.REVIEWER)
    session.commit()
    judge(session, project, alice, {"preferred": "r1"}, now)
    judge(session, project, bob, {"preferred": "r2"}, now + timedelta(seconds=1))
    first = claim_review(session, project, rita, now)
    second = claim_review(session, project, rob, now)
    session.commit()
    assert first.id != second.id
    assert claim_review(session, project, rita, now).id == first.id  # they keep their hold
    with pytest.raises(ReviewError, match="Another reviewer"):
        record_review(session, second, project, rita, ReviewVerdict.ACCEPT, now=now)


def test_a_verdict_on_a_version_the_expert_has_since_changed_is_refused(reviewed, session, now):
    project, (alice, _), rita, _ = reviewed()
    lease, judgment = judge(session, project, alice, {"preferred": "r1"}, now)
    seen = judgment.updated_at
    submit_judgment(session, lease, project, {"preferred": "r2"}, now=now + timedelta(seconds=3))
    session.commit()
    with pytest.raises(ReviewError, match="changed this judgment"):
        record_review(session, judgment, project, rita, ReviewVerdict.ACCEPT, seen_updated_at=seen, now=now)
    session.rollback()
    assert session.scalar(select(Judgment.review_state).where(Judgment.id == judgment.id)) is ReviewState.PENDING
