"""Leases: expiry returns items to the pool, late submits, skips routing items elsewhere."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from annotate.assign.services import AssignmentError, LeaseLost, claim_next, skip_assignment, submit_judgment
from annotate.assign.skips import skipped_report
from annotate.models import Assignment, AssignmentStatus, Item, Judgment

ANSWER = {"preferred": "r2"}


def test_an_expired_lease_returns_its_item_to_the_pool(team, session, clock):
    project, (alice, bob) = team(n=1, k=2, lease_seconds=60)
    first = claim_next(session, project, alice, clock.now)
    session.commit()
    assert claim_next(session, project, bob, clock.now) is None  # overlap 1: taken
    clock.advance(61)
    second = claim_next(session, project, bob, clock.now)
    session.commit()
    assert second is not None
    assert second.item_id == first.item_id
    session.refresh(first)
    assert first.status is AssignmentStatus.EXPIRED
    assert session.get(Item, first.item_id).assigned_count == 1


def test_late_submit_is_accepted_when_nobody_took_the_slot(team, session, clock):
    project, (alice, _bob) = team(n=1, k=2, lease_seconds=60)
    lease = claim_next(session, project, alice, clock.now)
    session.commit()
    clock.advance(120)
    claim_next(session, project, alice, clock.now)  # reaps the expired lease
    session.commit()
    session.refresh(lease)
    assert lease.status is AssignmentStatus.EXPIRED
    judgment, created = submit_judgment(session, lease, project, ANSWER, now=clock.now)
    session.commit()
    assert created
    assert judgment.answers == ANSWER
    assert session.get(Item, lease.item_id).assigned_count == 1


def test_late_submit_is_refused_when_someone_else_took_the_slot(team, session, clock):
    project, (alice, bob) = team(n=1, k=2, lease_seconds=60)
    lease = claim_next(session, project, alice, clock.now)
    session.commit()
    clock.advance(61)
    taken = claim_next(session, project, bob, clock.now)
    session.commit()
    assert taken is not None
    with pytest.raises(LeaseLost, match="another expert has taken it"):
        submit_judgment(session, lease, project, ANSWER, now=clock.now)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Judgment)) == 0
    assert session.get(Item, lease.item_id).assigned_count == 1


def test_skip_needs_a_reason_and_routes_the_item_to_someone_else(team, session, clock):
    project, (alice, bob) = team(n=1, k=2)
    lease = claim_next(session, project, alice, clock.now)
    with pytest.raises(AssignmentError, match="why"):
        skip_assignment(session, lease, "  ")
    skip_assignment(session, lease, "outside my expertise", now=clock.now)
    session.commit()
    assert session.get(Item, lease.item_id).assigned_count == 0
    assert claim_next(session, project, alice, clock.now) is None  # never again to the skipper
    other = claim_next(session, project, bob, clock.now)
    session.commit()
    assert other is not None
    assert other.item_id == lease.item_id
    with pytest.raises(AssignmentError, match="skipped"):
        submit_judgment(session, lease, project, ANSWER, now=clock.now)


def test_items_everybody_skipped_are_surfaced(team, session, clock):
    project, (alice, bob) = team(n=2, k=2)
    for expert, reason in ((alice, "offensive content"), (bob, "cannot judge code")):
        lease = claim_next(session, project, expert, clock.now)
        skip_assignment(session, lease, reason, now=clock.now)
    session.commit()
    report = skipped_report(session, project)
    assert len(report) == 1
    entry = report[0]
    assert entry["skips"] == 2
    assert entry["judgments"] == 0
    assert entry["stuck"] is True
    assert entry["remaining"] == 0
    assert sorted(entry["reasons"]) == ["cannot judge code", "offensive content"]


def test_an_item_skipped_once_is_not_stuck_while_others_can_take_it(team, session, clock):
    project, (alice, _bob) = team(n=2, k=2)
    skip_assignment(session, claim_next(session, project, alice, clock.now), "unsure", now=clock.now)
    session.commit()
    (entry,) = skipped_report(session, project)
    assert entry["stuck"] is False
    assert entry["remaining"] == 1


def test_edits_keep_every_version(team, session, clock):
    project, (alice, _bob) = team(n=1, k=2)
    lease = claim_next(session, project, alice, clock.now)
    judgment, _ = submit_judgment(session, lease, project, {"preferred": "r1"}, now=clock.now)
    again, created = submit_judgment(session, lease, project, {"preferred": "r1"}, now=clock.now)
    assert not created
    assert again.id == judgment.id
    assert judgment.revisions == []
    submit_judgment(session, lease, project, {"preferred": "tie"}, now=clock.advance(5))
    session.commit()
    session.refresh(judgment)
    assert judgment.answers == {"preferred": "tie"}
    assert [(r.answers, r.reason, r.edited_by_id) for r in judgment.revisions] == [
        ({"preferred": "r1"}, "edit", alice.id)
    ]
    assert session.scalar(select(func.count()).select_from(Assignment)) == 1
