"""Disagreement routing: a split vote brings one tie-breaking judgment from an adjudicator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from annotate.assign.adjudication import agreement_pct, claim_adjudication, earlier_judgments
from annotate.assign.services import LeaseLost, claim_next, skip_assignment, submit_judgment
from annotate.models import Adjudication, AdjudicationStatus, AssignmentPurpose, Item, Judgment


def vote(session, project, experts, preferences, now):
    for expert, preferred in zip(experts, preferences, strict=True):
        lease = claim_next(session, project, expert, now)
        submit_judgment(session, lease, project, {"preferred": preferred}, now=now)
    session.commit()


def test_agreement(reviewed):
    project, *_ = reviewed()
    assert agreement_pct(project, [{"preferred": "r1"}, {"preferred": "r2"}]) == 50
    assert agreement_pct(project, [{"preferred": "r1"}] * 2 + [{"preferred": "tie"}]) == 66
    assert agreement_pct(project, [{"preferred": "r1"}] * 3) == 100


def test_a_split_vote_is_adjudicated_and_raw_judgments_are_kept(reviewed, session, now):
    project, (alice, bob), rita, ada = reviewed(n=1, overlap=2, adjudication_threshold=100)
    vote(session, project, (alice, bob), ("r1", "r2"), now)
    adjudication = session.scalar(select(Adjudication))
    assert adjudication.status is AdjudicationStatus.OPEN
    assert adjudication.agreement_pct == 50
    assert claim_adjudication(session, project, alice, now) is None  # judged it already
    lease = claim_adjudication(session, project, ada, now)
    assert lease.purpose is AssignmentPurpose.ADJUDICATE
    assert lease.item_id == adjudication.item_id
    earlier = session.execute(earlier_judgments(lease.item)).all()
    assert [j.answers["preferred"] for j, _pseudonym in earlier] == ["r1", "r2"]
    assert all(p.startswith("expert-") for _j, p in earlier)
    assert claim_adjudication(session, project, rita, now) is None  # one adjudicator per item
    judgment, created = submit_judgment(session, lease, project, {"preferred": "r2"}, now=now)
    session.commit()
    assert created
    assert judgment.adjudication
    session.refresh(adjudication)
    assert adjudication.status is AdjudicationStatus.DONE
    assert adjudication.judgment_id == judgment.id
    assert session.scalar(select(func.count()).select_from(Judgment)) == 3
    assert session.get(Item, adjudication.item_id).assigned_count == 2  # the tie-breaker used no overlap slot


def test_agreement_needs_no_adjudication(reviewed, session, now):
    project, experts, _rita, _ada = reviewed(n=1, overlap=2, adjudication_threshold=100)
    vote(session, project, experts, ("r1", "r1"), now)
    assert session.scalar(select(func.count()).select_from(Adjudication)) == 0


def test_no_threshold_no_adjudication(reviewed, session, now):
    project, experts, _rita, _ada = reviewed(n=1, overlap=2)
    vote(session, project, experts, ("r1", "r2"), now)
    assert session.scalar(select(func.count()).select_from(Adjudication)) == 0


def test_an_expired_adjudication_goes_to_another_adjudicator_and_the_late_one_is_refused(reviewed, session, now):
    project, experts, rita, ada = reviewed(n=1, overlap=2, adjudication_threshold=100, lease_seconds=60)
    vote(session, project, experts, ("r1", "r2"), now)
    first = claim_adjudication(session, project, ada, now)
    session.commit()
    later = now + timedelta(seconds=61)
    second = claim_adjudication(session, project, rita, later)
    session.commit()
    assert second is not None
    assert second.item_id == first.item_id
    with pytest.raises(LeaseLost, match="another adjudicator"):
        submit_judgment(session, first, project, {"preferred": "r1"}, now=later)
    session.rollback()
    submit_judgment(session, second, project, {"preferred": "r1"}, now=later)
    session.commit()
    assert session.scalar(select(Adjudication.status)) is AdjudicationStatus.DONE


def test_a_late_adjudication_is_taken_when_nobody_else_did(reviewed, session, now):
    project, experts, _rita, ada = reviewed(n=1, overlap=2, adjudication_threshold=100, lease_seconds=60)
    vote(session, project, experts, ("r1", "r2"), now)
    lease = claim_adjudication(session, project, ada, now)
    session.commit()
    judgment, created = submit_judgment(session, lease, project, {"preferred": "r1"}, now=now + timedelta(hours=2))
    session.commit()
    assert created
    assert judgment.adjudication


def test_an_adjudicator_who_skips_frees_the_item_for_another(reviewed, session, now):
    project, experts, rita, ada = reviewed(n=1, overlap=2, adjudication_threshold=100)
    vote(session, project, experts, ("r1", "r2"), now)
    lease = claim_adjudication(session, project, ada, now)
    skip_assignment(session, lease, "conflict of interest", now=now)
    session.commit()
    assert claim_adjudication(session, project, ada, now) is None
    assert claim_adjudication(session, project, rita, now) is not None
